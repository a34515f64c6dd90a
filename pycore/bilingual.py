"""Texts the user reads in both of Mettri's languages: a (pt_BR, en) pair, filled with values."""

from __future__ import annotations

from typing import Any


def filled(pair: tuple[str, str], **values: Any) -> dict[str, str]:
    """Both texts of ``pair``; a value given as a (pt_BR, en) pair is written in each language."""
    pt, en = pair
    in_pt = {k: v[0] if isinstance(v, tuple) else v for k, v in values.items()}
    in_en = {k: v[1] if isinstance(v, tuple) else v for k, v in values.items()}
    return {"pt_BR": pt.format(**in_pt), "en": en.format(**in_en)}
