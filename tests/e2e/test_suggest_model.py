"""Suggestions from a language model in the real extension, against an OpenAI-compatible test server
started here (/v1/chat/completions): off, nothing is requested even with an address saved; turned on
in the options page (address, model, key), the offscreen document asks the server with the key,
the model's replies appear in the bar labelled "Sugerido pelo modelo" beside the local one, and the
key never reaches IndexedDB; an error status and a reply slower than the timeout leave the local
reply with a note. Chrome's built-in model is detected as unavailable in this Chromium."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests import browser
from tests.conftest import wait_for
from tests.e2e.a11y import serious_violations
from tests.e2e.sending_support import call, sending_tab, sent_log

pytestmark = pytest.mark.e2e

KEY = "sk-mettri-test-9f2c41d07b"
REPLIES = ["Temos sim, de fubá com goiabada!", "Posso separar um para você?"]


class ModelServer:
    """A chat-completions server: the request's "model" picks the behaviour (good, broken, slow)."""

    def __init__(self) -> None:
        self.log: list[dict] = []
        self.release = threading.Event()  # the slow model answers only when the test is over
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def cors(self):
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Allow-Headers", "authorization, content-type")
                self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")

            def do_OPTIONS(self):
                self.send_response(204)
                self.cors()
                self.end_headers()

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                server.log.append({"path": self.path, "authorization": self.headers.get("Authorization"), "body": body})
                if body.get("model") == "slow":
                    server.release.wait(60)
                if body.get("model") == "broken":
                    status, payload = 500, {"error": {"message": "overloaded"}}
                else:
                    content = json.dumps(REPLIES, ensure_ascii=False)
                    status, payload = 200, {"id": "c1", "object": "chat.completion", "model": body.get("model"),
                                            "choices": [{"index": 0, "finish_reason": "stop",
                                                         "message": {"role": "assistant", "content": content}}]}
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.cors()
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the extension gave up (timeout) and closed the connection
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()


@pytest.fixture
def model_server(core_page):
    server = ModelServer()
    yield server
    # Off again for the other tests of this shared browser, the key gone.
    call(core_page, "suggestion.model.set", {"values": {"enabled": False, "endpoint": "", "model": "", "timeout_s": 8}})
    core_page.evaluate("() => chrome.storage.local.clear()")
    server.close()


def idb_dump(page) -> str:
    """Every record of every store of the core's IndexedDB, as one JSON text; bytes (the search
    snapshot's parts) as text too, one character per byte, so a key written in them shows."""
    return page.evaluate("""() => new Promise((resolve, reject) => {
        const open = indexedDB.open("mettri");
        open.onerror = () => reject(open.error);
        open.onsuccess = async () => {
            const db = open.result;
            const out = {};
            for (const name of db.objectStoreNames) {
                out[name] = await new Promise((res, rej) => {
                    const req = db.transaction(name).objectStore(name).getAll();
                    req.onsuccess = () => res(req.result);
                    req.onerror = () => rej(req.error);
                });
            }
            db.close();
            const latin1 = new TextDecoder("latin1");
            resolve(JSON.stringify(out, (k, v) => (v instanceof Uint8Array ? latin1.decode(v) : v)));
        };
    })""")


def ask(core_page, wa, chat_id: str, name: str, question: str) -> None:
    wa.evaluate("([id, name, q]) => { __replica.createChat({id, name}); __replica.openChat(id); __replica.deliver(id, {text: q}); }",
                [chat_id, name, question])


def bar(wa, model_state: str):
    """The bar once drawn for the model state the core decided (the explicit signal)."""
    locator = wa.locator(f"[data-mettri=suggestion][data-shown][data-model={model_state}]")
    locator.wait_for(state="attached", timeout=60_000)
    return locator


def template(core_page, word: str) -> dict:
    """A template only this test's question matches (its one word no other test's history holds)."""
    return call(core_page, "templates.save", {"label": word, "shortcut": f"llm{word.lower()}",
                                              "text": f"O {word.lower()} custa R$ 45."})


def test_off_nothing_is_requested_even_with_an_address_saved(routed, core_page, model_server):
    call(core_page, "suggestion.model.set", {"values": {"enabled": False, "endpoint": model_server.base, "model": "good"}})
    t = template(core_page, "Zabumbinha")
    _, tab = sending_tab(routed, core_page, "gen=2026&lang=pt-BR")
    ask(core_page, tab.page, "5511981200001@c.us", "Cláudia Zabumba", "Tem zabumbinha?")
    shown = bar(tab.page, "off")  # the engine decided: local replies only, the model not asked
    assert shown.locator(".reply[data-source=template]").count() == 1
    assert shown.locator("[data-source=model]").count() == 0
    assert model_server.log == []
    call(core_page, "templates.delete", {"id": t["id"], "version": t["version"]})
    tab.close()


