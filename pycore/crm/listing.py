"""Lists and boards over the roster: filters, sorts, pages, per-stage counts and totals.

Tag and stage filters are set intersections on the roster's indexes; the rest looks at each
remaining record once. Rows (the costly part) are built only for the page shown.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from pycore.crm import phone as phones
from pycore.crm import views
from pycore.crm.protocol import CrmBoard, CrmColumn, CrmFilters, CrmList, FieldFilter
from pycore.crm.roster import Roster, norm
from pycore.crm.texts import Invalid, fail
from pycore.crm.values import format_value, parse_value


def blob(r: Roster, key: str) -> str:
    """What the list's search box matches: name, number, tag names, field values (normalised)."""
    cached = r.blobs.get(key)
    if cached is not None:
        return cached
    rec = r.records[key]
    parts = [r.folded_name(key)]
    ph = phones.of_chat(key)
    if ph is not None:
        parts += [j.split("@")[0] for j in ph.jids()]
    parts += [norm(r.tags[t]["name"]) for t in rec["tags"] if t in r.tags]
    for fid, value in rec["fields"].items():
        fdef = r.fields.get(fid)
        if fdef is not None:
            options = {o["id"]: o["label"] for o in fdef.get("options", [])}
            parts.append(norm(format_value(fdef["type"], value, "pt_BR", options)))
            if fdef["type"] == "phone":
                parts.append(str(value).lstrip("+"))
    text = r.blobs[key] = " | ".join(parts)
    return text


def _field_test(r: Roster, flt: FieldFilter, lang: str) -> Callable[[dict], bool]:
    fdef = r.fields.get(flt.field)
    if fdef is None:
        raise fail("invalid_args", "unknown_field", field=flt.field)
    fid, kind = flt.field, fdef["type"]
    if flt.op == "empty":
        return lambda rec: rec["fields"].get(fid) is None
    if flt.op == "not_empty":
        return lambda rec: rec["fields"].get(fid) is not None
    options = [(o["id"], o["label"]) for o in fdef.get("options", [])]
    try:
        if flt.op == "contains":
            want: Any = norm(str(flt.value or ""))
        else:
            want = parse_value(kind, flt.value, fdef["label"], lang, options)
    except Invalid as exc:
        raise exc.error(field=fid) from None
    if flt.op == "contains":
        labels = dict(options)
        return lambda rec: rec["fields"].get(fid) is not None and want in norm(str(labels.get(rec["fields"][fid], rec["fields"][fid])))
    textual = kind in ("text", "email")

    def value(rec: dict) -> Any:
        v = rec["fields"].get(fid)
        return norm(v) if textual and v is not None else v

    if textual and want is not None:
        want = norm(want)
    if flt.op == "eq":
        return lambda rec: want is not None and value(rec) == want
    if flt.op == "gte":
        return lambda rec: want is not None and value(rec) is not None and value(rec) >= want
    return lambda rec: want is not None and value(rec) is not None and value(rec) <= want


def select(r: Roster, f: CrmFilters, now: float, wall_now: float, *, skip_stages: bool = False) -> list[str]:
    """The keys of the records that pass every filter (unordered)."""
    keys: set[str] | None = None

    def narrow(found: set[str]) -> None:
        nonlocal keys
        keys = set(found) if keys is None else keys & found

    for t in f.tags:
        narrow(r.by_tag.get(t, set()))
    if f.any_tags:
        narrow(set().union(*(r.by_tag.get(t, set()) for t in f.any_tags)))
    if f.stages and not skip_stages:
        narrow(r.keys_in(f.stages))
    pool = r.records.keys() if keys is None else keys
    tests: list[Callable[[str, dict], bool]] = []
    if f.untagged:
        tests.append(lambda k, rec: not rec["tags"])
    if f.kind is not None:
        group = f.kind == "group"
        tests.append(lambda k, rec: bool(rec.get("is_group")) == group)
    for flt in f.fields:
        test = _field_test(r, flt, f.lang)
        tests.append(lambda k, rec, test=test: test(rec))
    if f.active_since is not None or f.active_before is not None:
        lo, hi = f.active_since, f.active_before

        def active(k: str, rec: dict) -> bool:
            last = r.activity_of(k)[1]
            ts = last["last_ts"] if last else None
            if lo is not None and (ts is None or ts < lo):
                return False
            return hi is None or ts is None or ts < hi

        tests.append(active)
    if f.waiting is not None:
        want = f.waiting
        tests.append(lambda k, rec: views.waiting(r, r.activity_of(k)[1], wall_now, k)[0] == want)
    if f.overdue is not None:
        want_overdue = f.overdue

        def overdue(k: str, rec: dict) -> bool:
            due = r.open_reminders.get(k)
            return bool(due) and min(due.values()) <= now if want_overdue else not (due and min(due.values()) <= now)

        tests.append(overdue)
    if f.q:
        words = norm(f.q).split()
        digits = "".join(ch for ch in f.q if ch.isdigit())
        tests.append(lambda k, rec: all(w in blob(r, k) for w in words) or (len(digits) >= 4 and digits in blob(r, k)))
    if not tests:
        return list(pool)
    return [k for k in pool if all(t(k, r.records[k]) for t in tests)]


