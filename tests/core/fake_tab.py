"""A simulated WhatsApp tab for the sending tests: it polls sender.next, "sends" by writing to a
ground-truth log with the clock's time, and reports (or dies first).

Its evidence answers like the real one (pycore.capture.queries.MessageQueries.was_sent): "sent"
when the message really went out (the capture would have seen it), else "unknown". A lost send
is settled by the user, who knows what left the phone (:func:`answer_as_the_user`).
"""

from __future__ import annotations

import asyncio
import random

import pytest

from pycore.app import Core, Services


class GroundTruth:
    """What really left the phone: (entry id, attempt, chat, text, time)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str, str, float]] = []

    def times(self) -> list[float]:
        return sorted(t for *_, t in self.sent)

    def went_out(self, entry_id: str) -> bool:
        return any(i == entry_id for i, *_ in self.sent)

    async def was_sent(self, chat: str, text: str, after: float, before: float) -> str:
        if any(c == chat and x == text and after <= t <= before for _, _, c, x, t in self.sent):
            return "sent"
        return "unknown"


class SavedRecipients:
    """Every chat a saved contact; the other questions answered by the core's own queries."""

    def __init__(self) -> None:
        self.queries = None

    async def saved_contact(self, chat: str) -> bool:
        return True

    async def has_inbound(self, chat: str) -> bool:
        return await self.queries.has_inbound(chat)

    async def outgoing_since(self, since: float) -> list[tuple[str, str]]:
        return await self.queries.outgoing_since(since)


def new_core(clock, storage, truth: GroundTruth, rng_seed: int = 7, events=None, pacing=None, saved=True,
             evidence=None) -> Core:
    """A (re)started core on the same storage, its evidence the ground truth."""
    overrides = {"evidence": evidence or truth}
    recipients = SavedRecipients()
    if saved:
        overrides["recipients"] = recipients
    if pacing is not None:
        overrides["pacing"] = pacing
    core = Core(Services(clock=clock, rng=random.Random(rng_seed), storage=storage, emit=(events or (lambda e: None))),
                overrides=overrides)
    recipients.queries = core.features.queries
    asyncio.run(core.start())
    return core


def ask(core: Core, type_: str, args: dict | None = None, source: str = "content") -> dict:
    reply = asyncio.run(core.handle({"id": "tab", "type": type_, "args": args or {}, "source": source}))
    assert reply["ok"], reply
    return reply["result"]


def perform(core: Core, clock, truth: GroundTruth, job: dict, delay: float = 0.5, outcome: str = "sent") -> dict | None:
    """Do one job like the content script: wait ``delay`` (opening the chat, inserting), send, report."""
    clock.advance(delay)
    if outcome in ("sent", "die_after_send"):
        assert clock.now() <= job["expires_at"], "the tab must not press send after the job expired"
        truth.sent.append((job["id"], job["attempt"], job["chat"], job["text"], clock.now()))
    if outcome in ("die_after_send", "die_before_send"):
        return None
    report = "sent" if outcome == "sent" else outcome
    return ask(core, "sender.report", {"job_id": job["id"], "attempt": job["attempt"], "outcome": report,
                                      "message_id": "3EB0" + job["attempt"][:8] if report == "sent" else None})


def answer_as_the_user(core: Core, truth: GroundTruth) -> int:
    """The user answers every send awaiting verification from what really left the phone."""
    entries = ask(core, "outbox.list", {"state": "verify", "limit": 500}, source="page")["entries"]
    for e in entries:
        ask(core, "outbox.resolve", {"id": e["id"], "sent": truth.went_out(e["id"])}, source="page")
    return len(entries)


def drain(core: Core, clock, truth: GroundTruth, max_steps: int = 10_000) -> None:
    """Poll and send until the gate has nothing left to hand out (the user answering what only they know)."""
    for _ in range(max_steps):
        nxt = ask(core, "sender.next", {"visible": True})
        if nxt["job"]:
            perform(core, clock, truth, nxt["job"])
        elif nxt["retry_at"] is not None:
            clock.advance(max(0.0, nxt["retry_at"] - clock.now()) + 0.001)
        elif not answer_as_the_user(core, truth):
            return
    raise AssertionError("drain did not finish")


@pytest.fixture
def truth():
    return GroundTruth()


@pytest.fixture
def gcore(clock, storage, truth, events):
    """A core wired to the ground truth (every chat a saved contact)."""
    return new_core(clock, storage, truth, events=events)
