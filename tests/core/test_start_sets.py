"""The core starts in two sets (issue 16, start time): what capture, the chat list, the send gate and
search need answers at "ready"; the CRM, templates, campaigns, suggestions' engine, imports and privacy
are imported and built right after. Nothing a user does in between is lost: a command of the later
set waits for it, and an event emitted before it exists reaches its listeners once, when it is in."""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import random
import sys

from pycore import features
from pycore.app import Core, EventBus, Services
from pycore.clock import FakeClock
from pycore.protocol import Event
from pycore.storage.memory import MemoryStorage
from tests.core.conftest import Recorder, run
from tests.core.crm_support import ANA, BIA, ok, update
from tests.core.test_suggest import BRT, ana_history
from tests.core.test_suggest import capture as capture_row

LATER_ONLY = ("pycore.crm.service", "pycore.templates.service", "pycore.campaigns.service", "pycore.privacy.service",
              "pycore.history_import.service", "pycore.suggest.engine", "pycore.transfers.service",
              "pycore.chat_export.parser")  # reading an exported chat's file: capture needs its identities only


def deferred_core(storage, clock, events=None) -> Core:
    return Core(Services(clock=clock, rng=random.Random(7), storage=storage, emit=events or Recorder()),
                later_after_ready=True)


async def ask(core, type_, args=None, source="page"):
    return await core.handle({"id": "x", "type": type_, "args": args or {}, "source": source})


def fresh_import(build) -> set[str]:
    """The pycore modules that ``build()`` imports into a Python that has imported none of them (the
    process's own copies are put aside and back; a subprocess is not available inside Pyodide)."""
    own = {name: mod for name, mod in sys.modules.items() if name == "pycore" or name.startswith("pycore.")}
    for name in own:
        del sys.modules[name]
    try:
        build()
        return {name for name in sys.modules if name.startswith("pycore.")}
    finally:
        for name in [n for n in sys.modules if n == "pycore" or n.startswith("pycore.")]:
            del sys.modules[name]
        sys.modules.update(own)


def test_the_started_core_has_not_imported_the_later_features():
    def start_set():
        from pycore.app import Core, Services  # noqa: F811  (fresh copies, see fresh_import)
        from pycore.clock import FakeClock  # noqa: F811
        from pycore.storage.memory import MemoryStorage  # noqa: F811

        Core(Services(clock=FakeClock(), rng=random.Random(1), storage=MemoryStorage(), emit=lambda e: None),
             later_after_ready=True)

    def both_sets():
        start_set()
        importlib.import_module("pycore.features.later")

    assert fresh_import(start_set) & set(LATER_ONLY) == set()
    assert fresh_import(both_sets) >= set(LATER_ONLY)  # the check sees them once they are imported
    assert sys.modules["pycore.app"].Core is Core  # the process's own core is back


def test_a_later_command_sent_before_the_later_set_is_in_waits_and_is_answered():
    async def scenario():
        core = deferred_core(MemoryStorage(), FakeClock())
        await core.start()
        assert not core.features.later_set.built.is_set()
        reply = await ask(core, "crm.card", {"chat": ANA})
        assert core.features.later_set.built.is_set()
        await core.drain()
        return reply

    reply = run(scenario())
    assert reply["ok"], reply
    assert reply["result"]["row"]["key"] == ANA


