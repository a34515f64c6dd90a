"""The gate under a clock that moves between two reads (the real one does): a free window must
not look like a wait forever."""

import asyncio
import random

from pycore.app import Core, Services
from pycore.clock import FakeClock
from pycore.storage.memory import MemoryStorage
from tests.core.conftest import call


class TickingClock(FakeClock):
    def now(self) -> float:
        self.advance(0.001)
        return super().now()


def test_a_due_message_is_handed_out_under_a_moving_clock():
    clock = TickingClock()
    core = Core(Services(clock=clock, rng=random.Random(3), storage=MemoryStorage()))
    asyncio.run(core.start())
    sent = call(core, "send.request", {"chat": "120363000000000001@g.us", "text": "Bom dia!"})["result"]
    assert sent["decision"]["verdict"] == "allow", sent["decision"]
    for _ in range(5):
        reply = call(core, "sender.next", {}, source="content")["result"]
        if reply["job"]:
            break
        assert reply["wait_code"] == "pacing" and reply["retry_in"] > 0, reply
        clock.advance(reply["retry_in"])
    assert reply["job"] and reply["job"]["text"] == "Bom dia!"
