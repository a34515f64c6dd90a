"""The outbox and the two-phase send: never twice, even when the tab or the browser dies mid-send."""

import asyncio

from pycore.protocol.records import MessageRecord
from pycore.sending.scheduler import JOB_TTL_S
from pycore.sending.settling import REPORT_GRACE_S
from tests.core.conftest import call
from tests.core.fake_tab import ask, drain, gcore, new_core, perform, truth  # noqa: F401 - fixtures


def request(core, chat="a@c.us", text="Oi, seu pedido chegou", **kw):
    reply = call(core, "send.request", {"chat": chat, "text": text, **kw})
    assert reply["ok"], reply
    return reply["result"]


def next_job(core, clock, visible=True):
    """Poll like the tab, waiting as told, until a job comes (or nothing is left)."""
    for _ in range(100):
        nxt = ask(core, "sender.next", {"visible": visible})
        if nxt["job"] or nxt["retry_at"] is None:
            return nxt
        clock.advance(max(0.0, nxt["retry_at"] - clock.now()) + 0.001)
    raise AssertionError("no job")


def entry(core, entry_id):
    return asyncio.run(core.storage.get("outbox", entry_id))


def test_happy_path_is_two_phase(gcore, clock, truth, events):
    out = request(gcore)
    assert out["state"] == "approved"
    job = next_job(gcore, clock)["job"]
    rec = entry(gcore, out["outbox_id"])
    assert rec["state"] == "sending" and rec["attempt"] == job["attempt"]  # marked BEFORE the tab acts
    assert job["expires_at"] == rec["attempt_at"] + JOB_TTL_S
    assert perform(gcore, clock, truth, job) == {"state": "sent", "accepted": True}
    rec = entry(gcore, out["outbox_id"])
    assert rec["state"] == "sent" and rec["message_id"].startswith("3EB0")
    # a repeated or stale report changes nothing
    again = ask(gcore, "sender.report", {"job_id": job["id"], "attempt": job["attempt"], "outcome": "failed_before_send"})
    assert again == {"state": "sent", "accepted": False}
    assert ask(gcore, "sender.next")["wait_code"] == "idle"
    assert [e["state"] for e in events.of("outbox.changed")] == ["approved", "sending", "sent"]


def test_only_one_job_at_a_time(gcore, clock):
    request(gcore, "a@c.us")
    request(gcore, "b@c.us", "Outra mensagem diferente")
    job = next_job(gcore, clock)["job"]
    nxt = ask(gcore, "sender.next")
    assert nxt["job"] is None and nxt["wait_code"] == "in_flight"
    assert nxt["retry_at"] == job["expires_at"] + REPORT_GRACE_S


def test_failure_before_sending_retries_with_backoff_then_fails(gcore, clock, truth, storage):
    out = request(gcore)
    for attempt in range(1, 4):
        job = next_job(gcore, clock)["job"]
        before = clock.now()
        res = perform(gcore, clock, truth, job, outcome="failed_before_send")
        rec = entry(gcore, out["outbox_id"])
        assert rec["tries"] == attempt
        if attempt < 3:
            assert res["state"] == "approved"
            assert 30 * 2 ** (attempt - 1) * 0.8 <= rec["next_at"] - before <= 30 * 2 ** (attempt - 1) * 1.2 + 1
        else:
            assert res["state"] == "failed"
    assert asyncio.run(storage.count("sends")) == 0  # provably not sent: the slots were given back
    assert truth.sent == []


def test_a_tab_that_dies_after_sending_never_causes_a_resend(gcore, clock, truth, storage):
    out = request(gcore)
    job = next_job(gcore, clock)["job"]
    assert perform(gcore, clock, truth, job, outcome="die_after_send") is None
    clock.advance(5)
    restarted = new_core(clock, storage, truth)  # the browser restarts
    assert entry(restarted, out["outbox_id"])["state"] == "verify"
    nxt = ask(restarted, "sender.next")
    assert nxt["job"] is None  # not resent blindly
    clock.advance(JOB_TTL_S + REPORT_GRACE_S)
    ask(restarted, "sender.next")
    assert entry(restarted, out["outbox_id"])["state"] == "sent"  # the capture saw it
    drain(restarted, clock, truth)
    assert len(truth.sent) == 1


