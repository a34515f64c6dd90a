"""History backfill: the job state per chat, and the pacing of its steps.

The content script scrolls the open conversation up one step at a time and reports;
this module answers with the next step. Progress is measured in messages the capture
loop stored, so a step that rendered nothing new costs a pause but counts nothing.
A job is stored in meta, so a cancelled or interrupted backfill resumes: it first
scrolls quickly through history already stored (up to the watermark, the oldest
stored message), then continues at a human pace.
"""

from __future__ import annotations

import random
from typing import Callable, Protocol

from pycore.backfill.protocol import (
    BackfillProgress,
    BackfillRequested,
    BackfillStatus,
    BackfillStatusQuery,
    BackfillStep,
    CancelBackfill,
    ReportBackfill,
    StartBackfill,
)
from pycore.clock import Clock
from pycore.ports import Presence
from pycore.protocol.base import CoreError
from pycore.storage.base import Storage

BATCH = 50  # messages per batch; a longer rest after each
STALLED_STEPS = 4  # steps in a row without a new row at the top: the chat's start is reached
# A running job whose tab has been silent this long is "interrupted" (tab closed or
# reloaded, WhatsApp logged out): well above the longest pause (8 s x pace) and
# Chrome's one-minute timer alignment in tabs hidden for long.
SILENT_S = 120.0


def silent_limit(pace: float) -> float:
    return max(SILENT_S, 12 * 8.0 * pace)


def step_pause(rng: random.Random) -> float:
    """0.4-1.4 s between scrolls; about one in ten lingers 2-4 s, as someone reading would."""
    if rng.random() < 0.1:
        return rng.uniform(2.0, 4.0)
    return rng.uniform(0.4, 1.4)


def batch_pause(rng: random.Random) -> float:
    return rng.uniform(3.0, 8.0)


def catch_up_pause(rng: random.Random) -> float:
    return rng.uniform(0.15, 0.45)


def meta_key(chat: str) -> str:
    return f"backfill.job:{chat}"


def reached_watermark(watermark: str | None, top_ids: list[str]) -> bool:
    """The watermark id appears in one of the top rows' raw data-id/testid."""
    return watermark is None or any(watermark in raw for raw in top_ids)


class CaptureProgress(Protocol):
    async def stored_count(self, chat: str) -> tuple[int, str | None]:
        """(messages captured in the chat, id of the oldest one)."""


class Backfills:
    def __init__(
        self, storage: Storage, clock: Clock, rng: random.Random, emit: Callable, captured: CaptureProgress,
        presence: Presence,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.rng = rng
        self.emit = emit
        self.captured = captured
        self.presence = presence
        self.jobs: dict[str, dict] = {}  # job_id -> job (running ones; all are also in meta)
        self.runtime: dict[str, dict] = {}  # job_id -> {rows, stalled, base_count, caught_up}
        self.counter = 0

    async def load(self, chat: str) -> dict | None:
        for job in self.jobs.values():
            if job["chat"] == chat:
                return job
        rec = await self.storage.get("meta", meta_key(chat))
        return rec["value"] if rec else None

    async def save(self, job: dict) -> None:
        job["updated_at"] = self.clock.now()
        await self.storage.put("meta", {"key": meta_key(job["chat"]), "value": job})
        self.emit(BackfillProgress(**job))

    async def start(self, cmd: StartBackfill) -> BackfillStatus:
        self.presence.require_ready()
        now = self.clock.now()
        old = await self.load(cmd.chat)
        count, oldest = await self.captured.stored_count(cmd.chat)
        if old is not None and old["state"] in ("running", "cancelled", "failed"):
            job = {**old, "state": "running", "limit": cmd.limit, "pace": cmd.pace, "reason": None}
            self.jobs.pop(old["job_id"], None)
        else:
            self.counter += 1
            job = BackfillStatus(
                job_id=f"bf{int(now * 1000):x}{self.counter}", chat=cmd.chat, state="running",
                limit=cmd.limit, pace=cmd.pace, start_count=count, started_at=now, updated_at=now,
            ).model_dump()
        job["watermark_id"] = oldest
        self.jobs[job["job_id"]] = job
        self.runtime[job["job_id"]] = {
            "rows": -1, "stalled": 0, "base": job["start_count"], "caught_up": False, "reported": job["loaded"],
            "heard_at": now,
        }
        await self.save(job)
        self.emit(BackfillRequested(job_id=job["job_id"], chat=job["chat"]))
        return BackfillStatus(**job)

    async def cancel(self, cmd: CancelBackfill) -> BackfillStatus:
        job = await self.load(cmd.chat)
        if job is None:
            raise CoreError("not_found", f"no backfill for {cmd.chat!r}")
        if job["state"] == "running":
            job["state"] = "cancelled"
            self.jobs.pop(job["job_id"], None)
            await self.save(job)
        return BackfillStatus(**job)

    async def status(self, cmd: BackfillStatusQuery) -> BackfillStatus:
        job = await self.load(cmd.chat)
        if job is None:
            raise CoreError("not_found", f"no backfill for {cmd.chat!r}")
        if job["state"] == "running" and self._interrupted(job):
            await self.finish(job, "failed", "interrupted")
        return BackfillStatus(**job)

    def _interrupted(self, job: dict) -> bool:
        """Stored as running, but no tab is doing it: the core restarted, or the tab went silent."""
        rt = self.runtime.get(job["job_id"])
        if job["job_id"] not in self.jobs or rt is None:
            return True
        return self.clock.now() - rt["heard_at"] > silent_limit(job["pace"])

    async def finish(self, job: dict, state: str, reason: str | None = None) -> BackfillStep:
        job["state"], job["reason"] = state, reason
        self.jobs.pop(job["job_id"], None)
        self.runtime.pop(job["job_id"], None)
        await self.save(job)
        return BackfillStep(action="stop", state=state)

    async def progress(self, cmd: ReportBackfill) -> BackfillStep:
        job = self.jobs.get(cmd.job_id)
        if job is None:  # cancelled, finished, or the core restarted: the tab stops
            return BackfillStep(action="stop", state="cancelled")
        if cmd.error:
            return await self.finish(job, "failed", cmd.error)
        if cmd.chat is not None and cmd.chat != job["chat"]:
            return await self.finish(job, "failed", "chat_not_open")
        rt = self.runtime[cmd.job_id]
        rt["heard_at"] = self.clock.now()
        rng = self.rng
        count, _ = await self.captured.stored_count(job["chat"])
        loaded = max(job["loaded"], count - rt["base"])
        batches_before, job["loaded"] = job["batches"], loaded
        job["batches"] = loaded // BATCH
        rt["stalled"] = rt["stalled"] + 1 if cmd.rows <= rt["rows"] else 0
        rt["rows"] = max(rt["rows"], cmd.rows)
        rt["caught_up"] = rt["caught_up"] or reached_watermark(job["watermark_id"], cmd.top_ids)
        if rt["stalled"] >= STALLED_STEPS:
            job["reached_start"] = True
            return await self.finish(job, "done")
        if job["limit"] is not None and loaded >= job["limit"]:
            return await self.finish(job, "done")
        if not rt["caught_up"]:
            pause = catch_up_pause(rng)
        elif job["batches"] > batches_before:
            pause = batch_pause(rng)
        else:
            pause = step_pause(rng)
        if loaded != rt["reported"]:  # the UI hears of real progress, not of every step
            rt["reported"] = loaded
            await self.save(job)
        return BackfillStep(
            action="scroll", pause_s=round(pause * job["pace"], 3), catching_up=not rt["caught_up"], state="running"
        )
