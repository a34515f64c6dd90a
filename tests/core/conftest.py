import asyncio
import random

import pytest

from pycore.app import Core, Services
from pycore.clock import FakeClock
from pycore.storage.memory import MemoryStorage


class Recorder:
    def __init__(self):
        self.events = []

    def __call__(self, envelope):
        self.events.append(envelope)

    def of(self, name):
        return [e["data"] for e in self.events if e["event"] == name]


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def storage():
    return MemoryStorage()


@pytest.fixture
def events():
    return Recorder()


@pytest.fixture
def core(clock, storage, events):
    c = Core(Services(clock=clock, rng=random.Random(7), storage=storage, emit=events))
    asyncio.run(c.start())
    return c


def call(core, type_, args=None, source="page", id_="t1"):
    return asyncio.run(core.handle({"id": id_, "type": type_, "args": args or {}, "source": source}))
