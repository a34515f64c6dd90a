"""Sending settings: safe mode by default; the user may relax them, never past the hard ceilings."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, ValidationError

from pycore.protocol.base import CoreError, Model
from pycore.protocol.sending import SettingsAdjustment

SETTINGS_KEY = "sending.settings"


class SendingSettings(Model):
    per_minute: int = Field(default=20, ge=1)
    per_hour: int = Field(default=200, ge=1)
    per_day: int = Field(default=1000, ge=1)
    bucket_capacity: int = Field(default=20, ge=1)
    # Warm-up for new numbers: the daily limit grows from warmup_start to per_day over warmup_days.
    warmup: bool = True
    warmup_start: int = Field(default=20, ge=1)
    warmup_days: int = Field(default=10, ge=1)
    warmup_started_at: float | None = None  # set at the first send; the user may backdate it
    unsolicited: Literal["block", "warn"] = "block"
    strangers_per_day: int = Field(default=5, ge=0)
    bulk_per_hour: int = Field(default=3, ge=1)
    bulk_similarity: float = Field(default=0.6, gt=0, le=1)
    recipient_cooldown_s: float = Field(default=30.0, ge=0)
    block_when_hidden: bool = True
    # The opt-out list cannot be turned off: the field exists only to say so.
    honour_optouts: Literal[True] = True


# field -> (bound, "max" | "min"): relaxing never passes these.
CEILINGS: dict[str, tuple[float, str]] = {
    "per_minute": (30, "max"),
    "per_hour": (300, "max"),
    "per_day": (1500, "max"),
    "bucket_capacity": (30, "max"),
    "warmup_start": (50, "max"),
    "strangers_per_day": (10, "max"),
    "bulk_per_hour": (10, "max"),
    "bulk_similarity": (0.8, "max"),  # a higher threshold lets more near-duplicates through
    "recipient_cooldown_s": (5.0, "min"),
}


def is_safe_mode(s: SendingSettings) -> bool:
    """Safe mode = the defaults (maximum compliance); the warm-up start date is not a relaxation."""
    keep = {"warmup_started_at": s.warmup_started_at}
    return s == SendingSettings(**keep)


def clamp(values: dict[str, Any], current: SendingSettings) -> tuple[SendingSettings, list[SettingsAdjustment]]:
    """Merge ``values`` into ``current``; clamp to the ceilings and say what was changed.

    ``{"safe_mode": true}`` restores every default (keeping the warm-up start date).
    """
    values = dict(values)
    if values.pop("safe_mode", False) is True:
        current = SendingSettings(warmup_started_at=current.warmup_started_at)
    merged = current.model_dump() | values
    adjusted: list[SettingsAdjustment] = []
    for name, (bound, side) in CEILINGS.items():
        value = merged.get(name)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        over = value > bound if side == "max" else value < bound
        if over:
            merged[name] = type(value)(bound) if isinstance(value, int) and float(bound).is_integer() else bound
            word_pt, word_en = ("máximo", "maximum") if side == "max" else ("mínimo", "minimum")
            adjusted.append(
                SettingsAdjustment(
                    field=name,
                    requested=value,
                    applied=merged[name],
                    reason_pt=f"{name}: o {word_pt} permitido é {bound}; usei {merged[name]}.",
                    reason_en=f"{name}: the allowed {word_en} is {bound}; applied {merged[name]}.",
                )
            )
    try:
        return SendingSettings.model_validate(merged), adjusted
    except ValidationError as exc:
        details = [
            {"loc": ".".join(str(p) for p in e["loc"]), "msg": e["msg"], "type": e["type"]}
            for e in exc.errors(include_url=False, include_input=False)
        ]
        raise CoreError("invalid_args", "invalid sending settings", details) from exc


async def load(storage) -> SendingSettings:
    rec = await storage.get("meta", SETTINGS_KEY)
    return SendingSettings.model_validate(rec["value"]) if rec else SendingSettings()


def record(settings: SendingSettings) -> dict[str, Any]:
    return {"key": SETTINGS_KEY, "value": settings.model_dump()}
