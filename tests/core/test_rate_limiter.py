"""Sliding windows on the persisted log, the jittered bucket, warm-up: exact with a FakeClock."""

import asyncio
import random

import pytest

from pycore.clock import FakeClock
from pycore.sending.limits import message_limits, warmup_day_limit
from pycore.sending.rate_limiter import FIXED_LIMITS, KindLimits, RateLimiter, Window, window_next_free
from pycore.sending.settings import SendingSettings
from pycore.storage.memory import MemoryStorage

NO_BUCKET = dict(bucket_capacity=10_000, refill_per_s=1.0)


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def limiter(clock, storage):
    run(storage.open())
    return RateLimiter(storage, clock, random.Random(3))


def hit_n(limiter, kind, n, limits=None):
    return [run(limiter.hit(kind, limits)) for _ in range(n)]


def test_minute_window_is_sliding_and_exact(limiter, clock):
    limits = KindLimits((Window("minute", 60, 20),), **NO_BUCKET)
    clock.advance(59)  # a fixed minute bucket would reset one second from now
    assert hit_n(limiter, "message", 20, limits) == [True] * 20
    assert run(limiter.hit("message", limits)) is False
    start = clock.now()
    clock.advance(2)  # the next calendar minute: still the same sliding window
    assert run(limiter.test("message", limits)) is False
    stats = run(limiter.stats("message", limits))
    assert stats.windows[0].used == 20 and stats.windows[0].remaining == 0
    assert stats.next_allowed_at == start + 60
    clock.advance(start + 60 - clock.now() - 0.001)
    assert run(limiter.test("message", limits)) is False
    clock.advance(0.001)
    assert run(limiter.test("message", limits)) is True


def test_every_window_applies_and_the_tightest_wins(limiter, clock):
    limits = KindLimits((Window("minute", 60, 5), Window("hour", 3600, 8)), **NO_BUCKET)
    assert hit_n(limiter, "message", 6, limits) == [True] * 5 + [False]
    clock.advance(60)
    assert hit_n(limiter, "message", 4, limits) == [True] * 3 + [False]  # the hour has 8
    stats = run(limiter.stats("message", limits))
    assert [(w.name, w.used, w.remaining) for w in stats.windows] == [("minute", 3, 2), ("hour", 8, 0)]
    assert stats.next_allowed_at == clock.now() - 60 + 3600  # when the first of the hour leaves


def test_bucket_of_20_refills_about_one_per_second_with_jitter(limiter, clock):
    limits = KindLimits((Window("day", 86400, 10_000),), bucket_capacity=20, refill_per_s=1.0, jitter=0.2)
    assert hit_n(limiter, "message", 21, limits) == [True] * 20 + [False]
    waits = []
    for _ in range(30):
        stats = run(limiter.stats("message", limits))
        wait = stats.next_allowed_at - clock.now()
        waits.append(wait)
        clock.advance(wait)
        assert run(limiter.hit("message", limits)) is True
    assert all(1 / 1.2 - 1e-9 <= w <= 1 / 0.8 + 1e-9 for w in waits)
    assert len({round(w, 6) for w in waits}) > 20  # jittered, not a fixed period


def test_state_survives_a_restart(clock, storage):
    run(storage.open())
    first = RateLimiter(storage, clock, random.Random(1))
    assert hit_n(first, "scrape", 10) == [True] * 10
    again = RateLimiter(storage, clock, random.Random(2))  # reload / new core, same IndexedDB
    assert run(again.hit("scrape")) is False
    assert run(again.stats("scrape")).windows[0].used == 10


def test_default_kinds_match_the_product_design():
    message, _, _ = message_limits(SendingSettings(warmup=False), None, 0.0)  # the one place message limits come from
    assert [(w.seconds, w.limit) for w in message.windows] == [(60, 20), (3600, 200), (86400, 1000)]
    assert [(w.seconds, w.limit) for w in FIXED_LIMITS["scrape"].windows] == [(60, 10)]
    assert [(w.seconds, w.limit) for w in FIXED_LIMITS["search"].windows] == [(60, 30)]
    assert message.bucket_capacity == 20 and message.jitter == 0.2


def test_searches_are_capped_by_the_bucket_first_then_the_window(limiter, clock, storage):
    start = clock.now()
    assert hit_n(limiter, "search", 21) == [True] * 20 + [False]  # the bucket of 20 is tighter at once
    times = [start] * 20
    while clock.now() < start + 180:
        clock.advance(0.5)
        if run(limiter.hit("search")):
            times.append(clock.now())
    assert sum(t < start + 60 for t in times) == 30
    for t in times:  # any 60-second window
        assert sum(t <= u < t + 60 for u in times) <= 30


def test_span_counts_a_job_until_it_may_have_been_performed(limiter, clock):
    limits = KindLimits((Window("minute", 60, 1),), **NO_BUCKET)
    ops = run(limiter.hit_ops("message", "job-1", limits, span=20.0))
    run(limiter.storage.apply(ops))
    clock.advance(60)
    assert run(limiter.test("message", limits)) is False  # the tab may have sent it at +20 s
    clock.advance(20)
    assert run(limiter.test("message", limits)) is True


def test_window_next_free_counts_records_ending_inside_the_window():
    w = Window("minute", 60, 2)
    assert window_next_free([10.0, 20.0, 30.0], w, 65.0) == (3, 80.0)
    assert window_next_free([10.0, 20.0, 30.0], w, 70.0) == (2, 80.0)
    assert window_next_free([10.0, 20.0, 30.0], w, 80.0) == (1, 80.0)


def test_old_log_records_are_pruned(limiter, clock, storage):
    hit_n(limiter, "search", 3)
    clock.advance(3 * 86_400)
    run(limiter.hit("search"))
    assert run(storage.count("sends")) == 1


@pytest.mark.parametrize(
    "day, expected",
    [(0, 20), (1, 31), (4, 114), (8, 647), (9, 1000), (30, 1000)],
)
def test_warm_up_ramps_the_daily_limit_geometrically(day, expected):
    s = SendingSettings()
    start = 1_000_000.0
    assert warmup_day_limit(s, start, start + day * 86_400 + 5)[1] == expected


def test_warm_up_never_exceeds_the_daily_setting_and_can_be_off():
    s = SendingSettings(per_day=100, warmup_start=20, warmup_days=5)
    limits = [warmup_day_limit(s, 0.0, d * 86_400.0)[1] for d in range(8)]
    assert limits == sorted(limits) and max(limits) == 100 and limits[0] == 20
    assert warmup_day_limit(SendingSettings(warmup=False), None, 0.0) == (None, 1000)
    assert warmup_day_limit(SendingSettings(), None, 0.0) == (0, 20)  # no send yet: day 1 of the ramp


def test_fake_clock_rejects_going_back():
    with pytest.raises(ValueError):
        FakeClock().advance(-1)
    assert isinstance(MemoryStorage(), MemoryStorage)
