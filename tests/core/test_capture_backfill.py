"""Backfill jobs: pacing in batches of 50, cancel at any step, resume from the watermark."""

import asyncio
import random

import pytest

from pycore.app import Core, Services
from pycore.backfill.service import BATCH, SILENT_S, STALLED_STEPS, reached_watermark, silent_limit
from tests.core.conftest import call
from tests.core.test_capture_capturer import capture, node

CHAT = "title:Maria"


def connect(core, **facts):
    """An active WhatsApp tab reporting what it sees (logged in unless told otherwise)."""
    reply = call(core, "connection.report", {"tab_id": "T", "observed_at": 0, "logged_in": True, **facts}, source="content")
    assert reply["ok"], reply


@pytest.fixture(autouse=True)
def whatsapp_open(core):
    connect(core)


def ok(core, type_, args, source="page"):
    reply = call(core, type_, args, source=source)
    assert reply["ok"], reply
    return reply["result"]


def store(core, first, n):
    """n older messages rendered and captured (ids descend as history goes back)."""
    capture(core, [node(f"3A{first + i:018d}", minute=i % 60) for i in range(n)])


def step(core, job, rows, top_ids=(), **extra):
    return ok(core, "backfill.progress", {"job_id": job, "chat": CHAT, "rows": rows, "top_ids": list(top_ids), **extra}, "content")


def test_batch_pause_after_every_50_and_done_when_the_top_stops_growing(core, events):
    store(core, 0, 40)
    job = ok(core, "backfill.start", {"chat": CHAT})
    assert job["state"] == "running" and job["watermark_id"]
    assert events.of("backfill.requested") == [{"job_id": job["job_id"], "chat": CHAT}]
    pauses, rows = [], 40
    for k in range(1, 5):  # 30 older messages per scroll, as WhatsApp loads them
        store(core, 1000 + 30 * k, 30)
        rows += 30
        s = step(core, job["job_id"], rows, [f"true_x_3A{job['watermark_id']}"])
        assert s["action"] == "scroll" and not s["catching_up"]
        pauses.append(s["pause_s"])
    # loaded 30, 60 (batch 1 done), 90, 120 (batch 2 done): the long rests fall on 60 and 120
    assert pauses[1] >= 3.0 and pauses[3] >= 3.0 and max(pauses[0], pauses[2]) <= 4.0
    status = ok(core, "backfill.status", {"chat": CHAT})
    assert status["loaded"] == 120 and status["batches"] == 120 // BATCH
    for _ in range(STALLED_STEPS - 1):
        assert step(core, job["job_id"], rows)["action"] == "scroll"
    last = step(core, job["job_id"], rows)
    assert last == {"action": "stop", "pause_s": 0.0, "catching_up": False, "state": "done"}
    assert ok(core, "backfill.status", {"chat": CHAT})["reached_start"] is True


def test_cancel_stops_the_tab_and_start_resumes_with_a_catch_up(core, events):
    store(core, 0, 40)
    job = ok(core, "backfill.start", {"chat": CHAT, "pace": 0.5})
    store(core, 2000, 30)
    assert step(core, job["job_id"], 70)["action"] == "scroll"
    cancelled = ok(core, "backfill.cancel", {"chat": CHAT})
    assert cancelled["state"] == "cancelled" and cancelled["loaded"] == 30
    assert step(core, job["job_id"], 100)["action"] == "stop"
    assert events.of("backfill.progress")[-1]["state"] == "cancelled"

    resumed = ok(core, "backfill.start", {"chat": CHAT, "pace": 0.5})
    assert resumed["job_id"] == job["job_id"] and resumed["loaded"] == 30
    # A fresh page shows only the newest rows: scroll fast until the watermark renders.
    s = step(core, job["job_id"], 40, ["false_x_3A000000000000000039"])
    assert s["catching_up"] and s["pause_s"] <= 0.45 * 0.5
    s = step(core, job["job_id"], 70, [f"false_x_{resumed['watermark_id']}"])
    assert not s["catching_up"]
    store(core, 3000, 30)
    step(core, job["job_id"], 100)
    assert ok(core, "backfill.status", {"chat": CHAT})["loaded"] == 60


