"""Campaigns: one template, many recipients, a dry run first and explicit approval before
anything is queued. The decisions and the timing are the send gate's own (ports.py)."""

from __future__ import annotations

import asyncio
import random
from typing import Callable

from pycore.campaigns.ports import CampaignGate, CampaignTexts
from pycore.campaigns.protocol import (
    CampaignInfo,
    CampaignProgress,
    CampaignRecord,
    CampaignState,
    DryRunResult,
    Recipient,
    RecipientPlan,
)
from pycore.clock import Clock
from pycore.ids import sortable_id
from pycore.protocol.base import CoreError
from pycore.reasons import check, combine
from pycore.storage.base import Storage, WriteOp

PENDING = ("queued", "approved", "sending", "verify")
STORE = "campaigns"


def variable_checks(problems: list[tuple[str, str]]) -> list:
    """Why a recipient's text could not be written: variables that do not exist, or have no value for them."""
    out = []
    for code, reason in (("unknown", "unknown_variable"), ("missing", "missing_variable"), ("malformed", "bad_variable")):
        names = ", ".join(sorted({v for c, v in problems if c == code}))
        if names:
            out.append(check(reason, "block", names=names))
    return out


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


def info(rec: CampaignRecord, counts: dict[str, int] | None = None, with_plan: bool = True) -> CampaignInfo:
    return CampaignInfo(
        id=rec.id, name=rec.name, state=rec.state, created_at=rec.created_at, approved_at=rec.approved_at,
        total=len(rec.recipients), counts=counts or {}, plan=rec.plan if with_plan else None,
    )


def put(rec: CampaignRecord) -> WriteOp:
    return WriteOp(op="put", store=STORE, record=rec.model_dump(mode="json"))


