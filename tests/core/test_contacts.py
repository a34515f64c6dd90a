"""Chat-list rows, LID/phone merge and split, the openings limiter and scroll pacing."""

import asyncio
import random

import pytest

from pycore.contacts import scroll_pacing as pacing
from pycore.contacts.rows import preview_of, unread_count
from tests.core.conftest import call

ROWS = [
    {"title": "\u202aMaria Silva\u202c", "preview": "Você: Pedido enviado", "time": "10:54",
     "unread_label": "9 mensagens não lidas", "unread_text": "9", "labels": ["pinned chat"]},
    {"title": "+55 37 9922-7293", "preview": "Oi", "unread_label": "1.227 mensagens não lidas"},
    {"title": "~ Zé Pedreiro", "preview": "You: ok"},
    {"title": "Família", "icons": ["default-group"], "preview": "Ana: bom dia", "unread_label": "Marked as unread"},
    {"title": "Loja LID", "jid": "189025889575055@lid", "preview": "foto"},
]


def upsert(core, rows):
    reply = call(core, "contacts.upsert_rows", {"rows": rows}, source="content")
    assert reply["ok"], reply
    return reply["result"]


def contacts(core, **args):
    return {c["key"]: c for c in call(core, "contacts.list", args)["result"]["contacts"]}


@pytest.mark.parametrize(
    "label, text, want",
    [("9 unread messages", None, (9, False)), ("1.227 mensagens não lidas", None, (1227, False)),
     ("1,227 unread messages", None, (1227, False)), (None, "3", (3, False)), ("Marked as unread", None, (0, True)),
     (None, None, (0, False))],
)
def test_unread_counts(label, text, want):
    assert unread_count(label, text) == want


@pytest.mark.parametrize(
    "raw, want",
    [("You: ok", ("ok", True)), ("Você: Pedido enviado", ("Pedido enviado", True)), ("Youssef: hi", ("Youssef: hi", False)),
     ("Ana: bom dia", ("Ana: bom dia", False)), (None, (None, False))],
)
def test_preview_prefix(raw, want):
    assert preview_of(raw) == want


def test_rows_become_contacts(core, events):
    assert upsert(core, ROWS) == {"new": 5, "updated": 0, "unchanged": 0}
    c = contacts(core)
    maria = c["title:Maria Silva"]
    assert (maria["kind"], maria["unread"], maria["preview"], maria["own_last"], maria["flags"], maria["time_label"]) == (
        "saved", 9, "Pedido enviado", True, ["pinned"], "10:54"
    )
    num = c["553799227293@c.us"]  # an unsaved number is its phone's chat in every DOM generation
    assert (num["kind"], num["phone"], num["unread"]) == ("number", "553799227293", 1227)
    assert (c["title:~ Zé Pedreiro"]["kind"], c["title:~ Zé Pedreiro"]["push_name"]) == ("push_name", "Zé Pedreiro")
    fam = c["title:Família"]
    assert (fam["kind"], fam["is_group"], fam["marked_unread"], fam["preview"]) == ("group", True, True, "Ana: bom dia")
    assert c["189025889575055@lid"]["lid"] == "189025889575055@lid"
    assert len(events.of("contacts.changed")[0]["keys"]) == 5


def test_unchanged_rows_write_nothing(core, storage):
    upsert(core, ROWS)
    writes = storage.write_calls
    assert upsert(core, ROWS) == {"new": 0, "updated": 0, "unchanged": 5}
    assert storage.write_calls == writes
    assert upsert(core, [{**ROWS[0], "unread_label": None, "unread_text": None}])["updated"] == 1
    assert contacts(core)["title:Maria Silva"]["unread"] == 0


def test_merge_and_split(core):
    upsert(core, ROWS)
    merged = call(core, "contacts.merge", {"primary": "553799227293@c.us", "secondary": "189025889575055@lid"})
    assert merged["ok"], merged
    p = merged["result"]
    assert (p["lid"], p["jid"], p["phone"], p["merged_from"]) == (
        "189025889575055@lid", "189025889575055@lid", "553799227293", ["189025889575055@lid"]
    )
    listed = contacts(core)
    assert "189025889575055@lid" not in listed and len(listed) == 4
    assert contacts(core, include_merged=True)["189025889575055@lid"]["merged_into"] == "553799227293@c.us"
    # a scrape of the primary's row keeps what the merge gave it
    upsert(core, [{**ROWS[1], "preview": "novo"}])
    assert contacts(core)["553799227293@c.us"]["lid"] == "189025889575055@lid"

    out = call(core, "contacts.split", {"key": "189025889575055@lid"})["result"]
    assert (out["primary"]["lid"], out["primary"]["jid"], out["primary"]["merged_from"]) == (None, None, [])
    assert out["primary"]["phone"] == "553799227293" and out["secondary"]["merged_into"] is None
    assert len(contacts(core)) == 5


