"""The foundation, end to end: the built extension boots its Python core in an
offscreen document and answers the typed protocol from extension pages."""

from __future__ import annotations

import pytest

from tests import browser

pytestmark = pytest.mark.e2e


def test_core_boots_in_stages_and_reports_versions(core_page):
    state = browser.wait_core_ready(core_page)
    assert state["stage"] == "ready"
    assert set(state["stages"]) == {"runtime", "packages", "core"}
    status = browser.core_call(core_page, "core.status")
    assert status["ok"], status
    assert status["result"]["python"].startswith("3.14")
    assert status["result"]["core_version"] == "0.1.0"


def test_ping_round_trip_from_a_page(core_page):
    reply = browser.core_call(core_page, "core.ping", {"echo": "ação ✓"})
    assert reply["ok"] and reply["result"]["echo"] == "ação ✓"


@pytest.mark.parametrize(
    "message, code",
    [
        ({"to": "core", "request": {"type": "core.ping"}}, "invalid_message"),
        ({"to": "core", "request": {"id": "x", "type": "no.such"}}, "unknown_command"),
        ({"to": "core", "request": {"id": "x", "type": "core.ping", "args": {"echo": 1}}}, "invalid_args"),
        ({"to": "core", "request": "hello"}, "invalid_message"),
    ],
)
def test_malformed_messages_get_structured_errors_and_core_survives(core_page, message, code):
    reply = core_page.evaluate("async m => { const r = await chrome.runtime.sendMessage(m); return typeof r === 'string' ? JSON.parse(r) : r; }", message)
    assert reply["ok"] is False and reply["error"]["code"] == code, reply
    assert browser.core_call(core_page, "core.ping")["ok"]


def test_a_page_cannot_address_the_offscreen_core_directly(core_page):
    # Only the service worker may talk to the offscreen document (it stamps the source).
    reply = core_page.evaluate(
        """() => new Promise(resolve => {
            chrome.runtime.sendMessage({to: "offscreen", request: {id: "x", type: "core.ping", source: "content"}})
              .then(r => resolve({answered: r !== undefined}), e => resolve({answered: false, error: String(e)}));
        })"""
    )
    assert reply["answered"] is False
