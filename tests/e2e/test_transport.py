"""Pages and the content script reach the core directly (issue 16): on the line each holds to the
offscreen document once it said hello (extension/offscreen/lines.js), by a runtime message before
that. The document checks each sender by the service worker's own rule
(extension/background/sender-check.js) and stamps the source itself; the worker's relay remains for
when no document answers. Events come on the lines, in order with the replies, and once."""

from __future__ import annotations

import json

import pytest

from tests import browser
from tests.conftest import open_whatsapp

pytestmark = pytest.mark.e2e

# The reply as it crossed (a request sent as JSON text is answered in JSON text), and decoded.
DIRECT = "async m => { const r = await chrome.runtime.sendMessage(m); return [typeof r, typeof r === 'string' ? JSON.parse(r) : r]; }"


def service_worker(context):
    return next(w for w in context.service_workers if w.url.startswith("chrome-extension://"))


def whatsapp_tab(context):
    """A WhatsApp tab, its content script's world, and the ids of every WhatsApp tab (the worker's)."""
    wa = open_whatsapp(context)
    world = browser.content_script_world(wa)
    tab_ids = service_worker(context).evaluate(
        "async () => (await chrome.tabs.query({url: 'https://web.whatsapp.com/*'})).map(t => t.id)")
    return wa, world, tab_ids


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
    worker = service_worker(context)
    worker.evaluate("() => chrome.offscreen.closeDocument()")
    reply = core_page.evaluate("() => MettriCore.request('core.ping', {echo: 'de volta'}, {timeoutMs: 120000})")
    assert reply["ok"] and reply["result"]["echo"] == "de volta", reply
    assert worker.evaluate(
        "async () => (await chrome.runtime.getContexts({contextTypes: ['OFFSCREEN_DOCUMENT']})).length"
    ) == 1
    # The page's line dropped with the old document; it comes back on the new one.
    assert core_page.evaluate(UNTIL_LIVE) >= 0
    reply = core_page.evaluate(ON_LINE_ONLY, ["core.ping", {"echo": "linha nova"}])
    assert reply["ok"] and reply["result"]["echo"] == "linha nova", reply


def test_a_request_on_a_line_whose_document_closes_is_answered_and_never_sent_again(ext, core_page):
    context, _ = ext
    worker = service_worker(context)
    # A new document whose core is still starting (a second or more): a request there waits for it.
    worker.evaluate("""async () => { await chrome.offscreen.closeDocument();
        await chrome.offscreen.createDocument({url: "extension/offscreen/offscreen.html", reasons: ["WORKERS"],
                                               justification: "test: a document closed under a request"}); }""")
    asked = core_page.evaluate("""async () => {
        const first = MettriCore.request("core.ping", {echo: "primeiro"}, {timeoutMs: 120000}); // opens the line
        while (!MettriCore.lineLive()) await new Promise((r) => setTimeout(r, 5));
        window.__onLine = MettriCore.request("core.ping", {echo: "na linha"}, {timeoutMs: 120000});
        window.__first = first;
        const state = await chrome.runtime.sendMessage({to: "core", request: {id: "s", type: "core.boot_state", args: {}}});
        return state.result.stage;
    }""")
    assert asked != "ready", asked  # the core was still starting when the request went on the line
    worker.evaluate("() => chrome.offscreen.closeDocument()")
    reply = core_page.evaluate("() => window.__onLine")
    assert reply["ok"] is False and reply["error"]["code"] == "not_ready", reply
    assert reply["error"]["message"] == "the core closed while answering", reply
    first = core_page.evaluate("() => window.__first")
    assert first["ok"] or first["error"]["code"] == "not_ready", first
    # The next request makes the document again, through the worker.
    again = core_page.evaluate("() => MettriCore.request('core.ping', {echo: 'de novo'}, {timeoutMs: 120000})")
    assert again["ok"] and again["result"]["echo"] == "de novo", again


def test_the_content_script_reaches_the_core_directly_as_itself(ext, core_page, routed):
    # A real content script in a WhatsApp tab: the offscreen document stamps "content" and the
    # tab's real id from Chrome's sender, whatever the request claims.
    context, _ = ext
    wa, world, tab_ids = whatsapp_tab(context)
    reply = world.evaluate(
        """chrome.runtime.sendMessage({to: "core-direct",
            request: {id: "c1", type: "tabs.hello", args: {}, source: "page", tab_id: 424242}})"""
    )
    wa.close()
    assert reply["id"] == "c1" and reply["ok"], reply
    assert int(reply["result"]["tab_id"]) in tab_ids and reply["result"]["tab_id"] != "424242"