class Campaigns:
    def __init__(self, storage: Storage, clock: Clock, rng: random.Random, emit: Callable, gate: CampaignGate,
                 texts: CampaignTexts) -> None:
        self.storage = storage
        self.texts = texts
        self.clock = clock
        self.rng = rng
        self.emit = emit
        self.gate = gate
        # One change of a campaign at a time: two approvals must not queue its recipients twice.
        self.lock = asyncio.Lock()

    async def dry_run(self, template: str, recipients: list[Recipient], locale: str = "pt-BR",
                      utc_offset_min: int = -180) -> DryRunResult:
        """Per recipient: the text and the gate's decision, as if the campaign were approved now. Each
        text is rendered for its recipient by the templates' renderer (the CRM's values, overridden by the
        recipient's own ``vars``): the policy judges what each person would really receive."""
        s = await self.gate.settings()
        plans: list[RecipientPlan | None] = []
        drafts: list[tuple[str, str]] = []
        seen: set[str] = set()
        # A column some recipients have is known to all: where it is empty, the value is missing, not unknown.
        columns = {name: "" for r in recipients for name in r.vars}
        for r in recipients:
            text, problems = await self.texts.render(template, r.chat, columns | r.vars, locale, utc_offset_min)
            if r.chat in seen:
                plans.append(RecipientPlan(chat=r.chat, text=text, decision=combine([check("duplicate_recipient", "block")])))
            elif text is None:
                seen.add(r.chat)
                plans.append(RecipientPlan(chat=r.chat, text=None, decision=combine(variable_checks(problems))))
            else:
                seen.add(r.chat)
                plans.append(None)  # decided below, in order, by the gate
                drafts.append((r.chat, text))
        decided = iter(zip(drafts, await self.gate.plan(drafts)))
        strangers = 0
        for i, p in enumerate(plans):
            if p is None:
                (chat, text), (decision, stranger) = next(decided)
                plans[i] = RecipientPlan(chat=chat, text=text, decision=decision)
                strangers += int(stranger and decision.verdict != "block")
        done = [p for p in plans if p is not None]
        counts = {v: sum(p.decision.verdict == v for p in done) for v in ("allow", "warn", "block")}
        sendable = [(p.chat, p.text or "") for p in done if p.decision.verdict != "block"]
        now = self.clock.now()
        est = await self.gate.estimate(sendable)
        score, factors = risk_score(
            total=len(done), sendable=len(sendable), strangers=strangers, blocked=counts["block"],
            similarity=est.similarity, volume_share=len(sendable) / max(1, est.day_limit - est.day_used),
            warmup_left=0.0 if est.warmup_day is None else 1 - est.warmup_day / s.warmup_days,
        )
        finish = est.times[-1] if est.times else now
        return DryRunResult(
            recipients=done, counts=counts, risk_score=score, risk_factors=factors,
            estimated_seconds=finish - now, estimated_finish_at=finish,
        )

    async def _get(self, campaign_id: str) -> CampaignRecord:
        rec = await self.storage.get(STORE, campaign_id)
        if rec is None:
            raise CoreError("not_found", f"no campaign {campaign_id!r}")
        return CampaignRecord.model_validate(rec)

    async def template_of(self, template: str, template_id: str | None) -> str:
        """The campaign's text: a saved template's (read now, kept with the campaign) or the one written."""
        if template_id is not None:
            return await self.texts.template_text(template_id)
        if not template.strip():
            raise CoreError("invalid_args", "a campaign needs a template or a text",
                            [{"reason": "no_template", "pt_BR": "Escolha um modelo ou escreva um texto.",
                              "en": "Choose a template or write a text."}])
        return template

    async def create(self, name: str, template: str, recipients: list[Recipient], template_id: str | None = None,
                     locale: str = "pt-BR", utc_offset_min: int = -180) -> CampaignInfo:
        now = self.clock.now()
        text = await self.template_of(template, template_id)
        rec = CampaignRecord(
            id=sortable_id(now, self.rng), name=name, template=text, template_id=template_id, recipients=recipients,
            state="draft", created_at=now, locale=locale, utc_offset_min=utc_offset_min,
            plan=await self.dry_run(text, recipients, locale, utc_offset_min),
        )
        await self.storage.apply([put(rec)])
        return info(rec)

    async def approve(self, campaign_id: str) -> CampaignInfo:
        """The user's approval: decide again now (things changed since the draft) and queue what may go."""
        async with self.lock:
            rec = await self._get(campaign_id)
            if rec.state != "draft":
                raise CoreError("conflict", f"campaign {campaign_id} is {rec.state}, not a draft")
            plan = await self.dry_run(rec.template, rec.recipients, rec.locale, rec.utc_offset_min)
            rec = rec.model_copy(update={"state": "running", "approved_at": self.clock.now(), "plan": plan})
            plans = [(p.chat, p.text or "", p.decision, any(c.code == "unsolicited" for c in p.decision.checks))
                     for p in plan.recipients]
            await self.gate.enqueue_campaign(campaign_id, plans, [put(rec)])
        return await self.progress(campaign_id)

    async def _move(self, campaign_id: str, from_states: tuple, to: str, state: CampaignState) -> CampaignInfo:
        async with self.lock:
            rec = await self._get(campaign_id)
            if rec.state in ("done", "cancelled", "draft") and state != "cancelled":
                raise CoreError("conflict", f"campaign {campaign_id} is {rec.state}")
            await self.gate.move_campaign(campaign_id, from_states, to, [put(rec.model_copy(update={"state": state}))])
        return await self.progress(campaign_id)

    async def pause(self, campaign_id: str) -> CampaignInfo:
        return await self._move(campaign_id, ("approved",), "queued", "paused")

    async def resume(self, campaign_id: str) -> CampaignInfo:
        return await self._move(campaign_id, ("queued",), "approved", "running")

    async def cancel(self, campaign_id: str) -> CampaignInfo:
        return await self._move(campaign_id, ("approved", "queued"), "cancelled", "cancelled")

    async def progress(self, campaign_id: str, emit: bool = True) -> CampaignInfo:
        """Counts by state; a running campaign with nothing pending is done."""
        rec = await self._get(campaign_id)
        counts = await self.gate.campaign_counts(campaign_id)
        if rec.state == "running" and not any(counts.get(s) for s in PENDING):
            rec = rec.model_copy(update={"state": "done"})
            await self.storage.apply([put(rec)])
        if emit:
            self.emit(CampaignProgress(id=campaign_id, state=rec.state, counts=counts, total=len(rec.recipients)))
        return info(rec, counts)

    async def list(self) -> list[CampaignInfo]:
        rows = await self.storage.query(STORE, index="by_created", reverse=True)
        return [info(CampaignRecord.model_validate(r), with_plan=False) for r in rows]
