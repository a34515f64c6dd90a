"""How a new sighting of a known message changes its stored record.

Only forward moves count, so re-renders (even partial ones) write nothing:
ticks never go backwards, a deleted message stays deleted and empty, a truncated
"Read more" rendering never shortens a text already captured in full. What was
inferred gives way to what is seen: a time of lower evidence (a neighbour's, an
assumed day) is replaced by a better one, a row once taken for a system row or an
unknown kind takes the kind its content shows, a partial text its complete form.
"""

from __future__ import annotations

from pycore.capture.interpret import STATUS_RANK
from pycore.capture.timestamps import LEGACY_RANK, TS_RANK


def ts_rank(fields: dict) -> int:
    if fields.get("ts") is None:
        return -1
    source = fields.get("ts_source")
    return TS_RANK[source] if source in TS_RANK else LEGACY_RANK


def _text(old: dict, new: dict) -> str | None:
    """The text to store, or None to keep the old one."""
    text, old_text = new["text"], old.get("text") or ""
    if not text or text == old_text:
        return None
    new_complete, old_complete = new.get("text_complete", True), old.get("text_complete", True)
    if new_complete and not old_complete:
        return text  # the whole text, after "Read more"
    if old_complete and not new_complete and old_text:
        return None  # a cut re-render never shortens a complete text
    if old_text.startswith(text.rstrip("… ")):
        return None
    return text


def merge(old: dict, new: dict) -> dict:
    """The fields of ``new`` that move ``old`` forward (empty when nothing changes)."""
    changes: dict = {}
    if old.get("type") == "deleted":
        return changes
    if new["type"] == "deleted":
        return {"type": "deleted", "text": "", "text_complete": True, "quoted": None, "quoted_author": None,
                "quoted_id": None}
    if STATUS_RANK[new["status"]] > STATUS_RANK[old.get("status")]:
        changes["status"] = new["status"]
    if old.get("direction") == "system" and new["direction"] != "system":
        changes["direction"] = new["direction"]
        changes["type"] = new["type"]
    elif old.get("type") == "unknown" and new["type"] != "unknown":
        changes["type"] = new["type"]
    text = _text(old, new)
    if text is not None:
        changes["text"] = text
    if new.get("text_complete", True) and not old.get("text_complete", True) and (text is not None or new["text"] == old.get("text")):
        changes["text_complete"] = True
    if ts_rank(new) > ts_rank(old):
        changes["ts"] = new["ts"]
        changes["ts_source"] = new.get("ts_source")
        changes["ts_inferred"] = bool(new.get("ts_inferred"))
    for name in ("author", "author_jid", "quoted", "quoted_author", "quoted_id"):
        if old.get(name) is None and new.get(name) is not None:
            changes[name] = new[name]
    if old.get("quoted_author") is None and new.get("quoted_author") and new.get("quoted") is not None:
        changes["quoted"] = new["quoted"]  # stored before the author was read apart: the text alone
    if new["forwarded"] and not old.get("forwarded"):
        changes["forwarded"] = True
    return changes


def merge_fields(first: dict, later: dict) -> dict:
    """Two sightings in one batch -> one set of fields (the later one moving the first forward)."""
    return {**first, **merge(first, later)}