def test_a_tab_that_dies_before_sending_is_resent_only_when_the_user_says_so(gcore, clock, truth, storage):
    out = request(gcore)
    job = next_job(gcore, clock)["job"]
    clock.advance(1)  # dies: no send, no report
    restarted = new_core(clock, storage, truth, rng_seed=8)  # a new process: its own random state
    assert ask(restarted, "sender.next")["job"] is None  # the old tab might still press send
    clock.advance(JOB_TTL_S + REPORT_GRACE_S)
    assert ask(restarted, "sender.next")["wait_code"] == "idle"  # nothing proves it did not go out: never resent alone
    assert entry(restarted, out["outbox_id"])["state"] == "verify"
    resolved = call(restarted, "outbox.resolve", {"id": out["outbox_id"], "sent": False})["result"]["entry"]
    assert resolved["state"] == "approved" and resolved["tries"] == 0  # the user's answer is not a failed try
    second = next_job(restarted, clock)["job"]
    assert second["attempt"] != job["attempt"]
    # the old attempt's report, arriving late, is refused
    late = ask(restarted, "sender.report", {"job_id": job["id"], "attempt": job["attempt"], "outcome": "sent"})
    assert late["accepted"] is False
    perform(restarted, clock, truth, second)
    assert [t[1] for t in truth.sent] == [second["attempt"]]


def test_unknown_outcome_waits_for_the_user(clock, storage, truth):
    core = new_core(clock, storage, truth)
    out = request(core)
    job = next_job(core, clock)["job"]
    res = perform(core, clock, truth, job, outcome="failed_unknown")
    assert res == {"state": "verify", "accepted": True}
    clock.advance(3600)
    assert ask(core, "sender.next")["wait_code"] == "idle"  # never resent on its own
    assert entry(core, out["outbox_id"])["state"] == "verify"
    resolved = call(core, "outbox.resolve", {"id": out["outbox_id"], "sent": False})["result"]["entry"]
    assert resolved["state"] == "approved"
    assert call(core, "outbox.resolve", {"id": out["outbox_id"], "sent": True})["error"]["code"] == "conflict"


def test_the_users_answer_to_verify_is_obeyed_even_after_earlier_failures(clock, storage, truth):
    """Two failures before sending, then the tab dies after sending: "it did not go out" must send it
    again (the user's answer is not a failed try), and both answers are in the audit log."""
    class CaptureSawNothing:  # the reopened tab did not capture the lost message
        async def was_sent(self, *_):
            return "unknown"

    core = new_core(clock, storage, truth, evidence=CaptureSawNothing())
    out = request(core)
    for _ in range(2):
        perform(core, clock, truth, next_job(core, clock)["job"], outcome="failed_before_send")
    perform(core, clock, truth, next_job(core, clock)["job"], outcome="die_after_send")
    clock.advance(JOB_TTL_S + REPORT_GRACE_S + 1)
    assert ask(core, "sender.next")["wait_code"] == "idle"
    assert entry(core, out["outbox_id"])["state"] == "verify"

    resolved = call(core, "outbox.resolve", {"id": out["outbox_id"], "sent": False})["result"]["entry"]
    assert resolved["state"] == "approved" and resolved["tries"] == 2
    assert resolved["next_at"] <= clock.now()  # asked for by the user: no backoff
    drain(core, clock, truth)
    assert [t[2] for t in truth.sent] == ["a@c.us", "a@c.us"]  # the lost one and the one the user asked for
    assert entry(core, out["outbox_id"])["state"] == "sent"

    other = request(core, "b@c.us", "Outra mensagem diferente")
    perform(core, clock, truth, next_job(core, clock)["job"], outcome="die_after_send")
    clock.advance(JOB_TTL_S + REPORT_GRACE_S + 1)
    ask(core, "sender.next")
    resolved = call(core, "outbox.resolve", {"id": other["outbox_id"], "sent": True})["result"]["entry"]
    assert resolved["state"] == "sent"
    drain(core, clock, truth)
    assert [t[2] for t in truth.sent].count("b@c.us") == 1
    audit = call(core, "audit.list", {"limit": 50})["result"]["records"]
    answers = [(r["outbox_id"], r["code"]) for r in audit if r["action"] == "outbox.resolve"]
    assert sorted(answers) == sorted([(out["outbox_id"], "resolved_not_sent"), (other["outbox_id"], "resolved_sent")])
    why = next(r for r in audit if r["code"] == "resolved_not_sent")
    assert why["reason_pt"] and why["reason_en"]


def test_a_late_report_of_an_entry_in_verify_is_accepted(clock, storage, truth):
    core = new_core(clock, storage, truth)
    out = request(core)
    job = next_job(core, clock)["job"]
    restarted = new_core(clock, storage, truth)  # the core restarts while the tab is busy
    assert entry(restarted, out["outbox_id"])["state"] == "verify"
    assert perform(restarted, clock, truth, job) == {"state": "sent", "accepted": True}


