"""Folding text for comparison: two messages that differ only by case, accents, digits,
punctuation, emoji or spacing fold to the same string. Used wherever Mettri asks "is this
the same text?" (the bulk rule, opt-out words, a send's evidence)."""

from __future__ import annotations

import unicodedata

MAX_LEARNT = 20_000  # characters remembered (a few alphabets and the emoji in use)


class _Classes(dict):
    """Character -> what folding keeps of it (itself, nothing for an accent, a space otherwise),
    learnt once per character: str.translate then folds a text in C, not character by character here."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        cat = unicodedata.category(ch)
        kept = ch if cat.startswith("L") else "" if cat == "Mn" else " "  # accents go; digits, symbols, spaces split
        if len(self) >= MAX_LEARNT:
            self.clear()  # bounded memory, whatever text arrives
        self[code] = kept
        return kept


_CLASSES = _Classes()


def fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKD", text.casefold()).translate(_CLASSES).split())
