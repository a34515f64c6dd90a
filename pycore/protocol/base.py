"""The bridge protocol's building blocks.

Every message between JavaScript and Python is one of three envelopes:

* request  ``{"id": str, "type": <command name>, "args": {...}}``
* reply    ``{"id": str, "ok": true, "result": {...}}`` or ``{"id", "ok": false, "error": {...}}``
* event    ``{"event": <event name>, "data": {...}}`` (core -> pages / content script)

Commands and events are pydantic models registered here by name. The docs
(docs/protocol.md) and the JS constants (extension/shared/protocol.js) are
generated from this registry by scripts/gen_protocol.py.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any, Callable, ClassVar, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

PROTOCOL_VERSION = 1


class Model(BaseModel):
    """Strict by default: unknown fields are an error, not silently ignored; NaN and infinities are
    refused (JavaScript's JSON.parse could not read them back). Validators are built when a model is
    first used, not when its module is imported: most commands are never sent in a session, and
    building all ~200 at start cost a third of the core's import (issue 16)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, defer_build=True)


def _cutter(max_chars: int) -> Callable[[Any], Any]:
    def cut(value: Any) -> Any:
        return value[:max_chars] if isinstance(value, str) else value

    return cut


def Cut(max_chars: int) -> Any:  # noqa: N802 - a type, read as one: ``text: Cut(512)``
    """A string read from a page, cut to ``max_chars`` code points instead of refused: a very long
    title or message keeps its start, and a cut never splits an emoji (Python counts code points)."""
    # The bound inside, the cut around it: the bound then stays in the validator's own (compiled) string
    # check instead of a Python check after the cut (a capture batch has ~30 such strings per row).
    return Annotated[Annotated[str, Field(max_length=max_chars)], BeforeValidator(_cutter(max_chars))]


def CutList(max_items: int, max_chars: int) -> Any:  # noqa: N802
    """A list of page strings: at most ``max_items``, each cut to ``max_chars``."""
    def cut(value: Any) -> Any:
        return value[:max_items] if isinstance(value, list) else value

    return Annotated[Annotated[list[Cut(max_chars)], Field(max_length=max_items)], BeforeValidator(cut)]


def Bound(max_chars: int) -> Any:  # noqa: N802
    """A page string of at most ``max_chars`` code points, checked in the validator's compiled code
    only: a model of such fields is validated with ``validate_cut``, which cuts what is longer.
    For the rows of a capture batch (~16 strings each), where a Python cutter per string cost more
    than the rest of the validation."""
    return Annotated[str, Field(max_length=max_chars)]


def BoundList(max_items: int, max_chars: int) -> Any:  # noqa: N802
    return Annotated[list[Bound(max_chars)], Field(max_length=max_items)]


_TOO_LONG = {"string_too_long", "too_long"}
V = TypeVar("V")


def validate_cut(validate: Callable[[Any], V], value: Any) -> V:
    """``validate(value)``; when it finds strings or lists over their bounds (``Bound``), those are cut
    to their bound (a copy: ``value`` stays as it was) and validated again. Any other error is raised."""
    for _ in range(3):  # a list cut shorter may still hold a string too long: at most a few rounds
        try:
            return validate(value)
        except ValidationError as exc:
            errors = exc.errors()
            if any(e["type"] not in _TOO_LONG or not e["loc"] for e in errors):
                raise
            value = copy.deepcopy(value)
            for e in sorted(errors, key=lambda e: -len(e["loc"])):  # items before the lists holding them
                *path, last = e["loc"]
                holder = value
                for step in path:
                    holder = holder[step]
                holder[last] = holder[last][: e["ctx"]["max_length"]]
    return validate(value)


class Empty(Model):
    """No fields."""


class Command(Model):
    """Base of every command. ``name`` and ``result`` are set by :func:`command`."""

    name: ClassVar[str] = ""
    result: ClassVar[type[BaseModel]] = Empty
    # Where the command may come from: "page" (extension pages), "content" (the WhatsApp tab).
    sources: ClassVar[frozenset[str]] = frozenset({"page", "content"})


class Event(Model):
    name: ClassVar[str] = ""
    # Heard by the WhatsApp tab's content script: only these events reach the tabs.
    to_tabs: ClassVar[bool] = False


COMMANDS: dict[str, type[Command]] = {}
EVENTS: dict[str, type[Event]] = {}

C = TypeVar("C", bound=type[Command])
E = TypeVar("E", bound=type[Event])


def command(name: str, result: type[BaseModel] = Empty, *, sources: set[str] | None = None) -> Callable[[C], C]:
    """Register a command model under its wire name."""

    def register(cls: C) -> C:
        if name in COMMANDS and COMMANDS[name] is not cls:
            raise ValueError(f"command {name!r} registered twice")
        cls.name = name
        cls.result = result
        if sources is not None:
            cls.sources = frozenset(sources)
        COMMANDS[name] = cls
        return cls

    return register


def event(name: str, *, tabs: bool = False) -> Callable[[E], E]:
    """Register an event by its wire name; ``tabs``: the WhatsApp tab's content script hears it (the
    others never reach the tab: WhatsApp's main thread would take in each one for nothing)."""
    def register(cls: E) -> E:
        if name in EVENTS and EVENTS[name] is not cls:
            raise ValueError(f"event {name!r} registered twice")
        cls.name = name
        cls.to_tabs = tabs
        EVENTS[name] = cls
        return cls

    return register


ErrorCode = Literal[
    "invalid_message",  # not an envelope: not an object, no id, bad JSON
    "unknown_command",  # type is not a registered command
    "invalid_args",  # args do not validate against the command's model
    "forbidden",  # the sender may not send this command
    "not_ready",  # the core has not finished starting
    "not_found",
    "conflict",
    "whatsapp_not_ready",  # no active WhatsApp tab, or it is not connected (details: pt_BR, en)
    "storage_error",  # IndexedDB refused a write or a read (retried first)
    "internal_error",  # a bug: the core logged it and keeps running
]


class ErrorInfo(Model):
    code: ErrorCode
    message: str
    details: list[dict[str, Any]] = Field(default_factory=list)


class Request(Model):
    id: str = Field(min_length=1, max_length=128)
    type: str = Field(min_length=1, max_length=128)
    args: dict[str, Any] = Field(default_factory=dict)
    # Filled in by the service worker from chrome's own sender info, never by the sender.
    source: Literal["page", "content"] = "page"
    # The browser tab a content-script request came from (stamped by the service worker too).
    tab_id: int | None = None


class Reply(Model):
    id: str | None
    ok: bool
    result: dict[str, Any] | None = None
    error: ErrorInfo | None = None


class EventEnvelope(Model):
    event: str
    data: dict[str, Any]


class CoreError(Exception):
    """An error a handler raises on purpose; it becomes a structured reply."""

    def __init__(self, code: ErrorCode, message: str, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or []
