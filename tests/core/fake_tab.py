"""A simulated WhatsApp tab for the sending tests: it polls sender.next, "sends" by
writing to a ground-truth log with the clock's time, and reports (or dies first)."""

from __future__ import annotations

import asyncio
import random

import pytest

from pycore.app import Core, Services
from pycore.sending.lookups import Lookups


class GroundTruth:
    """What really left the phone: (entry id, attempt, chat, text, time)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str, str, float]] = []

    def times(self) -> list[float]:
        return sorted(t for *_, t in self.sent)

    def lookups(self, storage, unknown: bool = False) -> Lookups:
        from pycore.sending.lookups import default_lookups

        base = default_lookups(storage)

        async def was_sent(chat: str, text: str, after: float, before: float):
            if any(c == chat and x == text and after <= t <= before for _, _, c, x, t in self.sent):
                return "sent"
            return "unknown" if unknown else "not_sent"

        async def saved(chat: str) -> bool:
            return True

        return Lookups(saved_contact=saved, has_inbound=base.has_inbound, was_sent=was_sent)


def new_core(clock, storage, truth: GroundTruth, rng_seed: int = 7, events=None, unknown: bool = False) -> Core:
    """A (re)started core on the same storage, wired to the ground truth as the integrator would."""
    core = Core(Services(clock=clock, rng=random.Random(rng_seed), storage=storage, emit=(events or (lambda e: None))))
    core.sending.lookups = truth.lookups(storage, unknown)
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
    if outcome == "die_after_send":
        return None
    report = "sent" if outcome == "sent" else outcome
    return ask(core, "sender.report", {"job_id": job["id"], "attempt": job["attempt"], "outcome": report,
                                      "message_id": "3EB0" + job["attempt"][:8] if report == "sent" else None})


def drain(core: Core, clock, truth: GroundTruth, max_steps: int = 10_000) -> None:
    """Poll and send until the gate has nothing left to hand out."""
    for _ in range(max_steps):
        nxt = ask(core, "sender.next", {"visible": True})
        if nxt["job"]:
            perform(core, clock, truth, nxt["job"])
        elif nxt["retry_at"] is not None:
            clock.advance(max(0.0, nxt["retry_at"] - clock.now()) + 0.001)
        else:
            return
    raise AssertionError("drain did not finish")


@pytest.fixture
def truth():
    return GroundTruth()


@pytest.fixture
def gcore(clock, storage, truth, events):
    """A core wired to the ground truth (every chat a saved contact)."""
    return new_core(clock, storage, truth, events=events)
