"""Issue 12 in the core: placeholders, times without a sender line, kinds from several signals,
whole texts, quotes, groups, completeness while hidden, and the warning's words."""

import random
import re
from datetime import date, datetime, timezone

import pytest

from pycore.capture import expand, quotes
from pycore.capture.chat_signals import is_group, track_unread
from pycore.capture.interpret import author_label, interpret, is_placeholder
from pycore.capture.kinds import kind_of
from pycore.capture.merge import merge
from pycore.capture.timestamps import bubble_ts, fill_times, parse_clock, parse_day_label
from pycore.connection.machine import BAN_PATTERNS
from pycore.capture.protocol import ChatFacts, RawMessageNode
from pycore.whatsapp.selectors import TEXTS
from tests.core.conftest import call

BRT = -180  # America/Sao_Paulo
# Tuesday 2026-06-16, 14:30 in São Paulo
NOW = datetime(2026, 6, 16, 17, 30, tzinfo=timezone.utc).timestamp()


def local(y, mo, d, h, mi):
    return datetime(y, mo, d, h, mi, tzinfo=timezone.utc).timestamp() - BRT * 60


# -- placeholders -----------------------------------------------------------------------------
@pytest.mark.parametrize("facts", [
    {"data_id": "false_5511@c.us_3EB0AA", "virtualized": True},
    {"data_id": "3B6637D11A63081B8712", "testids": ["conv-msg-3B6637D11A63081B8712", "msg-container"]},
])
def test_a_row_without_content_is_a_placeholder(facts):
    assert is_placeholder(RawMessageNode(**facts))


def test_a_row_with_content_or_an_unknown_id_is_not_a_placeholder():
    assert not is_placeholder(RawMessageNode(data_id="3B6637D11A63081B8712", texts=["Ana saiu"]))
    assert not is_placeholder(RawMessageNode(data_id="???"))  # an unknown shape is counted, not skipped


def test_placeholders_are_not_stored_and_the_filled_row_is(core):
    chat = {"title": "Maria"}
    empty = {"data_id": "false_5511987654321@c.us_3EB0AA", "virtualized": True}
    res = call(core, "capture.batch", {"chat": chat, "nodes": [empty], "observed_at": NOW}, source="content")["result"]
    assert (res["new"], res["unknown"]) == (0, 0)
    filled = {"data_id": "false_5511987654321@c.us_3EB0AA", "labels": ["Maria:"], "icons": ["ptt-status"],
              "texts": ["0:12", "14:05"], "day_labels": ["HOJE"]}
    res = call(core, "capture.batch", {"chat": chat, "nodes": [filled], "observed_at": NOW, "locale": "pt-BR",
                                       "utc_offset_min": BRT}, source="content")["result"]
    [rec] = call(core, "messages.list", {"chat": res["chat"]})["result"]["messages"]
    assert (rec["type"], rec["direction"], rec["ts"], rec["ts_inferred"]) == ("voice", "in", local(2026, 6, 16, 14, 5), False)


# -- times from the bubble and the day dividers --------------------------------------------------
@pytest.mark.parametrize("text, hm", [("8:19 PM", (20, 19)), ("15:06", (15, 6)), ("下午1:23", (13, 23)),
                                      ("12:05 a. m.", (0, 5))])
def test_bubble_clock(text, hm):
    assert parse_clock(text) == hm


@pytest.mark.parametrize("text", ["Orcamento 12:30.pdf", "2 pages • PDF • 245 kB", "Carla Dias", "", "10:30 amanhã cedo"])
def test_not_a_clock(text):
    assert parse_clock(text) is None


TODAY = date(2026, 6, 16)  # a Tuesday


@pytest.mark.parametrize("label, locale, day", [
    ("HOJE", "pt-BR", TODAY), ("Today", "en", TODAY), ("ONTEM", "pt-BR", date(2026, 6, 15)),
    ("YESTERDAY", "en", date(2026, 6, 15)), ("SEGUNDA-FEIRA", "pt-BR", date(2026, 6, 15)),
    ("SÁBADO", "pt-BR", date(2026, 6, 13)), ("Friday", "en", date(2026, 6, 12)),
    ("TUESDAY", "en", date(2026, 6, 9)),  # a divider naming today's weekday means a week ago
    ("03/07/2026", "pt-BR", date(2026, 7, 3)), ("6/13/2026", "en", date(2026, 6, 13)),
    ("6 unread messages", "en", None), ("Click here to get older messages from your phone.", "en", None),
])
def test_day_labels(label, locale, day):
    assert parse_day_label(label, TODAY, locale) == day


