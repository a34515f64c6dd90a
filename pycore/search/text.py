"""Normalization and query parsing.

The user's text is never handed to FTS5 as syntax: it is split into words the
same way the ``unicode61`` tokenizer splits them, and every word is quoted, so
``AND``, ``NEAR(``, ``*``, ``^``, ``-`` and ``col:`` are plain words or nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

# unicode61 keeps letters and digits together and splits on everything else
# (including "_"): this regex is the Python side of that rule.
WORD = re.compile(r"[^\W_]+")
# Prefix expansion of a 1-letter word would scan every term with that letter;
# a lone letter is matched as a whole word instead.
MIN_PREFIX = 2
MAX_TERMS = 12


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lower case without diacritics: "Ação" -> "acao" (what remove_diacritics 2 indexes).

    Cached: snippets fold every word of every hit and a shop's vocabulary is small
    (halves the snippet cost of a query under Pyodide)."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def words(text: str) -> list[str]:
    return [fold(m.group()) for m in WORD.finditer(text)]


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


@dataclass(frozen=True)
class Query:
    """A sanitized query: loose words, quoted phrases, and whether the last word is a prefix."""

    terms: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    prefix: str | None = None  # the last loose word, when the user may still be typing it
    all_words: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not self.terms and not self.phrases

    def key(self) -> str:
        """A stable cache key: equal for queries that mean the same."""
        parts = list(self.terms) + ['"' + " ".join(p) + '"' for p in self.phrases]
        return " ".join(parts) + ("*" if self.prefix else "")


def parse(q: str) -> Query:
    """Split on balanced double quotes; an unbalanced quote is just punctuation."""
    text = q.replace("\u201c", '"').replace("\u201d", '"')
    pieces = text.split('"')
    if len(pieces) % 2 == 0:  # odd number of quotes: the last one opens nothing
        pieces[-2:] = [pieces[-2] + " " + pieces[-1]]
    terms: list[str] = []
    phrases: list[tuple[str, ...]] = []
    for i, piece in enumerate(pieces):
        found = words(piece)
        if i % 2 == 1 and len(found) > 1:
            phrases.append(tuple(found))
        else:
            terms.extend(found)
    terms = _dedupe(terms)[:MAX_TERMS]
    phrases = _dedupe(phrases)[:MAX_TERMS]
    # The last word is still being typed unless the query ends in a space or a quote.
    prefix = None
    last_loose = pieces[-1] if len(pieces) % 2 == 1 else ""
    tail = words(last_loose)
    if tail and terms and not q[-1:].isspace() and terms[-1] == tail[-1] and len(tail[-1]) >= MIN_PREFIX:
        prefix = terms[-1]
    every = tuple(terms) + tuple(w for p in phrases for w in p)
    return Query(terms=tuple(terms), phrases=tuple(phrases), prefix=prefix, all_words=every)


def _dedupe(items: list) -> list:
    seen: set = set()
    return [x for x in items if not (x in seen or seen.add(x))]


def fts_expression(query: Query, *, with_prefix: bool = True, as_phrase: bool = False,
                   expand: Callable[[str], list[str] | None] | None = None) -> str:
    """The FTS5 MATCH string: every word quoted; the terms ANDed.

    ``as_phrase`` joins the loose words into one phrase (the "exact phrase" tier);
    ``with_prefix=False`` asks for the last word as a whole word only. ``expand``: the indexed
    words a prefix stands for (None: let FTS5 expand it); the same hits as ``"prefix"*``.
    """
    loose = list(query.terms)
    parts: list[str] = []
    if as_phrase and len(loose) > 1:
        parts.append('"' + " ".join(loose) + '"')
        loose = []
    for t in loose:
        if with_prefix and t == query.prefix and t == query.terms[-1]:
            spelled = expand(t) if expand else None
            parts.append(f'"{t}"*' if not spelled else "(" + " OR ".join(f'"{w}"' for w in spelled) + ")")
        else:
            parts.append(f'"{t}"')
    parts.extend('"' + " ".join(p) + '"' for p in query.phrases)
    return " AND ".join(parts)


def matches(word: str, query: Query) -> bool:
    """Whether a folded word of a message is one the query asked for (for highlighting)."""
    if word in query.all_words:
        return True
    return query.prefix is not None and word.startswith(query.prefix)


SNIPPET_CHARS = 160
ELLIPSIS = "\u2026"


def snippet(text: str, query: Query, width: int = SNIPPET_CHARS) -> list[dict]:
    """Segments [{text, hit}] around the first hit, for the UI to render as text nodes.

    Highlights are computed here, not by FTS5's highlight(), so no markup ever
    travels inside the message text.
    """
    spans = [(m.start(), m.end()) for m in WORD.finditer(text) if matches(fold(m.group()), query)]
    start, end = 0, len(text)
    if len(text) > width:
        first = spans[0][0] if spans else 0
        start = max(0, first - width // 3)
        end = min(len(text), start + width)
        start = max(0, min(start, end - width))
        # Do not cut a word in half at either edge.
        while start > 0 and text[start - 1].isalnum():
            start -= 1
        while end < len(text) and text[end].isalnum():
            end += 1
    segments: list[dict] = []

    def add(piece: str, hit: bool) -> None:
        if not piece:
            return
        if segments and segments[-1]["hit"] == hit:
            segments[-1]["text"] += piece
        else:
            segments.append({"text": piece, "hit": hit})

    if start > 0:
        add(ELLIPSIS, False)
    pos = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        add(text[pos:s], False)
        add(text[s:e], True)
        pos = e
    add(text[pos:end], False)
    if end < len(text):
        add(ELLIPSIS, False)
    return segments