# Lines (extension/offscreen/lines.js): a port each page and content script holds to the document.
# Ask until the line is live: each ask is a real round trip, and the document's hello comes within a few.
UNTIL_LIVE = """async () => {
    for (let i = 0; i < 200; i++) {
        if (MettriCore.lineLive()) return i;
        const r = await MettriCore.request("core.ping", {echo: "até a linha"});
        if (!r.ok) throw new Error(JSON.stringify(r));
    }
    return -1;
}"""
# With chrome.runtime.sendMessage broken, only the line can carry a request.
ON_LINE_ONLY = """async ([type, args]) => {
    const real = chrome.runtime.sendMessage;
    chrome.runtime.sendMessage = () => Promise.reject(new Error("runtime messages are off in this test"));
    try { return await MettriCore.request(type, args); } finally { chrome.runtime.sendMessage = real; }
}"""
# A line opened by hand: what the document says on it, and its answer to a request written raw.
RAW_LINE = """async (request) => {
    const port = chrome.runtime.connect({name: "mettri-core"});
    const said = [];
    const reply = await new Promise((resolve) => port.onMessage.addListener((m) => {
        said.push(Object.keys(m).sort().join(","));
        if ("hello" in m) port.postMessage({request: JSON.stringify(request)});
        if ("reply" in m) resolve(JSON.parse(m.reply));
    }));
    port.disconnect();
    return {said, reply};
}"""


def test_a_page_asks_on_its_line_once_the_document_said_hello(core_page):
    assert core_page.evaluate(UNTIL_LIVE) >= 0
    reply = core_page.evaluate(ON_LINE_ONLY, ["core.ping", {"echo": "pela linha ✓"}])
    assert reply["ok"] and reply["result"]["echo"] == "pela linha ✓", reply
    # Stamped from the port's sender, whatever the request claims: a page is a page.
    claim = {"id": "l1", "type": "capture.batch", "source": "content", "tab_id": 7,
             "args": {"chat": {"key": "5511911112222@c.us", "title": "X"}, "nodes": [], "observed_at": 1.0}}
    raw = core_page.evaluate(RAW_LINE, claim)
    assert raw["said"][0] == "hello", raw
    assert raw["reply"]["id"] == "l1" and raw["reply"]["error"]["code"] == "forbidden", raw


def test_the_content_script_asks_on_its_line_as_its_own_tab(ext, core_page, routed):
    context, _ = ext
    wa, world, tab_ids = whatsapp_tab(context)
    assert world.evaluate(f"({UNTIL_LIVE})()") >= 0
    ping = world.evaluate(f"({ON_LINE_ONLY})(['core.ping', {{echo: 'aba'}}])")
    raw = world.evaluate(f"({RAW_LINE})({json.dumps({'id': 'c2', 'type': 'tabs.hello', 'args': {}, 'source': 'page', 'tab_id': 424242})})")
    wa.close()
    assert ping["ok"] and ping["result"]["echo"] == "aba", ping
    assert raw["reply"]["id"] == "c2" and raw["reply"]["ok"], raw
    assert int(raw["reply"]["result"]["tab_id"]) in tab_ids and raw["reply"]["result"]["tab_id"] != "424242"


