"""Where a capture batch's time goes in the core: the pipeline of bench_capture taken apart.

The content script sends batches of 500 new rows, one in flight at a time (bench_capture's PIPELINE).
Each batch's cycle, from the core taking one batch to taking the next, is timed in the core's
worker in four parts:

- cpu: the core's work on the batch before its write (parsing, validation, reading the rows,
  naming the chat, the records to write);
- write: the write's IndexedDB transaction (messages with their six indexes, chats, health, seq),
  and how much of it the core's thread was busy for (`busy_during_write`);
- after: the rest of the request once written (its event, its reply);
- transit: from the reply leaving the core to the next batch reaching it (the reply to the content
  script and the next batch back, with what the core runs meanwhile, `busy_in_transit`: the
  followers of messages.captured, search, opt-out words, the CRM's activity, suggestions).

The same cycles are taken again with the followers of messages.captured off (`no_followers`), in
turns with them on: whether they lie on the batches' path. In-run baseline: IndexedDB's floor for
500 message records in a store shaped like Mettri's (bench_capture's IDB_FLOOR_MESSAGES), in the same
browser, before and after each round (their median); the ratios are the parts over that floor.

The timing needs a hook into the core's worker that the product does not have (it evaluates Python):
it is added to a copy of dist/ made for this run only, never to the build.

    .venv/bin/python scripts/bench_capture_phases.py [--rounds 2] [--batches 10] [--save-baseline]

Prints one JSON object (regressions against scripts/baselines/capture_phases.json, see benchlib).
Needs dist/ (python scripts/build.py).
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_capture import IDB_FLOOR_MESSAGES, pipeline  # noqa: E402
from bench_search import OffscreenProbe  # noqa: E402
from benchlib import finish  # noqa: E402

from playwright.sync_api import sync_playwright  # noqa: E402

from tests import browser  # noqa: E402
from tests.replica.site import install_routes  # noqa: E402

# The hook, in the copy only: the worker runs Python it is given; the document passes it on.
HOOKS = [
    ("extension/offscreen/core-worker.js", "  wasmBytes() {",
     "  benchPython(code) { return pyodide.runPython(code); },\n  wasmBytes() {"),
    ("extension/offscreen/main.js", 'mettriWasmBytes: () => core.call("wasmBytes"),',
     'mettriBenchPython: (code) => core.call("benchPython", code), mettriWasmBytes: () => core.call("wasmBytes"),'),
]

# Timers in the core: every turn of its event loop (busy), each capture.batch request, each call
# into the IndexedDB shim (the write is "apply"); and a switch for the followers of messages.captured.
TIMERS = """
import asyncio, gc, json, time
import asyncio.events as events
import pycore.host as host
from pycore.app import EventBus

bench_log = {"busy": [], "requests": [], "calls": []}
bench_on = [False]

def _timed_run(self, _run=events.Handle._run):
    t = time.perf_counter()
    try:
        return _run(self)
    finally:
        if bench_on[0]:
            bench_log["busy"].append((t, time.perf_counter()))
events.Handle._run = _timed_run

async def _timed_handle(self, text, _handle=host.CoreHost.handle_json):
    t = time.perf_counter()
    try:
        return await _handle(self, text)
    finally:
        if bench_on[0] and '"capture.batch"' in text[:300]:
            bench_log["requests"].append((t, time.perf_counter()))
host.CoreHost.handle_json = _timed_handle

async def _timed_call(self, method, *args, _call=host.IndexedDBStorage._call):
    t = time.perf_counter()
    try:
        return await _call(self, method, *args)
    finally:
        if bench_on[0]:
            bench_log["calls"].append((t, time.perf_counter(), method))
host.IndexedDBStorage._call = _timed_call

_bus = next(o for o in gc.get_objects() if isinstance(o, EventBus))
_followers = list(_bus._listeners.get("messages.captured", []))

def bench_start(followers):
    _bus._listeners["messages.captured"] = list(_followers) if followers else []
    for v in bench_log.values():
        v.clear()
    bench_on[0] = True

def bench_stop():
    bench_on[0] = False
    _bus._listeners["messages.captured"] = list(_followers)
    return json.dumps(bench_log)
