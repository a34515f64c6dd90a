"""audit.list / audit.export."""

from __future__ import annotations

from pycore.audit import protocol as p
from pycore.audit.log import AuditLog
from pycore.bridge import Register
from pycore.clock import Clock


def register(on: Register, audit: AuditLog, clock: Clock) -> None:
    async def audit_list(cmd: p.AuditList) -> p.AuditListResult:
        records, cursor = await audit.page(cmd.limit, cmd.cursor)
        return p.AuditListResult(records=records, next_cursor=cursor)

    async def audit_export(cmd: p.AuditExport) -> p.ExportResult:
        text, count = await audit.export(cmd.format)
        stamp = int(clock.now())
        return p.ExportResult(format=cmd.format, filename=f"mettri-audit-{stamp}.{cmd.format}", text=text, count=count)

    on(p.AuditList, audit_list)
    on(p.AuditExport, audit_export)
