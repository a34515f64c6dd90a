"""The core application: the kernel (dispatcher, event bus, background tasks, start-up) and
the feature graph that ``pycore.features`` builds on it.

The core holds no feature: features are services built once, in dependency order, each
receiving only the ports it declares (see pycore.features). ``Core.features`` is that graph,
for the JS host and for tests; no feature ever sees the Core.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sys
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

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
StartHook = Callable[[], Awaitable[Any]]


@dataclass
class Services:
    clock: Clock
    rng: random.Random
    storage: Storage
    emit: EmitFn = field(default=lambda envelope: None)
    # The JS host (pycore.host), when running in the browser; None on CPython.
    host: Any = None
    # The language model's HTTP request (pycore.suggest.ports.ModelClient): the JS host's fetch in the
    # browser; None on CPython unless a test gives one.
    model_client: Any = None


class EventBus:
    """Events leave the core for the pages and the WhatsApp tab; listeners inside the core hear
    them first. Listeners must be quick: slow work goes to :class:`Tasks`."""

    def __init__(self, send: EmitFn) -> None:
        self._send = send
        self._listeners: dict[str, list[Callable[[Any], None]]] = {}
        self._held: list[Event] | None = None  # events since hold(), for listeners that come later
        self._heard: dict[str, int] = {}  # per event name, how many listeners heard the held ones

    def listen(self, event_cls: type[Event], fn: Callable[[Any], None]) -> None:
        self._listeners.setdefault(event_cls.name, []).append(fn)

    def hold(self) -> None:
        """Keep every event from now on until :meth:`release`: features built later hear them then."""
        self._held = []
        self._heard = {name: len(fns) for name, fns in self._listeners.items()}

    def release(self) -> None:
        """Replay the held events, in order, to the listeners added since :meth:`hold` only."""
        held, self._held = self._held or [], None
        for ev in held:
            self._call(self._listeners.get(ev.name, [])[self._heard.get(ev.name, 0):], ev)
        self._heard = {}

    def emit(self, ev: Event) -> None:
        if self._held is not None:
            self._held.append(ev)
        self._call(self._listeners.get(ev.name, []), ev)
        envelope = EventEnvelope(event=ev.name, data=ev.model_dump(mode="json")).model_dump()
        try:
            self._send(envelope)
        except Exception:  # a UI that went away must not break the core
            log.exception("emit %s failed", ev.name)

    @staticmethod
    def _call(listeners: list[Callable[[Any], None]], ev: Event) -> None:
        for fn in listeners:
            try:
                fn(ev)
            except Exception:
                log.exception("listener of %s failed", ev.name)


class Tasks:
    """Background work: failures are logged, never lost silently; tests can wait for all of it."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task] = set()

    def spawn(self, coro) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)

        def done(t: asyncio.Task) -> None:
            self._tasks.discard(t)
            if not t.cancelled() and t.exception() is not None:
                log.error("background task failed", exc_info=t.exception())

        task.add_done_callback(done)
        return task

    async def drain(self) -> None:
        while self._tasks:
            pending = [t for t in self._tasks if not t.done()]
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)
            else:
                # Finished tasks leave the set in their done callbacks, which run on the next turn of
                # the loop. Awaiting a gather of finished tasks may not yield (Python 3.12+ under
                # Pyodide): without this turn the loop would spin here forever.
                await asyncio.sleep(0)


@dataclass
class Kernel:
    """What the composition root hands out as ports: the injected services and the machinery."""

    clock: Clock
    rng: random.Random
    storage: Storage
    bus: EventBus
    tasks: Tasks
    dispatcher: Dispatcher
    dev: bool = False
    model_client: Any = None


class Core:
    def __init__(self, services: Services, *, dev: bool = False, overrides: dict[str, Any] | None = None,
                 later_after_ready: bool = False) -> None:
        """``dev``: a development build (the movable clock's command exists). ``overrides``: ports
        replaced by name (tests put a simulated tab's ground truth behind the send gate's evidence).
        ``later_after_ready``: the features no first request needs (``pycore.features``) are imported
        and built after :meth:`start` says ready (the browser); otherwise here, at once."""
        from pycore import features

        self.services = services
        self.dispatcher = Dispatcher()
        self.bus = EventBus(services.emit)
        self.tasks = Tasks()
        self.kernel = Kernel(services.clock, services.rng, services.storage, self.bus, self.tasks, self.dispatcher, dev,
                             services.model_client)
        self.dispatcher.on(sysproto.Ping, self._ping)
        self.dispatcher.on(sysproto.Status, self._status)
        self.dispatcher.on(sysproto.GetBootState, self._boot_state)
        self.features = features.build(self.kernel, overrides or {})
        self.dispatcher.on_storage_error = self.features.logs.storage_failed
        self.dispatcher.later = self.features.later_set
        self._later_hooks: list | None = None  # None: the later set is built after "ready"
        if later_after_ready:
            self.bus.hold()  # its listeners hear what happened before they existed
        else:
            self._later_hooks = features.build_later(self.kernel, self.features)
            self.features.later_set.built.set()  # every handler is in: nothing waits for it

    @property
    def clock(self) -> Clock:
        return self.services.clock

    @property
    def storage(self) -> Storage:
        return self.services.storage

    def emit(self, ev: Event) -> None:
        self.bus.emit(ev)

    async def drain(self) -> None:
        """Wait until no background work is left (tests, shutdown)."""
        await self.tasks.drain()

    # -- lifecycle ------------------------------------------------------------
    async def start(self) -> None:
        previous = await self.storage.open()
        await migrate(self.storage, previous, self.features.migrations)
        for hook in self.features.start_hooks + (self._later_hooks or []):
            await hook()
        if self._later_hooks is None:
            self.tasks.spawn(self._build_later())
        self.dispatcher.ready = True

    async def _build_later(self) -> None:
        from pycore import features

        later_set = self.features.later_set
        try:
            hooks = await features.load_later(self.kernel, self.features)
            self.bus.release()
            for hook in hooks:
                await hook()
        except Exception as exc:  # the start set keeps serving; the later set's commands say why not
            log.exception("the later features failed to start")
            later_set.failed = f"{type(exc).__name__}: {exc}"
            self.bus.release()
        finally:
            later_set.built.set()

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
        await self.features.later_set.built.wait()  # so that every command is listed
        # The messages' count is the one the message store keeps: IndexedDB would walk them all.
        counts = {name: await (self.features.store.count() if name == "messages" else self.storage.count(name))
                  for name in STORES}
        return sysproto.StatusResult(
            core_version=pycore.__version__,
            protocol_version=PROTOCOL_VERSION,
            python=sys.version.split()[0],
            schema_version=SCHEMA_VERSION,
            counts=counts,
            commands=sorted(c for c in COMMANDS if c in self.dispatcher.handled()),
        )
