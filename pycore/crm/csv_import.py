"""Importing a spreadsheet of customers: parse, map columns, preview (dry run), apply.

One planner serves the preview and the apply, so what the preview promised is what happens.
Rules, row by row:

* The phone decides who it is (pycore/crm/phone.py): an existing record with the same number
  in any form, else a chat the page has shown with that number, else a new record under the
  E.164 number's WhatsApp id. A second row for the same person is rejected (the first wins).
* Nothing is ever removed: tags are added, field values and the deal's stage, value and date are
  set when the cell is not empty, the name is set when it differs from the name shown, a note is
  added once (its id is derived from the person and the text, so importing it again finds it).
* A bad cell rejects its row with the reason (both languages); other rows go on.
* Importing the same file again changes nothing: every row comes out "unchanged".
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from pycore.crm import events, views
from pycore.crm import phone as phones
from pycore.crm.context import NOTES, Context
from pycore.crm.csv_read import Sheet, header_target, read
from pycore.crm.protocol import (
    NOTE_MAX,
    ColumnMap,
    CrmColumnInfo,
    CrmImportReport,
    CrmImportRow,
    CrmLabel,
    CrmParsedFile,
    CsvImportProgress,
    NoteDoc,
)
from pycore.crm.records import DATE_NAME, VALUE_NAME, bumped, new_record
from pycore.crm.roster import Roster, norm
from pycore.crm.texts import Invalid, fail
from pycore.crm.values import parse_date, parse_money, parse_text, parse_value
from pycore.storage.base import WriteOp

SESSIONS = 3
BATCH = 1000
TAG_COLORS = ("#1e88e5", "#43a047", "#fb8c00", "#8e24aa", "#e53935", "#00897b", "#6d4c41", "#3949ab")
ONCE = ("name", "phone", "note")


@dataclass
class Plan:
    line: int
    outcome: str
    key: str | None = None
    name: str | None = None
    phone: str | None = None
    reason: Invalid | None = None
    changes: list[str] = field(default_factory=list)
    record: dict | None = None
    exists: bool = False
    stages: list[tuple[str, str | None, str]] = field(default_factory=list)  # (pipeline, before, after)
    note: dict | None = None

    def view(self) -> CrmImportRow:
        t = self.reason.texts() if self.reason else None
        return CrmImportRow(row=self.line, outcome=self.outcome, key=self.key, name=self.name, phone=self.phone,
                            reason=CrmLabel(**t) if t else None, reason_code=self.reason.reason if self.reason else None,
                            changes=self.changes)


def editable(rec: dict) -> dict:
    """A copy of a record whose parts the planner changes (tags, fields, deals) are copies too."""
    return {**rec, "tags": list(rec["tags"]), "fields": dict(rec["fields"]),
            "deals": {p: dict(d) for p, d in rec["deals"].items()}}


def note_id(key: str, text: str) -> str:
    return "imp-" + hashlib.sha1(f"{key}\n{text}".encode()).hexdigest()[:20]


def split_tags(cell: str) -> list[str]:
    return [" ".join(t.split()) for t in re.split(r"[,;|]", cell) if t.strip()]


class Importer:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.sessions: OrderedDict[str, Sheet] = OrderedDict()
        # The last preview's plan per import, reused by apply when nothing changed since (the preview's promise).
        self.planned: dict[str, tuple[tuple, int, tuple[Sheet, list[Plan], dict[str, dict]]]] = {}

    # -- parse and suggest ------------------------------------------------------------------------
    async def parse(self, data: str, filename: str) -> CrmParsedFile:
        try:
            sheet = read(data, filename)
        except Invalid as exc:
            raise exc.error() from None
        r = await self.ctx.ready()
        import_id = self.ctx.new_id("imp")
        self.sessions[import_id] = sheet
        while len(self.sessions) > SESSIONS:
            self.sessions.popitem(last=False)
        width = max(len(row) for row in sheet.rows)
        body = sheet.rows[1:] if sheet.has_header else sheet.rows
        columns = [CrmColumnInfo(index=i, header=sheet.header[i] if i < len(sheet.header) else "",
                                 samples=[row[i] for row in body[:5] if i < len(row)]) for i in range(width)]
        return CrmParsedFile(import_id=import_id, encoding=sheet.encoding, delimiter=sheet.delimiter,
                             decimal=sheet.decimal, has_header=sheet.has_header, columns=columns, rows=len(body),
                             mapping=self.suggest(r, sheet, width))

    @staticmethod
    def suggest(r: Roster, sheet: Sheet, width: int) -> list[ColumnMap]:
        out: list[ColumnMap] = []
        used: set[tuple[str, str | None]] = set()
        fields = {norm(f["label"]): f["id"] for f in r.fields.values()}
        pipelines = {norm(views.pipeline(p).label.pt_BR): p["id"] for p in r.pipelines.values()}
        pipelines.update({norm(views.pipeline(p).label.en): p["id"] for p in r.pipelines.values()})
        for i in range(width):
            head = sheet.header[i] if i < len(sheet.header) else ""
            fid = fields.get(norm(head))
            target = "field" if fid else header_target(head) if head else None
            pipeline = None
            if target in ("stage", "value", "expected_date") and "(" in head:
                inner = head.rsplit("(", 1)[1].rstrip(") ")
                pipeline = pipelines.get(norm(inner))
            slot = (target or "", fid or pipeline)
            if target is None or (target != "tags" and slot in used):
                target, fid, pipeline = "ignore", None, None
            used.add(slot)
            out.append(ColumnMap(column=i, target=target, field=fid, pipeline=pipeline))
        if not any(m.target == "phone" for m in out):  # no header said it: the column that holds numbers
            body = sheet.rows[1:] if sheet.has_header else sheet.rows
            best, best_n = None, 0
            for i in range(width):
                n = sum(1 for row in body[:50] if i < len(row) and len(re.sub(r"\D", "", row[i])) >= 10
                        and re.fullmatch(r"\+?[\d\s().\-/]+", row[i]))
                if n > best_n:
                    best, best_n = i, n
            if best is not None:
                out[best] = ColumnMap(column=best, target="phone")
        return out

    def _sheet(self, import_id: str) -> Sheet:
        sheet = self.sessions.get(import_id)
        if sheet is None:
            raise fail("not_found", "import_gone")
        return sheet

    # -- planning ---------------------------------------------------------------------------------
    def _check_mapping(self, r: Roster, sheet: Sheet, mapping: list[ColumnMap], pipeline: str) -> None:
        width = max(len(row) for row in sheet.rows)
        seen: set[tuple[str, str | None]] = set()
        for m in mapping:
            if m.column >= width:
                raise fail("invalid_args", "bad_column", column=m.column + 1)
            if m.target == "field" and (m.field is None or m.field not in r.fields):
                raise fail("invalid_args", "unknown_field", field=m.field or "")
            if m.target in ("stage", "value", "expected_date") and (m.pipeline or pipeline) not in r.pipelines:
                raise fail("invalid_args", "unknown_pipeline")
            slot = (m.target, m.field if m.target == "field" else (m.pipeline or pipeline) if m.target in ("stage", "value", "expected_date") else None)
            if m.target not in ("ignore", "tags") and slot in seen:
                raise fail("invalid_args", "mapping_twice", target=m.target)
            seen.add(slot)
        if not any(m.target == "phone" for m in mapping):
            raise fail("invalid_args", "mapping_needs_phone")

    async def plan(self, import_id: str, mapping: list[ColumnMap], pipeline: str | None, has_header: bool | None,
                   lang: str) -> tuple[Sheet, list[Plan], dict[str, dict]]:
        """Every row's plan, and the tags the import would create (normalised name -> tag doc); the
        preview's own plan when the records did not change since."""
        signature = (tuple(m.model_dump_json() for m in mapping), pipeline, has_header, lang)
        cached = self.planned.get(import_id)
        if cached is not None and cached[0] == signature and cached[1] == self.ctx.roster.generation:
            return cached[2]
        result = await self._plan(import_id, mapping, pipeline, has_header, lang)
        self.planned = {import_id: (signature, self.ctx.roster.generation, result)}
        return result

    async def _plan(self, import_id: str, mapping: list[ColumnMap], pipeline: str | None, has_header: bool | None,
                    lang: str) -> tuple[Sheet, list[Plan], dict[str, dict]]:
        sheet = self._sheet(import_id)
        r = self.ctx.roster
        pid_default = pipeline or r.settings["default_pipeline"]
        self._check_mapping(r, sheet, mapping, pid_default)
        header = sheet.has_header if has_header is None else has_header
        body = sheet.rows[1:] if header else sheet.rows
        first_line = 2 if header else 1
        numbers = "pt_BR" if sheet.decimal == "comma" else "en"
        known = await self.ctx.known.person_chats()
        known_matches: dict[str, str] = {}
        for chat in known:
            ph = phones.of_chat(chat)
            if ph is not None:
                known_matches.setdefault(ph.match, chat)
        tags_by_name = {norm(t["name"]): t["id"] for t in r.tags.values()}
        new_tags: dict[str, dict] = {}
        seen_match: dict[str, int] = {}
        seen_key: dict[str, int] = {}
        now = self.ctx.now()
        plans: list[Plan] = []
        for i, row in enumerate(body):
            line = first_line + i
            if not any(c for c in row):
                continue
            plan = self._row(r, row, line, mapping, pid_default, numbers, lang, known_matches, tags_by_name, new_tags,
                             seen_match, seen_key, now)
            plans.append(plan)
        used = {t for p in plans if p.record is not None and p.outcome != "rejected" for t in p.record["tags"]}
        new_tags = {n: d for n, d in new_tags.items() if d["id"] in used}
        # Notes already imported once are found by their id: one read for all of them.
        with_notes = [p for p in plans if p.note is not None]
        if with_notes:
            found = await self.ctx.storage.get_many(NOTES, [p.note["id"] for p in with_notes])
            for p, doc in zip(with_notes, found):
                if doc is not None:
                    p.note = None
                    p.changes.remove("note")
                    if not p.changes and p.exists:
                        p.outcome = "unchanged"
        return sheet, plans, new_tags

    def _row(self, r: Roster, row: list[str], line: int, mapping: list[ColumnMap], pid_default: str, numbers: str,
             lang: str, known_matches: dict[str, str], tags_by_name: dict[str, str], new_tags: dict[str, dict],
             seen_match: dict[str, int], seen_key: dict[str, int], now: float) -> Plan:
        def cell(m: ColumnMap) -> str:
            return row[m.column].strip() if m.column < len(row) else ""

        phone_cell = next(cell(m) for m in mapping if m.target == "phone")
        name_cells = [cell(m) for m in mapping if m.target == "name"]
        shown_name = name_cells[0] if name_cells and name_cells[0] else None
        if not phone_cell:
            return Plan(line, "rejected", name=shown_name, reason=Invalid("missing_phone"))
        try:
            ph = phones.normalize(phone_cell)
        except Invalid as exc:
            return Plan(line, "rejected", name=shown_name, reason=exc)
        if ph.match in seen_match:
            return Plan(line, "rejected", name=shown_name, phone=ph.e164,
                        reason=Invalid("duplicate_in_file", row=seen_match[ph.match]))
        seen_match[ph.match] = line
        key = r.by_match.get(ph.match)
        if key is None:
            key = known_matches.get(ph.match) or phones.chat_of(ph)
        key = r.resolve(key)
        if key in seen_key:
            return Plan(line, "rejected", name=shown_name, phone=ph.e164,
                        reason=Invalid("duplicate_in_file", row=seen_key[key]))
        seen_key[key] = line
        current = r.get(key)
        rec = editable(current) if current is not None else new_record(key, now, None)
        plan = Plan(line, "unchanged", key=key, phone=ph.e164, exists=current is not None)
        changes: list[str] = []
        try:
            for m in mapping:
                value = cell(m)
                if m.target in ("ignore", "phone") or not value:
                    continue
                if m.target == "name":
                    name = parse_text(value, ("Nome", "Name"))
                    if name and len(name) > 120:
                        raise Invalid("name_too_long", limit=120)
                    if name and name != r.name_of(key, rec):
                        rec["name"] = name
                        changes.append("name")
                elif m.target == "tags":
                    for tag in split_tags(value):
                        n = norm(tag)
                        tid = tags_by_name.get(n)
                        if tid is None:
                            doc = new_tags.get(n)
                            if doc is None:
                                tid = self.ctx.new_id("t")
                                doc = new_tags[n] = {"key": f"tag:{tid}", "id": tid, "name": tag[:40],
                                                     "color": TAG_COLORS[len(new_tags) % len(TAG_COLORS)], "version": 1,
                                                     "position": 1000 + len(new_tags)}
                            tid = doc["id"]
                        if tid not in rec["tags"]:
                            rec["tags"].append(tid)
                            if "tags" not in changes:
                                changes.append("tags")
                elif m.target in ("stage", "value", "expected_date"):
                    pid = m.pipeline or pid_default
                    self._deal_cell(r, rec, pid, m.target, value, numbers, lang, changes, plan, now)
                elif m.target == "note":
                    text = " ".join(value.split()) if "\n" not in value else value.strip()
                    if len(text) > NOTE_MAX:
                        raise Invalid("note_too_long", length=len(text), limit=NOTE_MAX)
                    plan.note = NoteDoc(id=note_id(key, text), record=key, origin=key, text=text, created_at=now,
                                        updated_at=now).model_dump()
                    changes.append("note")
                else:
                    fdef = r.fields[m.field]
                    kind = fdef["type"]
                    parsed = parse_value(kind, value, fdef["label"], numbers if kind in ("number", "money") else lang,
                                         [(o["id"], o["label"]) for o in fdef.get("options", [])])
                    if parsed is not None and rec["fields"].get(m.field) != parsed:
                        rec["fields"][m.field] = parsed
                        changes.append(m.field)
        except Invalid as exc:
            return Plan(line, "rejected", key=key, name=shown_name or r.name_of(key, current), phone=ph.e164, reason=exc)
        plan.name = r.name_of(key, rec)
        plan.changes = changes
        plan.record = rec
        plan.outcome = "created" if current is None else "updated" if changes else "unchanged"
        return plan

    def _deal_cell(self, r: Roster, rec: dict, pid: str, target: str, value: str, numbers: str, lang: str,
                   changes: list[str], plan: Plan, now: float) -> None:
        pdef = r.pipelines[pid]
        deal = rec["deals"].get(pid)
        if target == "stage":
            want = norm(value)
            sid = next((s["id"] for s in pdef["stages"] if s["id"] == value), None)
            if sid is None:
                for s in pdef["stages"]:
                    if want in map(norm, views.stage_texts(s)):
                        sid = s["id"]
                        break
            if sid is None:
                raise Invalid("unknown_stage", stage=value[:60])
            if deal is None or deal["stage"] != sid:
                plan.stages.append((pid, deal["stage"] if deal else None, sid))
                base = deal or {"id": self.ctx.new_id("d"), "value_cents": None, "expected_date": None, "created_at": now}
                rec["deals"][pid] = {**base, "stage": sid, "stage_since": now, "updated_at": now}
                changes.append("stage")
            return
        parsed: Any = parse_money(value, VALUE_NAME, numbers) if target == "value" else parse_date(value, DATE_NAME, lang)
        field_name = "value_cents" if target == "value" else "expected_date"
        if parsed is None or (deal is not None and deal.get(field_name) == parsed):
            return
        if deal is None:
            first = pdef["stages"][0]["id"]
            plan.stages.append((pid, None, first))
            deal = {"id": self.ctx.new_id("d"), "stage": first, "value_cents": None, "expected_date": None,
                    "stage_since": now, "created_at": now, "updated_at": now}
        rec["deals"][pid] = {**deal, field_name: parsed, "updated_at": now}
        changes.append(target)

    # -- preview and apply -------------------------------------------------------------------------
    @staticmethod
    def report(import_id: str, plans: list[Plan], new_tags: dict[str, dict], offset: int, limit: int,
               only_problems: bool, applied: bool) -> CrmImportReport:
        counts = {k: 0 for k in ("created", "updated", "unchanged", "rejected")}
        for p in plans:
            counts[p.outcome] += 1
        shown = [p for p in plans if p.outcome == "rejected"] if only_problems else plans
        return CrmImportReport(import_id=import_id, **counts, new_tags=[t["name"] for t in new_tags.values()],
                               rows=[p.view() for p in shown[offset:offset + limit]], applied=applied)

    async def preview(self, import_id: str, mapping: list[ColumnMap], pipeline: str | None, has_header: bool | None,
                      lang: str, offset: int, limit: int, only_problems: bool) -> CrmImportReport:
        await self.ctx.ready()
        _, plans, new_tags = await self.plan(import_id, mapping, pipeline, has_header, lang)
        return self.report(import_id, plans, new_tags, offset, limit, only_problems, applied=False)

    async def apply(self, import_id: str, mapping: list[ColumnMap], pipeline: str | None, has_header: bool | None,
                    lang: str) -> CrmImportReport:
        async with self.ctx.writing():
            sheet, plans, new_tags = await self.plan(import_id, mapping, pipeline, has_header, lang)
            self.planned.pop(import_id, None)  # applied (or failed half-way): plan again next time
            tag_defs = list(new_tags.values())
            todo = [p for p in plans if p.outcome in ("created", "updated")]
            now = self.ctx.now()
            changed: list[str] = []
            filename = sheet.filename or "CSV"
            for start in range(0, max(len(todo), 1), BATCH):
                batch = todo[start:start + BATCH]
                records, ops = [], []
                for p in batch:
                    rec = p.record
                    if p.note is not None:
                        rec["note_count"] = rec.get("note_count", 0) + 1
                        ops.append(WriteOp(op="put", store=NOTES, record=p.note))
                    records.append(bumped(rec, now))
                    for pid, before, after in p.stages:
                        ops.append(events.stage_change(self.ctx, p.key, pid, before, after, now))
                    ops.append(events.entry(self.ctx, p.key, "import", now,
                                            {"file": filename[:120], "changes": ",".join(p.changes)}))
                    changed.append(p.key)
                await self.ctx.commit(records=records, defs=tag_defs if start == 0 else [], ops=ops, quiet=True)
                self.ctx.emit(CsvImportProgress(import_id=import_id, done=min(start + BATCH, len(todo)), total=len(todo)))
            if changed or tag_defs:
                self.ctx.changed(changed, defs=bool(tag_defs))
            return self.report(import_id, plans, new_tags, 0, 0, False, applied=True)
