"""A chat is a person, never a name (issue 11): how the core decides which stored chat a page chat
is, keeps two chats of one name apart, links keys of one chat, and verifies a send's chat."""

import asyncio

import pytest

from pycore.capture.protocol import ChatFacts, DrawerFacts
from pycore.chatkey import ChatKey
from pycore.identity.signals import sighting
from pycore.msgids import parse_id
from tests.core.conftest import call
from tests.core.test_outbox import next_job

CUSTOMER = "5511987650001@c.us"
NAME = "Maria Souza"


def node(mid, text="oi", minute=0, me=False, chat=None):
    """A row: a bare 2026 id, or (``chat``) a serialized 2024-25 id of that chat."""
    data_id = f"{'true' if me else 'false'}_{chat}_{mid}" if chat else mid
    who = "Loja" if me else NAME
    return {"data_id": data_id, "pre_plain_text": f"[10:{minute:02d}, 03/07/2026] {who}: ", "text": text,
            "icons": ["tail-out"] if me else []}


def capture(core, nodes, title=NAME, **facts):
    reply = call(core, "capture.batch", {"chat": {"title": title, **facts}, "nodes": nodes, "observed_at": 1.0,
                                         "locale": "pt-BR"}, source="content")
    assert reply["ok"], reply
    return reply["result"]


def messages(core, chat):
    return call(core, "messages.list", {"chat": chat, "limit": 1000})["result"]["messages"]


def all_messages(core):
    return asyncio.run(core.storage.query("messages"))


def ids(n, base=0):
    return [f"3B66{base + i:016d}" for i in range(n)]


def verify(core, chat, rows, **facts):
    reply = call(core, "identity.verify", {"chat": chat, "facts": {"title": NAME, **facts}, "rows": rows}, source="content")
    assert reply["ok"], reply
    return reply["result"]


# -- what the page says -------------------------------------------------------------------------
def test_the_strongest_signal_names_the_chat():
    serialized = parse_id(f"false_{CUSTOMER}_3EB0AA")
    facts = ChatFacts(title=NAME, jid="5511000000009@c.us", avatar="https://pps/x?u=5511000000008%40c.us",
                      header_texts=["+55 11 90000-0007"], drawer=DrawerFacts(texts=["+55 11 90000-0006"]))
    assert (sighting(facts, [serialized]).strong, sighting(facts, [serialized]).strong_how) == (CUSTOMER, "jid")
    assert sighting(facts, []).strong == "5511000000009@c.us"
    assert sighting(facts.model_copy(update={"jid": None}), []).strong == "5511000000008@c.us"
    plain = facts.model_copy(update={"jid": None, "avatar": None})
    assert (sighting(plain, []).strong, sighting(plain, []).strong_how) == ("5511900000007@c.us", "phone")
    assert sighting(plain.model_copy(update={"header_texts": []}), []).strong_how == "drawer"
    # An unsaved number's title is its phone, with or without bidi marks.
    assert sighting(ChatFacts(title="\u202a+55 11 98765-0001\u202c"), []).strong == CUSTOMER
    # A group's header lists numbers of participants: none of them names the group.
    group = ChatFacts(title="Família", header_texts=["+55 11 90000-0007"])
    assert sighting(group, [], group=True).strong is None
    with pytest.raises(ValueError):
        sighting(ChatFacts(title=" \u200f "), [])


def test_an_unsaved_numbers_key_is_its_phone_in_every_generation():
    assert str(ChatKey.from_title("\u202a+55 11 98765-0001\u202c")) == CUSTOMER
    assert str(ChatKey.from_title("+55 11 98765-0001", group=True)) == "title:+55 11 98765-0001"
    assert str(ChatKey.parse("local:00ab12cd34ef")) == "local:00ab12cd34ef"
    with pytest.raises(ValueError):
        ChatKey.parse("local:NOT VALID")


