"""Folding text for comparison: two messages that differ only by case, accents, digits,
punctuation, emoji or spacing fold to the same string. Used wherever Mettri asks "is this
the same text?" (the bulk rule, opt-out words, a send's evidence)."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    kept = []
    for ch in folded:
        cat = unicodedata.category(ch)
        if cat.startswith("L"):
            kept.append(ch)
        elif cat == "Mn":
            continue  # accents
        else:
            kept.append(" ")  # digits, punctuation, symbols (emoji), spaces
    return " ".join("".join(kept).split())
