"""read-dom.js in real Chromium on one page per DOM generation, its facts fed to the core.

Runs headless Chromium once (--dump-dom) for the whole module: ~1-2 s.
"""

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pycore.whatsapp.selectors import selectors_json
from tests.core.conftest import call

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = next((p for p in ("/usr/lib/chromium/chromium", shutil.which("chromium") or "") if p and Path(p).exists()), None)


@pytest.fixture(scope="module")
def facts(tmp_path_factory):
    assert CHROMIUM, "Chromium is needed for the read-dom test (apt-get install chromium)"
    tmp = tmp_path_factory.mktemp("readdom")
    shutil.copy(ROOT / "extension/content/read-dom.js", tmp / "read-dom.js")
    shutil.copy(ROOT / "extension/shared/protocol.js", tmp / "protocol.js")  # the bounds read-dom.js respects
    shutil.copy(ROOT / "tests/core/fixtures/read_dom_page.html", tmp / "page.html")
    (tmp / "selectors.js").write_text("var SEL = " + json.dumps(selectors_json()) + ";", encoding="utf-8")
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
         f"--user-data-dir={tmp / 'profile'}", "--dump-dom", (tmp / "page.html").as_uri()],
        capture_output=True, text=True, timeout=60,
    ).stdout
    m = re.search(r'<pre id="out">(.*?)</pre>', dom, re.S)
    assert m and m.group(1), dom[:2000]
    out = json.loads(html.unescape(m.group(1)))
    assert "error" not in out, out.get("error")
    return out


def capture(core, batch):
    reply = call(core, "capture.batch", batch, source="content")
    assert reply["ok"], reply
    return reply["result"]


def messages(core, chat):
    return call(core, "messages.list", {"chat": chat, "newest_first": False, "order_by": "seq"})["result"]["messages"]


def test_2024_facts(facts, core):
    b = facts["2024"]["batch"]
    assert b["chat"] == {"title": "Maria Silva", "header_testid": None, "composer_label": "Type a message",
                         "subtitle": None, "list_row": False, "unread_label": None, "unread_text": None,
                         "avatar": None, "header_texts": []}
    n0, n1, n2 = b["nodes"]
    assert n0["data_id"] == "false_5511987654321@c.us_3EB0C431C6C4A5B0F4"
    assert n0["classes"] == ["message-in", "focusable-list-item"]  # hashed classes are not reported
    assert n0["text"] == "Oi, tudo bem? 😀" and n0["icons"] == ["tail-in"]
    assert n1["quoted"] == "Oi, tudo bem?" and n1["text"] == "Tudo ótimo!"  # quoted text is not the message text
    assert " Read " in n1["labels"] and "msg-dblcheck" in n1["icons"]
    assert capture(core, b) == {"chat": "5511987654321@c.us", "new": 3, "updated": 0, "unchanged": 0, "unknown": 0,
                                "rejected": [], "seq_from": 1, "seq_to": 3, "expand": [],
                                "identity": "jid", "ambiguous": False, "read_drawer": False}
    got = [(m["direction"], m["type"], m["status"], m["text"]) for m in messages(core, "5511987654321@c.us")]
    assert got == [("in", "text", None, "Oi, tudo bem? 😀"), ("out", "text", "read", "Tudo ótimo!"), ("in", "voice", None, "")]


def test_2025_facts(facts, core):
    b = facts["2025"]["batch"]
    assert len(b["nodes"]) == 2  # the day separator row has no id and is not a message row here
    assert b["nodes"][1]["has_media"] is True
    capture(core, b)
    group = messages(core, "120363025246125486@g.us")
    assert [(m["type"], m["forwarded"], m["author_jid"]) for m in group] == [
        ("text", True, "189025889575055@lid"), ("image", False, "5511912345678@c.us")
    ]
    assert group[1]["ts"] == group[0]["ts"]  # media row takes its neighbour's minute


def test_2026_facts(facts, core):
    b = facts["2026"]["batch"]
    assert b["chat"] == {"title": "bundaa", "header_testid": "conversation-header",
                         "composer_label": "Digite uma mensagem para bundaa", "subtitle": None,
                         "list_row": True, "unread_label": None, "unread_text": None,  # its chat-list row, no badge
                         "avatar": None, "header_texts": []}
    n0 = b["nodes"][0]
    assert (n0["data_id"], n0["testid"], n0["text"]) == ("3B6637D11A63081B8712", "conv-msg-3B6637D11A63081B8712", "ok 👍")
    assert "wds-ic-delivered" in n0["labels"] and "Você:" in n0["labels"]
    res = capture(core, b)
    assert (res["chat"], res["new"]) == ("title:bundaa", 4)
    got = [(m["direction"], m["type"], m["status"]) for m in messages(core, "title:bundaa")]
    assert got == [("out", "text", "delivered"), ("in", "text", None), ("in", "voice", None), ("in", "deleted", None)]


def test_rows_inside_rows_are_not_rows(facts):
    assert facts["nested"] == ["outer1", "outer2", "outer3"]


def test_each_message_row_has_the_dividers_above_it_nearest_first(facts):
    week = ["ONTEM"]
    expected = {
        "siblings": {"a1": week, "a2": week, "a3": ["1 MENSAGEM NÃO LIDA", "HOJE", "ONTEM"]},
        # a message row in no conversation row has no labels; the rows after it still do
        "loose": {"b0": None, "b1": week, "b2": ["HOJE", "ONTEM"]},
        # a divider drawn inside a message's row labels the rows after it, inside that row too
        "nested": {"c1": week, "c2": ["HOJE", "ONTEM"], "c3": ["HOJE", "ONTEM"]},
        # rows without a key are all read as dividers (WhatsApp's rows have one): none is labelled
        "unkeyed": {"ONTEM": None, "um": None},
    }
    for name, labels in expected.items():
        assert facts["days"][name] == {"told": labels, "untold": labels}, name