def test_a_message_captured_before_the_later_set_is_in_still_gets_its_suggestion_once(clock, storage):
    # The history and the templates come from an earlier session, as after a browser restart.
    eager = Core(Services(clock=clock, rng=random.Random(7), storage=storage, emit=Recorder()))
    run(eager.start())
    ana_history(eager, clock)
    update(eager, BIA, person_name="Beatriz Lima")
    run(eager.drain())
    assert capture_row(eager, BIA, "Beatriz Lima", "Bom dia", clock.now(), "Q0")["new"]  # BIA's chat exists

    events = Recorder()
    now = dt.datetime.fromtimestamp(clock.now(), BRT)

    async def scenario():
        core = deferred_core(storage, clock, events)
        await core.start()
        reply = await ask(core, "capture.batch", {
            "chat": {"title": "Beatriz Lima", "jid": BIA}, "observed_at": clock.now(), "locale": "pt-BR",
            "utc_offset_min": -180,
            "nodes": [{"data_id": f"false_{BIA}_Q1", "classes": ["message-in"], "text": "Qual o preço do bolo de cenoura?",
                       "pre_plain_text": f"[{now:%H:%M}, {now:%d/%m/%Y}] Beatriz Lima: "}]}, source="content")
        assert reply["ok"] and reply["result"]["new"], reply
        assert not core.features.later_set.built.is_set()  # captured while the suggestion engine was not there
        await core.drain()
        return await ask(core, "suggestion.pending")

    pending = run(scenario())
    assert pending["ok"], pending
    [offer] = [s for s in pending["result"]["suggestions"] if s["chat"] == BIA]
    assert offer["replies"][0]["text"] == "Oi Beatriz! O bolo de cenoura custa R$ 45, Beatriz Lima."
    assert len(events.of("suggestion.offered")) == 1


def test_when_the_later_set_fails_its_commands_say_so_and_the_rest_keeps_serving(monkeypatch, clock, storage):
    monkeypatch.setattr(features, "LATER_MODULES", features.LATER_MODULES + ("pycore.no_such_feature",))

    async def scenario():
        core = deferred_core(storage, clock)
        await core.start()
        crm = await ask(core, "crm.card", {"chat": ANA})
        search = await ask(core, "search.messages", {"q": "bolo"})
        status = await ask(core, "core.status")
        await core.drain()
        return crm, search, status

    crm, search, status = run(scenario())
    assert not crm["ok"] and crm["error"]["code"] == "not_ready", crm
    assert "pycore.no_such_feature" in crm["error"]["message"]
    assert status["ok"] and "capture.batch" in status["result"]["commands"], status
    assert "crm.card" not in status["result"]["commands"]
    # Search needs the CRM only for tag and stage filters: a plain query is answered.
    assert search["ok"], search


class Happened(Event):  # not registered: the protocol's registry stays the product's
    name = "test.happened"
    n: int = 0


def test_held_events_reach_only_the_listeners_added_after_hold_once_and_in_order():
    bus = EventBus(lambda envelope: None)
    early: list[int] = []
    late: list[int] = []
    bus.listen(Happened, lambda ev: early.append(ev.n))
    bus.hold()
    bus.emit(Happened(n=1))
    bus.emit(Happened(n=2))
    bus.listen(Happened, lambda ev: late.append(ev.n))
    bus.listen(Happened, lambda ev: 1 / 0)  # a failing listener stops no other
    bus.listen(Happened, lambda ev: late.append(-ev.n))
    assert late == []
    bus.release()
    assert early == [1, 2]
    assert late == [1, -1, 2, -2]
    bus.emit(Happened(n=3))  # after release, events are heard once, by everyone, as they come
    assert early == [1, 2, 3] and late == [1, -1, 2, -2, 3, -3]
    bus.release()  # a second release replays nothing
    assert late == [1, -1, 2, -2, 3, -3]


def test_requests_are_served_while_the_later_set_is_being_imported():
    async def scenario():
        core = deferred_core(MemoryStorage(), FakeClock())
        await core.start()  # the later set's build is under way from here
        reply = await asyncio.create_task(ask(core, "sending.status"))
        served_before = not core.features.later_set.built.is_set()
        await core.drain()
        return reply, served_before

    reply, served_before = run(scenario())
    assert reply["ok"], reply
    assert served_before  # the build yields between its steps: a request never waits for all of it


def test_a_core_built_at_once_never_waits_even_before_start():
    async def scenario():
        core = Core(Services(clock=FakeClock(), rng=random.Random(7), storage=MemoryStorage(), emit=Recorder()))
        return await asyncio.wait_for(ask(core, "no.such_command"), 30)  # a guard: without the fix it never answers

    reply = run(scenario())
    assert reply["error"]["code"] == "unknown_command", reply
