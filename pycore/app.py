"""The core application: wires injected services to the feature modules.

Each feature module exposes ``install(core)`` which registers its command
handlers; the list below is the whole map of what the core can do.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sys
from dataclasses import dataclass, field
from typing import Any, Callable

import pycore
from pycore.bridge import Dispatcher
from pycore.clock import Clock
from pycore.protocol import COMMANDS, PROTOCOL_VERSION, Event, EventEnvelope
from pycore.protocol import system as sysproto
from pycore.storage.base import Storage
from pycore.storage.migrations import migrate
from pycore.storage.schema import SCHEMA_VERSION, STORES

log = logging.getLogger("mettri.core")

EmitFn = Callable[[dict[str, Any]], None]


@dataclass
class Services:
    clock: Clock
    rng: random.Random
    storage: Storage
    emit: EmitFn = field(default=lambda envelope: None)
    # The JS host (pycore.host), when running in the browser; None on CPython.
    host: Any = None


class Core:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.dispatcher = Dispatcher()
        self._start_hooks: list[Callable[[], Any]] = []
        self._listeners: dict[str, list[Callable[[Event], None]]] = {}
        self._tasks: set[asyncio.Task] = set()
        self._install()

    # -- wiring ---------------------------------------------------------------
    def _install(self) -> None:
        from pycore import features

        self.dispatcher.on(sysproto.Ping, self._ping)
        self.dispatcher.on(sysproto.Status, self._status)
        self.dispatcher.on(sysproto.GetBootState, self._boot_state)
        for install in features.INSTALLERS:
            install(self)

    def on(self, cmd, handler) -> None:
        self.dispatcher.on(cmd, handler)

    def listen(self, event_cls: type[Event], fn: Callable[[Event], None]) -> None:
        """Hear an event inside the core too (e.g. search hears messages.captured).

        Listeners must be quick: slow work goes to :meth:`spawn`, so the emitter
        (the capture path) never waits for it.
        """
        self._listeners.setdefault(event_cls.name, []).append(fn)

    def spawn(self, coro) -> asyncio.Task:
        """Run background work; failures are logged, never lost silently."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)

        def done(t: asyncio.Task) -> None:
            self._tasks.discard(t)
            if not t.cancelled() and t.exception() is not None:
                log.error("background task failed", exc_info=t.exception())

        task.add_done_callback(done)
        return task

    async def drain(self) -> None:
        """Wait until no background work is left (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def emit(self, ev: Event) -> None:
        for fn in self._listeners.get(ev.name, []):
            try:
                fn(ev)
            except Exception:
                log.exception("listener of %s failed", ev.name)
        envelope = EventEnvelope(event=ev.name, data=ev.model_dump(mode="json")).model_dump()
        try:
            self.services.emit(envelope)
        except Exception:  # a UI that went away must not break the core
            log.exception("emit %s failed", ev.name)

    @property
    def clock(self) -> Clock:
        return self.services.clock

    @property
    def storage(self) -> Storage:
        return self.services.storage

    # -- lifecycle ------------------------------------------------------------
    async def start(self) -> None:
        previous = await self.storage.open()
        await migrate(self.storage, previous)
        for hook in self._start_hooks:
            await hook()
        self.dispatcher.ready = True

    def on_start(self, hook: Callable[[], Any]) -> None:
        """Run an async hook after storage is open, before the core reports ready."""
        self._start_hooks.append(hook)

    async def handle(self, raw: Any) -> dict[str, Any]:
        return await self.dispatcher.handle(raw)

    async def handle_json(self, text: str) -> str:
        return await self.dispatcher.handle_json(text)

    # -- system commands ------------------------------------------------------
    async def _ping(self, cmd: sysproto.Ping) -> sysproto.PingResult:
        return sysproto.PingResult(
            echo=cmd.echo, core_version=pycore.__version__, protocol_version=PROTOCOL_VERSION, now=self.clock.now()
        )

    async def _boot_state(self, cmd: sysproto.GetBootState) -> sysproto.BootState:
        return sysproto.BootState(stage="ready")

    async def _status(self, cmd: sysproto.Status) -> sysproto.StatusResult:
        counts = {name: await self.storage.count(name) for name in STORES}
        return sysproto.StatusResult(
            core_version=pycore.__version__,
            protocol_version=PROTOCOL_VERSION,
            python=sys.version.split()[0],
            schema_version=SCHEMA_VERSION,
            counts=counts,
            commands=sorted(c for c in COMMANDS if c in self.dispatcher.handled()),
        )