def test_bubble_time_under_a_divider_and_on_an_assumed_day():
    kw = dict(observed_at=NOW, utc_offset_min=BRT, locale="pt-BR")
    assert bubble_ts(["0:42", "09:10"], ["4 mensagens não lidas", "ONTEM"], **kw) == (local(2026, 6, 15, 9, 10), "bubble")
    assert bubble_ts(["09:10"], [], **kw) == (local(2026, 6, 16, 9, 10), "bubble_guess")
    assert bubble_ts(["23:50"], [], **kw) == (local(2026, 6, 15, 23, 50), "bubble_guess")  # later than now: yesterday
    assert bubble_ts(["11:58 PM"], ["6/13/2026"], observed_at=NOW, utc_offset_min=BRT, locale="en") == (
        local(2026, 6, 13, 23, 58), "bubble")
    assert bubble_ts(["Nota.pdf"], ["HOJE"], **kw) is None


def test_rows_without_a_time_take_a_neighbour_on_the_same_day_and_say_so():
    day1, day2 = local(2026, 6, 15, 0, 0), local(2026, 6, 16, 0, 0)
    rows = [({"ts": day1 + 600, "ts_source": "bubble"}, day1), ({"ts": None, "ts_source": None}, day2),
            ({"ts": day2 + 900, "ts_source": "pre_plain"}, day2), ({"ts": None, "ts_source": None}, None)]
    fill_times(rows, observed_at=NOW)
    assert [(f["ts"], f["ts_source"], f["ts_inferred"]) for f, _ in rows] == [
        (day1 + 600, "bubble", False), (day2 + 900, "neighbour", True), (day2 + 900, "pre_plain", False),
        (NOW, "observed", True)]


def test_a_bubble_time_without_a_divider_takes_its_day_from_a_dated_neighbour():
    """An image months old, drawn with no day divider above it in view: its bubble time was put on
    today; the texts around it (their sender lines carry the date) give the day."""
    june10 = local(2026, 6, 10, 10, 0)
    guess = local(2026, 6, 16, 10, 5)  # 10:05 on the day it was seen
    rows = [({"ts": guess, "ts_source": "bubble_guess"}, None), ({"ts": june10 + 600, "ts_source": "pre_plain"}, None)]
    fill_times(rows, observed_at=NOW)
    assert rows[0][0]["ts"] == june10 + 300 and rows[0][0]["ts_inferred"]  # 10:05 on June 10, still a guess
    late = local(2026, 6, 16, 23, 50)  # after the text above it (June 10, 10:00): later that day
    rows = [({"ts": june10, "ts_source": "pre_plain"}, None), ({"ts": late, "ts_source": "bubble_guess"}, None)]
    fill_times(rows, observed_at=NOW)
    assert rows[1][0]["ts"] == local(2026, 6, 10, 23, 50)


# -- kinds -------------------------------------------------------------------------------------------
DOC_WITH_AUDIO_ICON = dict(icons=["document-PDF-icon", "audio-download"], labels=["Nota.pdf", "Download"],
                           texts=["Nota.pdf", "2 pages • PDF • 245 kB", "10:54 AM"])


@pytest.mark.parametrize("facts, kind", [
    (DOC_WITH_AUDIO_ICON, "document"),
    ({**DOC_WITH_AUDIO_ICON, "icons": ["audio-download"]}, "document"),  # name + size line agree
    ({"icons": ["audio-download"], "texts": ["10:54"]}, "unknown"),  # one audio-looking icon alone
    ({"icons": ["audio-play"], "texts": ["0:07", "10:54"]}, "voice"),  # icon + duration
    ({"icons": ["ptt-status", "audio-play"], "labels": ["Mensagem de voz"], "texts": ["0:07", "10:54"]}, "voice"),
    ({"labels": ["Open picture"], "has_media": True, "texts": ["10:54"]}, "image"),
    ({"texts": ["Relatorio.xlsx"]}, "unknown"),  # a file-like text alone
    ({"labels": ["Mensagem de voz", "Nota.pdf"], "texts": ["Nota.pdf", "PDF • 2 kB"], "icons": ["doc-pdf"]}, "unknown"),
])
def test_kind_needs_signals_that_agree(facts, kind):
    assert kind_of(RawMessageNode(data_id="false_1@c.us_3EB0", **facts)) == kind


# -- authors, texts, quotes ----------------------------------------------------------------------------
def test_author_from_the_name_label_never_from_you():
    assert author_label(["Forwarded", "Carla Dias:", " Read "]) == "Carla Dias"
    assert author_label(["Você:"]) is None and author_label(["\u202a+55 11 95555-4444\u202c:"]) == "+55 11 95555-4444"


