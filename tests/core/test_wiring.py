"""The features hear each other through core events: opt-outs found in captured
messages, ban signals and logouts pause sending, safe mode stops the sender."""

from __future__ import annotations

import asyncio

from tests.core.test_search_wiring import batch


def run(core, type_, args, source="page", tab_id=None):
    return asyncio.run(_run(core, type_, args, source, tab_id))


async def _run(core, type_, args, source, tab_id):
    reply = await core.handle({"id": "x", "type": type_, "args": args, "source": source, "tab_id": tab_id})
    await core.drain()
    return reply


def test_an_inbound_parar_puts_the_contact_on_the_suppression_list(core):
    assert run(core, "capture.batch", batch("PARAR", "3EB0CCCC3333"), source="content")["ok"]
    listed = run(core, "optout.list", {})
    assert [r["chat"] for r in listed["result"]["records"]] == ["5511987654321@c.us"], listed


def test_a_warning_banner_pauses_every_queue(core):
    facts = {"logged_in": True, "banners": ["You're sending too many messages. Wait and try again later."]}
    assert run(core, "tabs.hello", {}, source="content", tab_id=1)["ok"]
    run(core, "connection.report", {**facts, "observed_at": 1.0}, source="content", tab_id=1)
    status = run(core, "sending.status", {})["result"]
    assert status["paused"] is True and status["pause_reason"] in ("too_many_messages", "warning_banner"), status


def test_logout_pauses_sending(core):
    run(core, "tabs.hello", {}, source="content", tab_id=1)
    run(core, "connection.report", {"logged_in": True, "observed_at": 1.0}, source="content", tab_id=1)
    run(core, "connection.report", {"logged_in": False, "qr": True, "observed_at": 2.0}, source="content", tab_id=1)
    status = run(core, "sending.status", {})["result"]
    assert status["paused"] and status["pause_reason"] == "logged_out", status


def test_safe_mode_hands_out_no_job(core):
    broken = {"composer": {"matched": None, "count": 0}, "send_button": {"matched": None, "count": 0},
              "conversation_panel": {"matched": "#main", "count": 1}}
    outcome = run(core, "selftest.report", {"results": broken, "chat_open": True}, source="content", tab_id=1)
    assert outcome["result"]["safe_mode"] is True
    nxt = run(core, "sender.next", {"visible": True}, source="content", tab_id=1)
    assert nxt["result"]["job"] is None and nxt["result"]["wait_code"] == "safe_mode"