# -- a stranger taking a customer's name ----------------------------------------------------------
def test_a_stranger_with_a_customers_name_is_another_chat(core):
    first = capture(core, [node(i, f"pedido {n}", n) for n, i in enumerate(ids(5))])
    assert (first["chat"], first["identity"], first["ambiguous"]) == (f"title:{NAME}", "title", False)
    # The impostor writes; its conversation shows none of the customer's messages.
    stranger = capture(core, [node(i, "sou eu, a Maria") for i in ids(2, 100)], list_titles=[NAME, "Zé", NAME])
    assert stranger["chat"].startswith("local:") and stranger["identity"] == "minted"
    assert stranger["ambiguous"] and stranger["read_drawer"]
    # Reopened, the customer's chat is recognised by its own messages on screen.
    again = capture(core, [node(i, f"pedido {n}", n) for n, i in enumerate(ids(5))] + [node(ids(1, 5)[0], "novo", 9)])
    assert (again["chat"], again["identity"]) == (f"title:{NAME}", "overlap")
    assert [m["text"] for m in messages(core, f"title:{NAME}")][:1] == ["novo"]
    assert {m["text"] for m in messages(core, stranger["chat"])} == {"sou eu, a Maria"}
    chats = {c["key"]: c for c in call(core, "chats.list")["result"]["chats"]}
    assert chats[f"title:{NAME}"]["twins"] == 2 and chats[f"title:{NAME}"]["ambiguous"]
    assert chats[stranger["chat"]]["ambiguous"] and chats[stranger["chat"]]["title"] == NAME


def test_the_key_given_to_an_open_chat_is_kept_only_while_it_is_that_chat(core):
    first = capture(core, [node(i) for i in ids(2)])
    stranger = capture(core, [node(i) for i in ids(1, 50)], list_titles=[NAME, NAME])
    # A new message in the stranger's open chat: the tab hands back the key it was given.
    more = capture(core, [node(ids(1, 51)[0], "oi de novo")], key_hint=stranger["chat"])
    assert (more["chat"], more["identity"]) == (stranger["chat"], "hint")
    # A key kept across a chat switch to another name is not trusted.
    other = capture(core, [node(ids(1, 70)[0])], title="Zé", key_hint=first["chat"])
    assert other["chat"] == "title:Zé"


def test_the_drawer_names_a_chat_and_its_records_follow(core, events):
    cust = capture(core, [node(i, "quero 2 bolos", n) for n, i in enumerate(ids(3))])["chat"]
    capture(core, [node(i) for i in ids(1, 80)], list_titles=[NAME, NAME])  # a twin appears
    assert call(core, "send.request", {"chat": cust, "text": "Seu pedido saiu"})["ok"]
    call(core, "optout.set", {"chat": cust, "opted_out": True, "note": "pediu por telefone"})
    call(core, "suggestion.offer", {"chat": cust, "text": "Bom dia!"})
    # The tab reads the drawer of the customer's open chat: a phone number.
    named = capture(core, [node(i, "quero 2 bolos", n) for n, i in enumerate(ids(3))],
                    drawer={"title": NAME, "texts": ["+55 11 98765-0001"]})
    assert (named["chat"], named["identity"], named["ambiguous"]) == (CUSTOMER, "drawer", False)
    assert events.of("chats.linked") == [{"alias": cust, "canonical": CUSTOMER, "how": "drawer"}]
    # and the user's log (diagnostics) says so
    logged = call(core, "core.logs", {"level": "info", "limit": 500})["result"]["entries"]
    assert [e["message"] for e in logged if e["kind"] == "identity"] == [f"chat {cust} linked to {CUSTOMER} (drawer)"]
    assert len(messages(core, CUSTOMER)) == 3 and messages(core, cust) == []
    assert all(m["chat"] != cust for m in all_messages(core))
    chats = {c["key"]: c for c in call(core, "chats.list")["result"]["chats"]}
    assert cust not in chats and chats[CUSTOMER]["aliases"] == [cust]
    outbox = call(core, "outbox.list")["result"]["entries"]
    assert [e["chat"] for e in outbox] == [CUSTOMER]
    assert [r["chat"] for r in call(core, "optout.list")["result"]["records"]] == [CUSTOMER]
    assert [s["chat"] for s in call(core, "suggestion.pending")["result"]["suggestions"]] == [CUSTOMER]
    health = call(core, "capture.health", {"chat": CUSTOMER})["result"]["chats"][0]
    assert health["count"] == 3
    # References to the old key keep landing on the chat it names now.
    assert asyncio.run(core.features.identity.canonical(cust)) == CUSTOMER


