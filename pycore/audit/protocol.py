"""The audit log: every decision of the send gate (and, later, of other features), for the user to read and export."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pycore.protocol.base import Command, Model, command
from pycore.protocol.decisions import Verdict


# -- audit -------------------------------------------------------------------------
class AuditRecord(Model):
    id: str
    ts: float
    action: str
    verdict: Verdict
    code: str
    reason_pt: str
    reason_en: str
    chat: str | None = None
    origin: str | None = None
    outbox_id: str | None = None
    preview: str = ""


class AuditListResult(Model):
    records: list[AuditRecord]
    next_cursor: str | None = None


@command("audit.list", AuditListResult, sources={"page"})
class AuditList(Command):
    """The audit log, newest first."""

    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = None


class ExportResult(Model):
    format: Literal["csv", "json"]
    filename: str
    text: str
    count: int


@command("audit.export", ExportResult, sources={"page"})
class AuditExport(Command):
    """The whole audit log as CSV or JSON text (the page saves it)."""

    format: Literal["csv", "json"] = "csv"
