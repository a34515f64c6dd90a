"""Take everything out, put it back, erase (LGPD: access, portability, deletion on request).

- privacy.export: every feature's data as one versioned JSON archive (a .zip), prepared for the
  page to save (transfer.get); privacy.export_contacts: the contacts as CSV.
- privacy.restore: such an archive back into an empty profile (uploaded with transfer.*).
- privacy.person / person_export / erase_person: what Mettri holds about one person, that data
  as a JSON file, and erasing it; the audit keeps only a tombstone (that an erase happened, when).
- privacy.erase_all: everything, with a typed confirmation.
- privacy.settings / set_retention: audit and consent records older than the period are pruned,
  except the consent records that the opt-out list still rests on.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pycore.chatkey import ChatKeyStr
from pycore.protocol.base import Command, Event, Model, command, event
from pycore.transfers.protocol import TransferInfo

ARCHIVE_FORMAT = "mettri-archive"
ARCHIVE_VERSION = 1
PERSON_FORMAT = "mettri-person"
ERASE_ALL_WORDS = ("APAGAR TUDO", "ERASE EVERYTHING")  # typed by the user, either language
DEFAULT_RETENTION_DAYS = 730
MIN_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 3650


@command("privacy.export", TransferInfo, sources={"page"})
class ExportArchive(Command):
    """Prepare the whole archive (.zip) for the page to save with transfer.get."""


@command("privacy.export_contacts", TransferInfo, sources={"page"})
class ExportContacts(Command):
    """Prepare the contacts (and chats without a contact) as CSV."""


class PartCount(Model):
    part: str
    records: int


class RestoreResult(Model):
    parts: list[PartCount]
    restart_core: bool = Field(description="the page restarts the core so every feature reads the restored data")


class ArchiveProblem(Model):
    code: Literal["not_an_archive", "newer_version", "damaged", "not_empty", "unknown_part"]
    message_pt: str
    message_en: str


class RestoreReply(Model):
    result: RestoreResult | None = None
    problem: ArchiveProblem | None = None


@command("privacy.restore", RestoreReply, sources={"page"})
class RestoreArchive(Command):
    """Put an uploaded archive back into an empty profile (nothing is written unless all of it is valid)."""

    upload_id: str = Field(min_length=1, max_length=64)


class PersonRef(Command):
    chat: ChatKeyStr


class PersonSummary(Model):
    chat: str
    title: str
    chats: list[str] = Field(description="the chat keys that are this person (a number and its LID, merges)")
    parts: list[PartCount] = Field(description="what Mettri holds about them, per part")


@command("privacy.person", PersonSummary, sources={"page"})
class DescribePerson(PersonRef):
    """What Mettri holds about the person of this chat (counts per part), before an export or an erase."""


@command("privacy.person_export", TransferInfo, sources={"page"})
class ExportPerson(PersonRef):
    """Everything Mettri holds about one person, as a JSON file for the page to save."""


class EraseResult(Model):
    parts: list[PartCount] = Field(description="records erased (or made anonymous) per part")
    restart_core: bool = False


@command("privacy.erase_person", EraseResult, sources={"page"})
class ErasePerson(PersonRef):
    """Erase everything about one person; the audit keeps only that an erase happened, and when."""

    confirm: Literal[True] = Field(description="the user confirmed in the page")


@command("privacy.erase_all", EraseResult, sources={"page"})
class EraseAll(Command):
    """Erase everything Mettri holds. The opt-out list keeps its numbers (never message who said stop)."""

    confirm: str = Field(max_length=64, description=f"the user typed one of {ERASE_ALL_WORDS}")


class PrivacySettings(Model):
    retention_days: int = Field(default=DEFAULT_RETENTION_DAYS, ge=MIN_RETENTION_DAYS, le=MAX_RETENTION_DAYS,
                                description="audit and consent records older than this are pruned")
    last_pruned_at: float | None = None
    last_pruned: int = Field(default=0, description="records pruned the last time")


@command("privacy.settings", PrivacySettings, sources={"page"})
class GetPrivacySettings(Command):
    """The retention period and the last pruning."""


@command("privacy.set_retention", PrivacySettings, sources={"page"})
class SetRetention(Command):
    """Change the retention period; older audit and consent records are pruned at once."""

    retention_days: int = Field(ge=MIN_RETENTION_DAYS, le=MAX_RETENTION_DAYS)


@event("privacy.erased")
class Erased(Event):
    scope: Literal["person", "all"]
