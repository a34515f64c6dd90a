import asyncio
import random

from pycore.app import Core, Services
from pycore.clock import FakeClock
from pycore.dev.clock import WarpClock
from pycore.storage.memory import MemoryStorage
from tests.core.conftest import Recorder, call


def dev_core(storage, base, events):
    core = Core(Services(clock=WarpClock(base), rng=random.Random(1), storage=storage, emit=events), dev=True)
    asyncio.run(core.start())
    return core


def test_advance_moves_the_core_clock_emits_and_survives_a_restart():
    storage, base, events = MemoryStorage(), FakeClock(1000.0), Recorder()
    core = dev_core(storage, base, events)
    reply = call(core, "debug.clock.advance", {"seconds": 3600})
    assert reply["ok"], reply
    assert reply["result"] == {"now": 4600.0, "offset": 3600.0}
    assert events.of("clock.moved") == [{"now": 4600.0, "offset": 3600.0}]
    # Another core on the same storage (the offscreen document restarted): time does not go back.
    again = dev_core(storage, base, Recorder())
    assert again.clock.now() == 4600.0
    assert call(again, "debug.clock.advance", {"seconds": 10})["result"]["offset"] == 3610.0


def test_only_forward_and_only_from_pages():
    core = dev_core(MemoryStorage(), FakeClock(), Recorder())
    assert call(core, "debug.clock.advance", {"seconds": -1})["error"]["code"] == "invalid_args"
    assert not call(core, "debug.clock.advance", {"seconds": 5}, source="content")["ok"]


def test_a_normal_core_has_no_clock_command(core):
    assert call(core, "debug.clock.advance", {"seconds": 5})["error"]["code"] == "unknown_command"


def test_sender_next_says_how_long_to_wait_by_the_core_clock(core, clock):
    call(core, "sending.pause", {})
    reply = call(core, "sender.next", {}, source="content")
    assert reply["result"]["wait_code"] == "sending_paused" and reply["result"]["retry_in"] is None
    call(core, "sending.resume", {})
    call(core, "send.request", {"chat": "120363000000000001@g.us", "text": "oi", "scheduled_at": clock.now() + 90})
    reply = call(core, "sender.next", {}, source="content")["result"]
    assert reply["job"] is None and reply["retry_in"] == reply["retry_at"] - clock.now() > 0


def test_wall_uses_the_offset_of_the_moment_not_the_latest_one():
    """A send at core time t happened at wall time t - (offset then): the gate's evidence window
    for a lost report is looked up in page (wall) times after the clock moved on, and after a restart."""
    storage, base, events = MemoryStorage(), FakeClock(1000.0), Recorder()
    core = dev_core(storage, base, events)
    call(core, "debug.clock.advance", {"seconds": 100})
    base.advance(10)
    sent_at = core.clock.now()  # 1110 in core time, wall 1010
    call(core, "debug.clock.advance", {"seconds": 150})
    base.advance(5)
    assert core.clock.wall(sent_at) == 1010.0
    assert core.clock.wall(core.clock.now()) == 1015.0
    assert core.clock.wall(500.0) == 500.0  # before any move
    again = dev_core(storage, base, Recorder())
    assert again.clock.wall(sent_at) == 1010.0
