"""Tags, pipelines with their stages, custom fields and settings: created, renamed, deleted.

Records refer to tags, stages and fields by id, so a rename is one write and every record shows
the new name. Deleting something records use changes those records in the same transaction
(a tag comes off, a field's values go) or is refused with the count (a stage or pipeline with
deals, an option in use): nothing stored is lost silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pycore.crm import events, views
from pycore.crm.context import DEFS, Context
from pycore.crm.protocol import (
    CrmDefs,
    CrmField,
    CrmPipeline,
    CrmSettings,
    CrmTag,
    OptionInput,
    StageInput,
)
from pycore.crm.roster import Roster, norm
from pycore.crm.texts import DEFAULT_STAGES, fail
from pycore.storage.base import WriteOp

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_TAGS = 500
MAX_FIELDS = 100
MAX_PIPELINES = 20


def _name(text: str | None) -> str:
    return " ".join((text or "").split())


def _same(a: str, b: str) -> bool:
    return norm(a) == norm(b)


def _bump(rec: dict, now: float) -> dict:
    return {**rec, "version": rec["version"] + 1, "updated_at": now}


@dataclass
class Definitions:
    ctx: Context

    async def get(self) -> CrmDefs:
        r = await self.ctx.ready()
        return CrmDefs(tags=[views.tag(t) for t in views.ordered(r.tags)],
                       pipelines=[views.pipeline(p) for p in views.ordered(r.pipelines)],
                       fields=[views.field(f) for f in views.ordered(r.fields)], settings=views.settings(r.settings))

    # -- tags -----------------------------------------------------------------------------------
    def _check_tag(self, r: Roster, name: str, color: str, skip: str | None = None) -> str:
        name = _name(name)
        if not name:
            raise fail("invalid_args", "tag_name_empty")
        if any(c in name for c in ",;|"):  # they separate tags in a spreadsheet's cell
            raise fail("invalid_args", "tag_name_chars")
        if not COLOR.match(color):
            raise fail("invalid_args", "bad_color")
        for t in r.tags.values():
            if t["id"] != skip and _same(t["name"], name):
                raise fail("invalid_args", "duplicate_tag", name=t["name"])
        return name

    async def create_tag(self, name: str, color: str) -> CrmTag:
        async with self.ctx.writing() as r:
            if len(r.tags) >= MAX_TAGS:
                raise fail("invalid_args", "too_many_tags", limit=MAX_TAGS)
            name = self._check_tag(r, name, color)
            tid = self.ctx.new_id("t")
            doc = {"key": f"tag:{tid}", "id": tid, "name": name, "color": color.lower(), "version": 1,
                   "position": max((t.get("position", 0) for t in r.tags.values()), default=0) + 1}
            await self.ctx.commit(defs=[doc])
            return views.tag(doc)

    def _tag(self, r: Roster, tid: str, version: int) -> dict:
        doc = r.tags.get(tid)
        if doc is None:
            raise fail("not_found", "unknown_tag")
        self.ctx.check_version(doc["version"], version, lambda: views.tag(doc).model_dump())
        return doc

    async def update_tag(self, tid: str, version: int, name: str | None, color: str | None) -> CrmTag:
        async with self.ctx.writing() as r:
            doc = self._tag(r, tid, version)
            color = color if color is not None else doc["color"]
            name = self._check_tag(r, name if name is not None else doc["name"], color, skip=tid)
            new = {**doc, "name": name, "color": color.lower(), "version": doc["version"] + 1}
            await self.ctx.commit(defs=[new])
            return views.tag(new)

    async def delete_tag(self, tid: str, version: int) -> int:
        async with self.ctx.writing() as r:
            doc = self._tag(r, tid, version)
            now = self.ctx.now()
            changed = [_bump({**r.records[k], "tags": [t for t in r.records[k]["tags"] if t != tid]}, now)
                       for k in sorted(r.by_tag.get(tid, ()))]
            await self.ctx.commit(records=changed, ops=[WriteOp(op="delete", store=DEFS, key=doc["key"])],
                                  defs_changed=True)
            r.tags.pop(tid, None)
            r.by_tag.pop(tid, None)
            return len(changed)

    # -- pipelines ------------------------------------------------------------------------------
    def _check_pipeline_name(self, r: Roster, name: str, skip: str | None = None) -> str:
        name = _name(name)
        if not name:
            raise fail("invalid_args", "pipeline_name_empty")
        for p in r.pipelines.values():
            if p["id"] != skip and _same(views.pipeline(p).label.pt_BR, name):
                raise fail("invalid_args", "duplicate_pipeline", name=name)
        return name

    def _stages(self, r: Roster, wanted: list[StageInput], old: list[dict]) -> list[dict]:
        by_id = {s["id"]: s for s in old}
        out, seen = [], []
        for s in wanted:
            if s.id is not None and s.id not in by_id:
                raise fail("invalid_args", "unknown_stage", stage=s.id)
            base = by_id.get(s.id) if s.id is not None else None
            name = _name(s.name) or None
            code = base.get("code") if base else None
            if name is None and code is None:
                raise fail("invalid_args", "stage_name_empty")
            doc = {"id": base["id"] if base else self.ctx.new_id("s"), "name": name, "code": code, "outcome": s.outcome}
            shown = views.stage(doc).label.pt_BR
            if any(_same(shown, other) for other in seen):
                raise fail("invalid_args", "duplicate_stage", name=shown)
            seen.append(shown)
            out.append(doc)
        if not out:
            raise fail("invalid_args", "no_stages")
        return out

    async def create_pipeline(self, name: str, stages: list[StageInput] | None) -> CrmPipeline:
        async with self.ctx.writing() as r:
            if len(r.pipelines) >= MAX_PIPELINES:
                raise fail("invalid_args", "too_many_pipelines", limit=MAX_PIPELINES)
            name = self._check_pipeline_name(r, name)
            if stages is None:
                docs = [{"id": self.ctx.new_id("s"), "name": None, "code": code, "outcome": outcome}
                        for code, _, outcome in DEFAULT_STAGES]
            else:
                docs = self._stages(r, [StageInput(name=s.name, outcome=s.outcome) for s in stages], [])
            pid = self.ctx.new_id("p")
            doc = {"key": f"pipeline:{pid}", "id": pid, "name": name, "code": None, "stages": docs, "version": 1,
                   "position": max((p.get("position", 0) for p in r.pipelines.values()), default=0) + 1}
            await self.ctx.commit(defs=[doc])
            return views.pipeline(doc)

    def _pipeline(self, r: Roster, pid: str, version: int) -> dict:
        doc = r.pipelines.get(pid)
        if doc is None:
            raise fail("not_found", "unknown_pipeline")
        self.ctx.check_version(doc["version"], version, lambda: views.pipeline(doc).model_dump())
        return doc

    async def update_pipeline(self, pid: str, version: int, name: str | None, stages: list[StageInput] | None,
                              move: dict[str, str]) -> CrmPipeline:
        async with self.ctx.writing() as r:
            doc = self._pipeline(r, pid, version)
            new = dict(doc)
            if name is not None:
                new["name"] = self._check_pipeline_name(r, name, skip=pid)
            moved: list[dict] = []
            ops: list[WriteOp] = []
            if stages is not None:
                new["stages"] = self._stages(r, stages, doc["stages"])
                kept = {s["id"] for s in new["stages"]}
                now = self.ctx.now()
                for old in doc["stages"]:
                    if old["id"] in kept:
                        continue
                    users = sorted(k for k in r.by_stage.get(old["id"], ()) if r.records[k]["deals"].get(pid))
                    if not users:
                        continue
                    target = move.get(old["id"])
                    if target is None:
                        raise fail("invalid_args", "stage_in_use", stage=views.stage(old).label.pt_BR, count=len(users))
                    if target not in kept:
                        raise fail("invalid_args", "move_to_deleted" if r.stage(target) else "unknown_stage", stage=target)
                    for k in users:
                        rec = r.records[k]
                        deal = {**rec["deals"][pid], "stage": target, "stage_since": now, "updated_at": now}
                        moved.append(_bump({**rec, "deals": {**rec["deals"], pid: deal}}, now))
                        ops.append(events.stage_change(self.ctx, k, pid, old["id"], target, now))
            new["version"] = doc["version"] + 1
            # The events above were labelled with the old names; the deals point at stages that stay.
            await self.ctx.commit(records=moved, defs=[new], ops=ops)
            return views.pipeline(new)

    async def delete_pipeline(self, pid: str, version: int) -> int:
        async with self.ctx.writing() as r:
            doc = self._pipeline(r, pid, version)
            users = [k for k in r.keys_in(s["id"] for s in doc["stages"]) if pid in r.records[k]["deals"]]
            if users:
                raise fail("invalid_args", "pipeline_in_use", name=views.pipeline(doc).label.pt_BR, count=len(users))
            if len(r.pipelines) <= 1:
                raise fail("invalid_args", "last_pipeline")
            defs = [{"key": doc["key"], "id": pid, "deleted": True}]
            if r.settings["default_pipeline"] == pid:
                rest = [p for p in views.ordered(r.pipelines) if p["id"] != pid]
                defs.append({**r.settings, "default_pipeline": rest[0]["id"], "version": r.settings["version"] + 1})
            await self.ctx.commit(defs=defs)
            return 0

    # -- fields ---------------------------------------------------------------------------------
    def _check_field(self, r: Roster, label: str, kind: str, options: list[OptionInput] | None,
                     old: dict | None = None) -> tuple[str, list[dict]]:
        label = _name(label)
        if not label:
            raise fail("invalid_args", "field_label_empty")
        for f in r.fields.values():
            if (old is None or f["id"] != old["id"]) and _same(f["label"], label):
                raise fail("invalid_args", "duplicate_field", name=f["label"])
        if kind != "choice":
            return label, []
        known = {o["id"]: o for o in (old or {}).get("options", [])}
        out: list[dict] = []
        for o in options or []:
            text = _name(o.label)
            if not text:
                raise fail("invalid_args", "choice_needs_options")
            if any(_same(text, x["label"]) for x in out):
                raise fail("invalid_args", "duplicate_option", name=text)
            oid = o.id if o.id in known else self.ctx.new_id("o")
            out.append({"id": oid, "label": text})
        if not out:
            raise fail("invalid_args", "choice_needs_options")
        return label, out

    async def create_field(self, label: str, kind: str, options: list[OptionInput]) -> CrmField:
        async with self.ctx.writing() as r:
            if len(r.fields) >= MAX_FIELDS:
                raise fail("invalid_args", "too_many_fields", limit=MAX_FIELDS)
            label, opts = self._check_field(r, label, kind, options)
            fid = self.ctx.new_id("f")
            doc = {"key": f"field:{fid}", "id": fid, "label": label, "type": kind, "options": opts, "version": 1,
                   "position": max((f.get("position", 0) for f in r.fields.values()), default=0) + 1}
            await self.ctx.commit(defs=[doc])
            return views.field(doc)

    def _field(self, r: Roster, fid: str, version: int) -> dict:
        doc = r.fields.get(fid)
        if doc is None:
            raise fail("not_found", "unknown_field")
        self.ctx.check_version(doc["version"], version, lambda: views.field(doc).model_dump())
        return doc

    async def update_field(self, fid: str, version: int, label: str | None, options: list[OptionInput] | None) -> CrmField:
        async with self.ctx.writing() as r:
            doc = self._field(r, fid, version)
            wanted = options if options is not None else [OptionInput(**o) for o in doc.get("options", [])]
            label, opts = self._check_field(r, label if label is not None else doc["label"], doc["type"], wanted, doc)
            kept = {o["id"] for o in opts}
            for o in doc.get("options", []):
                if o["id"] not in kept:
                    count = sum(1 for rec in r.records.values() if rec["fields"].get(fid) == o["id"])
                    if count:
                        raise fail("invalid_args", "option_in_use", name=o["label"], count=count)
            new = {**doc, "label": label, "options": opts, "version": doc["version"] + 1}
            await self.ctx.commit(defs=[new])
            return views.field(new)

    async def delete_field(self, fid: str, version: int, drop_values: bool) -> int:
        async with self.ctx.writing() as r:
            doc = self._field(r, fid, version)
            users = sorted(k for k, rec in r.records.items() if rec["fields"].get(fid) is not None)
            if users and not drop_values:
                raise fail("invalid_args", "field_in_use", name=doc["label"], count=len(users))
            now = self.ctx.now()
            changed = [_bump({**r.records[k], "fields": {f: v for f, v in r.records[k]["fields"].items() if f != fid}}, now)
                       for k in users]
            await self.ctx.commit(records=changed, ops=[WriteOp(op="delete", store=DEFS, key=doc["key"])],
                                  defs_changed=True)
            r.fields.pop(fid, None)
            return len(changed)

    # -- settings -------------------------------------------------------------------------------
    async def set_settings(self, version: int, waiting_minutes: int | None, default_pipeline: str | None) -> CrmSettings:
        async with self.ctx.writing() as r:
            doc = r.settings
            self.ctx.check_version(doc["version"], version, lambda: views.settings(doc).model_dump())
            new = dict(doc)
            if waiting_minutes is not None:
                new["waiting_minutes"] = waiting_minutes
            if default_pipeline is not None:
                if default_pipeline not in r.pipelines:
                    raise fail("invalid_args", "unknown_pipeline")
                new["default_pipeline"] = default_pipeline
            new["version"] = doc["version"] + 1
            await self.ctx.commit(defs=[new])
            return views.settings(new)
