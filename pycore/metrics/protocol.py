"""Metrics the user sees: what was captured, sent and blocked, day by day."""

from __future__ import annotations

from pydantic import Field

from pycore.protocol.base import Command, Model, command


class DayCount(Model):
    day: str = Field(description="YYYY-MM-DD in the user's time zone")
    captured_in: int
    captured_out: int
    sent: int
    blocked: int


class MetricsSummary(Model):
    days: list[DayCount]
    messages_total: int
    chats_total: int
    capture_clean_share: float | None = Field(description="share of message rows read without an unknown shape")
    audit_allow: int
    audit_warn: int
    audit_block: int


@command("metrics.summary", MetricsSummary, sources={"page"})
class GetMetrics(Command):
    """Per-day counts of the last ``days`` days (captured in/out, sent, blocked) and totals."""

    days: int = Field(default=14, ge=1, le=90)
    utc_offset_min: int = Field(default=-180, ge=-840, le=840, description="the user's offset, e.g. -180 for Brasília")
