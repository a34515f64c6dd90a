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

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pycore.chat_export.errors import ChatExportError
from pycore.chat_export.identity import (
    Identity, export_ids, identity, identity_id, identity_text, normalize_text, ordinals,
)
from pycore.chat_export.model import (
    Attachment, Author, ChatExport, ExportedMessage, ExportFormat, Media,
)
from pycore.chat_export.timeconv import to_epoch

if TYPE_CHECKING:
    from pycore.chat_export.parser import parse_export, parse_export_steps, parse_text

# The parser (with the zip reader and the header and date rules under it) is imported when first
# asked for: the core's start imports this package for its identities and models only, and reading
# a file comes later (issue 16, start time).
_PARSER = ("parse_export", "parse_export_steps", "parse_text")


def __getattr__(name: str) -> Any:
    if name in _PARSER:
        value = getattr(importlib.import_module("pycore.chat_export.parser"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "Attachment", "Author", "ChatExport", "ChatExportError", "ExportFormat", "ExportedMessage", "Identity",
    "Media", "export_ids", "identity", "identity_id", "identity_text", "normalize_text", "ordinals",
    "parse_export", "parse_export_steps", "parse_text", "to_epoch",
]
