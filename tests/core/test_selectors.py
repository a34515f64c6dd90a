"""The selector table, the self-test's decisions and safe mode."""

import json
import re

import pytest

from pycore.whatsapp.selectors import FEATURES, GENERATIONS, selectors_json
from tests.core.conftest import call

ALL_OK_2026 = {
    "conversation_panel": {"matched": '[data-testid="conversation-panel-wrapper"]', "count": 1},
    "message_row": {"matched": '#main [data-testid^="conv-msg-"]', "count": 30},
    "composer": {"matched": '[data-testid="conversation-compose-box-input"]', "count": 1},
    "send_button": {"matched": None, "count": 0, "deferred": True},
    "search_box": {"matched": '#side input[role="textbox"][data-tab="3"]', "count": 1},
    "logged_in": {"matched": "#pane-side", "count": 1},
}


def selftest(core, results, chat_open=True):
    reply = call(core, "selftest.report", {"results": results, "chat_open": chat_open}, source="content")
    assert reply["ok"], reply
    return reply["result"]


def test_every_feature_has_ordered_fallbacks_with_known_generations():
    for name, feature in FEATURES.items():
        assert feature.candidates, name
        assert feature.scope in ("page", "row", "chat_row", "on_demand", "drawer")
        assert feature.purpose in ("read", "send", "scrape", "connection")
        for cand in feature.candidates:
            assert set(cand.gens) <= set(GENERATIONS), (name, cand)
            assert not re.search(r"\.(_[a-z0-9]{3,}|x[0-9a-z]{6,})\b", cand.css), f"hashed class in {cand.css}"
    for needed in ("conversation_panel", "message_row", "message_text", "pre_plain_text", "chat_header_title",
                   "chat_list", "chat_row", "row_title", "unread_badge", "composer", "send_button", "search_box",
                   "qr_code", "offline_banner"):
        assert needed in FEATURES
    # each generation has a way to find rows, titles, the composer and the send button
    for gen in GENERATIONS:
        for feature in ("message_row", "chat_row", "composer", "send_button", "chat_header_title", "search_box"):
            assert any(gen in c.gens for c in FEATURES[feature].candidates), (gen, feature)


def test_selectors_get_is_json(core):
    reply = call(core, "selectors.get", source="content")
    assert reply["ok"]
    table = reply["result"]
    assert table == json.loads(json.dumps(selectors_json()))
    assert table["features"]["message_row"]["candidates"][0] == {"css": '#main [data-testid^="conv-msg-"]', "gens": ["2026"]}


def test_all_found_means_sending_allowed(core, events):
    out = selftest(core, ALL_OK_2026)
    assert (out["send_ok"], out["read_ok"], out["safe_mode"], out["generation"]) == (True, True, False, "2026")
    assert out["features"]["send_button"] == "deferred"
    assert events.of("selftest.result")[-1]["safe_mode"] is False


@pytest.mark.parametrize(
    "change, state",
    [
        ({"composer": {"matched": None, "count": 0}}, "missing"),
        ({"composer": {"matched": '#main footer [contenteditable="true"][role="textbox"]', "count": 2}}, "ambiguous"),
        ({"send_button": {"matched": '#main footer [data-icon="send"]', "count": 3}}, "ambiguous"),
        ({"send_button": {"matched": None, "count": 0}}, "missing"),
    ],
)
def test_missing_or_ambiguous_composer_or_send_enters_safe_mode(core, events, change, state):
    out = selftest(core, {**ALL_OK_2026, **change})
    feature = next(iter(change))
    assert out["safe_mode"] and not out["send_ok"] and out["read_ok"]
    assert out["features"][feature] == state
    [r] = out["reasons"]
    assert r["code"] == state and r["feature"] == feature and r["pt_BR"] and r["en"]
    assert "somente leitura" in out["summary_pt"] and "Read-only" in out["summary_en"]


def test_no_chat_open_keeps_sending_on_and_the_last_failed_check(core):
    """Issue 12, class 8: the sender opens the target chat first and checks the composer there."""
    out = selftest(core, ALL_OK_2026, chat_open=False)
    assert out["features"]["composer"] == "not_checked" and not out["safe_mode"]
    assert "Nenhuma conversa aberta" in out["summary_pt"] and "No conversation open" in out["summary_en"]
    # No way to find a chat: read-only.
    lost = selftest(core, {**ALL_OK_2026, "chat_row": {"matched": None}, "search_box": {"matched": None}}, chat_open=False)
    assert lost["safe_mode"] and any(r["feature"] == "chat_row" for r in lost["reasons"])
    # A check that failed with a chat open holds after the chat is closed, until one shows it fixed.
    assert selftest(core, {**ALL_OK_2026, "composer": {"matched": None}})["safe_mode"]
    assert selftest(core, ALL_OK_2026, chat_open=False)["safe_mode"]
    assert not selftest(core, ALL_OK_2026)["safe_mode"]
    assert not selftest(core, ALL_OK_2026, chat_open=False)["safe_mode"]


def test_capture_broken_is_said(core):
    out = selftest(core, {**ALL_OK_2026, "message_row": {"matched": None}})
    assert not out["read_ok"] and "incompleta" in out["summary_pt"]


def test_outcome_is_kept_for_the_sender(core, storage):
    import asyncio

    selftest(core, {**ALL_OK_2026, "composer": {"matched": None}})
    assert asyncio.run(storage.get("meta", "whatsapp.selftest"))["value"]["safe_mode"] is True


def test_generation_vote_2024(core):
    out = selftest(core, {
        "conversation_panel": {"matched": "#main", "count": 1},
        "message_row": {"matched": "#main div[data-id]", "count": 20},
        "composer": {"matched": '#main footer [contenteditable="true"][role="textbox"][data-lexical-editor="true"]', "count": 1},
        "send_button": {"matched": '#main footer button[aria-label="Send"]', "count": 1},
        "chat_row": {"matched": '#pane-side [role="listitem"]', "count": 60},
    })
    assert out["generation"] == "2024" and not out["safe_mode"]


def test_selftest_only_from_content(core):
    reply = call(core, "selftest.report", {"results": {}, "chat_open": False}, source="page")
    assert reply["error"]["code"] == "forbidden"


def test_an_override_replaces_the_table_until_cleared(core):
    from tests.core.conftest import call

    shipped = call(core, "selectors.get")["result"]
    broken = {**shipped, "features": {k: {**v, "candidates": [{"css": "#nope", "gens": []}]} for k, v in shipped["features"].items()}}
    assert call(core, "selectors.override", {"table": broken})["result"] == {"active": True}
    assert call(core, "selectors.get")["result"]["features"]["composer"]["candidates"][0]["css"] == "#nope"
    assert call(core, "selectors.override", {"table": None})["result"] == {"active": False}
    assert call(core, "selectors.get")["result"] == shipped
    assert call(core, "selftest.last")["result"] == {"outcome": None}
