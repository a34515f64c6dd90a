"""The language-model source of suggestions: off by default (nothing is asked), the prompt holds the
open chat's recent conversation and the CRM card's facts and never a key, an OpenAI-compatible reply
becomes at most three replies labelled "model", and every failure (HTTP error, bad JSON, no choices,
a slow model) leaves the local suggestions standing with a note in both languages."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random

import pytest

from pycore.app import Core, Services
from pycore.suggest.model import candidates, chat_url, origin_pattern, parse_reply
from tests.core.conftest import run
from tests.core.crm_support import ANA, BIA, deal, err, field, messages, ok, tag, update
from tests.core.test_suggest import BRT, capture, pending

DAY = 86400.0


class FakeModel:
    """The JS port as the core sees it: records each request, answers what the test says."""

    def __init__(self, answer=None):
        self.requests: list[dict] = []
        self.answer = answer

    async def chat(self, request):
        self.requests.append(request)
        return self.answer


def completion(*contents, status=200):
    body = {"id": "x", "object": "chat.completion", "choices": [
        {"index": i, "message": {"role": "assistant", "content": c}, "finish_reason": "stop"} for i, c in enumerate(contents)]}
    return {"status": status, "body": json.dumps(body)}


@pytest.fixture
def model():
    return FakeModel(completion('["Temos sim! Quer que eu separe um para você?", "Posso mandar o cardápio completo."]'))


@pytest.fixture
def core(clock, storage, events, model):
    c = Core(Services(clock=clock, rng=random.Random(7), storage=storage, emit=events, model_client=model))
    run(c.start())
    return c


def turn_on(core, **extra):
    return ok(core, "suggestion.model.set", {"values": {"enabled": True, "endpoint": "http://127.0.0.1:8765/v1",
                                                         "model": "tiny", **extra}})


def bia_asks(core, clock, text="Vocês têm bolo de cenoura?", mid="Q1"):
    ok(core, "templates.save", {"label": "Bolo", "shortcut": "bolo", "text": "Nosso bolo de cenoura custa R$ 45."})
    capture(core, BIA, "Beatriz Lima", text, clock.now(), mid)
    [s] = pending(core, BIA)
    return s


def test_off_by_default_nothing_is_asked(core, clock, model, events):
    assert ok(core, "suggestion.model.get")["settings"]["enabled"] is False
    s = bia_asks(core, clock)
    assert s["model"] == "off" and [r["source"] for r in s["replies"]] == ["template"]
    assert model.requests == []
    assert [e["suggestion"]["model"] for e in events.of("suggestion.offered")] == ["off"]


def test_the_prompt_holds_the_conversation_and_the_card_and_the_model_replies_join_the_local_ones(core, clock, model, events):
    then = clock.now() - DAY
    messages(core, BIA, [(then, "in", "Oi, boa tarde"), (then + 60, "out", "Boa tarde, Beatriz! Como posso ajudar?")],
             title="Beatriz Lima")
    vip = tag(core, "VIP")
    city = field(core, "Cidade", "text")
    update(core, BIA, person_name="Beatriz Lima", add_tags=[vip], fields={city["id"]: "Niterói"})
    stages = ok(core, "crm.defs")["pipelines"][0]["stages"]
    deal(core, BIA, stage=stages[1]["id"])
    result = turn_on(core)
    assert result["url"] == "http://127.0.0.1:8765/v1/chat/completions" and result["origin"] == "http://127.0.0.1/*"

    s = bia_asks(core, clock)
    [request] = model.requests
    assert request["url"] == "http://127.0.0.1:8765/v1/chat/completions" and request["timeout_ms"] == 8000
    body = json.loads(request["body"])
    assert body["model"] == "tiny" and body["messages"] == request["messages"]
    system, user = body["messages"]
    assert system["role"] == "system" and user["role"] == "user"
    for fact in ("- Nome: Beatriz Lima", "- Etapa: Em conversa", "- Etiquetas: VIP", "- Cidade: Niterói"):
        assert fact in system["content"], system["content"]
    assert user["content"].splitlines()[1:] == ["Cliente: Oi, boa tarde", "Você: Boa tarde, Beatriz! Como posso ajudar?",
                                                 "Cliente: Vocês têm bolo de cenoura?"]
    # The preview shows exactly that request.
    preview = ok(core, "suggestion.model.preview", {"chat": BIA})
    assert preview["body"] == request["body"] and preview["url"] == request["url"]

    # Local replies first ("asking"), then with the model's, each labelled.
    offered = [e["suggestion"] for e in events.of("suggestion.offered")]
    assert [o["model"] for o in offered] == ["asking", "answered"]
    assert [r["source"] for r in offered[0]["replies"]] == ["template"]
    assert [(r["source"], r["text"]) for r in s["replies"]] == [
        ("template", "Nosso bolo de cenoura custa R$ 45."),
        ("model", "Temos sim! Quer que eu separe um para você?"),
        ("model", "Posso mandar o cardápio completo."),
    ]
    assert s["note"] is None
    # Offering sends nothing.
    assert ok(core, "outbox.list", {"limit": 10})["entries"] == []


def failing(core, clock, model, answer, mid):
    model.answer = answer
    turn_on(core)
    return bia_asks(core, clock, mid=mid)


@pytest.mark.parametrize(("answer", "code", "pt_part", "en_part"), [
    ({"status": 500, "body": "oops"}, "model_http", "HTTP 500", "HTTP 500"),
    ({"status": 401, "body": "{}"}, "model_auth", "confira a chave", "check the key"),
    ({"status": 200, "body": "<html>"}, "model_bad_json", "formato", "format"),
    (completion(), "model_empty", "nenhuma resposta", "no reply"),
    ({"error": "timeout"}, "model_timeout", "8 s", "8 s"),
    ({"error": "network"}, "model_network", "127.0.0.1:8765", "127.0.0.1:8765"),
])
def test_a_failing_model_leaves_the_local_replies_with_a_note(core, clock, model, answer, code, pt_part, en_part):
    s = failing(core, clock, model, answer, "F1")
    assert s["model"] == "failed"
    assert [r["source"] for r in s["replies"]] == ["template"]
    assert s["note"]["code"] == code and pt_part in s["note"]["pt_BR"] and en_part in s["note"]["en"], s["note"]


def test_a_model_slower_than_the_timeout_times_out_into_the_local_replies(core, clock, model):
    """The port keeps the user's timeout (it aborts the request and answers "timeout")."""
    model.answer = {"error": "timeout"}
    turn_on(core, timeout_s=0.5)
    s = bia_asks(core, clock)
    [request] = model.requests
    assert request["timeout_ms"] == 500
    assert s["model"] == "failed" and s["note"]["code"] == "model_timeout"
    assert "0,5 s" in s["note"]["pt_BR"] and "0.5 s" in s["note"]["en"]  # each language's decimal mark
    assert [r["source"] for r in s["replies"]] == ["template"]