def test_a_line_is_refused_to_every_foreign_sender(core_page):
    # The document's own acceptance (lines.js), with Chrome-shaped ports: the sender rule of stampRequest.
    verdicts = core_page.evaluate(
        """async () => {
            const { makeLines, LINE_NAME } = await import("/extension/offscreen/lines.js");
            const own = chrome.runtime.id, base = chrome.runtime.getURL("");
            const answered = [];
            const lines = makeLines((request, text, reply) => { answered.push([request.source, request.tab_id, text]); reply("{}"); });
            const port = (name, sender) => {
                const p = {name, sender, said: [], cut: false, heard: [],
                           postMessage(m) { p.said.push(m); }, disconnect() { p.cut = true; },
                           onMessage: {addListener(fn) { p.heard.push(fn); }}, onDisconnect: {addListener() {}}};
                return p;
            };
            const senders = {
                other_extension: {id: "abcdefghijklmnopabcdefghijklmnop", url: "chrome-extension://abcdefghijklmnopabcdefghijklmnop/x.html"},
                content_elsewhere: {id: own, tab: {id: 3}, url: "https://evil.example/"},
                content_lookalike: {id: own, tab: {id: 3}, url: "https://web.whatsapp.com.evil.example/"},
                offscreen_itself: {id: own, url: base + "extension/offscreen/offscreen.html"},
                page: {id: own, url: base + "extension/pages/sidepanel/sidepanel.html"},
                content: {id: own, tab: {id: 5}, url: "https://web.whatsapp.com/"},
            };
            const out = {}, ports = {};
            for (const [name, sender] of Object.entries(senders)) {
                const p = ports[name] = port(LINE_NAME, sender);
                const took = lines.accept(p);
                for (const fn of p.heard) fn({request: JSON.stringify({id: "r", type: "core.ping", args: {}, source: "content", tab_id: 99})});
                out[name] = {took, cut: p.cut, hello: p.said.some((m) => m.hello === true)};
            }
            const other = port("mettri-tab:x", senders.page);
            out.other_name = {took: lines.accept(other), cut: other.cut};
            out.on_line = [lines.publish({event: "core.boot", data: {}}, "k-1"),
                           lines.publish({event: "messages.captured", data: {}}, "k-2")];
            out.answered = answered;
            const to = (key) => Object.entries(ports).filter(([, p]) => p.said.some((m) => m.key === key)).map(([n]) => n);
            out.event_to = to("k-1");
            out.untold_event_to = to("k-2");
            return out;
        }"""
    )
    for foreign in ("other_extension", "content_elsewhere", "content_lookalike", "offscreen_itself"):
        assert verdicts[foreign] == {"took": False, "cut": True, "hello": False}, (foreign, verdicts[foreign])
    assert verdicts["page"] == {"took": True, "cut": False, "hello": True}
    assert verdicts["content"] == {"took": True, "cut": False, "hello": True}
    assert verdicts["other_name"] == {"took": False, "cut": False}  # another port: not the document's to take
    assert verdicts["answered"] == [["page", None, True], ["content", 5, True]]  # only the two taken, each as itself
    assert verdicts["event_to"] == ["page", "content"]  # events go on every line taken, and only there
    assert verdicts["untold_event_to"] == ["page"]  # one the content script does not hear: pages only
    assert verdicts["on_line"] == [[5], []]  # the tabs whose line carried it: the worker's relay skips them


def test_a_page_hears_the_event_of_its_own_write_before_the_reply_and_once(core_page):
    """A page's reply never overtakes the event its write caused (both come on its line, in order),
    and the broadcast's copy of each event is dropped."""
    out = core_page.evaluate(
        """async (n) => {
            const heard = [], copies = new Set();
            MettriCore.onEvent((e) => { if (e.event === "crm.changed" && e.data.defs) heard.push(e.data.seq); });
            // The broadcast's copies, as they reach this page (after MettriCore's own listener).
            let copiesDone = null;
            chrome.runtime.onMessage.addListener((m) => {
                if (m && m.to === "broadcast" && m.envelope.event === "crm.changed" && m.envelope.data.defs) {
                    copies.add(m.envelope.data.seq);
                    if (copiesDone && copies.size >= n) copiesDone();
                }
                return false;
            });
            for (let i = 0; i < 20 && !MettriCore.lineLive(); i++) await MettriCore.request("core.ping");
            const suffix = Math.random().toString(36).slice(2, 7);
            const before = [], made = [];
            for (let i = 0; i < n; i++) {
                const count = heard.length;
                const tag = await MettriApi.crm.tag.create({label: `Linha ${suffix} ${i}`});
                before.push(heard.length - count);
                made.push(tag);
            }
            await new Promise((resolve) => { copiesDone = resolve; if (copies.size >= n) resolve(); });
            const out = {before, heard: heard.length, copies: copies.size, distinct: new Set(heard).size};
            for (const tag of made) await MettriApi.crm.tag.delete({id: tag.id, version: tag.version});
            return out;
        }""",
        10,
    )
    assert out["before"] == [1] * 10, out  # each write's event was heard before its reply resolved
    assert out["copies"] >= 10 and out["heard"] == out["distinct"] == 10, out  # the copies came, and were dropped


