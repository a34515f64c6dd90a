"""Turns raw bridge messages into validated commands, runs their handler, and
always answers with a structured reply: a malformed message never stops the core."""

from __future__ import annotations

import contextvars
import json
import logging
from typing import Any, Awaitable, Callable

from pydantic import ValidationError

from pycore.protocol import COMMANDS, Command, CoreError, ErrorInfo, Reply, Request
from pycore.storage.base import StorageError

log = logging.getLogger("mettri.bridge")

Handler = Callable[[Command], Awaitable[Any]]

_current: contextvars.ContextVar[Request | None] = contextvars.ContextVar("mettri_request", default=None)


def current_request() -> Request | None:
    """The envelope being handled (its source and tab_id), for handlers that need them."""
    return _current.get()


def _details(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": ".".join(str(p) for p in e["loc"]), "msg": e["msg"], "type": e["type"]}
        for e in exc.errors(include_url=False, include_input=False)
    ]


def error_reply(id_: str | None, code: str, message: str, details: list | None = None) -> dict[str, Any]:
    return Reply(id=id_, ok=False, error=ErrorInfo(code=code, message=message, details=details or [])).model_dump(
        exclude_none=True
    )


class Dispatcher:
    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}
        self.ready = False

    def on(self, cmd: type[Command], handler: Handler) -> None:
        if not cmd.name or COMMANDS.get(cmd.name) is not cmd:
            raise ValueError(f"{cmd.__name__} is not a registered command")
        self._handlers[cmd.name] = handler

    def handled(self) -> set[str]:
        return set(self._handlers)

    async def handle(self, raw: Any) -> dict[str, Any]:
        if isinstance(raw, (str, bytes)):
            try:
                raw = json.loads(raw)
            except ValueError as exc:
                return error_reply(None, "invalid_message", f"not JSON: {exc}")
        if not isinstance(raw, dict):
            return error_reply(None, "invalid_message", f"a message must be an object, got {type(raw).__name__}")
        raw_id = raw.get("id")
        id_ = raw_id if isinstance(raw_id, str) else None
        try:
            req = Request.model_validate(raw)
        except ValidationError as exc:
            return error_reply(id_, "invalid_message", "malformed request envelope", _details(exc))
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
        except CoreError as exc:
            return error_reply(req.id, exc.code, exc.message, exc.details)
        except StorageError as exc:
            log.warning("storage error in %s: %s", req.type, exc)
            return error_reply(req.id, "storage_error", str(exc), [{"retryable": exc.retryable}])
        except Exception as exc:  # a bug: report it, keep serving
            log.exception("handler %s failed", req.type)
            return error_reply(req.id, "internal_error", f"{type(exc).__name__}: {exc}")
        finally:
            _current.reset(token)
        if result is None:
            result = cls.result()
        if not isinstance(result, cls.result):
            result = cls.result.model_validate(result)
        return Reply(id=req.id, ok=True, result=result.model_dump(mode="json")).model_dump(exclude_none=True)

    async def handle_json(self, text: str) -> str:
        return json.dumps(await self.handle(text), ensure_ascii=False, separators=(",", ":"))
