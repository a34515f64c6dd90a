"""Campaigns: one template, many recipients, a dry run first and explicit approval before anything is queued."""

from __future__ import annotations

import bisect
import re
from typing import Any

from pycore.protocol.base import CoreError
from pycore.protocol.sending import CampaignInfo, CampaignProgress, DryRunResult, Recipient, RecipientPlan
from pycore.sending import audit, outbox, pacing, policy
from pycore.sending.gate import HOUR, JOB_TTL_S, SendGate
from pycore.sending.ids import sortable_id
from pycore.sending.rate_limiter import Window, window_next_free
from pycore.sending.reasons import check, combine
from pycore.storage.base import WriteOp

VARIABLE = re.compile(r"\{\{\s*([\w.-]+)\s*\}\}")


def render(template: str, values: dict[str, str]) -> tuple[str | None, list[str]]:
    """The text for one recipient, or None and the names of the missing (or empty) variables."""
    lowered = {k.casefold(): v for k, v in values.items()}
    missing: list[str] = []

    def fill(m: re.Match) -> str:
        value = values.get(m.group(1), lowered.get(m.group(1).casefold(), ""))
        if not str(value).strip():
            missing.append(m.group(1))
        return str(value)

    text = VARIABLE.sub(fill, template)
    return (None, missing) if missing else (text, [])


def estimate_times(
    count: int,
    now: float,
    delay_s: float,
    windows: list[Window],
    log_ends: list[float],
    last_send_at: float | None,
    bulk_per_hour: int | None,
) -> list[float]:
    """Send times of ``count`` messages at the mean pacing delay, held back by every window (and the bulk cap)."""
    ends = sorted(log_ends)
    times: list[float] = []
    t, last = now, last_send_at
    for _ in range(count):
        if last is not None:
            t = max(t, last + delay_s)
        # Moving later only empties windows, so one pass over them is enough.
        t = max([t] + [window_next_free(ends, w, t)[1] for w in windows])
        if bulk_per_hour is not None and len(times) >= bulk_per_hour:
            t = max(t, times[-bulk_per_hour] + JOB_TTL_S + HOUR)
        bisect.insort(ends, t + JOB_TTL_S)
        times.append(t)
        last = t
    return times


def risk_score(
    total: int, sendable: int, strangers: int, blocked: int, similarity: float,
    volume_share: float, warmup_left: float,
) -> tuple[int, dict[str, float]]:
    """Risk of the campaign for the number, 0-100.

    risk = 100 x (0.35 S + 0.20 B + 0.20 V + 0.15 W + 0.10 X), each factor in [0, 1]:
      S  share of sendable recipients who never wrote and are not saved (the main ban cause);
      B  how identical the texts are (mean similarity to the first text) x min(1, sendable / 10);
      V  sendable / what the daily limit still allows today (capped at 1);
      W  how much of the warm-up is left (1 on day 1 of a new number, 0 once warmed up);
      X  share of recipients blocked (opt-outs, missing data: a sign of a poor list).
    """
    factors = {
        "strangers": strangers / sendable if sendable else 0.0,
        "bulk": similarity * min(1.0, sendable / 10),
        "volume": min(1.0, volume_share),
        "warmup": warmup_left,
        "blocked": blocked / total if total else 0.0,
    }
    weights = {"strangers": 0.35, "bulk": 0.20, "volume": 0.20, "warmup": 0.15, "blocked": 0.10}
    score = round(100 * sum(weights[k] * factors[k] for k in weights))
    return max(0, min(100, score)), {k: round(v, 3) for k, v in factors.items()}


async def dry_run(gate: SendGate, template: str, recipients: list[Recipient]) -> DryRunResult:
    """Per recipient: the text and the gate's decision, as if the campaign were approved now."""
    s = await gate.settings()
    shared = await gate.shared_facts()
    plans: list[RecipientPlan] = []
    seen: set[str] = set()
    strangers = 0
    for r in recipients:
        text, missing = render(template, r.vars)
        if r.chat in seen:
            plans.append(RecipientPlan(chat=r.chat, text=text, decision=combine([check("duplicate_recipient", "block")])))
            continue
        seen.add(r.chat)
        if text is None:
            decision = combine([check("missing_variable", "block", names=", ".join(sorted(set(missing))))])
            plans.append(RecipientPlan(chat=r.chat, text=None, decision=decision))
            continue
        facts = await gate.facts_for(shared, r.chat, text, "campaign")
        decision = policy.evaluate(facts, s)
        plans.append(RecipientPlan(chat=r.chat, text=text, decision=decision))
        if decision.verdict != "block":
            # Later recipients see this one as sent: the strangers budget and the bulk count fill up.
            shared.recent_texts.append((r.chat, policy.normalize(text)))
            if facts.stranger:
                shared.strangers_today.add(r.chat)
                strangers += 1
    counts = {v: sum(p.decision.verdict == v for p in plans) for v in ("allow", "warn", "block")}
    sendable = [p for p in plans if p.decision.verdict != "block"]

    now = gate.clock.now()
    limits, day, day_limit = await gate.message_limits(s)
    log = await gate.limiter.log("message", now - 86_400)
    mean_len = sum(len(p.text or "") for p in sendable) / len(sendable) if sendable else 0
    model = pacing.for_limits(s.per_minute)
    first_norm = policy.normalize(sendable[0].text) if sendable else ""
    sims = [policy.similarity(first_norm, policy.normalize(p.text)) for p in sendable[1:]]
    similar = sum(sims) / len(sims) if sims else 0.0
    times = estimate_times(
        len(sendable), now, model.mean_delay(int(mean_len)), list(limits.windows), [r["end"] for r in log],
        max((r["ts"] for r in log), default=None), s.bulk_per_hour if similar >= s.bulk_similarity else None,
    )
    day_used = sum(1 for r in log if r["end"] > now - 86_400)
    score, factors = risk_score(
        total=len(plans), sendable=len(sendable), strangers=strangers, blocked=counts["block"],
        similarity=similar, volume_share=len(sendable) / max(1, day_limit - day_used),
        warmup_left=0.0 if day is None else 1 - day / s.warmup_days,
    )
    finish = times[-1] if times else now
    return DryRunResult(
        recipients=plans, counts=counts, risk_score=score, risk_factors=factors,
        estimated_seconds=finish - now, estimated_finish_at=finish,
    )


