"""The policy enforcer's rules, opt-out detection, settings ceilings and the audit log."""

import asyncio
import csv
import io
import json
import random

import pytest

from pycore.app import Core, Services
from pycore.optout.service import detect
from pycore.protocol.records import MessageRecord
from pycore.sending import policy
from pycore.sending.policy import Facts, evaluate, looks_periodic, similarity
from pycore.sending.protocol import SettingsPatch
from pycore.sending.settings import SendingSettings, clamp
from pycore.textfold import fold as normalize
from tests.core.conftest import call

SAFE = SendingSettings()
PROMO = "Olá Ana! Nossa loja está com 30% de desconto em toda a linha de verão até domingo."


def facts(**kw):
    base = dict(chat="c1@c.us", text="Oi, tudo certo com o pedido?", origin="manual", saved_contact=True)
    return Facts(**(base | kw))


# -- content ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, code",
    [
        ("", "empty_text"),
        ("   \n\t ", "empty_text"),
        ("a" * 65_537, "text_too_long"),
        ("oi\x00tudo bem", "control_chars"),
        ("oi\x1b[31m", "control_chars"),
    ],
)
def test_content_is_validated(text, code):
    d = evaluate(facts(text=text), SAFE)
    assert (d.verdict, d.code) == ("block", code)
    assert d.reason_pt and d.reason_en and d.reason_pt != d.reason_en


def test_ordinary_text_with_newlines_and_the_longest_allowed_length_pass():
    assert evaluate(facts(text="Oi!\nTudo bem?\tAbraço 😀"), SAFE).verdict == "allow"
    assert evaluate(facts(text="a" * 65_536), SAFE).verdict == "allow"


# -- bulk identical ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "variant",
    [
        "OLÁ ANA! NOSSA LOJA ESTÁ COM 30% DE DESCONTO EM TODA A LINHA DE VERÃO ATÉ DOMINGO.",
        "ola ana nossa loja esta com 30 de desconto em toda a linha de verao ate domingo",
        "Olá   Ana!!! 🎉🎉 Nossa loja está com 30% de desconto em toda a linha de verão até domingo 🌞",
        "Olá Roberto! Nossa loja está com 45% de desconto em toda a linha de verão até domingo.",
        "Oi Ana! Nossa loja está com 30% de desconto em toda linha de verão até sábado.",
    ],
)
def test_trivial_variations_count_as_the_same_text(variant):
    assert similarity(normalize(PROMO), normalize(variant)) >= SAFE.bulk_similarity


@pytest.mark.parametrize(
    "other",
    [
        "Bom dia, o orçamento do conserto ficou em 300 reais, pode ser?",
        "Oi, tudo bem? Vou chegar amanhã cedo na loja",
        "Seu pedido 1234 saiu para entrega hoje à tarde, obrigado pela compra.",
    ],
)
def test_different_texts_are_not_bulk(other):
    assert similarity(normalize(PROMO), normalize(other)) < SAFE.bulk_similarity


def test_normalize_folds_case_accents_digits_punctuation_and_emoji():
    assert normalize("  Ação   Nº 123!! 🎉 PROMOÇÃO ") == "acao no promocao"  # NFKD: º -> o


def test_the_same_text_to_many_recipients_is_blocked_for_single_sends():
    recent = [(f"r{i}@c.us", normalize(PROMO.replace("Ana", f"Pessoa{i}"))) for i in range(3)]
    d = evaluate(facts(text=PROMO, recent_texts=recent[:2]), SAFE)
    assert d.verdict == "allow"
    d = evaluate(facts(text=PROMO, recent_texts=recent), SAFE)
    assert (d.verdict, d.code) == ("block", "bulk_identical")
    # a campaign is bulk by design: throttled (warned), not blocked
    d = evaluate(facts(text=PROMO, origin="campaign", recent_texts=recent), SAFE)
    assert (d.verdict, d.code) == ("warn", "bulk_throttled")


def test_short_courtesy_phrases_are_not_bulk():
    recent = [(f"r{i}@c.us", normalize("Ok, obrigado!")) for i in range(20)]
    assert evaluate(facts(text="ok obrigado", recent_texts=recent), SAFE).verdict == "allow"


