"""contacts.upsert_rows / list / merge / split / scroll_plan / scan / scan_progress."""

from __future__ import annotations

from pycore.bridge import Register
from pycore.contacts import protocol as p
from pycore.contacts.service import Contacts


def register(on: Register, contacts: Contacts) -> None:
    async def upsert(cmd: p.UpsertRows) -> p.UpsertResult:
        return await contacts.upsert(cmd.rows)

    async def listing(cmd: p.ListContacts) -> p.ContactList:
        return p.ContactList(contacts=await contacts.list(cmd.include_merged, cmd.limit))

    async def merge(cmd: p.MergeContacts) -> p.ContactRecord:
        return await contacts.merge(cmd.primary, cmd.secondary, cmd.names)

    async def split(cmd: p.SplitContact) -> p.SplitResult:
        return await contacts.split(cmd.key)

    async def scroll_plan(cmd: p.PlanScroll) -> p.ScrollPlan:
        return contacts.scroll_plan(cmd.viewport_px, cmd.steps, cmd.rows_so_far, cmd.pace)

    async def scan(cmd: p.ScanContacts) -> p.ScanStarted:
        return contacts.scan(cmd.pace)

    async def scan_progress(cmd: p.ReportScan) -> None:
        contacts.scan_progress(cmd.scan_id, cmd.rows, cmd.done)

    on(p.UpsertRows, upsert)
    on(p.ListContacts, listing)
    on(p.MergeContacts, merge)
    on(p.SplitContact, split)
    on(p.PlanScroll, scroll_plan)
    on(p.ScanContacts, scan)
    on(p.ReportScan, scan_progress)