# -- one chat, one key, across DOM generations ------------------------------------------------------
def test_a_generation_switch_reads_one_chat_and_one_copy_of_each_message(core):
    older = capture(core, [node(i, f"m{n}", n, chat=CUSTOMER) for n, i in enumerate(ids(6))])
    assert older["chat"] == CUSTOMER
    newer = capture(core, [node(i, f"m{n}", n) for n, i in enumerate(ids(6))] + [node(ids(1, 6)[0], "m6", 6)])
    assert (newer["chat"], newer["identity"], newer["new"]) == (CUSTOMER, "overlap", 1)
    assert len(all_messages(core)) == 7


def test_the_other_way_round_links_the_title_key_to_the_jid(core, events):
    capture(core, [node(i, f"m{n}", n) for n, i in enumerate(ids(6))])
    older = capture(core, [node(i, f"m{n}", n, chat=CUSTOMER) for n, i in enumerate(ids(7))])
    assert (older["chat"], older["new"]) == (CUSTOMER, 1)
    assert [e["alias"] for e in events.of("chats.linked")] == [f"title:{NAME}"]
    assert sorted(m["id"] for m in all_messages(core)) == ids(7) and {m["chat"] for m in all_messages(core)} == {CUSTOMER}


# -- the tab asks before writing --------------------------------------------------------------------
def rows_of(mids):
    return [f"conv-msg-{m}" for m in mids]


def test_verify_wants_more_than_the_name(core):
    cust = capture(core, [node(i) for i in ids(3)])["chat"]
    stranger = capture(core, [node(i) for i in ids(2, 40)], list_titles=[NAME, NAME])["chat"]
    # The customer's chat: its stored messages are on screen.
    assert verify(core, cust, rows_of(ids(3)))["verdict"] == "match"
    assert verify(core, cust, rows_of(ids(2, 40)))["verdict"] == "other"
    assert verify(core, stranger, rows_of(ids(2, 40)))["verdict"] == "match"
    # A chat of that name showing nothing stored: the drawer first, and a LID's drawer shows no phone.
    fresh = rows_of(ids(1, 90))
    first = verify(core, cust, fresh)
    assert (first["verdict"], first["reason_pt"] != "", first["reason_en"] != "") == ("read_drawer", True, True)
    assert verify(core, cust, fresh, drawer={"title": NAME, "texts": ["~ Maria Souza"]})["verdict"] == "unknown"
    # A phone in the drawer decides either way.
    assert verify(core, CUSTOMER, fresh, drawer={"texts": ["+55 11 98765-0001"]})["verdict"] == "match"
    assert verify(core, CUSTOMER, fresh, drawer={"texts": ["+55 11 98765-0002"]})["verdict"] == "other"


def test_a_name_no_other_chat_bears_is_enough_once_the_drawer_was_read(core):
    target = "title:Zé Pedreiro"
    first = call(core, "identity.verify", {"chat": target, "facts": {"title": "Zé  Pedreiro\u200f"}, "rows": []},
                 source="content")["result"]
    assert first["verdict"] == "read_drawer"
    args = {"chat": target, "facts": {"title": "Zé\tPedreiro", "drawer": {"texts": ["~Zé"]}, "list_titles": ["Zé Pedreiro"]}}
    assert call(core, "identity.verify", {**args, "rows": []}, source="content")["result"]["verdict"] == "match"
    twins = {**args, "facts": {**args["facts"], "list_titles": ["Zé Pedreiro", "Zé  Pedreiro"]}}
    assert call(core, "identity.verify", {**twins, "rows": []}, source="content")["result"]["verdict"] == "unknown"