len(_followers)
"""


def hooked_copy(dist: Path, into: Path) -> Path:
    copy = into / "dist"
    shutil.copytree(dist, copy)
    for rel, anchor, replacement in HOOKS:
        path = copy / rel
        text = path.read_text()
        if anchor not in text:
            raise SystemExit(f"bench_capture_phases: {rel} no longer has {anchor!r}: update HOOKS")
        path.write_text(text.replace(anchor, replacement, 1))
    return copy


def busy_within(busy: list, a: float, b: float) -> float:
    return sum(max(0.0, min(end, b) - max(start, a)) for start, end in busy)


def phases(log: dict, batches: int) -> list[dict]:
    """Per batch, in ms: its parts, from the timers' log: the pipeline's own batches (the last ones;
    the capture loop's batches of the rows the pipeline reads come first), the last without transit."""
    busy, requests = log["busy"], sorted(log["requests"])[-batches:]
    writes = [c for c in log["calls"] if c[2] == "apply"]
    out = []
    for i, (start, end) in enumerate(requests[:-1]):
        mine = [w for w in writes if w[0] >= start and w[1] <= end]
        if not mine:
            continue
        w0, w1, _ = max(mine, key=lambda w: w[1] - w[0])  # the batch's own write (health may write apart)
        nxt = requests[i + 1][0]
        out.append({"cycle": nxt - start, "cpu": busy_within(busy, start, w0), "write": w1 - w0,
                    "busy_during_write": busy_within(busy, w0, w1), "after": end - w1, "transit": nxt - end,
                    "busy_in_transit": busy_within(busy, end, nxt)})
    return [{k: round(v * 1000, 2) for k, v in p.items()} for p in out]


def medians(rows: list[dict]) -> dict:
    return {k: round(statistics.median(r[k] for r in rows), 1) for k in rows[0]} if rows else {}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=2, help="pipelines per mode (followers on, off), in turns")
    ap.add_argument("--batches", type=int, default=10, help="batches of 500 rows per pipeline")
    ap.add_argument("--gen", default="2025")
    ap.add_argument("--save-baseline", action="store_true")
    a = ap.parse_args()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    got: dict[str, list[dict]] = {"followers": [], "no_followers": []}
    rates: dict[str, list[int]] = {"followers": [], "no_followers": []}
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as tmp:
        dist = hooked_copy(ROOT / "dist", Path(tmp))
        context, ext_id = browser.launch(pw, Path(tmp) / "profile", dist=dist, extra_args=[f"--remote-debugging-port={port}"])
        install_routes(context)
        core_page = browser.open_page(context, ext_id)
        assert browser.wait_core_ready(core_page)["stage"] == "ready"
        probe = OffscreenProbe(pw, port)

        def python(code: str):
            reply = probe.send("Runtime.evaluate", {"expression": f"mettriBenchPython({json.dumps(code)})",
                                                   "returnByValue": True, "awaitPromise": True})
            if "exceptionDetails" in reply:
                raise SystemExit(f"bench_capture_phases: the core's worker refused the timers: {reply['exceptionDetails']}")
            return reply["result"].get("value")

        followers = python(TIMERS)
        pipeline(context, core_page, a.gen, 500, 4, chat="5511900000071@c.us", prefix="3EB0C0E0")  # warm
        floors = [core_page.evaluate(IDB_FLOOR_MESSAGES, 500)]
        k = 0
        for r in range(a.rounds):
            for mode in (("followers", "no_followers") if r % 2 == 0 else ("no_followers", "followers")):
                k += 1
                python(f"bench_start({mode == 'followers'})")
                res = pipeline(context, core_page, a.gen, 500, a.batches, chat=f"55119000007{k:02d}@c.us", prefix=f"3EB0C{k:03X}")
                got[mode] += phases(json.loads(python("bench_stop()")), a.batches)
                rates[mode].append(res["core_msgs_per_s"])
            floors.append(core_page.evaluate(IDB_FLOOR_MESSAGES, 500))  # it moves too: taken between rounds
        floor_ms = 500 / statistics.median(floors) * 1000
        context.close()
    on, off = medians(got["followers"]), medians(got["no_followers"])
    result = {"batches_of_500": {m: len(v) for m, v in got.items()}, "followers_of_messages_captured": followers,
              "core_msgs_per_s": rates, "idb_floor_500_ms": round(floor_ms, 1),
              "idb_floor_500_ms_each": [round(500 / f * 1000, 1) for f in floors],
              "median_ms": {"followers": on, "no_followers": off}}
    ratios = {
        "cycle_over_floor": round(on["cycle"] / floor_ms, 3),
        "write_over_floor": round(on["write"] / floor_ms, 3),
        "cpu_over_floor": round(on["cpu"] / floor_ms, 3),
        "transit_over_floor": round(on["transit"] / floor_ms, 3),
        "cycle_without_followers_over_with": round(off["cycle"] / on["cycle"], 3),
    }
    finish("capture_phases", result, ratios, save=a.save_baseline)


if __name__ == "__main__":
    main()