def sort_keys(r: Roster, keys: list[str], sort: str, descending: bool, pipeline: str) -> list[str]:
    """Sorted; records without the value sorted on come last either way; ties by name then key."""
    stage_pos = {s["id"]: i for i, s in enumerate(r.pipelines.get(pipeline, {}).get("stages", []))}

    def value(k: str) -> Any:
        rec = r.records[k]
        if sort == "name":
            return r.folded_name(k)
        if sort == "last_activity":
            last = r.activity_of(k)[1]
            return last["last_ts"] if last else None
        if sort == "created":
            return rec["created_at"]
        if sort == "updated":
            return rec["updated_at"]
        if sort == "next_due":
            due = r.open_reminders.get(k)
            return min(due.values()) if due else None
        deal = rec["deals"].get(pipeline)
        if deal is None:
            return None
        if sort == "value":
            return deal.get("value_cents")
        if sort == "stage":
            return stage_pos.get(deal["stage"])
        return deal.get("expected_date")

    present, missing = [], []
    for k in keys:
        v = value(k)
        (missing if v is None else present).append((v, k))
    present.sort(key=lambda t: (t[0], r.folded_name(t[1]), t[1]), reverse=descending)
    missing.sort(key=lambda t: (r.folded_name(t[1]), t[1]))
    return [k for _, k in present] + [k for _, k in missing]


def listing(r: Roster, f: CrmFilters, sort: str, descending: bool, offset: int, limit: int, now: float,
            wall_now: float) -> CrmList:
    started = time.perf_counter()
    pipeline = f.pipeline or r.settings["default_pipeline"]
    keys = sort_keys(r, select(r, f, now, wall_now), sort, descending, pipeline)
    rows = [views.row(r, k, now, wall_now) for k in keys[offset:offset + limit]]
    return CrmList(rows=rows, total=len(keys), took_ms=round((time.perf_counter() - started) * 1000, 3))


def board(r: Roster, pipeline: str, f: CrmFilters, per_stage: int, now: float, wall_now: float) -> CrmBoard:
    started = time.perf_counter()
    pdef = r.pipelines.get(pipeline)
    if pdef is None:
        raise fail("invalid_args", "unknown_pipeline")
    wanted = set(f.stages)
    passing = set(select(r, f, now, wall_now, skip_stages=True))
    columns: list[CrmColumn] = []
    open_count = open_total = 0
    for s in pdef["stages"]:
        if wanted and s["id"] not in wanted:
            members: list[tuple[float, str]] = []
        else:
            members = [(r.records[k]["deals"][pipeline]["stage_since"], k) for k in r.by_stage.get(s["id"], ())
                       if k in passing and r.records[k]["deals"].get(pipeline, {}).get("stage") == s["id"]]
        members.sort(key=lambda t: (-t[0], t[1]))
        total = sum(r.records[k]["deals"][pipeline].get("value_cents") or 0 for _, k in members)
        if s["outcome"] == "open":
            open_count += len(members)
            open_total += total
        columns.append(CrmColumn(stage=views.stage(s), count=len(members), total_cents=total,
                                 rows=[views.row(r, k, now, wall_now) for _, k in members[:per_stage]]))
    return CrmBoard(pipeline=views.pipeline(pdef), columns=columns, open_count=open_count, open_total_cents=open_total,
                    took_ms=round((time.perf_counter() - started) * 1000, 3))