def test_pause_holds_every_queue_until_the_user_resumes(gcore, clock, events):
    request(gcore)
    status = ask(gcore, "sending.pause", {"reason": "warning_banner", "detail": "Você está enviando muitas mensagens"})
    assert status["paused"] and status["pause_reason"] == "warning_banner"
    paused = events.of("sending.paused")[0]
    assert paused["reason"] == "warning_banner" and "aviso" in paused["reason_pt"]
    clock.advance(86_400)
    assert ask(gcore, "sender.next")["wait_code"] == "sending_paused"
    assert request(gcore, "b@c.us", "Mais uma")["decision"]["code"] == "sending_paused"
    forbidden = asyncio.run(gcore.handle({"id": "x", "type": "sending.resume", "args": {}, "source": "content"}))
    assert forbidden["error"]["code"] == "forbidden"  # only the user resumes
    assert call(gcore, "sending.resume")["result"]["paused"] is False
    assert next_job(gcore, clock)["job"] is not None


def test_pause_survives_a_restart(gcore, clock, storage, truth):
    ask(gcore, "sending.pause", {"reason": "logged_out"})
    assert ask(new_core(clock, storage, truth), "sender.next")["wait_code"] == "sending_paused"


def test_hidden_tab_does_not_send_by_default(gcore, clock):
    request(gcore)
    clock.advance(60)
    nxt = ask(gcore, "sender.next", {"visible": False})
    assert nxt["job"] is None and nxt["wait_code"] == "tab_hidden"
    call(gcore, "sending.settings.set", {"values": {"block_when_hidden": False}})
    assert next_job(gcore, clock, visible=False)["job"] is not None


def test_needs_approval_then_cancel(gcore, clock):
    out = request(gcore, needs_approval=True)
    assert out["state"] == "queued"
    clock.advance(60)
    assert ask(gcore, "sender.next")["wait_code"] == "idle"
    assert call(gcore, "outbox.approve", {"id": out["outbox_id"]})["result"]["entry"]["state"] == "approved"
    assert call(gcore, "outbox.cancel", {"id": out["outbox_id"]})["result"]["entry"]["state"] == "cancelled"
    assert ask(gcore, "sender.next")["wait_code"] == "idle"
    assert call(gcore, "outbox.cancel", {"id": out["outbox_id"]})["error"]["code"] == "conflict"
    assert call(gcore, "outbox.cancel", {"id": "nope"})["error"]["code"] == "not_found"


def test_scheduled_messages_wait_for_their_time(gcore, clock):
    at = clock.now() + 3600
    request(gcore, scheduled_at=at, origin="schedule")
    nxt = ask(gcore, "sender.next")
    assert nxt["job"] is None and nxt["wait_code"] == "scheduled" and nxt["retry_at"] == at
    clock.advance(3600)
    assert next_job(gcore, clock)["job"] is not None


def test_a_scheduled_message_late_past_the_tolerance_waits_for_confirmation(gcore, clock, truth, storage):
    """The browser was closed at the scheduled time: past the tolerance (default 2 h) it does not go
    out silently late; it waits, queued with the reason, until the user confirms (or cancels)."""
    at = clock.now() + 3600
    out = request(gcore, scheduled_at=at, origin="schedule")
    clock.advance(3600 + 2 * 3600 + 60)
    restarted = new_core(clock, storage, truth)  # the browser opens again, long after the time
    nxt = ask(restarted, "sender.next")
    assert nxt["job"] is None and nxt["wait_code"] == "idle", nxt
    rec = entry(restarted, out["outbox_id"])
    assert rec["state"] == "queued" and rec["decision"]["code"] == "late_schedule"
    assert "120 min" in rec["decision"]["reason_pt"] and "confirm" in rec["decision"]["reason_en"]
    assert call(restarted, "outbox.approve", {"id": out["outbox_id"]})["result"]["entry"]["state"] == "approved"
    job = next_job(restarted, clock)["job"]
    assert job is not None and job["id"] == out["outbox_id"]  # confirmed: not held a second time
    assert perform(restarted, clock, truth, job) == {"state": "sent", "accepted": True}
    assert [(i, x) for i, _, _, x, _ in truth.sent] == [(out["outbox_id"], "Oi, seu pedido chegou")]