def test_2026_media_rows_get_author_and_phone_id():
    node = RawMessageNode(data_id="3A9F00AA11BB22CC33DE", icons=["ptt-status"], labels=["+55 11 95555-4444:"],
                          texts=["0:09", "10:02"])
    f = interpret(node, "title:Clientes", observed_at=NOW, utc_offset_min=BRT).fields
    assert (f["author"], f["author_jid"], f["type"]) == ("+55 11 95555-4444", "5511955554444@c.us", "voice")
    one = interpret(RawMessageNode(data_id="3A9F00AA11BB22CC33DF", labels=["This message was deleted", "+55 31 99000-0002:"],
                                   texts=["This message was deleted", "10:03"]), "title:+55 31 99000-0002").fields
    assert (one["type"], one["author_jid"]) == ("deleted", "5531990000002@c.us")


def test_system_rows_keep_their_text_and_cut_texts_say_so():
    sys_row = interpret(RawMessageNode(data_id="3B6637D11A63081B8712", texts=["Ana adicionou Zé"]), "title:G").fields
    assert (sys_row["direction"], sys_row["type"], sys_row["text"]) == ("system", "system", "Ana adicionou Zé")
    cut = interpret(RawMessageNode(data_id="false_1@c.us_3EB0", pre_plain_text="[10:00, 16/06/2026] A: ",
                                   text="começo", truncated=True), "1@c.us", locale="pt-BR").fields
    assert cut["text_complete"] is False


def test_merge_whole_text_wins_and_a_cut_rerender_never_shortens_it():
    base = {"type": "text", "direction": "in", "status": None, "forwarded": False, "ts": 1.0, "ts_source": "pre_plain"}
    old = {**base, "text": "começo", "text_complete": False}
    assert merge(old, {**base, "text": "começo e fim", "text_complete": True}) == {"text": "começo e fim", "text_complete": True}
    assert merge({**base, "text": "começo e fim", "text_complete": True}, {**base, "text": "começo", "text_complete": False}) == {}


def test_merge_better_time_evidence_replaces_an_inferred_time():
    base = {"type": "voice", "direction": "in", "status": None, "forwarded": False, "text": ""}
    guessed = {**base, "ts": 100.0, "ts_source": "neighbour", "ts_inferred": True}
    seen = {**base, "ts": 160.0, "ts_source": "bubble", "ts_inferred": False}
    assert merge(guessed, seen) == {"ts": 160.0, "ts_source": "bubble", "ts_inferred": False}
    assert merge(seen, guessed) == {}
    # stored before sources were recorded (maybe a neighbour's): what is seen beats it, a guess does not
    legacy = {**base, "ts": 100.0}
    assert merge(legacy, seen)["ts"] == 160.0 and merge(legacy, {**seen, "ts_source": "bubble_guess"}) == {}


def test_quote_resolves_to_the_newest_matching_message_before_it():
    cands = [{"id": "A", "text": "ok", "direction": "in", "author": "Ana", "ts": 10, "type": "text"},
             {"id": "B", "text": "ok", "direction": "out", "author": None, "ts": 20, "type": "text"},
             {"id": "C", "text": "ok", "direction": "in", "author": "Ana", "ts": 30, "type": "text"},
             {"id": "D", "text": "ok", "direction": "in", "author": "Ana", "ts": 900, "type": "text"}]
    q = {"id": "Q", "quoted": "ok", "quoted_author": "Ana", "ts": 40}
    assert quotes.resolve(q, cands) == "C"
    assert quotes.resolve({**q, "quoted_author": "Você"}, cands) == "B"
    assert quotes.resolve({**q, "quoted": "nada"}, cands) is None


def test_capture_splits_the_quote_and_finds_its_id(core):
    chat = {"title": "Maria"}
    pre = "[10:0{m}, 16/06/2026] Maria: "
    nodes = [{"data_id": "false_5511987654321@c.us_3EB0A1", "pre_plain_text": pre.format(m=1), "text": "Tem azul?"},
             {"data_id": "true_5511987654321@c.us_3EB0A2", "pre_plain_text": "[10:02, 16/06/2026] Loja: ",
              "text": "Tem sim", "quoted": "Tem azul?", "quoted_author": "Maria", "labels": ["You:", "Quoted message"]}]
    res = call(core, "capture.batch", {"chat": chat, "nodes": nodes, "observed_at": NOW, "locale": "pt-BR"},
               source="content")["result"]
    recs = call(core, "messages.list", {"chat": res["chat"], "newest_first": False})["result"]["messages"]
    assert (recs[1]["quoted"], recs[1]["quoted_author"], recs[1]["quoted_id"]) == ("Tem azul?", "Maria", "3EB0A1")


