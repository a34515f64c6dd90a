"""Timeline entries the CRM writes itself (crm_events): each is written in the same transaction as
the change it tells of. Stage and pipeline names are copied in both languages at the time, so a
stage renamed or deleted later still reads as it was."""

from __future__ import annotations

from typing import Any

from pycore.crm.context import Context
from pycore.crm.roster import Roster
from pycore.crm.texts import TIMELINE
from pycore.crm.views import pipeline_texts, stage_texts
from pycore.storage.base import WriteOp

STORE = "crm_events"


def entry(ctx: Context, record: str, kind: str, ts: float, data: dict[str, Any], *, origin: str | None = None,
          ident: str | None = None) -> WriteOp:
    """An EventDoc's write. Built as a dict (thousands per import): the fields are EventDoc's."""
    assert kind in TIMELINE
    doc = {"id": ident or ctx.sortable(ts), "record": record, "origin": origin or record, "ts": ts, "kind": kind,
           "data": data}
    return WriteOp(op="put", store=STORE, record=doc)


def stage_data(roster: Roster, pipeline: str, before: str | None, after: str | None) -> dict[str, Any]:
    doc = roster.pipelines.get(pipeline)
    pt, en = pipeline_texts(doc) if doc else (pipeline, pipeline)
    data: dict[str, Any] = {"pipeline": pipeline, "pipeline_pt": pt, "pipeline_en": en}
    stages = {s["id"]: s for s in doc["stages"]} if doc else {}
    for side, stage in (("before", before), ("after", after)):
        if stage is not None:
            s_pt, s_en = stage_texts(stages[stage]) if stage in stages else (stage, stage)
            data.update({side: stage, f"{side}_pt": s_pt, f"{side}_en": s_en})
    return data


def stage_change(ctx: Context, record: str, pipeline: str, before: str | None, after: str | None, ts: float) -> WriteOp:
    kind = "deal_opened" if before is None else "deal_removed" if after is None else "stage"
    return entry(ctx, record, kind, ts, stage_data(ctx.roster, pipeline, before, after))