def test_a_scheduled_message_within_the_tolerance_goes_out_once_even_across_a_restart(gcore, clock, truth, storage):
    call(gcore, "sending.settings.set", {"patch": {"schedule_tolerance_min": 30}})
    at = clock.now() + 3600
    out = request(gcore, scheduled_at=at, origin="schedule")
    clock.advance(3600 + 29 * 60)  # late, but within the 30 min the user allows
    job = next_job(gcore, clock)["job"]
    assert job is not None and job["id"] == out["outbox_id"]
    assert perform(gcore, clock, truth, job, outcome="die_after_send") is None  # the browser dies at that minute
    clock.advance(5)
    restarted = new_core(clock, storage, truth)
    assert ask(restarted, "sender.next")["job"] is None
    clock.advance(3 * 3600)
    assert ask(restarted, "sender.next")["job"] is None
    assert entry(restarted, out["outbox_id"])["state"] == "sent"  # the capture saw it: settled as sent, once
    assert len(truth.sent) == 1


def test_opt_out_after_approval_blocks_at_hand_out(gcore, clock):
    out = request(gcore)
    call(gcore, "optout.set", {"chat": "a@c.us", "opted_out": True})
    clock.advance(60)
    assert ask(gcore, "sender.next")["job"] is None
    rec = entry(gcore, out["outbox_id"])
    assert rec["state"] == "blocked" and rec["decision"]["code"] == "opted_out"


def test_recipient_cooldown_spaces_messages_to_one_chat(gcore, clock, truth):
    request(gcore, "a@c.us", "Primeira mensagem")
    request(gcore, "a@c.us", "Segunda mensagem, outro assunto")
    drain(gcore, clock, truth)
    (_, _, _, _, t1), (_, _, _, _, t2) = truth.sent
    assert t2 - t1 >= 30.0


def test_paging_the_outbox(gcore, clock):
    texts = ["Bom dia!", "Seu pedido saiu", "Qual o endereço?", "Obrigado pela compra", "Até amanhã"]
    ids = [request(gcore, f"c{i}@c.us", t)["outbox_id"] for i, t in enumerate(texts)]
    page1 = call(gcore, "outbox.list", {"limit": 2})["result"]
    page2 = call(gcore, "outbox.list", {"limit": 2, "cursor": page1["next_cursor"]})["result"]
    page3 = call(gcore, "outbox.list", {"limit": 2, "cursor": page2["next_cursor"]})["result"]
    got = [e["id"] for p in (page1, page2, page3) for e in p["entries"]]
    assert got == sorted(ids, reverse=True) and page3["next_cursor"] is None
    assert len(call(gcore, "outbox.list", {"state": "approved"})["result"]["entries"]) == 5


def test_the_outbox_names_each_chat_so_pages_never_parse_keys(gcore, clock, storage):
    asyncio.run(storage.put("chats", {"key": "5511988887777@c.us", "title": "Ana <b>Souza</b>"}))
    request(gcore, "5511988887777@c.us", "Bom dia!")
    request(gcore, "title:Padaria Pão Quente", "Seu pedido saiu")
    request(gcore, "5511988887777@c.us", "Até amanhã")
    listed = call(gcore, "outbox.list", {})["result"]
    assert listed["titles"] == {"5511988887777@c.us": "Ana <b>Souza</b>", "title:Padaria Pão Quente": "Padaria Pão Quente"}
    assert set(listed["titles"]) == {e["chat"] for e in listed["entries"]}


def test_a_number_never_seen_with_a_name_is_listed_as_people_write_it_and_looked_up_by_its_digits(gcore, clock, storage):
    # A campaign to numbers from a spreadsheet: no chat record, or one named by the id's digits.
    asyncio.run(storage.put("chats", {"key": "5537999227293@c.us", "title": "5537999227293"}))
    for chat in ("5511987654321@c.us", "5537999227293@c.us", "14155550123@c.us", "5511900001111@c.us"):
        request(gcore, chat, "Promoção de sábado")
    asyncio.run(storage.put("chats", {"key": "5511900001111@c.us", "title": "Seu Jorge"}))
    assert call(gcore, "outbox.list", {})["result"]["titles"] == {
        "5511987654321@c.us": "+55 11 98765-4321", "5537999227293@c.us": "+55 37 99922-7293",
        "14155550123@c.us": "+14155550123", "5511900001111@c.us": "Seu Jorge"}
    job = next_job(gcore, clock)["job"]  # the tab still looks the chat up by the name stored, or the id's digits
    lookup = {"5511987654321@c.us": "5511987654321", "5537999227293@c.us": "5537999227293",
              "14155550123@c.us": "14155550123", "5511900001111@c.us": "Seu Jorge"}
    assert job["chat_title"] == lookup[job["chat"]]