def test_the_worker_relays_to_whatsapp_tabs_only_the_events_they_hear(core_page):
    """The worker's relay (router.relayEventToTabs) sends a tab an event of MettriProtocol.tab_events
    and nothing else: a capture batch's messages.captured never reaches WhatsApp's main thread. A tab
    whose line carried the event is left out."""
    sent = core_page.evaluate(
        """async () => {
            const { relayEventToTabs } = await import("/extension/background/router.js");
            const sent = [], query = chrome.tabs.query, sendMessage = chrome.tabs.sendMessage;
            chrome.tabs.query = async () => [{id: 7}, {id: 8}];
            chrome.tabs.sendMessage = async (id, m) => { sent.push([id, m.envelope.event, m.key]); };
            try {
                for (const [event, key] of [["messages.captured", "k-1"], ["tabs.role", "k-2"], ["search.progress", "k-3"], ["outbox.due", "k-4"]])
                    await relayEventToTabs({event, data: {}}, key);
                await relayEventToTabs({event: "tabs.role", data: {}}, "k-5", [8]);  // tab 8 got it on its line
            } finally {
                Object.assign(chrome.tabs, {query, sendMessage});
            }
            return sent;
        }"""
    )
    assert sent == [[7, "tabs.role", "k-2"], [8, "tabs.role", "k-2"], [7, "outbox.due", "k-4"], [8, "outbox.due", "k-4"],
                    [7, "tabs.role", "k-5"]]


def test_the_content_script_hears_the_event_of_its_own_write_before_the_reply(ext, core_page, routed):
    """Events come on the content script's line too, in order with its replies, and the broadcast
    names the tabs whose line carried each one, so the worker's relay skips them (one hop more, and
    the worker may be asleep): the relay's own choice is tested above."""
    context, _ = ext
    wa = open_whatsapp(context)
    world = browser.content_script_world(wa)
    # The broadcasts of capture.chat_opened, as a page hears them: their `lines`.
    core_page.evaluate("""() => { window.__opened = [];
        window.__hearOpened = (m) => {
            if (m && m.to === "broadcast" && m.envelope.event === "capture.chat_opened") __opened.push([m.envelope.data.title, m.lines]);
            return false; };
        chrome.runtime.onMessage.addListener(__hearOpened); }""")
    out = world.evaluate("""(async () => {
        for (let i = 0; i < 50 && !MettriCore.lineLive(); i++) await MettriCore.request("core.ping");
        const heard = [];
        MettriCore.onEvent((e) => { if (e.event === "capture.chat_opened") heard.push(e.data.title); });
        const suffix = Math.random().toString(36).slice(2, 7), writes = [];
        for (let i = 0; i < 5; i++) {
            const n = heard.length;
            // A batch naming another open chat (no rows): the core tells capture.chat_opened.
            const result = await MettriApi.capture.batch({chat: {title: `Linha ${suffix} ${i}`, jid: `55119${suffix.length}7${i}0000@c.us`},
                nodes: [], hidden: false, observed_at: Date.now() / 1000, locale: "pt-BR", utc_offset_min: -180});
            writes.push({result, heard: heard.slice(n)});
        }
        return {writes, suffix};
    })()""")
    own_tab = world.evaluate(f"({RAW_LINE})({json.dumps({'id': 'c3', 'type': 'tabs.hello', 'args': {}, 'source': 'content'})})")
    broadcasts = core_page.evaluate("""async (suffix) => {
        while (__opened.filter(([title]) => title.includes(suffix)).length < 5) await new Promise((r) => setTimeout(r, 20));
        chrome.runtime.onMessage.removeListener(__hearOpened);  // the page is shared with later tests
        return __opened.filter(([title]) => title.includes(suffix));
    }""", out["suffix"])
    wa.close()
    for i, write in enumerate(out["writes"]):
        assert write["result"]["new"] == 0, write
        # Its own event, before its reply, and no copy of an earlier one since.
        assert [t for t in write["heard"] if out["suffix"] in t] == [f"Linha {out['suffix']} {i}"], (i, out)
    tab_id = int(own_tab["reply"]["result"]["tab_id"])
    for title, lines in broadcasts:
        assert tab_id in lines, (title, lines, tab_id)  # the relay leaves this tab out
