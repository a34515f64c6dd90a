"""Selectors for the content script, and the self-test that decides safe mode."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from pycore.protocol.base import Command, Model, command, event

CSS = Field(min_length=1, max_length=512)
# Where read-dom.js queries (pycore/whatsapp/selectors.py); "on_demand": the page, only when an action
# opened it (never probed by the self-test); "drawer": inside the contact-info drawer.
SelectorScope = Literal["page", "row", "chat_row", "on_demand", "drawer"]


class SelectorCandidate(Model):
    css: str = CSS
    gens: list[str] = Field(default_factory=list, max_length=8, description="DOM generations it was seen in")


class SelectorFeature(Model):
    purpose: str = Field(max_length=64)
    scope: SelectorScope = "page"
    unique: bool = False
    candidates: list[SelectorCandidate] = Field(min_length=1, max_length=16)


class SelectorTable(Model):
    version: int = Field(ge=1)
    generations: dict[str, str] = Field(max_length=16)
    classes: list[str] = Field(max_length=32)
    features: dict[str, SelectorFeature] = Field(max_length=128)
    texts: dict[str, Annotated[str, Field(max_length=2000)] | list[Annotated[str, Field(max_length=200)]]] = Field(
        default_factory=dict, max_length=32,
        description="words some elements are found by (read_more labels, warning pattern)",
    )


@command("selectors.get", SelectorTable)
class GetSelectors(Command):
    """The whole selector table (pycore/whatsapp/selectors.py) as JSON."""


class OverrideResult(Model):
    active: bool = Field(description="an override is in force")


@command("selectors.override", OverrideResult)
class OverrideSelectors(Command):
    """Support and diagnostics: replace the shipped selector table (null restores it).
    Content scripts load the table at start, so the override applies to tabs opened after it."""

    table: SelectorTable | None = None


class ProbeResult(Model):
    matched: str | None = Field(default=None, max_length=512, description="the candidate css that matched, or null")
    count: int = Field(default=0, ge=0, le=100_000, description="how many elements it matched")
    deferred: bool = Field(
        default=False, description="not expected yet (mid-2026 send button appears only after typing)"
    )


FeatureState = Literal["ok", "missing", "ambiguous", "deferred", "not_checked"]


class Reason(Model):
    code: str
    feature: str | None = None
    pt_BR: str
    en: str


class SelfTestOutcome(Model):
    features: dict[str, FeatureState]
    read_ok: bool
    send_ok: bool
    safe_mode: bool = Field(description="read-only: sending disabled")
    generation: str | None = Field(default=None, description="the DOM generation most matches belong to")
    reasons: list[Reason] = Field(default_factory=list)
    summary_pt: str
    summary_en: str
    at: float
    chat_open: bool = Field(default=True, description="a conversation was open (its features were checked)")
    last_send_ok: bool | None = Field(default=None, description="the verdict of the last check made with a chat open")


@command("selftest.report", SelfTestOutcome, sources={"content"})
class SelfTestReport(Command):
    """The content script's probe of every feature (MettriReadDom.probe)."""

    results: dict[str, ProbeResult] = Field(max_length=200)
    chat_open: bool = Field(description="a conversation was open: conversation features were checkable")
    tab_id: str | None = Field(default=None, max_length=64)


class LastSelfTest(Model):
    outcome: SelfTestOutcome | None = Field(default=None, description="null before any self-test")


@command("selftest.last", LastSelfTest)
class GetLastSelfTest(Command):
    """The last stored self-test outcome (meta 'whatsapp.selftest')."""


@event("selftest.result", tabs=True)
class SelfTestResult(SelfTestOutcome):
    """What works on this WhatsApp Web build; the sender must honour safe_mode."""
