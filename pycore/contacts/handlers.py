"""contacts.upsert_rows / list / merge / split / permit_open / scroll_plan."""

from __future__ import annotations

from pycore.connection import require_whatsapp
from pycore.contacts import merge as merging
from pycore.contacts import pacing
from pycore.contacts.limiter import SlidingWindow
from pycore.contacts.rows import contact_fields
from pycore.protocol.base import CoreError
from pycore.protocol.contacts import (
    ContactList,
    ContactRecord,
    ContactsChanged,
    ListContacts,
    MergeContacts,
    OpenPermit,
    PermitOpen,
    PlanScroll,
    ReportScan,
    ScanContacts,
    ScanProgress,
    ScanRequested,
    ScanStarted,
    ScrollPlan,
    ScrollStep,
    SplitContact,
    SplitResult,
    UpsertResult,
    UpsertRows,
)
from pycore.storage.base import WriteOp


def install(core) -> None:
    openings = SlidingWindow(limit=10, window=60.0)

    async def load(key: str) -> dict:
        rec = await core.storage.get("contacts", key)
        if rec is None:
            raise CoreError("not_found", f"no contact {key!r}")
        return rec

    async def save(records: list[dict]) -> None:
        await core.storage.apply([WriteOp(op="put", store="contacts", record=r) for r in records])
        core.emit(ContactsChanged(keys=[r["key"] for r in records]))

    async def upsert(cmd: UpsertRows) -> UpsertResult:
        now = core.clock.now()
        result, changed = UpsertResult(), {}
        for row in cmd.rows:
            fields = contact_fields(row)
            old = changed.get(fields["key"]) or await core.storage.get("contacts", fields["key"])
            # Scraped fields win, but a field gained by a merge is not wiped by a row that lacks it.
            kept = {k: v for k, v in fields.items() if v is not None or k not in merging.ADOPTED}
            if old is None:
                changed[fields["key"]] = ContactRecord(**fields, first_seen=now, last_seen=now).model_dump()
                result.new += 1
            elif any(old.get(k) != v for k, v in kept.items()):
                changed[fields["key"]] = {**old, **kept, "last_seen": now}
                result.updated += 1
            else:
                result.unchanged += 1
        if changed:
            await save(list(changed.values()))
        return result

    async def list_contacts(cmd: ListContacts) -> ContactList:
        rows = await core.storage.query("contacts")
        if not cmd.include_merged:
            rows = [r for r in rows if not r.get("merged_into")]
        return ContactList(contacts=rows[: cmd.limit])

    async def merge(cmd: MergeContacts) -> ContactRecord:
        primary, secondary = merging.merge(await load(cmd.primary), await load(cmd.secondary))
        await save([primary, secondary])
        return ContactRecord(**primary)

    async def split(cmd: SplitContact) -> SplitResult:
        secondary = await load(cmd.key)
        if not secondary.get("merged_into"):
            raise CoreError("conflict", f"{cmd.key!r} is not merged into another contact")
        primary, secondary = merging.split(await load(secondary["merged_into"]), secondary)
        await save([primary, secondary])
        return SplitResult(primary=primary, secondary=secondary)

    async def permit(cmd: PermitOpen) -> OpenPermit:
        now = core.clock.now()
        allowed, retry_in = openings.try_acquire(now)
        return OpenPermit(allowed=allowed, retry_in=retry_in, used=openings.used(now), limit=openings.limit)

    async def scroll_plan(cmd: PlanScroll) -> ScrollPlan:
        steps = pacing.plan(core.services.rng, cmd.viewport_px, cmd.steps, cmd.rows_so_far)
        return ScrollPlan(steps=[ScrollStep(scroll_px=px, pause_s=round(s * cmd.pace, 3)) for px, s in steps])

    scans = {"n": 0}

    async def scan(cmd: ScanContacts) -> ScanStarted:
        require_whatsapp(core)
        scans["n"] += 1
        scan_id = f"scan{int(core.clock.now())}-{scans['n']}"
        core.emit(ScanRequested(scan_id=scan_id, pace=cmd.pace))
        return ScanStarted(scan_id=scan_id)

    async def scan_progress(cmd: ReportScan) -> None:
        core.emit(ScanProgress(scan_id=cmd.scan_id, rows=cmd.rows, done=cmd.done))

    core.on(UpsertRows, upsert)
    core.on(ListContacts, list_contacts)
    core.on(MergeContacts, merge)
    core.on(SplitContact, split)
    core.on(PermitOpen, permit)
    core.on(PlanScroll, scroll_plan)
    core.on(ScanContacts, scan)
    core.on(ReportScan, scan_progress)