def test_a_job_fails_when_another_chat_is_open_or_the_tab_cannot_go_on(core):
    store(core, 0, 5)
    job = ok(core, "backfill.start", {"chat": CHAT, "limit": 10})
    s = ok(core, "backfill.progress", {"job_id": job["job_id"], "chat": "123@c.us", "rows": 5}, "content")
    assert s["state"] == "failed"
    assert ok(core, "backfill.status", {"chat": CHAT})["reason"] == "chat_not_open"
    job = ok(core, "backfill.start", {"chat": CHAT, "limit": 10})
    assert step(core, job["job_id"], 5, error="no_scroller")["state"] == "failed"
    assert call(core, "backfill.status", {"chat": "nobody@c.us"})["error"]["code"] == "not_found"
    assert call(core, "backfill.progress", {"job_id": "x", "rows": 1}, source="page")["ok"] is False


def test_limit_ends_the_job(core):
    store(core, 0, 5)
    job = ok(core, "backfill.start", {"chat": CHAT, "limit": 30})
    store(core, 100, 29)
    assert step(core, job["job_id"], 34)["action"] == "scroll"
    store(core, 200, 1)
    assert step(core, job["job_id"], 35)["state"] == "done"


def test_watermark_match_is_on_the_raw_attribute():
    assert reached_watermark(None, [])
    assert reached_watermark("3EB0AB", ["true_1@c.us_3EB0AB", "x"])
    assert reached_watermark("3EB0AB", ["conv-msg-3EB0AB"])
    assert not reached_watermark("3EB0AB", ["conv-msg-3EB0AC"])


def test_a_silent_tab_leaves_the_job_interrupted_and_resumable(core, clock):
    store(core, 0, 40)
    job = ok(core, "backfill.start", {"chat": CHAT})
    store(core, 3000, 30)
    assert step(core, job["job_id"], 70)["action"] == "scroll"
    clock.advance(SILENT_S - 1)
    assert ok(core, "backfill.status", {"chat": CHAT})["state"] == "running"  # slow is not gone
    assert step(core, job["job_id"], 70)["action"] == "scroll"
    clock.advance(SILENT_S + 1)  # the tab was closed: nobody reports any more
    status = ok(core, "backfill.status", {"chat": CHAT})
    assert (status["state"], status["reason"], status["loaded"]) == ("failed", "interrupted", 30)
    assert step(core, job["job_id"], 100)["action"] == "stop"  # a tab coming back late is told to stop
    resumed = ok(core, "backfill.start", {"chat": CHAT})
    assert resumed["job_id"] == job["job_id"] and resumed["state"] == "running" and resumed["loaded"] == 30


def test_a_slow_pace_allows_a_longer_silence(core, clock):
    store(core, 0, 40)
    ok(core, "backfill.start", {"chat": CHAT, "pace": 10.0})
    clock.advance(silent_limit(10.0) - 1)
    assert silent_limit(10.0) > SILENT_S and ok(core, "backfill.status", {"chat": CHAT})["state"] == "running"


def test_a_job_running_when_the_core_restarted_is_interrupted(core, clock, storage, events):
    store(core, 0, 40)
    job = ok(core, "backfill.start", {"chat": CHAT})
    again = Core(Services(clock=clock, rng=random.Random(2), storage=storage, emit=events))
    asyncio.run(again.start())
    connect(again)
    status = ok(again, "backfill.status", {"chat": CHAT})
    assert (status["job_id"], status["state"], status["reason"]) == (job["job_id"], "failed", "interrupted")
    assert ok(again, "backfill.start", {"chat": CHAT})["job_id"] == job["job_id"]


@pytest.mark.parametrize("command, args", [("backfill.start", {"chat": CHAT}), ("contacts.scan", {})])
def test_work_for_the_tab_is_refused_while_whatsapp_is_not_open_or_not_connected(clock, storage, events, command, args):
    """Refused up front, in both languages: no job is stored and no tab is asked to do anything."""
    core = Core(Services(clock=clock, rng=random.Random(3), storage=storage, emit=events))
    asyncio.run(core.start())
    no_tab = call(core, command, args)
    assert not no_tab["ok"] and no_tab["error"]["code"] == "whatsapp_not_ready"
    assert "não está aberto" in no_tab["error"]["details"][0]["pt_BR"] and "not open" in no_tab["error"]["details"][0]["en"]
    connect(core, logged_in=False, qr=True)  # the tab shows the QR code: logged out
    logged_out = call(core, command, args)
    assert not logged_out["ok"] and logged_out["error"]["code"] == "whatsapp_not_ready"
    assert logged_out["error"]["details"][0]["pt_BR"] != no_tab["error"]["details"][0]["pt_BR"]
    assert not events.of("backfill.requested") and not events.of("contacts.scan_requested")
    assert call(core, "backfill.status", {"chat": CHAT})["error"]["code"] == "not_found"
    connect(core)
    assert call(core, command, args)["ok"]
