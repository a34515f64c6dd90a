"""Sending settings: the safest values by default; the user may relax them, never past the hard ceilings."""

from __future__ import annotations

from pydantic import ValidationError

from pycore.bilingual import filled
from pycore.protocol.base import CoreError
from pycore.sending.protocol import Ceiling, SendingSettings, SettingsAdjustment, SettingsPatch

SETTINGS_KEY = "sending.settings"

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


def ceilings() -> list[Ceiling]:
    return [Ceiling(field=name, bound=bound, side=side) for name, (bound, side) in CEILINGS.items()]


def at_defaults(s: SendingSettings) -> bool:
    """Every setting at its default (maximum compliance); the warm-up start date is not a relaxation."""
    return s == SendingSettings(warmup_started_at=s.warmup_started_at)


# Why a setting was brought back within its ceiling, in both languages.
CLAMPED = ("O {word} permitido é {limit}; usei {applied}.", "The allowed {word} is {limit}; applied {applied}.")


def clamp(patch: SettingsPatch, current: SendingSettings, reset: bool = False) -> tuple[SendingSettings, list[SettingsAdjustment]]:
    """Merge ``patch`` into ``current`` (into the defaults when ``reset``); clamp to the ceilings and
    say what was changed."""
    if reset:
        current = SendingSettings(warmup_started_at=current.warmup_started_at)
    merged = current.model_dump() | patch.model_dump(exclude_none=True)
    adjusted: list[SettingsAdjustment] = []
    for name, (bound, side) in CEILINGS.items():
        value = merged[name]
        over = value > bound if side == "max" else value < bound
        if over:
            merged[name] = int(bound) if isinstance(value, int) and float(bound).is_integer() else bound
            word = ("máximo", "maximum") if side == "max" else ("mínimo", "minimum")
            text = filled(CLAMPED, word=word, limit=bound, applied=merged[name])
            adjusted.append(SettingsAdjustment(field=name, requested=value, applied=merged[name],
                                               reason_pt=text["pt_BR"], reason_en=text["en"]))
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


def record(settings: SendingSettings) -> dict:
    return {"key": SETTINGS_KEY, "value": settings.model_dump()}