def test_a_contact_known_by_a_name_two_chats_bear_is_never_guessed(core):
    """The chat-list scan lists two "Ana Paula" rows as one contact: a send to it cannot tell which."""
    target = "title:Ana Paula"
    facts = {"title": "Ana Paula", "list_titles": ["Ana Paula", "Ana Paula"], "drawer": {"texts": ["+55 11 90000-0001"]}}
    got = call(core, "identity.verify", {"chat": target, "facts": facts, "rows": []}, source="content")["result"]
    assert got["verdict"] == "unknown" and got["key"] == "5511900000001@c.us"
    # Alone in the list, the name was that chat's: it is linked, and later sends go by its phone.
    alone = {**facts, "list_titles": ["Ana Paula"]}
    assert call(core, "identity.verify", {"chat": target, "facts": alone, "rows": []}, source="content")["result"]["verdict"] == "match"
    assert asyncio.run(core.features.identity.canonical(target)) == "5511900000001@c.us"


@pytest.mark.parametrize("shown", ["Ana\u200f  Lúcia", " Ana\tLúcia\n", "\u202bAna Lúcia\u202c", "Ana Lu\u0301cia"])
def test_rows_are_matched_on_normalised_names(core, shown):
    reply = call(core, "identity.match", {"chat": "title:Ana Lúcia", "rows": [{"title": "Ana"}, {"title": shown}]},
                 source="content")["result"]
    assert reply == {"candidates": [1], "twins": 1}


def test_a_search_by_phone_offers_its_results_and_a_number_row_matches_its_jid(core):
    rows = [{"title": "\u202a+55 11 98765-0001\u202c"}, {"title": "Outra"}]
    assert call(core, "identity.match", {"chat": CUSTOMER, "rows": rows}, source="content")["result"]["candidates"] == [0]
    found = call(core, "identity.match", {"chat": CUSTOMER, "rows": [{"title": "Cliente Nova"}], "by": "phone"}, source="content")
    assert found["result"]["candidates"] == [0]


def test_a_refused_send_is_blocked_with_its_reason(core, clock):
    chat = capture(core, [node(i, "Oi, quanto custa?") for i in ids(1)])["chat"]
    entry = call(core, "send.request", {"chat": chat, "text": "R$ 50"})["result"]
    job = next_job(core, clock)["job"]
    assert (job["chat"], job["chat_title"], job["find"]) == (chat, NAME, [NAME])
    rep = call(core, "sender.report", {"job_id": job["id"], "attempt": job["attempt"], "outcome": "failed_before_send",
                                       "error": "chat_ambiguous"}, source="content")["result"]
    assert rep == {"state": "blocked", "accepted": True}
    listed = {e["id"]: e for e in call(core, "outbox.list")["result"]["entries"]}
    assert listed[entry["outbox_id"]]["decision"]["code"] == "chat_ambiguous"
    audit = call(core, "audit.list", {"limit": 10})["result"]["records"]
    why = next(r for r in audit if r["outbox_id"] == entry["outbox_id"] and r["action"] == "outbox.blocked")
    assert "mais de uma conversa" in why["reason_pt"] and "more than one" in why["reason_en"].lower()
    # Nothing was sent: the slot it held in the limits is free again.
    assert asyncio.run(core.storage.query("sends")) == []


def test_a_job_for_a_number_carries_the_number_to_search(core, clock):
    capture(core, [node(i, "Oi") for i in ids(1)], title="\u202a+55 11 98765-0001\u202c")
    call(core, "send.request", {"chat": CUSTOMER, "text": "Olá"})
    job = next_job(core, clock)["job"]
    assert (job["chat"], job["find"]) == (CUSTOMER, ["+55 11 98765-0001", "5511987650001"])


