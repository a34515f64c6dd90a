"""The policy enforcer: pure rules over facts the gate looked up.

Rules run most important first; each returns a Check (allow / warn / block).
Timing rules (rate limits, cooldowns, bulk throttling of campaigns) do not
block: they delay, and the gate applies them when handing jobs to the tab.
"""

from __future__ import annotations

import functools
import statistics
import unicodedata
from dataclasses import dataclass, field

from pycore.protocol.decisions import Check, Decision
from pycore.reasons import check, combine
from pycore.sending.settings import SendingSettings
from pycore.textfold import fold

MAX_TEXT = 65_536  # WhatsApp's own limit
ALLOWED_CONTROL = {"\n", "\t", "\r"}
MIN_BULK_CHARS = 20  # short courtesy phrases ("ok, obrigado!") are naturally repeated


@dataclass
class Facts:
    """What the gate knows about one send, looked up before the rules run."""

    chat: str
    text: str
    origin: str
    opted_out: bool = False
    is_group: bool = False
    saved_contact: bool = False
    has_inbound: bool = False
    strangers_today: set[str] = field(default_factory=set)  # chats of strangers messaged in the last 24 h
    recent_texts: list[tuple[str, str]] = field(default_factory=list)  # (chat, normalized text), last hour
    recent_send_times: list[float] = field(default_factory=list)
    paused: bool = False

    @property
    def stranger(self) -> bool:
        return not (self.is_group or self.saved_contact or self.has_inbound)


# -- text helpers ----------------------------------------------------------------------
def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@functools.lru_cache(maxsize=4096)  # the same recent texts are compared on every request
def _grams(norm: str, size: int = 4) -> frozenset[str]:
    if len(norm) <= size:
        return frozenset({norm}) if norm else frozenset()
    return frozenset(norm[i : i + size] for i in range(len(norm) - size + 1))


def similarity(norm_a: str, norm_b: str) -> float:
    """Of two normalized texts: the higher of the word Jaccard (a swapped name costs one word)
    and the 4-gram Jaccard (typos and small edits)."""
    words = _jaccard(frozenset(norm_a.split()), frozenset(norm_b.split()))
    return max(words, _jaccard(_grams(norm_a), _grams(norm_b)))


def similar_recipients(facts: Facts, threshold: float) -> set[str]:
    """Other chats that got a near-identical text in the recent window."""
    mine = fold(facts.text)
    return {chat for chat, norm in facts.recent_texts if chat != facts.chat and similarity(mine, norm) >= threshold}


def is_bulk_candidate(text: str) -> bool:
    return len(fold(text)) >= MIN_BULK_CHARS


def looks_periodic(times: list[float], last: int = 5, tolerance_s: float = 1.0) -> bool:
    """The last gaps are nearly equal: what a timer does, not a person."""
    if len(times) < last + 1:
        return False
    recent = sorted(times)[-(last + 1) :]
    gaps = [b - a for a, b in zip(recent, recent[1:])]
    return statistics.pstdev(gaps) < tolerance_s


# -- rules --------------------------------------------------------------------------
def content_checks(text: str) -> list[Check]:
    if not text.strip():
        return [check("empty_text", "block")]
    out = []
    if len(text) > MAX_TEXT:
        out.append(check("text_too_long", "block", length=len(text), limit=MAX_TEXT))
    if any(unicodedata.category(ch) == "Cc" and ch not in ALLOWED_CONTROL for ch in text):
        out.append(check("control_chars", "block"))
    return out


def recipient_checks(facts: Facts, settings: SendingSettings) -> list[Check]:
    if facts.opted_out:
        return [check("opted_out", "block")]  # never relaxable
    out = []
    if facts.stranger:
        out.append(check("unsolicited", settings.unsolicited))
        others = facts.strangers_today - {facts.chat}
        if facts.chat not in facts.strangers_today and len(others) >= settings.strangers_per_day:
            out.append(check("strangers_budget", "block", limit=settings.strangers_per_day))
    return out


def bulk_checks(facts: Facts, settings: SendingSettings) -> list[Check]:
    if not is_bulk_candidate(facts.text):
        return []
    count = len(similar_recipients(facts, settings.bulk_similarity))
    if facts.origin == "campaign":
        # A campaign is bulk by design: it is throttled, not blocked.
        return [check("bulk_throttled", "warn", limit=settings.bulk_per_hour)] if count >= settings.bulk_per_hour else []
    if count >= settings.bulk_per_hour:
        return [check("bulk_identical", "block", count=count, limit=settings.bulk_per_hour)]
    return []


def automation_checks(facts: Facts) -> list[Check]:
    out = []
    if looks_periodic(facts.recent_send_times):
        out.append(check("periodic_pattern", "warn"))
    if facts.paused:
        out.append(check("sending_paused", "warn"))
    return out


def evaluate(facts: Facts, settings: SendingSettings) -> Decision:
    checks = content_checks(facts.text)
    if not any(c.verdict == "block" for c in checks):
        checks += recipient_checks(facts, settings) + bulk_checks(facts, settings) + automation_checks(facts)
    return combine(checks)
