"""Which templates the composer's ``/`` picker shows for what the user typed after the slash.

A shortcut typed in full comes first, then shortcuts that start with it, then templates whose
name, category or shortcut has a word starting with every typed word, then those whose text
does. Case and accents never matter. Ties keep the user's order.
"""

from __future__ import annotations

import re

from pycore.templates.protocol import MessageTemplate
from pycore.templates.render import var_key

WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    return [var_key(w) for w in WORD.findall(text)]


def shortcut_key(shortcut: str) -> str:
    """The comparison form of a shortcut: "/Preço" -> "preco" (dashes and underscores kept)."""
    return "-".join(var_key(part) for part in re.split(r"-", shortcut.strip().lstrip("/"))) if shortcut.strip() else ""


def score(t: MessageTemplate, query: str) -> float:
    """How well ``t`` matches ``query`` (0: not at all)."""
    q = query.strip().lstrip("/")
    if not q:
        return 1.0
    sc = shortcut_key(t.shortcut)
    qk = shortcut_key(q) if " " not in q else ""
    if sc and qk:
        if sc == qk:
            return 100.0
        if sc.startswith(qk):
            return 80.0 - min(10.0, (len(sc) - len(qk)) * 0.1)
    qwords = words(q)
    if not qwords:
        return 0.0
    head = words(t.name) + words(t.category) + words(t.shortcut)
    if all(any(w.startswith(qw) for w in head) for qw in qwords):
        return 50.0
    body = words(t.text)
    if all(any(w.startswith(qw) for w in head + body) for qw in qwords):
        return 30.0
    return 0.0


def pick(templates: list[MessageTemplate], query: str, limit: int) -> list[MessageTemplate]:
    scored = [(score(t, query), t) for t in templates]
    scored = [(s, t) for s, t in scored if s > 0]
    scored.sort(key=lambda st: (-st[0], st[1].position))
    return [t for _, t in scored[:limit]]
