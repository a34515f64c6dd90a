"""Timeline entries the CRM writes itself (crm_events): each is written in the same transaction as
the change it tells of. Stage and pipeline names are copied in both languages at the time, so a
stage renamed or deleted later still reads as it was."""

from __future__ import annotations

from typing import Any

from pycore.crm.context import Context
from pycore.crm.protocol import EventDoc
from pycore.crm.roster import Roster
from pycore.crm.views import pipeline_label, stage_label
from pycore.storage.base import WriteOp

STORE = "crm_events"


def op(doc: EventDoc) -> WriteOp:
    return WriteOp(op="put", store=STORE, record=doc.model_dump())


def entry(ctx: Context, record: str, kind: str, ts: float, data: dict[str, Any], *, origin: str | None = None,
          ident: str | None = None) -> WriteOp:
    return op(EventDoc(id=ident or ctx.sortable(ts), record=record, origin=origin or record, ts=ts, kind=kind, data=data))


def stage_data(roster: Roster, pipeline: str, before: str | None, after: str | None) -> dict[str, Any]:
    p = pipeline_label(roster, pipeline)
    data: dict[str, Any] = {"pipeline": pipeline, "pipeline_pt": p.pt_BR, "pipeline_en": p.en}
    for side, stage in (("before", before), ("after", after)):
        if stage is not None:
            lab = stage_label(roster, stage)
            data.update({side: stage, f"{side}_pt": lab.pt_BR, f"{side}_en": lab.en})
    return data


def stage_change(ctx: Context, record: str, pipeline: str, before: str | None, after: str | None, ts: float) -> WriteOp:
    kind = "deal_opened" if before is None else "deal_removed" if after is None else "stage"
    return entry(ctx, record, kind, ts, stage_data(ctx.roster, pipeline, before, after))
