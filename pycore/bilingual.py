"""Texts the user reads in both of Mettri's languages: a (pt_BR, en) pair, filled with values."""

from __future__ import annotations

from typing import Any

# The placeholders that hold a quantity: a number there is written as the language writes it (12.345
# and 0,5 in pt-BR, 12,345 and 0.5 in English). Others are left as they are (a year or a code typed by
# the user in a field's {value} must not become 2.024).
QUANTITIES = frozenset({"limit", "applied", "count", "length", "minutes", "seconds", "added", "removed", "row"})


def number(x: float, lang: str) -> str:
    """A number as ``lang`` ("pt" or "en") writes it: grouped thousands when whole (1.500 / 1,500),
    else its decimal comma or point (0,5 / 0.5)."""
    if float(x).is_integer():
        text = f"{int(x):,}"
        return text.replace(",", ".") if lang == "pt" else text
    text = f"{x:g}"
    return text.replace(".", ",") if lang == "pt" else text


def _in(lang: str, values: dict[str, Any]) -> dict[str, Any]:
    side = 0 if lang == "pt" else 1
    out = {}
    for k, v in values.items():
        if isinstance(v, tuple):
            v = v[side]
        if k in QUANTITIES and isinstance(v, (int, float)) and not isinstance(v, bool):
            v = number(v, lang)
        out[k] = v
    return out


def filled(pair: tuple[str, str], **values: Any) -> dict[str, str]:
    """Both texts of ``pair``; a value given as a (pt_BR, en) pair is written in each language, and a
    quantity (QUANTITIES) as each language writes numbers."""
    pt, en = pair
    return {"pt_BR": pt.format(**_in("pt", values)), "en": en.format(**_in("en", values))}