@pytest.mark.parametrize(
    "args, code",
    [({"primary": "title:Família", "secondary": "title:Família"}, "conflict"),
     ({"primary": "title:nobody", "secondary": "title:Família"}, "not_found")],
)
def test_merge_errors(core, args, code):
    upsert(core, ROWS)
    assert call(core, "contacts.merge", args)["error"]["code"] == code


def test_no_chained_merges_and_split_needs_a_merge(core):
    upsert(core, ROWS)
    assert call(core, "contacts.merge", {"primary": "title:Maria Silva", "secondary": "title:Família"})["ok"]
    again = call(core, "contacts.merge", {"primary": "title:~ Zé Pedreiro", "secondary": "title:Família"})
    assert again["error"]["code"] == "conflict"
    into_merged = call(core, "contacts.merge", {"primary": "title:Família", "secondary": "title:~ Zé Pedreiro"})
    assert into_merged["error"]["code"] == "conflict"
    assert call(core, "contacts.split", {"key": "title:Maria Silva"})["error"]["code"] == "conflict"


def test_row_bounds(core):
    reply = call(core, "contacts.upsert_rows", {"rows": [ROWS[0]] * 201}, source="content")
    assert reply["error"]["code"] == "invalid_args"
    assert call(core, "contacts.upsert_rows", {"rows": [{"title": ""}]}, source="content")["error"]["code"] == "invalid_args"


def test_pacing_is_human_like_and_seeded():
    rng = random.Random(5)
    steps = pacing.plan(rng, 700, 200)
    pxs = [px for px, _ in steps]
    pauses = [p for _, p in steps]
    assert all(385 <= px <= 630 for px in pxs) and len(set(pxs)) > 50
    assert all(0.6 <= p <= 10 for p in pauses)
    assert any(p > 2.5 for p in pauses) and sum(p < 1.8 for p in pauses) > 100
    assert pacing.plan(random.Random(5), 700, 200) == steps


def test_batch_pause_every_50_rows():
    steps = pacing.plan(random.Random(1), 720, 12, rows_so_far=0, row_px=72)
    rows, batch_pauses = 0, 0
    for px, pause in steps:
        before, rows = rows, rows + px // 72
        if rows // 50 > before // 50:
            assert pause >= 4.0
            batch_pauses += 1
    assert batch_pauses >= 1


def test_scroll_plan_command(core):
    out = call(core, "contacts.scroll_plan", {"viewport_px": 700, "steps": 3}, source="content")["result"]
    assert len(out["steps"]) == 3 and all(s["scroll_px"] > 0 and s["pause_s"] > 0 for s in out["steps"])


def test_chat_list_adds_the_scanned_chats_after_the_captured_ones(core, storage):
    asyncio.run(storage.put_many("chats", [
        {"key": "5511900000001@c.us", "title": "Ana", "last_ts": 20.0, "message_count": 3},
        {"key": "title:Loja Azul", "title": "Loja Azul", "last_ts": 10.0, "message_count": 1},
    ]))
    asyncio.run(storage.put_many("contacts", [
        {"key": "5511900000001@c.us", "title": "Ana", "kind": "saved", "jid": "5511900000001@c.us"},  # captured
        {"key": "title:Loja Azul", "title": "Loja Azul", "kind": "saved"},  # captured, by title key
        {"key": "title:Bia", "title": "Bia", "kind": "saved", "preview": "oi"},  # scan only
        {"key": "5511900000009@c.us", "title": "Ana", "kind": "saved", "jid": "5511900000009@c.us"},  # same name, other number
        {"key": "title:Ana", "title": "Ana", "kind": "saved"},  # title only: taken to be the captured Ana
        {"key": "title:Velho", "title": "Velho", "kind": "saved", "merged_into": "title:Bia"},
    ]))
    plain = call(core, "chats.list", {"limit": 10})["result"]["chats"]
    assert [c["key"] for c in plain] == ["5511900000001@c.us", "title:Loja Azul"]
    listed = call(core, "chats.list", {"limit": 10, "with_scanned": True})["result"]["chats"]
    assert [c["key"] for c in listed[:2]] == ["5511900000001@c.us", "title:Loja Azul"]  # captured first
    extra = {c["key"]: c for c in listed[2:]}
    assert sorted(extra) == ["5511900000009@c.us", "title:Bia"] and len(listed) == 4
    assert extra["title:Bia"]["message_count"] == 0 and extra["title:Bia"]["preview"] == "oi"
    assert len(call(core, "chats.list", {"limit": 3, "with_scanned": True})["result"]["chats"]) == 3
