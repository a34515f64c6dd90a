import asyncio
import concurrent.futures
import random
import sys

import pytest

from pycore.app import Core, Services
from pycore.clock import FakeClock
from pycore.storage.memory import MemoryStorage


def run(coro):
    """asyncio.run, also from a test whose thread already runs a loop (Playwright's
    sync API does, in the e2e tests): then the coroutine runs in a worker thread."""
    if sys.platform != "emscripten":
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                return pool.submit(asyncio.run, coro).result()
    return asyncio.run(coro)


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
    run(c.start())
    return c


def call(core, type_, args=None, source="page", id_="t1"):
    return run(core.handle({"id": id_, "type": type_, "args": args or {}, "source": source}))
