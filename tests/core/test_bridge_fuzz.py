"""A seeded fuzz run of the bridge: hostile inputs through the core's one entry point
(``handle_json``, as the offscreen document calls it). Every input gets a structured reply
JavaScript can parse, and the store stays sound. Inside Pyodide the run is shorter."""

from __future__ import annotations

import asyncio
import json
import random
import sys

from pycore.app import Core, Services
from pycore.clock import FakeClock
from pycore.protocol import COMMANDS
from pycore.protocol.base import ErrorCode
from pycore.protocol.records import ChatRecord, MessageRecord
from pycore.storage.memory import MemoryStorage

RUNS = 300 if sys.platform == "emscripten" else 3000
CODES = set(ErrorCode.__args__)
NAMES = sorted(COMMANDS)


def hostile_string(rng: random.Random) -> str:
    pick = rng.randrange(8)
    if pick == 0:
        return "a\ud800b" if rng.random() < 0.5 else "\udfff" * rng.randint(1, 3)  # lone surrogates
    if pick == 1:
        return "😀" * rng.randint(1, 3000)
    if pick == 2:
        return "\u202e" + "x" * rng.randint(0, 600) + "\u200f\t\n"
    if pick == 3:
        return "title:" + " " * rng.randint(0, 3)
    if pick == 4:
        return "".join(chr(rng.randint(0, 0x2FFFF)) for _ in range(rng.randint(0, 40)) if not 0xD800 <= rng.randint(0, 1) * 0xD800 < 0xE000)
    if pick == 5:
        return "5511" + str(rng.randint(0, 10**9)) + "@c.us"
    if pick == 6:
        return "title:" + "N" * rng.randint(490, 520)
    return "x" * rng.randint(0, 70_000)


def hostile_value(rng: random.Random, depth: int = 0):
    pick = rng.randrange(12)
    if pick == 0:
        return hostile_string(rng)
    if pick == 1:
        return rng.choice([0, -1, 2**63, -(2**70), 1.5, 1e308])
    if pick == 2:
        return None
    if pick == 3:
        return rng.choice([True, False])
    if pick == 4 and depth < 3:
        return [hostile_value(rng, depth + 1) for _ in range(rng.randint(0, 5))]
    if pick == 5 and depth < 3:
        return {hostile_string(rng)[:20]: hostile_value(rng, depth + 1) for _ in range(rng.randint(0, 5))}
    if pick == 6:
        nested: list = []
        for _ in range(rng.randint(50, 300)):
            nested = [nested]
        return nested
    return rng.choice(["", "ok", "approved", "sent", "csv", "page", "content"])


NODE = {"data_id": "false_5511987654321@c.us_3EB0AA01", "pre_plain_text": "[10:01, 03/07/2026] Ana: ", "text": "oi"}
# Valid arguments of commands that write: a hostile run mutates one field, so the handlers themselves run.
VALID = {
    "capture.batch": {"chat": {"title": "Ana"}, "nodes": [NODE], "observed_at": 1.0, "locale": "pt-BR"},
    "send.request": {"chat": "5511987654321@c.us", "text": "Seu pedido chegou", "scheduled_at": 1_780_000_100.0},
    "messages.import": {"records": [{"chat": "5511987654321@c.us", "id": "IMP1", "ts": 1_780_000_000, "direction": "in", "text": "x"}]},
    "selectors.override": {"table": {"version": 1, "generations": {"2026": "x"}, "classes": [],
                                     "features": {"app": {"purpose": "connection", "candidates": [{"css": "#app"}]}}}},
    "optout.set": {"chat": "5511987654321@c.us", "opted_out": True, "note": "pediu"},
    "campaign.dry_run": {"template": "Oi {{nome}}, tudo bem com o seu pedido de hoje?", "recipients": [{"chat": "551100@c.us", "vars": {"nome": "Ana"}}]},
    "contacts.upsert_rows": {"rows": [{"title": "Ana Souza", "preview": "oi"}]},
    "connection.report": {"tab_id": "7", "logged_in": True, "banners": ["Você está enviando mensagens demais"], "observed_at": 1.0},
    "search.messages": {"q": "pedido", "filters": {"chats": ["5511987654321@c.us"]}},
    "messages.list": {"chat": "5511987654321@c.us", "limit": 10},
    "sending.settings.set": {"values": {"per_minute": 25}},
    "suggestion.offer": {"chat": "5511987654321@c.us", "text": "Posso ajudar?"},
    "backfill.start": {"chat": "5511987654321@c.us"},
    "chat.open": {"chat": "title:Ana", "message_key": None},
}


