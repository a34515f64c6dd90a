"""Stored documents -> what pages receive (labels in both languages, derived figures)."""

from __future__ import annotations

from pycore.chatkey import ChatKey
from pycore.crm import phone as phones
from pycore.crm.protocol import (
    CrmActivity,
    CrmDeal,
    CrmField,
    CrmLabel,
    CrmNote,
    CrmOption,
    CrmPipeline,
    CrmReminder,
    CrmRow,
    CrmSettings,
    CrmStage,
    CrmTag,
)
from pycore.crm.roster import Roster
from pycore.crm.texts import DEFAULT_PIPELINE, DEFAULT_STAGES

_STAGE_LABELS = {code: labels for code, labels, _ in DEFAULT_STAGES}


def stage(doc: dict) -> CrmStage:
    pt, en = stage_texts(doc)
    return CrmStage(id=doc["id"], name=doc.get("name"), code=doc.get("code"), label=CrmLabel(pt_BR=pt, en=en),
                    outcome=doc["outcome"])


def pipeline(doc: dict) -> CrmPipeline:
    pt, en = pipeline_texts(doc)
    return CrmPipeline(id=doc["id"], name=doc.get("name"), label=CrmLabel(pt_BR=pt, en=en),
                       stages=[stage(s) for s in doc["stages"]], version=doc["version"])


def stage_texts(doc: dict) -> tuple[str, str]:
    """(pt_BR, en) of a stage: the user's name, or the default stage's labels."""
    name = doc.get("name")
    return (name, name) if name else _STAGE_LABELS.get(doc.get("code") or "", ("", ""))


def pipeline_texts(doc: dict) -> tuple[str, str]:
    name = doc.get("name")
    if name:
        return name, name
    return DEFAULT_PIPELINE[1] if doc.get("code") == DEFAULT_PIPELINE[0] else ("", "")


def stage_label(roster: Roster, stage_id: str | None) -> CrmLabel:
    found = roster.stage(stage_id) if stage_id else None
    if found is None:
        return CrmLabel(pt_BR=stage_id or "—", en=stage_id or "—")
    pt, en = stage_texts(found[1])
    return CrmLabel(pt_BR=pt, en=en)


def pipeline_label(roster: Roster, pipeline_id: str) -> CrmLabel:
    doc = roster.pipelines.get(pipeline_id)
    pt, en = pipeline_texts(doc) if doc else (pipeline_id, pipeline_id)
    return CrmLabel(pt_BR=pt, en=en)


def tag(doc: dict) -> CrmTag:
    return CrmTag(id=doc["id"], name=doc["name"], color=doc["color"], version=doc["version"])


def field(doc: dict) -> CrmField:
    return CrmField(id=doc["id"], label=doc["label"], type=doc["type"],
                    options=[CrmOption(**o) for o in doc.get("options", [])], version=doc["version"])


def settings(doc: dict) -> CrmSettings:
    return CrmSettings(waiting_minutes=doc["waiting_minutes"], default_pipeline=doc["default_pipeline"],
                       version=doc["version"])


def ordered(table: dict[str, dict]) -> list[dict]:
    return sorted(table.values(), key=lambda d: (d.get("position", 0), d["id"]))


def is_group(roster: Roster, key: str) -> bool:
    rec = roster.get(key)
    return bool(rec["is_group"]) if rec is not None else ChatKey.parse(key).is_group


def waiting(roster: Roster, last: dict | None, wall_now: float, key: str) -> tuple[bool, float | None]:
    """Waiting for an answer: the newest message of the person is incoming and older than the setting.
    A group never waits (its messages are not addressed to the user alone)."""
    if last is None or last.get("last_dir") != "in" or is_group(roster, key):
        return False, None
    since = last["last_ts"]
    return wall_now - since >= roster.settings["waiting_minutes"] * 60, since


def row(roster: Roster, key: str, now: float, wall_now: float) -> CrmRow:
    rec = roster.get(key)
    ph = phones.of_chat(key)
    first, last = roster.activity_of(key)
    is_waiting, since = waiting(roster, last, wall_now, key)
    dues = roster.due_of(key)
    base = dict(
        key=key, name=roster.name_of(key, rec), phone=ph.e164 if ph else None,
        phone_display=ph.display() if ph else None,
        last_activity=last["last_ts"] if last else None, last_direction=last["last_dir"] if last else None,
        waiting=is_waiting, waiting_since=since if is_waiting else None,
        overdue=sum(1 for d in dues if d <= now), next_due=dues[0] if dues else None,
    )
    if rec is None:
        return CrmRow(**base, exists=False, is_group=is_group(roster, key), tags=[], fields={}, deals=[],
                      note_count=0, created_at=None, updated_at=None, version=0)
    deals = [CrmDeal(pipeline=p, **{k: v for k, v in d.items() if k != "id"}) for p, d in rec["deals"].items()]
    return CrmRow(**base, exists=True, is_group=rec.get("is_group", False), tags=list(rec["tags"]),
                  fields=dict(rec["fields"]), deals=deals, note_count=rec.get("note_count", 0),
                  created_at=rec["created_at"], updated_at=rec["updated_at"], version=rec["version"])


def activity(roster: Roster, key: str, wall_now: float) -> CrmActivity:
    first, last = roster.activity_of(key)
    is_waiting, since = waiting(roster, last, wall_now, key)
    return CrmActivity(
        first_at=first["first_ts"] if first else None, first_direction=first["first_dir"] if first else None,
        last_at=last["last_ts"] if last else None, last_direction=last["last_dir"] if last else None,
        last_preview=last.get("last_text") if last else None, waiting=is_waiting, waiting_since=since if is_waiting else None,
    )


def note(doc: dict) -> CrmNote:
    return CrmNote(id=doc["id"], key=doc["record"], text=doc["text"], created_at=doc["created_at"],
                   updated_at=doc["updated_at"], deleted=doc.get("deleted_at") is not None, version=doc["version"])


def reminder(roster: Roster, doc: dict, now: float) -> CrmReminder:
    done = doc.get("done_at") is not None
    return CrmReminder(
        id=doc["id"], key=doc["record"], name=roster.name_of(doc["record"]), text=doc["text"], due_at=doc["due_at"],
        due_in=round(doc["due_at"] - now, 3), overdue=not done and doc["due_at"] <= now, done=done,
        done_at=doc.get("done_at"), snoozed=doc.get("snoozed", 0), notified_at=doc.get("notified_at"),
        created_at=doc["created_at"], version=doc["version"],
    )