def test_turned_on_in_the_options_page_the_model_replies_appear_labelled_and_the_key_stays_out_of_the_core(
        routed, core_page, model_server):
    context, ext_id = routed
    t = template(core_page, "Maracujina")
    clock, tab = sending_tab(routed, core_page, "gen=2026&lang=pt-BR")
    wa = tab.page
    chat = "5511981200002@c.us"
    wa.evaluate("([id]) => { __replica.createChat({id, name: 'Denise Maracujá'}); }", [chat])

    options = browser.open_page(context, ext_id)
    options.locator("#model[data-ready]").wait_for(timeout=60_000)
    # This Chromium has no built-in model: said plainly.
    assert options.locator("#llm-builtin").get_attribute("data-state") == "unavailable"
    ui_pt = options.evaluate("() => chrome.i18n.getUILanguage()").lower().startswith("pt")
    assert options.locator("#llm-builtin").inner_text() == (
        "Modelo do Chrome: indisponível neste navegador" if ui_pt else "Chrome's model: not available in this browser")
    options.locator("#llm-enabled").check()
    options.locator("#llm-endpoint").fill(model_server.base)
    options.locator("#llm-model").fill("good")
    options.locator("#llm-key").fill(KEY)
    options.locator("#llm-timeout").fill("20")
    options.locator("#llm-save").click()
    wait_for(lambda: options.locator("#llm-message").inner_text() in ("Salvo.", "Saved."), message="the settings saved")
    assert options.locator("#llm-key").input_value() == ""  # the key is not left on screen
    # The endpoint's origin is asked for at run time; not granted yet, the page says so.
    assert options.locator("#llm-permission").get_attribute("data-granted") == "false"
    assert "http://127.0.0.1/*" in options.locator("#llm-permission").inner_text()
    assert options.locator("#llm-allow").is_visible()
    assert serious_violations(options, "#model") == []

    ask(core_page, wa, chat, "Denise Maracujá", "Tem maracujina?")
    shown = bar(wa, "answered")
    [request] = model_server.log
    assert request["path"] == "/v1/chat/completions" and request["authorization"] == f"Bearer {KEY}"
    assert request["body"]["model"] == "good"
    system, user = request["body"]["messages"]
    assert "- Nome: Denise Maracujá" in system["content"]
    assert user["content"].splitlines()[-1] == "Cliente: Tem maracujina?"
    rows = shown.locator(".reply")
    assert [rows.nth(i).get_attribute("data-source") for i in range(rows.count())] == ["template", "model", "model"]
    model_row = rows.nth(1)
    assert model_row.locator(".source").inner_text() == ("Sugerido pelo modelo" if ui_pt else "Suggested by the model")
    assert model_row.locator(".text").inner_text() == REPLIES[0]
    text = shown.inner_text()
    assert not any(bad in text for bad in ("undefined", "null", "NaN", "{{")), text
    assert serious_violations(wa, "[data-mettri=suggestion]") == []

    # "What is sent" shows exactly that request for this chat.
    options.reload()  # the chat list is read when the page opens: now it holds this chat
    options.locator("#model[data-ready]").wait_for(timeout=60_000)
    options.locator("#llm-preview-chat").select_option(label="Denise Maracujá")
    options.locator("#llm-preview").click()
    options.locator("#llm-preview-out[data-ready]").wait_for()
    assert json.loads(options.locator("#llm-preview-body").text_content()) == request["body"]
    assert KEY not in options.locator("#model").inner_text()

    # The key is nowhere in the core's database (nor the backup made from it).
    assert KEY not in idb_dump(core_page)
    # Nothing went out while the suggestions waited.
    assert all(s["text"] not in REPLIES for s in sent_log(wa))
    call(core_page, "templates.delete", {"id": t["id"], "version": t["version"]})
    options.close()
    tab.close()


@pytest.mark.parametrize(("model", "timeout_s", "note_pt", "note_en"), [
    ("broken", 20, "HTTP 500", "HTTP 500"),
    ("slow", 1, "O modelo não respondeu em 1 s", "The model did not answer within 1 s"),
])
def test_an_error_or_a_slow_model_leaves_the_local_reply_with_a_note(routed, core_page, model_server, model, timeout_s,
                                                                      note_pt, note_en):
    call(core_page, "suggestion.model.set", {"values": {"enabled": True, "endpoint": model_server.base, "model": model,
                                                        "timeout_s": timeout_s}})
    word = "Quindinzal" if model == "broken" else "Pamonhal"
    t = template(core_page, word)
    _, tab = sending_tab(routed, core_page, "gen=2026&lang=pt-BR")
    chat = "5511981200003@c.us" if model == "broken" else "5511981200004@c.us"
    ask(core_page, tab.page, chat, f"Elis {word}", f"Tem {word.lower()}?")
    shown = bar(tab.page, "failed")
    assert len(model_server.log) == 1
    assert [r.get_attribute("data-source") for r in shown.locator(".reply").all()] == ["template"]
    note = shown.locator(".model[data-model=failed]").inner_text()
    assert note_pt in note or note_en in note, note
    call(core_page, "templates.delete", {"id": t["id"], "version": t["version"]})
    tab.close()
