"""The facts the policy rules run on, looked up for one send (or a whole campaign)."""

from __future__ import annotations

from dataclasses import dataclass

from pycore.clock import Clock
from pycore.sending import outbox, policy
from pycore.sending.pause import PauseState
from pycore.sending.ports import RecipientFacts, Suppression
from pycore.sending.protocol import Decision
from pycore.sending.rate_limiter import DAY, HOUR, RateLimiter
from pycore.sending.records import SendLog
from pycore.sending.settings import SendingSettings
from pycore.storage.base import Storage
from pycore.textfold import fold

PENDING_FOR_FACTS = ("approved", "sending", "verify", "queued")


@dataclass
class Decider:
    storage: Storage
    clock: Clock
    limiter: RateLimiter
    recipients: RecipientFacts
    suppression: Suppression
    pause: PauseState

    async def shared_facts(self, day_log: list[SendLog] | None = None) -> policy.Facts:
        """The parts of the facts that do not depend on the recipient: recent sends (Mettri's and
        the ones typed by hand) and pending entries."""
        now = self.clock.now()
        if day_log is None:
            day_log = await self.limiter.log("message", now - DAY)
        pending = [r for state in PENDING_FOR_FACTS for r in await outbox.in_state(self.storage, state)]
        strangers = {r.chat for r in day_log if r.stranger and r.chat} | {r.chat for r in pending if r.stranger}
        texts = [(r.chat, r.norm) for r in day_log if r.ts > now - HOUR and r.chat]
        texts += [(r.chat, r.norm or fold(r.text)) for r in pending]
        texts += [(chat, fold(text)) for chat, text in await self.recipients.outgoing_since(now - HOUR)]
        times = [r.ts for r in day_log if r.ts > now - HOUR]
        return policy.Facts(
            chat="", text="", origin="", strangers_today=strangers, recent_texts=texts,
            recent_send_times=times, paused=await self.pause.current() is not None,
        )

    async def facts_for(self, shared: policy.Facts, chat: str, text: str, origin: str) -> policy.Facts:
        is_group = chat.endswith("@g.us")
        return policy.Facts(
            chat=chat, text=text, origin=origin,
            opted_out=await self.suppression.is_opted_out(chat),
            is_group=is_group,
            saved_contact=is_group or await self.recipients.saved_contact(chat),
            has_inbound=await self.recipients.has_inbound(chat),
            strangers_today=shared.strangers_today, recent_texts=shared.recent_texts,
            recent_send_times=shared.recent_send_times, paused=shared.paused,
        )

    async def decide(
        self, settings: SendingSettings, chat: str, text: str, origin: str, day_log: list[SendLog] | None = None
    ) -> tuple[Decision, policy.Facts]:
        facts = await self.facts_for(await self.shared_facts(day_log), chat, text, origin)
        return policy.evaluate(facts, settings), facts

    async def plan(self, settings: SendingSettings, drafts: list[tuple[str, str]]) -> list[tuple[Decision, bool]]:
        """A campaign's decisions, as if approved now: each recipient sees the earlier ones as sent
        (the strangers budget and the bulk count fill up)."""
        shared = await self.shared_facts()
        out: list[tuple[Decision, bool]] = []
        for chat, text in drafts:
            facts = await self.facts_for(shared, chat, text, "campaign")
            decision = policy.evaluate(facts, settings)
            out.append((decision, facts.stranger))
            if decision.verdict != "block":
                shared.recent_texts.append((chat, fold(text)))
                if facts.stranger:
                    shared.strangers_today.add(chat)
        return out
