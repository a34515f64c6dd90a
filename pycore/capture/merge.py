"""How a new sighting of a known message changes its stored record.

Only forward moves count, so re-renders (even partial ones) write nothing:
ticks never go backwards, a deleted message stays deleted and empty, a truncated
"Read more" rendering never shortens a text already captured in full.
"""

from __future__ import annotations

from pycore.capture.interpret import STATUS_RANK


def merge(old: dict, new: dict) -> dict:
    """The fields of ``new`` that move ``old`` forward (empty when nothing changes)."""
    changes: dict = {}
    if old.get("type") == "deleted":
        return changes
    if new["type"] == "deleted":
        return {"type": "deleted", "text": "", "quoted": None}
    if STATUS_RANK[new["status"]] > STATUS_RANK[old.get("status")]:
        changes["status"] = new["status"]
    if old.get("direction") == "system" and new["direction"] != "system":
        changes["direction"] = new["direction"]
        changes["type"] = new["type"]
    elif old.get("type") == "unknown" and new["type"] != "unknown":
        changes["type"] = new["type"]
    text, old_text = new["text"], old.get("text") or ""
    if text and text != old_text and not old_text.startswith(text.rstrip("… ")):
        changes["text"] = text
    for name in ("ts", "author", "author_jid", "quoted"):
        if old.get(name) is None and new.get(name) is not None:
            changes[name] = new[name]
    if new["forwarded"] and not old.get("forwarded"):
        changes["forwarded"] = True
    return changes


def merge_fields(first: dict, later: dict) -> dict:
    """Two sightings in one batch -> one set of fields (the later one moving the first forward)."""
    return {**first, **merge(first, later)}