# -- groups, completeness, expansions -------------------------------------------------------------------
def test_group_signals():
    none = set()
    assert is_group(ChatFacts(composer_label="Digite uma mensagem para o grupo Clientes"), serialized_group=False, authors=none)
    assert is_group(ChatFacts(subtitle="Carla Dias, +55 11 95555-4444, ~ Lu"), serialized_group=False, authors=none)
    assert is_group(ChatFacts(), serialized_group=False, authors={"Ana", "Zé"})
    assert not is_group(ChatFacts(subtitle="~ Beto", composer_label="Digite uma mensagem para Beto"),
                        serialized_group=False, authors={"Beto"})


def test_unread_badge_counts_what_capture_has_not_stored_until_it_clears():
    h = {}
    track_unread(h, ChatFacts(list_row=True), 1)
    assert h["missing"] == 0
    track_unread(h, ChatFacts(list_row=True, unread_label="5 unread messages"), 1)  # 5 arrived, 1 drawn
    assert (h["missing"], h["unread"]) == (4, 5)
    track_unread(h, ChatFacts(list_row=False), 0)  # the row scrolled away: nothing known, nothing changes
    assert h["missing"] == 4
    track_unread(h, ChatFacts(list_row=True), 4)  # back in view: the count clears and the rows are drawn
    assert h["missing"] == 0


def test_health_figure_is_below_100_while_messages_are_missing(core):
    chat = {"title": "Maria", "list_row": True, "unread_label": "3 mensagens não lidas"}
    node = {"data_id": "false_5511987654321@c.us_3EB0B1", "pre_plain_text": "[10:01, 16/06/2026] Maria: ", "text": "3"}
    res = call(core, "capture.batch", {"chat": chat, "nodes": [node], "observed_at": NOW, "locale": "pt-BR"},
               source="content")["result"]
    [h] = call(core, "capture.health", {"chat": res["chat"]})["result"]["chats"]
    assert (h["missing"], h["clean_share"]) == (2, round(1 / 3, 4))


def test_expansions_are_paced_and_only_for_cut_texts():
    rows = [("a", {"type": "text", "text_complete": False}), ("b", {"type": "text", "text_complete": True}),
            ("c", {"type": "text", "text_complete": False})]
    plan = expand.plan(rows, hidden=False, rng=random.Random(1))
    assert [p.row for p in plan] == ["a", "c"] and all(expand.PAUSE_S[0] <= p.wait_s <= expand.PAUSE_S[1] for p in plan)


# -- the warning's words ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["You're sending too many messages", "Você está enviando mensagens demais",
                                  "Você está enviando muitas mensagens", "Estás enviando demasiados mensajes",
                                  "Esta conta foi banida do WhatsApp", "This account is banned"])
def test_the_content_script_finds_every_warning_the_core_knows(text):
    assert any(p.search(text) for p in BAN_PATTERNS.values())
    assert re.search(TEXTS["warning"], text, re.I)


def test_a_warning_that_appears_again_after_a_resume_pauses_again(core, events):
    up = {"tab_id": "A", "observed_at": 0, "logged_in": True}
    warn = "Você está enviando mensagens demais"
    for banners in ([warn], [warn], [], [warn]):
        assert call(core, "connection.report", {**up, "banners": banners}, source="content")["ok"]
    assert len(events.of("connection.ban_signal")) == 2  # shown, still shown (not repeated), gone, shown again


def test_a_quote_read_before_its_original_gets_the_id_when_the_original_arrives(core):
    chat = {"title": "Maria"}
    quoting = {"data_id": "false_5511987654321@c.us_3EB0C2", "pre_plain_text": "[10:09, 16/06/2026] Maria: ",
               "text": "e aí?", "quoted": "Tem azul?", "quoted_author": "Maria"}
    original = {"data_id": "false_5511987654321@c.us_3EB0C1", "pre_plain_text": "[10:01, 16/06/2026] Maria: ",
                "text": "Tem azul?"}
    for nodes in ([quoting], [original]):  # scrolling up: the newer row is read first
        res = call(core, "capture.batch", {"chat": chat, "nodes": nodes, "observed_at": NOW, "locale": "pt-BR"},
                   source="content")["result"]
    recs = {r["id"]: r for r in call(core, "messages.list", {"chat": res["chat"]})["result"]["messages"]}
    assert recs["3EB0C2"]["quoted_id"] == "3EB0C1" and res["updated"] == 1