def test_the_same_recipient_again_is_not_bulk():
    recent = [("c1@c.us", normalize(PROMO))] * 5
    assert evaluate(facts(text=PROMO, recent_texts=recent), SAFE).verdict == "allow"


# -- unsolicited, strangers, opt-out -----------------------------------------------------------
def test_unsolicited_is_blocked_in_safe_mode_and_warned_when_relaxed():
    stranger = facts(saved_contact=False)
    assert evaluate(stranger, SAFE).code == "unsolicited" and evaluate(stranger, SAFE).verdict == "block"
    relaxed = SendingSettings(unsolicited="warn")
    assert evaluate(stranger, relaxed).verdict == "warn"
    assert evaluate(facts(saved_contact=False, has_inbound=True), SAFE).verdict == "allow"
    assert evaluate(facts(saved_contact=False, is_group=True), SAFE).verdict == "allow"


def test_strangers_budget_caps_new_people_per_day():
    relaxed = SendingSettings(unsolicited="warn", strangers_per_day=2)
    d = evaluate(facts(saved_contact=False, strangers_today={"a", "b"}), relaxed)
    assert (d.verdict, d.code) == ("block", "strangers_budget")
    assert "2" in d.reason_pt and "2" in d.reason_en
    # a stranger already counted today is not counted twice
    assert evaluate(facts(chat="a", saved_contact=False, strangers_today={"a", "b"}), relaxed).verdict == "warn"


def test_opt_out_blocks_whatever_the_settings():
    for s in (SAFE, SendingSettings(unsolicited="warn", strangers_per_day=10)):
        d = evaluate(facts(opted_out=True, has_inbound=True), s)
        assert (d.verdict, d.code) == ("block", "opted_out")


def test_identical_intervals_look_automated():
    assert looks_periodic([0, 10, 20, 30, 40, 50.2])
    assert not looks_periodic([0, 7, 25, 31, 58, 90])
    assert not looks_periodic([0, 10, 20])
    d = evaluate(facts(recent_send_times=[0, 10, 20, 30, 40, 50]), SAFE)
    assert (d.verdict, d.code) == ("warn", "periodic_pattern")


OPT_OUTS = [
    "STOP", "stop", "Stop.", "PARAR", "Pare", "SAIR", "sair!", "CANCELAR", "cancelar por favor",
    "Não quero mais receber", "nao quero mais receber essas mensagens", "NÃO QUERO RECEBER MAIS",
    "unsubscribe", "Please unsubscribe me", "Me tira da lista", "por favor me remova da lista",
    "quero sair dessa lista", "para de me mandar mensagem", "Descadastrar", "stop sending me this",
]
NOT_OPT_OUTS = [
    "não para de funcionar", "o sistema parou de funcionar", "stop by tomorrow?", "pode parar na porta",
    "quero cancelar meu pedido 123", "vou sair agora, volto às 14h", "a impressora não para de travar",
    "Quando vocês param de atender?", "para", "ok", "obrigado", "não quero mais o azul, prefiro o verde",
    "", "🛑",
]


@pytest.mark.parametrize("text", OPT_OUTS)
def test_opt_out_requests_are_recognised(text):
    assert detect(text) == "opt_out"


@pytest.mark.parametrize("text", NOT_OPT_OUTS)
def test_sentences_with_stop_words_are_not_opt_outs(text):
    assert detect(text) is None


@pytest.mark.parametrize("text", ["START", "voltar", "Quero receber"])
def test_opt_in_keywords(text):
    assert detect(text) == "opt_in"