def test_a_port_that_hangs_past_the_timeout_loses_the_model_not_the_local_replies(core, clock, model):
    async def hangs(request):
        model.requests.append(request)
        await asyncio.Event().wait()  # never answers

    model.chat = hangs
    turn_on(core, timeout_s=0.5)
    s = bia_asks(core, clock)
    assert len(model.requests) == 1
    assert s["model"] == "failed" and s["note"]["code"] == "model_timeout"
    assert [r["source"] for r in s["replies"]] == ["template"]


def test_a_broken_port_is_a_failed_model_never_a_failed_capture(core, clock, model):
    async def broken(request):
        raise RuntimeError("port gone")

    model.chat = broken
    turn_on(core)
    s = bia_asks(core, clock)
    assert s["model"] == "failed" and s["note"]["code"] == "model_network"
    assert ok(core, "messages.list", {"chat": BIA})["messages"][-1]["text"] == "Vocês têm bolo de cenoura?"


def test_a_dismissed_suggestion_is_not_brought_back_by_a_late_model(core, clock, model):
    turn_on(core)
    gate = asyncio.Event()
    answer = model.answer

    async def slow(request):
        model.requests.append(request)
        await gate.wait()
        return answer

    model.chat = slow
    ok(core, "templates.save", {"label": "Bolo", "shortcut": "bolo", "text": "Nosso bolo de cenoura custa R$ 45."})

    when = dt.datetime.fromtimestamp(clock.now(), BRT)

    async def go():
        node = {"data_id": f"false_{BIA}_D1", "classes": ["message-in"], "text": "Vocês têm bolo de cenoura?",
                "pre_plain_text": f"[{when:%H:%M}, {when:%d/%m/%Y}] Beatriz Lima: "}
        await core.handle({"id": "c", "type": "capture.batch", "source": "content", "args": {
            "chat": {"title": "Beatriz Lima", "jid": BIA}, "nodes": [node], "observed_at": clock.now(),
            "locale": "pt-BR", "utc_offset_min": -180}})
        while not model.requests:  # the local replies are offered before the model is asked
            await asyncio.sleep(0)
        [s] = [x for x in (await core.handle({"id": "p", "type": "suggestion.pending", "args": {}, "source": "page"}))
               ["result"]["suggestions"] if x["chat"] == BIA]
        assert s["model"] == "asking"
        await core.handle({"id": "d", "type": "suggestion.dismiss", "args": {"chat": BIA}, "source": "page"})
        gate.set()
        await core.drain()

    run(go())
    assert pending(core, BIA) == []


