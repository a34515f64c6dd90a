"""Turns raw bridge messages into validated commands, runs their handler, and always answers
with a structured reply: no input, however malformed, escapes the entry point or stops the core.

What arrives is untrusted text: JSON nested thousands deep, lone surrogates (which no stored
string may hold), non-finite numbers (which JavaScript's JSON.parse cannot read back). Each is
answered with an error or cleaned before validation, and a reply that cannot be serialised
becomes an internal_error reply itself.
"""

from __future__ import annotations

import contextvars
import json
import logging
import math
import re
from typing import Any, Awaitable, Callable

from pydantic import ValidationError

from pycore.chatkey import clean_text
from pycore.protocol import COMMANDS, Command, CoreError, ErrorInfo, Request
from pycore.storage.base import StorageError

log = logging.getLogger("mettri.bridge")

Handler = Callable[[Any], Awaitable[Any]]
# How a feature registers its handlers: ``on(CommandModel, handler)``.
Register = Callable[[type[Command], Handler], None]

_current: contextvars.ContextVar[Request | None] = contextvars.ContextVar("mettri_request", default=None)
# A lone surrogate reaches Python as an escape in the JSON text (JSON.stringify writes one) or raw.
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _raw_surrogate(text: str) -> bool:
    """Whether ``text`` holds a surrogate as a character. Encoding is a C loop: one regex over a
    capture batch's text (a character class with an alternation) took five times as long."""
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _surrogate_hint(text: str) -> bool:
    """Whether JSON text may carry a surrogate, escaped or raw (a valid pair counts: cleaning keeps it)."""
    return ("\\u" in text and _ESCAPED_SURROGATE.search(text) is not None) or _raw_surrogate(text)


