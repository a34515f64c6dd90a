"""Benchmark the options page's metrics (metrics.summary, 14 days) on a busy account's fortnight:
3,000 captured messages a day over 50 chats (42,000 in the window), through messages.import.

The in-run baseline is a core.ping round trip from the same extension page, in the same browser
(`summary_over_ping`: what the summary costs beyond crossing to the core and back). With
--before DIST the build before is measured in a second browser filled alike, the two taking turns
call by call (`after_over_before`): the machine's drift falls on both.

    .venv/bin/python scripts/build.py && .venv/bin/python scripts/bench_metrics.py [--per-day 3000] [--calls 7] [--before DIST] [--save-baseline]

The first two calls of each browser are left out (warm-up). Then, per build, how long one summary
holds the core's thread, which nothing else it is asked meanwhile (a search) gets past: core.ping
sent back to back while a summary runs, the longest of them per call (`longest_hold_ms`, the median
over --calls; `longest_hold_over_ping`). Prints one JSON object (regressions against
scripts/baselines/metrics.json, see benchlib).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from playwright.sync_api import sync_playwright  # noqa: E402

import benchlib  # noqa: E402
from pycore.metrics.service import day_starts  # noqa: E402
from tests import browser  # noqa: E402

DAYS = 14
CHATS = 50
IMPORT_BATCH = 5_000  # messages.import's most records a call
ARGS = {"days": DAYS, "utc_offset_min": -180}


def fill(page, per_day: int) -> int:
    """The window's messages, spread evenly from its first local midnight until now; every third one
    outgoing."""
    n = per_day * DAYS
    now = time.time()
    first = day_starts(now, ARGS["utc_offset_min"], DAYS)[0]
    for start in range(0, n, IMPORT_BATCH):
        records = [{"chat": f"55119{i % CHATS:08d}@c.us", "id": f"M{i:08d}", "ts": first + (i + 0.5) * (now - first) / n,
                    "type": "text", "text": f"mensagem {i}", "chat_title": f"Cliente {i % CHATS}",
                    **({"direction": "in", "author": f"Cliente {i % CHATS}"} if i % 3 else {"direction": "out"})}
                   for i in range(start, min(n, start + IMPORT_BATCH))]
        browser.core_result(page, "messages.import", {"records": records})
    return n


def one_summary(page) -> tuple[float, int]:
    t0 = time.perf_counter()
    result = browser.core_result(page, "metrics.summary", ARGS)
    return (time.perf_counter() - t0) * 1000, sum(d["captured_in"] + d["captured_out"] for d in result["days"])


# Pings back to back while one summary runs: the longest waited behind the summary's longest stretch.
HOLD_LOOP = """async (args) => {
    let done = false;
    const summary = MettriCore.request("metrics.summary", args, {timeoutMs: 60000}).then((r) => { done = true; return r; });
    const pings = await (__PINGS_WHILE__)(() => done, 0);
    const reply = await summary;
    if (!reply.ok) throw new Error(JSON.stringify(reply.error));
    return Math.max(0, ...pings);
}""".replace("__PINGS_WHILE__", benchlib.PINGS_WHILE)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dist", default=str(ROOT / "dist"))
    ap.add_argument("--before", help="another build's dist/, measured in turns in a second browser")
    ap.add_argument("--per-day", type=int, default=3_000)
    ap.add_argument("--calls", type=int, default=7)
    ap.add_argument("--save-baseline", action="store_true")
    a = ap.parse_args()
    builds = {"after": Path(a.dist), **({"before": Path(a.before)} if a.before else {})}
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        pages = {}
        for name, dist in builds.items():
            context, ext_id = browser.launch(pw, Path(tmp) / name, dist=dist)
            stack.callback(context.close)
            page = browser.open_page(context, ext_id)
            assert browser.wait_core_ready(page)["stage"] == "ready"
            stored = fill(page, a.per_day)
            benchlib.log(f"{name}: {stored} messages")
            pages[name] = page
        times: dict[str, list[float]] = {name: [] for name in pages}
        for k in range(a.calls):
            for name in (list(pages) if k % 2 == 0 else list(pages)[::-1]):
                ms, counted = one_summary(pages[name])
                if counted != stored:
                    raise SystemExit(f"{name}: the summary counted {counted} of {stored} messages")
                times[name].append(ms)
        holds: dict[str, list[float]] = {name: [] for name in pages}
        for k in range(a.calls):
            for name in (list(pages) if k % 2 == 0 else list(pages)[::-1]):
                holds[name].append(pages[name].evaluate(HOLD_LOOP, ARGS))
        ping = statistics.median(pages["after"].evaluate(benchlib.PING_LOOP, 30))
    kept = {name: t[2:] for name, t in times.items()}
    out: dict = {"messages_in_window": stored, "calls": a.calls, "ping_ms": round(ping, 2),
                 "summary_ms": {name: benchlib.summary(t) for name, t in kept.items()},
                 "summary_ms_each": {name: [round(x) for x in t] for name, t in times.items()},
                 "longest_hold_ms": {name: round(statistics.median(h), 1) for name, h in holds.items()},
                 "longest_hold_ms_each": {name: [round(x) for x in h] for name, h in holds.items()}}
    after = statistics.median(kept["after"])
    hold = statistics.median(holds["after"])
    if "before" in kept:
        out["after_over_before"] = round(after / statistics.median(kept["before"]), 3)
        out["longest_hold_after_over_before"] = round(hold / statistics.median(holds["before"]), 3)
    benchlib.finish("metrics", out, {"summary_over_ping": round(after / ping, 1), "longest_hold_over_ping": round(hold / ping, 1)},
                    save=a.save_baseline)


if __name__ == "__main__":
    main()