def info(rec: dict[str, Any], counts: dict[str, int] | None = None, with_plan: bool = True) -> CampaignInfo:
    return CampaignInfo(
        id=rec["id"], name=rec["name"], state=rec["state"], created_at=rec["created_at"],
        approved_at=rec.get("approved_at"), total=len(rec["recipients"]), counts=counts or {},
        plan=rec.get("plan") if with_plan else None,
    )


class Campaigns:
    def __init__(self, gate: SendGate) -> None:
        self.gate = gate
        self.storage = gate.storage

    async def _get(self, campaign_id: str) -> dict[str, Any]:
        rec = await self.storage.get("campaigns", campaign_id)
        if rec is None:
            raise CoreError("not_found", f"no campaign {campaign_id!r}")
        return rec

    async def create(self, name: str, template: str, recipients: list[Recipient]) -> CampaignInfo:
        now = self.gate.clock.now()
        plan = await dry_run(self.gate, template, recipients)
        rec = {
            "id": sortable_id(now, self.gate.rng), "name": name, "template": template,
            "recipients": [r.model_dump() for r in recipients], "state": "draft",
            "created_at": now, "approved_at": None, "plan": plan.model_dump(),
        }
        await self.storage.put("campaigns", rec)
        return info(rec)

    async def approve(self, campaign_id: str) -> CampaignInfo:
        """The user's approval: decide again now (things changed since the draft) and queue what may go."""
        async with self.gate.lock:
            await self._approve(campaign_id)
        return await self.progress(campaign_id)

    async def _approve(self, campaign_id: str) -> None:
        rec = await self._get(campaign_id)
        if rec["state"] != "draft":
            raise CoreError("conflict", f"campaign {campaign_id} is {rec['state']}, not a draft")
        plan = await dry_run(self.gate, rec["template"], [Recipient.model_validate(r) for r in rec["recipients"]])
        now = self.gate.clock.now()
        ops: list[WriteOp] = []
        for p in plan.recipients:
            state = "blocked" if p.decision.verdict == "block" else "approved"
            entry = outbox.new_entry(
                now, self.gate.rng, chat=p.chat, text=p.text or "", origin="campaign", state=state,
                decision=p.decision, campaign_id=campaign_id,
                stranger=any(c.code == "unsolicited" for c in p.decision.checks),
            )
            ops += [outbox.put(entry), audit.entry(now, self.gate.rng, "campaign.approve", p.decision, chat=p.chat,
                                                   origin="campaign", outbox_id=entry["id"], text=p.text or "")]
        rec |= {"state": "running", "approved_at": now, "plan": plan.model_dump()}
        ops.append(WriteOp(op="put", store="campaigns", record=rec))
        await self.storage.apply(ops)

    async def _move_entries(self, campaign_id: str, from_states: tuple[str, ...], to: str, campaign_state: str) -> CampaignInfo:
        async with self.gate.lock:  # not while the gate hands one of them out
            await self._move(campaign_id, from_states, to, campaign_state)
        return await self.progress(campaign_id)

    async def _move(self, campaign_id: str, from_states: tuple[str, ...], to: str, campaign_state: str) -> None:
        rec = await self._get(campaign_id)
        if rec["state"] in ("done", "cancelled", "draft") and campaign_state != "cancelled":
            raise CoreError("conflict", f"campaign {campaign_id} is {rec['state']}")
        now = self.gate.clock.now()
        rows, _ = await outbox.page(self.storage, state=None, campaign_id=campaign_id, limit=100_000, cursor=None)
        ops = [outbox.put(outbox.move(r, to, now)) for r in rows if r["state"] in from_states]
        ops.append(WriteOp(op="put", store="campaigns", record=rec | {"state": campaign_state}))
        await self.storage.apply(ops)

    async def pause(self, campaign_id: str) -> CampaignInfo:
        return await self._move_entries(campaign_id, ("approved",), "queued", "paused")

    async def resume(self, campaign_id: str) -> CampaignInfo:
        return await self._move_entries(campaign_id, ("queued",), "approved", "running")

    async def cancel(self, campaign_id: str) -> CampaignInfo:
        return await self._move_entries(campaign_id, ("approved", "queued"), "cancelled", "cancelled")

    async def progress(self, campaign_id: str, emit: bool = True) -> CampaignInfo:
        """Counts by state; a running campaign with nothing pending is done."""
        rec = await self._get(campaign_id)
        counts = await outbox.counts(self.storage, campaign_id)
        if rec["state"] == "running" and not any(counts.get(s) for s in outbox.PENDING):
            rec["state"] = "done"
            await self.storage.put("campaigns", rec)
        if emit:
            self.gate.emit(CampaignProgress(id=campaign_id, state=rec["state"], counts=counts, total=len(rec["recipients"])))
        return info(rec, counts)

    async def list(self) -> list[CampaignInfo]:
        rows = await self.storage.query("campaigns", index="by_created", reverse=True)
        return [info(r, with_plan=False) for r in rows]