def test_suggestion_insert_sends_nothing_and_send_goes_through_the_gate(gcore, clock):
    ins = call(gcore, "suggestion.approve", {"chat": "a@c.us", "text": "Claro, posso ajudar!", "mode": "insert"})["result"]
    assert ins == {"mode": "insert", "text": "Claro, posso ajudar!", "send": None}
    assert call(gcore, "outbox.list")["result"]["entries"] == []
    sent = call(gcore, "suggestion.approve", {"chat": "a@c.us", "text": "Claro!", "mode": "send"})["result"]
    assert sent["send"]["state"] == "approved"
    assert call(gcore, "outbox.list")["result"]["entries"][0]["origin"] == "suggestion"


def test_sender_commands_come_only_from_the_tab(gcore):
    assert call(gcore, "sender.next")["error"]["code"] == "forbidden"


def test_status_shows_windows_and_warm_up(gcore, clock, truth):
    request(gcore)
    drain(gcore, clock, truth)
    status = call(gcore, "sending.status")["result"]
    message = status["stats"][0]
    assert message["kind"] == "message" and message["windows"][0]["used"] == 1
    assert status["warmup_day"] == 0 and status["day_limit"] == 20
    hit = call(gcore, "ratelimit.hit", {"kind": "scrape"})["result"]
    assert hit["allowed"] is True


def test_a_request_held_by_the_limits_says_which_window_and_how_long(clock, storage, truth):
    core = new_core(clock, storage, truth)
    call(core, "sending.settings.set", {"values": {"per_minute": 1}})
    request(core, "a@c.us", "Primeira")
    drain(core, clock, truth)
    out = request(core, "b@c.us", "Segunda")
    # counted from the hand-out (0.5 s before the send) plus the job expiry: the tab may send until then
    assert out["state"] == "approved" and out["eta"] == truth.times()[0] - 0.5 + JOB_TTL_S + 60
    d = out["decision"]
    assert (d["verdict"], d["code"]) == ("warn", "rate_limited")
    assert "per minute" in d["reason_en"] and "por minuto" in d["reason_pt"] and "2 min" in d["reason_pt"]


def test_the_capture_side_can_scan_for_opt_outs_in_python(gcore, clock, events):
    rec = {"key": "a@c.us|m1", "chat": "a@c.us", "id": "m1", "seq": 1, "ts": clock.now(), "direction": "in",
           "type": "text", "text": "Não quero mais receber", "first_seen": clock.now(), "last_seen": clock.now()}
    changes = asyncio.run(gcore.features.consent.scan([MessageRecord.model_validate(rec)]))
    assert [c.kind for c in changes] == ["opt_out"]
    assert request(gcore)["decision"]["code"] == "opted_out"
    audit = call(gcore, "audit.list")["result"]["records"]
    optout_lines = [a for a in audit if a["action"] == "optout.opt_out"]
    assert len(optout_lines) == 1 and "receber" in optout_lines[0]["reason_pt"]


def test_an_unknown_outcome_reported_after_a_restart_keeps_the_entry_in_verify(clock, storage, truth):
    core = new_core(clock, storage, truth)
    out = request(core)
    job = next_job(core, clock)["job"]
    restarted = new_core(clock, storage, truth)
    res = ask(restarted, "sender.report", {"job_id": job["id"], "attempt": job["attempt"], "outcome": "failed_unknown"})
    assert res == {"state": "verify", "accepted": True}
    assert entry(restarted, out["outbox_id"])["state"] == "verify"


class SlowStorage:
    """Yields to the event loop on every read, as IndexedDB does, so concurrent calls interleave."""

    def __init__(self, inner):
        self.inner = inner

    def __getattr__(self, name):
        attr = getattr(self.inner, name)
        if name not in ("get", "get_many", "query", "count", "apply"):
            return attr

        async def slow(*args, **kwargs):
            await asyncio.sleep(0)
            return await attr(*args, **kwargs)

        return slow


def test_two_tabs_asking_at_once_never_get_the_same_message(clock, storage, truth):
    core = new_core(clock, SlowStorage(storage), truth)
    request(core)
    wait = ask(core, "sender.next")  # pacing: the first answer says when
    clock.advance(wait["retry_at"] - clock.now())
    gate = core.features.gate

    async def both():
        return await asyncio.gather(gate.next_job(), gate.next_job())

    results = asyncio.run(both())
    jobs = [r.job for r in results if r.job is not None]
    assert len(jobs) == 1 and results[1].wait_code == "in_flight"
