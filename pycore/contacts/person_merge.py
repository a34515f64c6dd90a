"""Merging two contact records into one person, and undoing it.

WhatsApp shows some people under a hidden LID (…@lid) and under their phone number;
the user says they are one. Nothing is deleted: the secondary record points at the
primary (merged_into) and the primary remembers which fields it took, so split
gives exactly those back.
"""

from __future__ import annotations

from pycore.protocol.base import CoreError

ADOPTED = ("phone", "lid", "jid", "push_name")


def _refuse(pt: str, en: str) -> CoreError:
    """A refusal the page shows as it is, in the user's language."""
    return CoreError("conflict", en, [{"pt_BR": pt, "en": en}])


def merge(primary: dict, secondary: dict) -> tuple[dict, dict]:
    if primary["key"] == secondary["key"]:
        raise _refuse("Um contato não pode ser juntado com ele mesmo.", "A contact cannot be merged with itself.")
    for rec in (primary, secondary):
        if rec.get("merged_into"):
            raise _refuse(f"{rec['title']} já faz parte de outro contato: separe antes.",
                          f"{rec['title']} is already part of another contact: split it first.")
    if secondary.get("merged_from"):
        raise _refuse(f"{secondary['title']} tem contatos juntados a ele: separe-os antes.",
                      f"{secondary['title']} has contacts merged into it: split them first.")
    p, s = dict(primary), dict(secondary)
    taken = {f: s[f] for f in ADOPTED if p.get(f) is None and s.get(f) is not None}
    p.update(taken)
    p["merged_from"] = [*p.get("merged_from", []), s["key"]]
    p["gained"] = {**p.get("gained", {}), s["key"]: taken}
    s["merged_into"] = p["key"]
    return p, s


def split(primary: dict, secondary: dict) -> tuple[dict, dict]:
    if secondary.get("merged_into") != primary["key"]:
        raise _refuse(f"{secondary['title']} não está juntado a {primary['title']}.",
                      f"{secondary['title']} is not merged into {primary['title']}.")
    p, s = dict(primary), dict(secondary)
    gained = dict(p.get("gained", {}))
    for field, value in gained.pop(s["key"], {}).items():
        if p.get(field) == value:  # give back only what was not changed since
            p[field] = None
    p["gained"] = gained
    p["merged_from"] = [k for k in p.get("merged_from", []) if k != s["key"]]
    s["merged_into"] = None
    return p, s
