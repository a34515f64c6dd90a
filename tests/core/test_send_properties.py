"""Properties of the whole gate under any schedule: the windows hold on what really left
the phone, and no message is ever sent twice, across tab deaths and core restarts."""

import os
import random
import statistics

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pycore.clock import FakeClock
from pycore.sending.pacing import PacingModel
from pycore.sending.scheduler import JOB_TTL_S
from pycore.sending.settling import REPORT_GRACE_S
from pycore.storage.memory import MemoryStorage
from tests.core.conftest import call
from tests.core.fake_tab import GroundTruth, ask, drain, new_core

# 60 keeps the default suite quick; METTRI_PROPERTY_EXAMPLES=300 is what found the bugs seeded on purpose.
EXAMPLES = int(os.environ.get("METTRI_PROPERTY_EXAMPLES", "60"))
LIMITS = {"per_minute": 5, "per_hour": 12, "per_day": 25, "warmup": False, "recipient_cooldown_s": 5}
WINDOWS = [(60, 5), (3600, 12), (86_400, 25)]
# Fast pacing so the limiter, not the pacing, is what holds sends back here.
FAST = PacingModel(min_gap_s=0.5, gap_median_s=1.0, gap_sigma=0.5, chars_per_s=(20, 40), pause_probability=0.05, pause_s=(5, 20))
CHATS = [f"55{i:03d}@c.us" for i in range(6)]

OUTCOMES = st.sampled_from(
    ["sent"] * 6
    + ["die_before", "die_after", "failed_before_send", "unknown_sent", "unknown_not_sent", "report_late", "send_late"]
)
# Seconds between receiving a job and pressing send: mostly quick, sometimes up to the expiry.
DELAYS = st.one_of(st.floats(0, 2), st.floats(0, JOB_TTL_S - 0.01))
OPS = st.one_of(
    st.tuples(st.just("request"), st.integers(1, 5), st.integers(0, 5), st.sampled_from([None, 0.0, 30.0, 900.0])),
    st.tuples(st.just("wait"), st.floats(0, 5000)),
    st.tuples(st.just("tab"), st.lists(st.tuples(OUTCOMES, DELAYS), min_size=1, max_size=12)),
    st.tuples(st.just("restart")),
)


def max_in_window(times, seconds):
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - seconds:
            j += 1
        best = max(best, i - j + 1)
    return best


class World:
    """One user's browser: a clock, one IndexedDB, the ground truth, the current core and tab."""

    def __init__(self, seed):
        self.clock = FakeClock()
        self.storage = MemoryStorage()
        self.truth = GroundTruth()
        self.rng = random.Random(seed)
        self.pending_reports = []
        self.restarts = 0
        self.core = self.start()
        call(self.core, "sending.settings.set", {"values": LIMITS})

    def start(self):
        return new_core(self.clock, self.storage, self.truth, rng_seed=self.rng.randrange(1 << 30), pacing=FAST)

    def text(self):
        words = ["".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(self.rng.randint(3, 8))) for _ in range(6)]
        return " ".join(words)

    def request(self, count, chat, scheduled):
        for k in range(count):
            args = {"chat": CHATS[(chat + k) % len(CHATS)], "text": self.text()}
            if scheduled is not None:
                args["scheduled_at"] = self.clock.now() + scheduled
            assert call(self.core, "send.request", args)["ok"]

    def report(self, job, outcome):
        return ask(self.core, "sender.report", {"job_id": job["id"], "attempt": job["attempt"], "outcome": outcome})

    def tab(self, plan):
        for job, outcome in self.pending_reports:
            if outcome == "send_late":  # the tab was still busy while the core (maybe) restarted
                if self.clock.now() <= job["expires_at"]:
                    self.truth.sent.append((job["id"], job["attempt"], job["chat"], job["text"], self.clock.now()))
                    outcome = "sent"
                else:
                    outcome = "failed_before_send"  # too late: the tab must not press send
            self.report(job, outcome)
        self.pending_reports = []
        for outcome, delay in plan:
            nxt = ask(self.core, "sender.next", {"visible": True})
            if nxt["job"] is None:
                if nxt["retry_at"] is None:
                    return
                self.clock.advance(max(0.0, nxt["retry_at"] - self.clock.now()) + 0.001)
                continue
            job = nxt["job"]
            self.clock.advance(delay)
            if outcome in ("sent", "die_after", "unknown_sent", "report_late"):
                assert self.clock.now() <= job["expires_at"]
                self.truth.sent.append((job["id"], job["attempt"], job["chat"], job["text"], self.clock.now()))
            if outcome in ("sent", "failed_before_send"):
                self.report(job, outcome)
            elif outcome.startswith("unknown"):
                self.report(job, "failed_unknown")
            elif outcome == "report_late":
                self.pending_reports.append((job, "sent"))
            elif outcome == "send_late":
                self.pending_reports.append((job, "send_late"))
                return
            else:
                return  # the tab died: this tab asks nothing more

    def finish(self):
        self.clock.advance(JOB_TTL_S + REPORT_GRACE_S + 1)
        self.tab([])
        drain(self.core, self.clock, self.truth)
        self.clock.advance(JOB_TTL_S + REPORT_GRACE_S + 1)
        drain(self.core, self.clock, self.truth)