def hostile_args(rng: random.Random, name: str) -> dict:
    if name in VALID and rng.random() < 0.7:
        args = json.loads(json.dumps(VALID[name]))
        if rng.random() < 0.8:
            target = args
            keys = list(target)
            while keys:
                key = rng.choice(keys)
                if isinstance(target[key], dict) and target[key] and rng.random() < 0.5:
                    target = target[key]
                elif isinstance(target[key], list) and target[key] and isinstance(target[key][0], dict) and rng.random() < 0.5:
                    target = target[key][0]
                else:
                    target[key] = hostile_value(rng)
                    break
                keys = list(target)
        return args
    fields = list(COMMANDS[name].model_fields)
    args = {f: hostile_value(rng) for f in fields if rng.random() < 0.7}
    if rng.random() < 0.2:
        args[hostile_string(rng)[:30] or "extra"] = hostile_value(rng)
    return args


def hostile_text(rng: random.Random) -> str:
    """One message as the offscreen document would pass it: JSON text (or not)."""
    pick = rng.randrange(10)
    if pick == 0:
        depth = rng.randint(500, 5000)
        return "[" * depth + "]" * depth
    if pick == 1:
        depth = rng.randint(200, 2000)
        return '{"id":"d","type":"core.ping","args":' + '{"a":' * depth + "1" + "}" * depth + "}"
    if pick == 2:
        return rng.choice(["", "null", "[]", "42", '"x"', "{", '{"id": 1}', "NaN", '{"id":"x","type":"core.ping","args":{"echo":NaN}}'])
    good = rng.random() < 0.85  # mostly a well-formed envelope, so the arguments and handlers are exercised
    envelope: dict = {
        "id": f"f{rng.randrange(10**6)}" if good else rng.choice(["", None, 7, "x" * 200, hostile_string(rng)[:40]]),
        "type": rng.choice(NAMES) if good else rng.choice(NAMES + ["nope", "", None]),
        "source": rng.choice(["page", "content"]) if good else rng.choice(["page", "content", "offscreen", None]),
    }
    if rng.random() < 0.15:
        envelope["tab_id"] = hostile_value(rng)
    name = envelope["type"] if envelope["type"] in COMMANDS else rng.choice(NAMES)
    envelope["args"] = hostile_args(rng, name) if rng.random() < 0.9 else hostile_value(rng)
    text = json.dumps(envelope, ensure_ascii=rng.random() < 0.5, allow_nan=True)
    if rng.random() < 0.1:
        text = text.replace("1e+308", "1e400").replace("1.5", "Infinity")
    return text


def strict_json(text: str):
    def refuse(name):
        raise ValueError(f"{name} in a reply: JavaScript cannot read it")

    return json.loads(text, parse_constant=refuse)


def test_every_hostile_input_gets_a_structured_reply_and_the_store_stays_sound():
    rng = random.Random(20261201)
    core = Core(Services(clock=FakeClock(), rng=random.Random(1), storage=MemoryStorage()))

    async def run() -> None:
        await core.start()
        for i in range(RUNS):
            text = hostile_text(rng)
            out = await core.handle_json(text)
            reply = strict_json(out)
            assert isinstance(reply, dict) and "id" in reply and isinstance(reply["ok"], bool), (i, text[:200], out[:200])
            if not reply["ok"]:
                assert reply["error"]["code"] in CODES, (i, text[:200], out[:200])
                assert reply["error"]["code"] != "internal_error", (i, text[:300], out[:300])
        await core.drain()
        for name, args in [("core.ping", {}), ("selectors.get", {}), ("outbox.list", {}), ("chats.list", {}),
                           ("suggestion.pending", {}), ("capture.health", {}), ("core.status", {})]:
            reply = strict_json(await core.handle_json(json.dumps({"id": "after", "type": name, "args": args})))
            assert reply["ok"], (name, reply)
        for rec in await core.storage.query("messages"):
            MessageRecord.model_validate(rec)
        for rec in await core.storage.query("chats"):
            ChatRecord.model_validate(rec)

    asyncio.run(run())