def test_a_candidate_the_browser_rejects_counts_as_not_found(facts):
    panel = selectors_json()["features"]["conversation_panel"]["candidates"]
    assert facts["rejected"]["css"] in [c["css"] for c in panel]
    assert facts["rejected"]["first"] and facts["rejected"]["matched"] == 1


def test_chat_rows(facts, core):
    rows = facts["2024"]["rows"] + facts["2025"]["rows"] + facts["2026"]["rows"]
    assert facts["2026"]["rows"][0]["time"] == "20:19"
    reply = call(core, "contacts.upsert_rows", {"rows": rows}, source="content")
    assert reply["result"]["new"] == 4
    got = {c["title"]: c for c in call(core, "contacts.list")["result"]["contacts"]}
    assert (got["Maria Silva"]["unread"], got["Maria Silva"]["preview"], got["Maria Silva"]["own_last"]) == (9, "Pedido enviado", True)
    assert (got["Família"]["kind"], got["Família"]["unread"]) == ("group", 1227)
    assert (got["bundaa"]["preview"], got["+55 37 9922-7293"]["unread"]) == ("ok", 9)


def test_chat_list_order_is_read_from_the_rows_places_without_a_layout(facts):
    order = facts["order"]
    # each row placed by its own transform (docs/whatsapp-dom.md): read from its style, nothing measured
    assert order["placed"] == {"titles": ["Ana", "Bruno", "Carla"], "measures": 0}
    assert order["placed3d"] == {"titles": ["Ana", "Bruno", "Carla"], "measures": 0}
    assert order["placedZero"] == {"titles": ["Ana", "Bruno", "Carla"], "measures": 0}
    # rows without places of their own (or placed in another unit) are measured, once each (not once
    # per comparison of the sort)
    for name in ("unplaced", "shared", "mixed", "percent"):
        assert order[name] == {"titles": ["Ana", "Bruno", "Carla"], "measures": 3}, name


def test_probe_and_selftest(facts, core):
    p24, p25, p26 = (facts[g]["probe"] for g in ("2024", "2025", "2026"))
    assert p24["send_button"] == {"matched": '#main footer button[aria-label="Send"]', "count": 1}
    assert p25["send_button"]["matched"] == '#main footer [role="button"][aria-label="Enviar"]'
    assert p26["send_button"] == {"matched": None, "count": 0}  # mid-2026: only after typing
    assert p26["search_box"]["matched"] == '#side input[role="textbox"][data-tab="3"]'
    for gen, probe in (("2024", p24), ("2025", p25)):
        out = call(core, "selftest.report", {"results": probe, "chat_open": True}, source="content")["result"]
        assert (out["safe_mode"], out["read_ok"], out["generation"]) == (False, True, gen), out
    out = call(core, "selftest.report", {"results": p26, "chat_open": True}, source="content")["result"]
    assert (out["safe_mode"], out["read_ok"], out["generation"]) == (True, True, "2026")
    # told which element holds the rows (the content script's self-test), the same answers
    for gen in ("2024", "2025", "2026", "qr"):
        assert facts[gen]["probeApart"] == facts[gen]["probe"], gen


def test_the_probe_told_where_the_rows_are_counts_the_rows_and_what_lies_around_them(facts):
    told, whole = facts["apart"]["probeTold"], facts["apart"]["probeWhole"]
    assert told["message_row"] == whole["message_row"] and told["message_row"]["count"] == 2
    assert told["conversation_row"] == whole["conversation_row"] and told["conversation_row"]["count"] == 2
    # an ancestor of the rows (the offline icon) and what is beside them (the pane, an alert) count;
    # an alert inside a message is the message's
    assert told["offline_banner"] == whole["offline_banner"] and told["offline_banner"]["count"] == 1
    assert told["logged_in"] == whole["logged_in"] and told["logged_in"]["count"] == 1
    assert (told["alerts"]["count"], whole["alerts"]["count"]) == (1, 2)
    assert {k: v for k, v in told.items() if k != "alerts"} == {k: v for k, v in whole.items() if k != "alerts"}


def test_connection_facts(facts, core, events):
    assert facts["qr"]["connection"] == {"logged_in": False, "qr": True, "offline": False, "banners": []}
    # told which element holds the rows (every second, in the content script), the same facts
    for gen in ("2024", "2025", "2026", "qr"):
        assert facts[gen]["connectionApart"] == facts[gen]["connection"], gen
    conn = facts["2026"]["connection"]
    # the warning's words typed in the composer (a text box is never read for warnings) are not one
    assert conn["logged_in"] and conn["banners"] == ["You're sending too many messages"]
    out = call(core, "connection.report", {"tab_id": "t", "observed_at": 0, **conn}, source="content")["result"]
    assert out["state"] == "connected"
    assert events.of("connection.ban_signal")[0]["code"] == "too_many_messages"


def test_the_connection_read_leaves_out_what_is_drawn_among_the_messages(facts):
    # An alert inside a message is the message's, not WhatsApp's (the whole-page read took it);
    # the alert beside the rows, the logged-in pane and an offline icon around the rows are read.
    told, whole = facts["apart"]["told"], facts["apart"]["whole"]
    assert told == {"logged_in": True, "qr": False, "offline": True, "banners": ["Sem conexão com a internet"]}
    assert whole["banners"] == ["Sem conexão com a internet", "Você está enviando muitas mensagens"]