def test_settings_refuse_a_key_and_an_unsafe_address(core):
    code, d = err(core, "suggestion.model.set", {"values": {"endpoint": "http://example.com/v1"}})
    assert code == "invalid_args" and "https://" in d["pt_BR"] and "https://" in d["en"]
    code, _ = err(core, "suggestion.model.set", {"values": {"api_key": "sk-secret"}})
    assert code == "invalid_args"
    ok(core, "suggestion.model.set", {"values": {"endpoint": "https://api.example.com/v1/chat/completions", "model": "m"}})
    stored = run(core.storage.get("meta", "suggest.model"))["value"]
    assert "key" not in json.dumps(stored).lower()
    assert stored["endpoint"] == "https://api.example.com/v1/chat/completions"


def test_reply_parsing():
    assert chat_url("https://h/v1/") == "https://h/v1/chat/completions"
    assert origin_pattern("http://localhost:11434/v1/chat/completions") == "http://localhost/*"
    assert candidates('```json\n["a", "b"]\n```') == ["a", "b"]
    assert candidates('{"replies": ["x"]}') == ["x"]
    assert candidates("1. Olá!\n2) Tudo bem?\n- Pode ser") == ["Olá!", "Tudo bem?", "Pode ser"]
    assert candidates("Só uma resposta.\nEm duas linhas.") == ["Só uma resposta.\nEm duas linhas."]
    assert candidates("   ") == []
    replies, note = parse_reply(200, json.dumps({"choices": [{"message": {"content": '["a","b","a","c","d"]'}}]}))
    assert replies == ["a", "b", "c"] and note is None
    assert parse_reply(200, json.dumps({"choices": "x"}))[1].code == "model_bad_json"
    assert parse_reply(200, json.dumps({"choices": [{"message": {"content": None}}]}))[1].code == "model_empty"
    # Nested thousands deep (it would crash the parser inside Pyodide): refused before parsing.
    assert parse_reply(200, "[" * 5000)[1].code == "model_bad_json"
    deep = json.dumps({"choices": [{"message": {"content": "[" * 900 + "]" * 900}}]})
    assert parse_reply(200, deep) == (["[" * 900 + "]" * 900], None)  # not JSON it can use: the text itself
    assert parse_reply(429, "")[1].code == "model_http"
