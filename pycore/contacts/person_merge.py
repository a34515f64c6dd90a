"""Merging two contact records into one person, and undoing it.

WhatsApp shows some people under a hidden LID (…@lid) and under their phone number;
the user says they are one. Nothing is deleted: the secondary record points at the
primary (merged_into) and the primary remembers which fields it took, so split
gives exactly those back.
"""

from __future__ import annotations

from pycore.protocol.base import CoreError

ADOPTED = ("phone", "lid", "jid", "push_name")


def merge(primary: dict, secondary: dict) -> tuple[dict, dict]:
    if primary["key"] == secondary["key"]:
        raise CoreError("conflict", "a contact cannot be merged with itself")
    for rec in (primary, secondary):
        if rec.get("merged_into"):
            raise CoreError("conflict", f"{rec['key']!r} is already merged into {rec['merged_into']!r}")
    if secondary.get("merged_from"):
        raise CoreError("conflict", f"{secondary['key']!r} has merged contacts of its own: split them first")
    p, s = dict(primary), dict(secondary)
    taken = {f: s[f] for f in ADOPTED if p.get(f) is None and s.get(f) is not None}
    p.update(taken)
    p["merged_from"] = [*p.get("merged_from", []), s["key"]]
    p["gained"] = {**p.get("gained", {}), s["key"]: taken}
    s["merged_into"] = p["key"]
    return p, s


def split(primary: dict, secondary: dict) -> tuple[dict, dict]:
    if secondary.get("merged_into") != primary["key"]:
        raise CoreError("conflict", f"{secondary['key']!r} is not merged into {primary['key']!r}")
    p, s = dict(primary), dict(secondary)
    gained = dict(p.get("gained", {}))
    for field, value in gained.pop(s["key"], {}).items():
        if p.get(field) == value:  # give back only what was not changed since
            p[field] = None
    p["gained"] = gained
    p["merged_from"] = [k for k in p.get("merged_from", []) if k != s["key"]]
    s["merged_into"] = None
    return p, s