# -- the unsolicited and strangers rules -------------------------------------------------------------
def test_a_stranger_never_borrows_a_saved_customers_standing(core):
    asyncio.run(core.storage.put("contacts", {"key": f"title:{NAME}", "title": NAME, "kind": "saved"}))
    cust = capture(core, [node(i, me=True) for i in ids(1)])["chat"]  # only our own message: never wrote
    assert call(core, "send.request", {"chat": cust, "text": "Oi Maria"})["result"]["decision"]["verdict"] == "allow"
    stranger = capture(core, [node(i, me=True) for i in ids(1, 30)], list_titles=[NAME, NAME])["chat"]
    decided = call(core, "send.request", {"chat": stranger, "text": "Oi Maria"})["result"]["decision"]
    assert decided["code"] == "unsolicited"
    # Once the name is known to be shared, it vouches for neither.
    again = call(core, "send.request", {"chat": cust, "text": "Oi Maria, tudo bem?"})["result"]["decision"]
    assert again["code"] == "unsolicited"


# -- data stored twice before (schema 2) -------------------------------------------------------------
NUMBER = "5511987650002@c.us"
NUMBER_TITLE = "title:+55 11 98765-0002"


def old_message(chat, mid, seq, text, ts=1_780_000_000.0):
    return {"key": f"{chat}|{mid}", "chat": chat, "id": mid, "seq": seq, "ts": ts + seq * 60, "direction": "in",
            "type": "text", "text": text, "first_seen": 1.0, "last_seen": 1.0, "status": None}


def old_data():
    """What the code before schema 2 stored after reading chats in both DOM generations."""
    msgs, seq = [], 0

    def add(chat, mid, text):
        nonlocal seq
        seq += 1
        msgs.append(old_message(chat, mid, seq, text))

    for i in range(5):
        add(CUSTOMER, f"3EB0A{i}", f"pedido {i}")  # 2025: by JID
    for i in range(6):
        add(f"title:{NAME}", f"3EB0A{i}", f"pedido {i}")  # 2026: by title, one newer message
    add(NUMBER, "3EB0B0", "número 0")
    for i in range(2):
        add(NUMBER_TITLE, f"3EB0B{i}", f"número {i}")
    add("title:Zé", "3EB0C0", "só por nome")
    for jid in ("5511000000001@c.us", "5511000000002@c.us"):  # one title mixing two people: left alone
        add(jid, "3EB0D" + jid[12], "misturado")
        add("title:Ana", "3EB0D" + jid[12], "misturado")
    chats = [{"key": k, "title": t, "is_group": False, "last_ts": None, "unread": 0, "preview": None, "message_count": n}
             for k, t, n in [(CUSTOMER, NAME, 5), (f"title:{NAME}", NAME, 6), (NUMBER, "+55 11 98765-0002", 1),
                             (NUMBER_TITLE, "\u202a+55 11 98765-0002\u202c", 2), ("title:Zé", "Zé", 1),
                             ("5511000000001@c.us", "Ana", 1), ("5511000000002@c.us", "Ana", 1), ("title:Ana", "Ana", 2)]]
    health = [{"chat": c["key"], "count": c["message_count"], "nodes_seen": c["message_count"],
               "nodes_clean": c["message_count"]} for c in chats]
    entry = {"id": "000001780000000-aaaa0001", "chat": f"title:{NAME}", "text": "Seu pedido saiu", "origin": "manual",
             "state": "approved", "created_at": 1.0, "updated_at": 1.0, "next_at": 1.0}
    return {
        "messages": msgs, "chats": chats, "capture_state": health, "outbox": [entry],
        "optouts": [{"chat": f"title:{NAME}", "opted_out": True, "since": 5.0, "source": "message"}],
        "consent": [{"id": "msg:x", "chat": f"title:{NAME}", "ts": 5.0, "kind": "opt_out", "source": "message", "text": "PARAR"}],
        "contacts": [{"key": NUMBER_TITLE, "title": "+55 11 98765-0002", "kind": "number", "phone": "5511987650002",
                      "first_seen": 1.0, "last_seen": 1.0}],
        "meta": [{"key": "messages.seq", "value": seq}, {"key": "schema_version", "value": 1},
                 {"key": f"suggestion:title:{NAME}", "value": {"chat": f"title:{NAME}", "chat_title": NAME, "text": "Oi!",
                                                                "offered_at": 1.0}}],
    }


