"""The bridge measures a message's nesting on its JSON text once (issue 16: a 500-row capture batch
was scanned token by token, then walked again as a value). The measure must keep every verdict."""

from __future__ import annotations

import asyncio
import json
import random
import re

from pycore.bridge import MAX_DEPTH, depth_bound, nested_deeper_than

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def reference_depth(text: str) -> int:
    """The deepest nesting, token by token (the bridge's former scan)."""
    depth = deepest = 0
    for m in _TOKENS.finditer(text):
        c = m.group()
        if c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth -= 1
    return deepest


def texts(rng: random.Random, n: int):
    alphabet = ['[', ']', '{', '}', '"', '\\', 'a', ',', ':', ' ', '"[', ']"', '\\"', '"{"']
    for _ in range(n):
        yield "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
    for _ in range(n):  # well-formed values with brackets inside strings
        value: object = rng.choice(["x", "[{", '"]}', 1])
        for _ in range(rng.randint(0, 40)):
            value = rng.choice([[value], {"k[": value}, [value, "}]"], {"a": "\\", "b": value}])
        yield json.dumps(value)


def test_the_bound_never_hides_a_deeper_text_and_keeps_the_verdicts():
    rng = random.Random(16)
    for text in texts(rng, 3000):
        truth = reference_depth(text)
        for limit in (0, 1, 3, 8, 33, 512):
            bound = depth_bound(text, limit)
            assert bound > limit or bound >= truth, (text, limit)  # within the limit, never below
            assert (bound > limit) == (truth > limit), (text, limit)
            assert nested_deeper_than(text, limit) == (truth > limit)


def nested_ping(levels: int) -> str:
    # args -> {"a": {"a": ... 1}}: the envelope is one level, args another, then `levels` more
    return '{"id":"d","type":"core.ping","args":' + '{"a":' * levels + "1" + "}" * (levels + 1)


def test_messages_at_the_depth_limit_are_judged_as_before(core):
    def reply(text: str) -> dict:
        return json.loads(asyncio.run(core.handle_json(text)))

    # The deepest container sits at depth levels (root 0): refused beyond MAX_DEPTH, by the bridge.
    deep = reply(nested_ping(MAX_DEPTH + 1))
    assert deep["ok"] is False and deep["error"]["code"] == "invalid_message", deep
    assert f"nested deeper than {MAX_DEPTH}" in deep["error"]["message"]
    at_limit = reply(nested_ping(MAX_DEPTH))
    assert at_limit["error"]["code"] == "invalid_args", at_limit  # past the depth check: ping has no field "a"
    # brackets inside strings do not count
    assert reply(json.dumps({"id": "s", "type": "core.ping", "args": {"echo": "[" * 600}}))["ok"]