# -- settings ---------------------------------------------------------------------------------
def test_settings_are_clamped_to_hard_ceilings_with_reasons():
    patch = SettingsPatch(per_minute=100, per_hour=250, per_day=5000, strangers_per_day=50, recipient_cooldown_s=0)
    new, adjusted = clamp(patch, SendingSettings())
    assert (new.per_minute, new.per_hour, new.per_day, new.strangers_per_day) == (30, 250, 1500, 10)
    assert new.recipient_cooldown_s == 5.0
    assert {a.field for a in adjusted} == {"per_minute", "per_day", "strangers_per_day", "recipient_cooldown_s"}
    assert all(a.reason_pt and a.reason_en for a in adjusted)
    assert not any(a.field in a.reason_pt or a.field in a.reason_en for a in adjusted)  # no internal names
    # Numbers as each language writes them: 1.500 and 5,0 in pt-BR, 1,500 and 5 in English.
    day = next(a for a in adjusted if a.field == "per_day")
    assert (day.reason_pt, day.reason_en) == ("O máximo permitido é 1.500; usei 1.500.", "The allowed maximum is 1,500; applied 1,500.")


@pytest.mark.parametrize(
    "values", [{"honour_optouts": False}, {"unsolicited": "allow"}, {"per_minute": 0}, {"nonsense": 1}]
)
def test_settings_that_cannot_be_relaxed_are_errors(core, values):
    reply = call(core, "sending.settings.set", {"values": values})
    assert reply["error"]["code"] == "invalid_args" and reply["error"]["details"]


def test_settings_round_trip_through_the_core(core):
    reply = call(core, "sending.settings.set", {"values": {"per_minute": 31, "unsolicited": "warn"}})
    assert reply["ok"] and reply["result"]["settings"]["per_minute"] == 30
    assert reply["result"]["adjusted"][0]["field"] == "per_minute"
    got = call(core, "sending.settings.get")["result"]
    assert got["settings"]["unsolicited"] == "warn"
    assert {"field": "per_day", "bound": 1500, "side": "max"} in got["ceilings"]
    assert got["at_defaults"] is False
    restored = call(core, "sending.settings.set", {"reset": True})["result"]
    assert restored["at_defaults"] is True and restored["settings"]["unsolicited"] == "block"
    bad = call(core, "sending.settings.set", {"values": {"honour_optouts": False}})
    assert bad["error"]["code"] == "invalid_args"
    assert call(core, "sending.settings.set", {"values": {"per_minute": 5}}, source="content")["error"]["code"] == "forbidden"


# -- through the core: lookups, opt-out scan, audit ---------------------------------------------
def put(core, store, record):
    asyncio.run(core.storage.put(store, record))


def inbound(chat, text, ts, n=1):
    return {"key": f"{chat}|m{n}", "chat": chat, "id": f"m{n}", "seq": n, "ts": ts, "direction": "in",
            "type": "text", "text": text, "first_seen": ts, "last_seen": ts}


def test_someone_who_wrote_before_may_be_answered(core, clock):
    put(core, "messages", inbound("5511@c.us", "Oi, quanto custa?", clock.now() - 100))
    assert call(core, "send.request", {"chat": "5511@c.us", "text": "R$ 50"})["result"]["decision"]["verdict"] == "allow"
    assert call(core, "send.request", {"chat": "5522@c.us", "text": "R$ 50"})["result"]["decision"]["code"] == "unsolicited"
    put(core, "contacts", {"key": "5533@c.us", "title": "Zé", "kind": "saved"})  # a saved contact in the chat list
    assert call(core, "send.request", {"chat": "5533@c.us", "text": "R$ 50"})["result"]["decision"]["verdict"] == "allow"
    put(core, "chats", {"key": "title:Bia", "title": "Bia", "is_group": False, "message_count": 0, "unread": 0})
    put(core, "contacts", {"key": "title:Bia", "title": "Bia", "kind": "saved"})  # known by its title only
    assert call(core, "send.request", {"chat": "title:Bia", "text": "R$ 50"})["result"]["decision"]["verdict"] == "allow"


def test_an_injected_port_replaces_the_default(clock, storage):
    class EveryoneSaved:
        async def saved_contact(self, chat):
            return chat.startswith("55")

        async def has_inbound(self, chat):
            return False

        async def outgoing_since(self, since):
            return []

    core = Core(Services(clock=clock, rng=random.Random(1), storage=storage), overrides={"recipients": EveryoneSaved()})
    asyncio.run(core.start())
    assert call(core, "send.request", {"chat": "5599@c.us", "text": "oi"})["result"]["decision"]["verdict"] == "allow"
    assert call(core, "send.request", {"chat": "4499@c.us", "text": "oi"})["result"]["decision"]["code"] == "unsolicited"