def migrated_core(storage, clock, events):
    import random

    from pycore.app import Core, Services
    from tests.core.conftest import run

    run(storage.open())
    for store, records in old_data().items():
        run(storage.put_many(store, records))
    core = Core(Services(clock=clock, rng=random.Random(3), storage=storage, emit=events))
    run(core.start())
    return core


def test_data_stored_twice_becomes_one_chat_and_one_copy_of_each_message(storage, clock, events):
    core = migrated_core(storage, clock, events)
    stored = all_messages(core)
    by_chat = {}
    for m in stored:
        by_chat.setdefault(m["chat"], []).append(m["id"])
    # Every message once, nothing lost: the customer's 6, the number's 2, Zé's 1, and the mixed title untouched.
    assert sorted(by_chat[CUSTOMER]) == [f"3EB0A{i}" for i in range(6)]
    assert sorted(by_chat[NUMBER]) == ["3EB0B0", "3EB0B1"]
    assert by_chat["title:Zé"] == ["3EB0C0"] and len(by_chat["title:Ana"]) == 2
    assert f"title:{NAME}" not in by_chat and NUMBER_TITLE not in by_chat
    chats = {c["key"]: c for c in run_query(core, "chats")}
    assert chats[CUSTOMER]["message_count"] == 6 and chats[NUMBER]["message_count"] == 2
    assert f"title:{NAME}" not in chats and chats[CUSTOMER]["aliases"] == [f"title:{NAME}"]
    assert all(c["norm_title"] for c in chats.values())
    health = {h["chat"]: h for h in run_query(core, "capture_state")}
    assert health[CUSTOMER]["count"] == 11 and f"title:{NAME}" not in health  # figures added up, not lost
    assert [e["chat"] for e in run_query(core, "outbox")] == [CUSTOMER]
    assert [o["chat"] for o in run_query(core, "optouts")] == [CUSTOMER]
    assert [c["chat"] for c in run_query(core, "consent")] == [CUSTOMER]
    assert [s["chat"] for s in call(core, "suggestion.pending")["result"]["suggestions"]] == [CUSTOMER]
    assert [c["key"] for c in run_query(core, "contacts")] == [NUMBER]
    # Search holds one document per message.
    hits = call(core, "search.messages", {"q": "pedido", "limit": 50})["result"]
    assert sorted(h["key"] for h in hits["hits"]) == sorted(f"{CUSTOMER}|3EB0A{i}" for i in range(6))
    # The opt-out of the old key protects the chat it names now.
    decided = call(core, "send.request", {"chat": CUSTOMER, "text": "Promoção!"})["result"]["decision"]
    assert decided["code"] == "opted_out"


def test_the_migration_finishes_after_an_interrupted_start_and_changes_nothing_twice(storage, clock, events):
    core = migrated_core(storage, clock, events)
    before = {s: run_query(core, s) for s in ("messages", "chats", "capture_state", "outbox", "optouts", "consent", "contacts")}
    from tests.core.conftest import run

    run(storage.put("meta", {"key": "schema_version", "value": 1}))  # as if the start had stopped halfway
    run(core.features.identity.migrate())
    after = {s: run_query(core, s) for s in before}
    assert after == before


def run_query(core, store):
    return asyncio.run(core.storage.query(store))