MAX_DEPTH = 32  # no command nests deeper than a handful of levels; validators and reprs recurse
# JSON nested thousands deep crashes the parser inside Pyodide (the C stack runs out before
# RecursionError), so the text is measured before it is parsed.
MAX_TEXT_DEPTH = 512
# What is not structure: strings (brackets inside them do not count) and runs of other characters.
_NOT_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[^\[\]{}"]+')  # strings unrolled: no per-character alternation


def current_request() -> Request | None:
    """The envelope being handled (its source and tab_id), for handlers that need them."""
    return _current.get()


def _details(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": ".".join(str(p) for p in e["loc"]), "msg": e["msg"], "type": e["type"]}
        for e in exc.errors(include_url=False, include_input=False)
    ]


def error_reply(id_: str | None, code: str, message: str, details: list | None = None) -> dict[str, Any]:
    """An error reply; ``id`` is always present (null when the message had no usable id)."""
    info = ErrorInfo(code=code, message=clean_text(message)[:2000], details=details or [])
    return {"id": id_, "ok": False, "error": info.model_dump()}


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number out of range: {text[:40]}")
    return value


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def depth_bound(text: str, limit: int) -> int:
    """A bound never below how deep the JSON text nests arrays/objects (brackets inside strings do
    not count), above ``limit`` exactly when the text nests deeper than ``limit``. The bracket count alone
    answers most messages; the others are scanned once, strings and other text skipped in C."""
    opens = text.count("{") + text.count("[")
    if opens <= limit:
        return opens
    depth = deepest = 0
    for c in _NOT_STRUCTURE.sub("", text):
        if c == "[" or c == "{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if depth > limit:
                    return depth
        elif c == "]" or c == "}":
            depth -= 1
    return deepest


def nested_deeper_than(text: str, limit: int) -> bool:
    """The JSON text opens more than ``limit`` arrays/objects at once (brackets inside strings
    do not count)."""
    return depth_bound(text, limit) > limit


def _parse(text: str | bytes) -> tuple[Any, int]:
    """The value, and a bound of its nesting as depth_bound measured it on the text."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    depth = depth_bound(text, MAX_TEXT_DEPTH)
    if depth > MAX_TEXT_DEPTH:
        raise RecursionError("nested too deeply")
    value = json.loads(text, parse_float=_finite, parse_constant=_no_constant)
    return (clean(value) if _surrogate_hint(text) else value), depth


def parse(text: str | bytes) -> Any:
    """JSON text -> Python, refusing NaN/Infinity and overflowing numbers, cleaning lone surrogates."""
    return _parse(text)[0]


def clean(value: Any) -> Any:
    """Every string inside ``value`` without lone surrogates (iterative: depth is not a risk here)."""
    if isinstance(value, str):
        return clean_text(value)
    if not isinstance(value, (dict, list)):
        return value
    root = [value]
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for k, v in list(items):
            if isinstance(v, str):
                node[k] = clean_text(v)
            elif isinstance(v, (dict, list)):
                stack.append(v)
        if isinstance(node, dict):
            for k in [k for k in node if isinstance(k, str) and clean_text(k) != k]:
                node[clean_text(k)] = node.pop(k)
    return root[0]


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Nested deeper than ``limit`` (iterative: the check itself never recurses)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def dumps(reply: dict[str, Any]) -> str:
    """A reply as JSON text JavaScript can parse: no NaN, every character past ASCII escaped (a lone
    surrogate too, which JSON.parse reads back as it was). Escaped, it crosses to JavaScript in one
    copy: Pyodide copies any other str character by character, 71-117 ms for 700,000 characters of
    Portuguese text against 0.3-0.5 ms (pycore/host.py)."""
    try:
        return json.dumps(reply, separators=(",", ":"), allow_nan=False)
    except (ValueError, TypeError, RecursionError) as exc:
        log.error("a reply could not be serialised: %s", exc)
        return json.dumps(error_reply(reply.get("id") if isinstance(reply.get("id"), str) else None,
                                      "internal_error", f"the reply could not be serialised: {type(exc).__name__}"))


class Dispatcher:
    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}
        self.ready = False
        # The features built after "ready" (pycore.features.LaterSet): their commands wait for them.
        self.later: Any = None
        # Told when a handler's storage call failed (the logs feature emits storage.error).
        self.on_storage_error: Callable[[str, Exception, bool], None] | None = None

    def on(self, cmd: type[Command], handler: Handler) -> None:
        if not cmd.name or COMMANDS.get(cmd.name) is not cmd:
            raise ValueError(f"{cmd.__name__} is not a registered command")
        if cmd.name in self._handlers:
            raise ValueError(f"{cmd.name!r} has two handlers")
        self._handlers[cmd.name] = handler

    def handled(self) -> set[str]:
        return set(self._handlers)

    async def handle(self, raw: Any) -> dict[str, Any]:
        try:
            return await self._handle(raw)
        except Exception as exc:  # the last line of defence: every input gets a structured reply
            log.exception("the bridge failed on a message")
            return error_reply(None, "internal_error", f"{type(exc).__name__}")

    async def _handle(self, raw: Any) -> dict[str, Any]:
        text_depth: int | None = None  # a bound of the nesting, when the message came as text
        if isinstance(raw, (str, bytes)):
            try:
                raw, text_depth = _parse(raw)
            except RecursionError:
                return error_reply(None, "invalid_message", "not JSON: nested too deeply")
            except ValueError as exc:
                return error_reply(None, "invalid_message", f"not JSON: {exc}")
        else:
            raw = clean(raw)
        if not isinstance(raw, dict):
            return error_reply(None, "invalid_message", f"a message must be an object, got {type(raw).__name__}")
        raw_id = raw.get("id")
        id_ = raw_id if isinstance(raw_id, str) and 0 < len(raw_id) <= 128 else None
        # A container at depth d opens d + 1 brackets in the text: a text no deeper than
        # MAX_DEPTH + 1 needs no walk through the value.
        if (text_depth is None or text_depth > MAX_DEPTH + 1) and too_deep(raw):
            return error_reply(id_, "invalid_message", f"nested deeper than {MAX_DEPTH} levels")
        try:
            req = Request.model_validate(raw)
        except ValidationError as exc:
            return error_reply(id_, "invalid_message", "malformed request envelope", _details(exc))
        if req.type not in self._handlers and self.later is not None:
            await self.later.built.wait()  # a command of the features built after "ready" (or none at all)
            if self.later.failed and req.type not in self._handlers:
                return error_reply(req.id, "not_ready", f"part of the core failed to start: {self.later.failed}")
        cls = COMMANDS.get(req.type)
        if cls is None:
            return error_reply(req.id, "unknown_command", f"unknown command {req.type!r}")
        if req.source not in cls.sources:
            return error_reply(req.id, "forbidden", f"{req.type!r} may not be sent from {req.source}")
        handler = self._handlers.get(req.type)
        if handler is None:
            return error_reply(req.id, "unknown_command", f"command {req.type!r} has no handler in this core")
        try:
            cmd = cls.model_validate(req.args)
        except ValidationError as exc:
            return error_reply(req.id, "invalid_args", f"invalid arguments for {req.type!r}", _details(exc))
        token = _current.set(req)
        try:
            result = await handler(cmd)
            if result is None:
                result = cls.result()
            if not isinstance(result, cls.result):
                result = cls.result.model_validate(result)
            # Reply's own shape, built directly: validating it again walked every value of the result
            # (500 chat rows: a millisecond in Pyodide).
            return {"id": req.id, "ok": True, "result": result.model_dump(mode="json")}
        except CoreError as exc:
            return error_reply(req.id, exc.code, exc.message, exc.details)
        except StorageError as exc:
            if self.on_storage_error is not None:
                self.on_storage_error(req.type, exc, exc.retryable)
            return error_reply(req.id, "storage_error", str(exc), [{"retryable": exc.retryable}])
        except Exception as exc:  # a bug: report it, keep serving
            log.exception("handler %s failed", req.type)
            return error_reply(req.id, "internal_error", f"{type(exc).__name__}: {exc}")
        finally:
            _current.reset(token)

    async def handle_json(self, text: str) -> str:
        return dumps(await self.handle(text))
