"""A decision with its reasons: every check is allow / warn / block with a stable code and a
plain-language reason in pt-BR and English (the texts live in ``pycore.reasons``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pycore.protocol.base import Model

Verdict = Literal["allow", "warn", "block"]


class Check(Model):
    code: str
    verdict: Verdict
    reason_pt: str
    reason_en: str


class Decision(Model):
    """The worst of the checks decides; ``code`` is that check's code ("ok" when all allow)."""

    verdict: Verdict
    code: str
    reason_pt: str
    reason_en: str
    checks: list[Check] = Field(default_factory=list)