def scan(core, records):
    changes = asyncio.run(core.features.consent.scan([MessageRecord.model_validate(r) for r in records]))
    return [c.model_dump() for c in changes]


def test_opt_outs_of_numbers_never_seen_with_a_name_are_listed_as_people_write_them(core, clock):
    chats = ["5511987654321@c.us", "5521999990000@c.us"]
    put(core, "chats", {"key": chats[1], "title": "5521999990000"})  # named by its digits when first stored
    scan(core, [inbound(chats[0], "PARAR", clock.now() - 100, 1), inbound(chats[1], "sair", clock.now() - 90, 2)])
    listed = call(core, "optout.list")["result"]
    assert {r["chat"] for r in listed["records"]} == set(chats)
    assert listed["titles"] == {chats[0]: "+55 11 98765-4321", chats[1]: "+55 21 99999-0000"}


def test_opt_out_scan_suppresses_and_keeps_the_history(core, clock, events):
    chat = "5511@c.us"
    records = [inbound(chat, "Oi, quanto custa?", clock.now() - 300, 1), inbound(chat, "PARAR", clock.now() - 200, 2)]
    put(core, "messages", records[0])
    put(core, "chats", {"key": chat, "title": "Dona Maria"})
    assert [(c["kind"], c["text"]) for c in scan(core, records)] == [("opt_out", "PARAR")]
    assert scan(core, records) == []  # idempotent
    d = call(core, "send.request", {"chat": chat, "text": "Promo!"})["result"]["decision"]
    assert (d["verdict"], d["code"]) == ("block", "opted_out")
    assert events.of("optout.changed")[0] == {"chat": chat, "opted_out": True, "source": "message"}
    listed = call(core, "optout.list")["result"]
    assert listed["records"][0]["chat"] == chat
    assert listed["titles"] == {chat: "Dona Maria"}  # the name pages show: they never parse keys
    # the contact comes back; then the user records an opt-out by hand
    scan(core, [inbound(chat, "voltar", clock.now() - 100, 3)])
    assert call(core, "send.request", {"chat": chat, "text": "Promo!"})["result"]["decision"]["verdict"] == "allow"
    call(core, "optout.set", {"chat": chat, "opted_out": True, "note": "pediu por telefone"})
    history = call(core, "optout.history", {"chat": chat})["result"]["events"]
    assert [(e["kind"], e["source"]) for e in history] == [("opt_out", "message"), ("opt_in", "message"), ("opt_out", "user")]


def test_outbound_messages_never_opt_anyone_out(core, clock):
    rec = inbound("5511@c.us", "STOP", clock.now()) | {"direction": "out"}
    assert scan(core, [rec]) == []


def test_audit_log_pages_and_exports(core, clock):
    put(core, "contacts", {"key": "a@c.us", "title": "A", "kind": "saved"})
    for i in range(7):
        clock.advance(1)
        call(core, "send.request", {"chat": "a@c.us" if i % 2 else "b@c.us", "text": f"mensagem {i}, tudo bem"})
    seen, cursor = [], None
    while True:
        page = call(core, "audit.list", {"limit": 3, "cursor": cursor})["result"]
        seen += page["records"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 7 and [r["ts"] for r in seen] == sorted((r["ts"] for r in seen), reverse=True)
    assert {r["code"] for r in seen} == {"ok", "unsolicited"}
    text = call(core, "audit.export", {"format": "csv"})["result"]["text"]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 7 and rows[0]["reason_pt"] and rows[0]["reason_en"]
    exported = call(core, "audit.export", {"format": "json"})["result"]
    assert exported["count"] == 7 and len(json.loads(exported["text"])) == 7
    assert exported["filename"].endswith(".json")


def test_rules_are_pure_functions_of_the_facts():
    f = facts(text=PROMO, saved_contact=False, has_inbound=True)
    assert policy.evaluate(f, SAFE) == policy.evaluate(f, SAFE)
