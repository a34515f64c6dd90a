"""Reminders: what is due, in order; overdue; done and snooze; nothing dropped across a restart."""

from tests.core.crm_support import ANA, BIA, card, err, ok, restart, row, update

HOUR = 3600.0


def add(core, chat, due_at, text):
    return ok(core, "crm.reminder.add", {"chat": chat, "due_at": due_at, "text": text})


def test_due_reminders_come_in_order_once_until_notified(core, clock, events):
    now = clock.now()
    late = add(core, BIA, now + 2 * HOUR, "enviar proposta")
    soon = add(core, ANA, now + HOUR, "ligar para a Ana")
    assert late["due_in"] == 2 * HOUR and not late["overdue"]
    assert events.of("crm.reminders.changed")[-1] == {"next_due_at": now + HOUR}
    due = ok(core, "crm.reminders.due")
    assert due == {"due": [], "next_due_at": now + HOUR, "next_due_in": HOUR}
    clock.advance(HOUR / 4)  # an alarm waits a duration by the core's clock (the page's may differ)
    assert ok(core, "crm.reminders.due")["next_due_in"] == 0.75 * HOUR
    clock.advance(2.75 * HOUR)
    due = ok(core, "crm.reminders.due")
    assert [d["id"] for d in due["due"]] == [soon["id"], late["id"]] and due["next_due_at"] is None
    assert due["next_due_in"] is None
    assert [d["overdue"] for d in due["due"]] == [True, True] and due["due"][0]["due_in"] == -2 * HOUR
    assert ok(core, "crm.reminders.notified", {"ids": [soon["id"]]}) == {"changed": 1}
    assert [d["id"] for d in ok(core, "crm.reminders.due")["due"]] == [late["id"]]
    # notified is not done: it is still overdue in the lists and on the card
    assert [r["id"] for r in ok(core, "crm.reminders.list", {"scope": "overdue"})["reminders"]] == [soon["id"], late["id"]]
    assert row(core, ANA)["overdue"] == 1 and card(core, ANA)["reminders"][0]["notified_at"] == clock.now()


def test_a_reminder_that_came_due_while_the_browser_was_closed_is_there_at_the_next_start(core, clock):
    due_at = clock.now() + 600
    r = add(core, ANA, due_at, "retornar orçamento")
    clock.advance(12 * HOUR)  # the browser was closed over its due time
    again = restart(core, clock)
    due = ok(again, "crm.reminders.due")
    assert [(d["id"], d["overdue"], d["text"]) for d in due["due"]] == [(r["id"], True, "retornar orçamento")]
    assert ok(again, "crm.reminders.list", {"scope": "open"})["total"] == 1
    assert ok(again, "crm.list", {"filters": {"overdue": True}})["rows"][0]["key"] == ANA


def test_done_snooze_update_delete(core, clock):
    now = clock.now()
    r = add(core, ANA, now + HOUR, "ligar")
    clock.advance(2 * HOUR)
    ok(core, "crm.reminders.notified", {"ids": [r["id"]]})
    snoozed = ok(core, "crm.reminder.snooze", {"id": r["id"], "version": r["version"], "minutes": 30})
    assert snoozed["due_at"] == clock.now() + 1800 and snoozed["snoozed"] == 1 and snoozed["notified_at"] is None
    assert not snoozed["overdue"] and row(core, ANA)["overdue"] == 0
    code, d = err(core, "crm.reminder.done", {"id": r["id"], "version": r["version"]})
    assert code == "conflict" and d["current"]["version"] == snoozed["version"]
    clock.advance(3600)
    assert [x["id"] for x in ok(core, "crm.reminders.due")["due"]] == [r["id"]]  # due again after the snooze
    done = ok(core, "crm.reminder.done", {"id": r["id"], "version": snoozed["version"]})
    assert done["done"] and done["done_at"] == clock.now()
    assert ok(core, "crm.reminders.due")["due"] == [] and card(core, ANA)["reminders"] == []
    assert [x["id"] for x in ok(core, "crm.reminders.list", {"scope": "done"})["reminders"]] == [r["id"]]
    assert err(core, "crm.reminder.snooze", {"id": r["id"], "version": done["version"], "minutes": 5})[1]["reason"] == "reminder_done"
    kinds = [i["kind"] for i in ok(core, "crm.timeline", {"chat": ANA})["items"]]
    assert kinds == ["reminder_done", "reminder"]
    reopened = ok(core, "crm.reminder.done", {"id": r["id"], "version": done["version"], "done": False})
    assert reopened["overdue"] and [x["id"] for x in ok(core, "crm.reminders.due")["due"]] == [r["id"]]
    moved = ok(core, "crm.reminder.update", {"id": r["id"], "version": reopened["version"], "due_at": clock.now() + HOUR,
                                             "text": "ligar às 15h"})
    assert moved["text"] == "ligar às 15h" and not moved["overdue"]
    assert ok(core, "crm.reminder.delete", {"id": r["id"], "version": moved["version"]}) == {"changed": 1}
    assert ok(core, "crm.reminders.list", {"scope": "open"})["total"] == 0
    for text, reason in (("", "reminder_empty"), ("x" * 501, "reminder_too_long")):
        assert err(core, "crm.reminder.add", {"chat": ANA, "due_at": now, "text": text})[1]["reason"] == reason


def test_today_is_the_users_local_day(core, clock):
    # 1_780_000_000 is 2026-05-28 20:26:40 UTC, 17:26 in Brasília (UTC-3)
    now = clock.now()
    evening = add(core, ANA, now + 5 * HOUR, "hoje à noite")  # 22:26 in Brasília, already tomorrow in UTC
    tomorrow = add(core, ANA, now + 8 * HOUR, "amanhã cedo")
    overdue = add(core, BIA, now - HOUR, "atrasado")
    today = ok(core, "crm.reminders.list", {"scope": "today", "utc_offset_min": -180})
    assert [r["id"] for r in today["reminders"]] == [overdue["id"], evening["id"]]
    in_utc = ok(core, "crm.reminders.list", {"scope": "today", "utc_offset_min": 0})
    assert [r["id"] for r in in_utc["reminders"]] == [overdue["id"]]
    only_ana = ok(core, "crm.reminders.list", {"scope": "open", "chat": ANA})
    assert [r["id"] for r in only_ana["reminders"]] == [evening["id"], tomorrow["id"]]
    assert row(core, ANA)["next_due"] == now + 5 * HOUR and row(core, BIA)["overdue"] == 1


def test_a_reminder_makes_a_record_without_changing_its_version(core, clock):
    add(core, ANA, clock.now() + HOUR, "ligar")
    r = row(core, ANA)
    assert r["exists"] and r["version"] == 0
    assert update(core, ANA, version=0, person_name="Ana")["version"] == 1