def check_world(world):
    times = world.truth.times()
    for seconds, limit in WINDOWS:
        assert max_in_window(times, seconds) <= limit, (seconds, limit)
    ids = [entry_id for entry_id, *_ in world.truth.sent]
    assert len(ids) == len(set(ids)), "a message was sent twice"
    entries = call(world.core, "outbox.list", {"limit": 500})["result"]["entries"]
    states = {e["id"]: e["state"] for e in entries}
    # Everything is settled, and the outbox agrees with what really went out.
    assert set(states.values()) <= {"sent", "failed", "blocked", "cancelled"}, states
    assert {i for i, s in states.items() if s == "sent"} == set(ids)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16), ops=st.lists(OPS, min_size=1, max_size=14))
def test_limits_hold_and_nothing_is_sent_twice_under_any_schedule(seed, ops):
    world = World(seed)
    for op in ops:
        if op[0] == "request":
            world.request(*op[1:])
        elif op[0] == "wait":
            world.clock.advance(op[1])
        elif op[0] == "tab":
            world.tab(op[1])
        else:
            world.core = world.start()
    world.finish()
    check_world(world)


def test_a_burst_is_spread_over_every_window():
    world = World(5)
    for _ in range(8):
        world.request(5, 0, None)
    world.finish()
    check_world(world)
    times = world.truth.times()
    assert len(times) == 40 and times[-1] - times[0] >= 86_400  # 25 a day: the rest waited for the next day


def inter_send_delays(n=200, seed=11):
    clock, storage, truth = FakeClock(), MemoryStorage(), GroundTruth()
    core = new_core(clock, storage, truth, rng_seed=seed)
    call(core, "sending.settings.set", {"values": {"warmup": False}})
    rng = random.Random(seed)
    for batch in range(0, n, 20):  # the user queues a few at a time through the day
        for i in range(batch, min(n, batch + 20)):
            words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(rng.randint(1, 25))]
            text = " ".join(words)  # 1 to 25 words of random letters: distinct texts of varied lengths
            assert call(core, "send.request", {"chat": f"c{i}@c.us", "text": text})["result"]["state"] == "approved"
        drain(core, clock, truth)
    times = truth.times()
    assert len(times) == n
    return [b - a for a, b in zip(times, times[1:])]


def test_pacing_is_human_like_not_periodic():
    gaps = sorted(inter_send_delays())
    q = statistics.quantiles(gaps, n=10)
    cv = statistics.pstdev(gaps) / statistics.mean(gaps)
    summary = {"min": gaps[0], "p10": q[0], "p50": statistics.median(gaps), "p90": q[-1], "max": gaps[-1], "cv": cv}
    print("inter-send delays (s):", {k: round(v, 2) for k, v in summary.items()})
    assert gaps[0] >= 60 / 20  # never faster than the minute limit's average rate
    assert cv > 0.4
    assert len({round(g, 1) for g in gaps}) > 150  # hardly two gaps alike
