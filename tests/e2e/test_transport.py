"""Pages and the content script reach the core directly (issue 16): the offscreen document
checks each sender by the service worker's own rule (extension/background/sender-check.js), stamps the
source itself, and the worker's relay remains for when no document answers."""

from __future__ import annotations

import json

import pytest

from tests import browser
from tests.conftest import open_whatsapp

pytestmark = pytest.mark.e2e

# The reply as it crossed (a request sent as JSON text is answered in JSON text), and decoded.
DIRECT = "async m => { const r = await chrome.runtime.sendMessage(m); return [typeof r, typeof r === 'string' ? JSON.parse(r) : r]; }"


def direct(page, request):
    kind, reply = page.evaluate(DIRECT, {"to": "core-direct", "request": request})
    assert kind == ("string" if isinstance(request, str) else "object"), (kind, reply)
    return reply


def test_a_direct_request_is_answered_by_the_core(core_page):
    reply = direct(core_page, {"id": "d1", "type": "core.ping", "args": {"echo": "direto ✓"}})
    assert reply == {"id": "d1", "ok": True, "result": reply["result"]} and reply["result"]["echo"] == "direto ✓"


def test_a_direct_request_cannot_choose_its_source(core_page):
    # A page claiming to be the WhatsApp tab is still a page: a content-only command is refused.
    batch = {"chat": {"key": "5511911112222@c.us", "title": "X"}, "nodes": [], "observed_at": 1.0}
    claim = {"id": "d2", "type": "capture.batch", "args": batch, "source": "content", "tab_id": 7}
    for request in (claim, json.dumps(claim)):  # as an object, and as the client sends it: JSON text
        reply = direct(core_page, request)
        assert reply["ok"] is False and reply["error"]["code"] == "forbidden", reply
        assert "page" in reply["error"]["message"]


@pytest.mark.parametrize(
    "request_, code",
    [
        ({"type": "core.ping"}, "invalid_message"),
        ({"id": "x", "type": "no.such"}, "unknown_command"),
        ({"id": "x", "type": "core.ping", "args": {"echo": 1}}, "invalid_args"),
        ("hello", "invalid_message"),
        ('{"id": "x", "type": "core.ping"', "invalid_message"),  # JSON text cut short
        ("[1, 2]", "invalid_message"),
        ('{"id": "x", "type": "no.such"}', "unknown_command"),
    ],
)
def test_malformed_direct_requests_get_structured_errors(core_page, request_, code):
    reply = direct(core_page, request_)
    assert reply["ok"] is False and reply["error"]["code"] == code, reply
    assert browser.core_call(core_page, "core.ping")["ok"]


def test_the_one_sender_rule_refuses_every_foreign_sender(core_page):
    # The function both the worker and the offscreen document call, with Chrome-shaped senders.
    verdicts = core_page.evaluate(
        """async () => {
            const { stampRequest } = await import("/extension/background/sender-check.js");
            const own = chrome.runtime.id, base = chrome.runtime.getURL("");
            const req = {id: "r", type: "core.ping", args: {}, source: "content", tab_id: 99};
            const cases = {
                other_extension: {id: "abcdefghijklmnopabcdefghijklmnop", url: "chrome-extension://abcdefghijklmnopabcdefghijklmnop/x.html"},
                no_id: {url: base + "extension/pages/options/options.html"},
                content_elsewhere: {id: own, tab: {id: 3}, url: "https://evil.example/", origin: "https://evil.example"},
                content_lookalike: {id: own, tab: {id: 3}, url: "https://web.whatsapp.com.evil.example/"},
                offscreen_itself: {id: own, url: base + "extension/offscreen/offscreen.html"},
                page: {id: own, url: base + "extension/pages/options/options.html"},
                page_in_tab: {id: own, tab: {id: 4}, url: base + "extension/pages/sidepanel/sidepanel.html"},
                content: {id: own, tab: {id: 5}, url: "https://web.whatsapp.com/"},
            };
            const out = {};
            for (const [name, sender] of Object.entries(cases)) {
                const s = stampRequest(req, sender);
                out[name] = s && "request" in s ? [s.request.source, s.request.tab_id] : s;
            }
            out.not_an_object = stampRequest("x", cases.page);
            const text = stampRequest(JSON.stringify(req), cases.content);
            out.text = [text.request.source, text.request.tab_id, text.text];
            out.text_foreign = stampRequest(JSON.stringify(req), cases.content_elsewhere);
            return out;
        }"""
    )
    for foreign in ("other_extension", "no_id", "content_elsewhere", "content_lookalike", "offscreen_itself"):
        assert verdicts[foreign] is None, (foreign, verdicts[foreign])
    assert verdicts["page"] == ["page", None]
    assert verdicts["page_in_tab"] == ["page", None]
    assert verdicts["content"] == ["content", 5]
    assert verdicts["not_an_object"] == {"invalid": True, "text": True}
    assert verdicts["text"] == ["content", 5, True]  # JSON text is stamped by the same rule
    assert verdicts["text_foreign"] is None


def test_without_a_document_the_worker_recreates_it_and_relays(ext, core_page):
    context, _ = ext
    worker = next(w for w in context.service_workers if w.url.startswith("chrome-extension://"))
    worker.evaluate("() => chrome.offscreen.closeDocument()")
    reply = core_page.evaluate("() => MettriCore.request('core.ping', {echo: 'de volta'}, {timeoutMs: 120000})")
    assert reply["ok"] and reply["result"]["echo"] == "de volta", reply
    assert worker.evaluate(
        "async () => (await chrome.runtime.getContexts({contextTypes: ['OFFSCREEN_DOCUMENT']})).length"
    ) == 1


def test_the_content_script_reaches_the_core_directly_as_itself(ext, core_page, routed):
    # A real content script in a WhatsApp tab: the offscreen document stamps "content" and the
    # tab's real id from Chrome's sender, whatever the request claims.
    context, _ = ext
    wa = open_whatsapp(context)
    world = browser.content_script_world(wa)
    worker = next(w for w in context.service_workers if w.url.startswith("chrome-extension://"))
    tab_ids = worker.evaluate("async () => (await chrome.tabs.query({url: 'https://web.whatsapp.com/*'})).map(t => t.id)")
    reply = world.evaluate(
        """chrome.runtime.sendMessage({to: "core-direct",
            request: {id: "c1", type: "tabs.hello", args: {}, source: "page", tab_id: 424242}})"""
    )
    wa.close()
    assert reply["id"] == "c1" and reply["ok"], reply
    assert int(reply["result"]["tab_id"]) in tab_ids and reply["result"]["tab_id"] != "424242"
