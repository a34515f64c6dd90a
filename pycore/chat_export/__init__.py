"""Reading WhatsApp "Export chat" files (.txt or .zip; Android and iOS; pt-BR, English, Spanish).

    from pycore.chat_export import parse_export, ChatExportError
    try:
        export = parse_export(data, "WhatsApp Chat with Ana.zip")
    except ChatExportError as err:
        show(err.message_pt, err.line)
    if export.needs_date_order:  # ask once: is 03/04 the 3rd of April or March 4th?
        export = parse_export(data, name, date_order="mdy")

Pure: no storage, no clock, no other feature package. The formats and the decisions taken
where the file is unclear are in docs/chat-export-formats.md.
"""

from pycore.chat_export.errors import ChatExportError
from pycore.chat_export.identity import (
    Identity, export_ids, identity, identity_id, identity_text, normalize_text, ordinals,
)
from pycore.chat_export.model import (
    Attachment, Author, ChatExport, ExportedMessage, ExportFormat, Media,
)
from pycore.chat_export.parser import parse_export, parse_text
from pycore.chat_export.timeconv import to_epoch

__all__ = [
    "Attachment", "Author", "ChatExport", "ChatExportError", "ExportFormat", "ExportedMessage", "Identity",
    "Media", "export_ids", "identity", "identity_id", "identity_text", "normalize_text", "ordinals",
    "parse_export", "parse_text", "to_epoch",
]
