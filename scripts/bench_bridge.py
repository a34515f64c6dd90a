"""Benchmark the bridge: time from browser start to "core ready", and round-trip
latency of core.ping from an extension page and from the content script in the
WhatsApp tab (through the service worker to the offscreen Python core and back).

    .venv/bin/python scripts/bench_bridge.py [--calls 300] [--runs 3]

Prints one JSON object. Needs dist/ (python scripts/build.py).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests import browser  # noqa: E402

PING_LOOP = """async (n) => {
    const out = [];
    for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        const r = await MettriCore.request("core.ping", {echo: "x"});
        if (!r.ok) throw new Error(JSON.stringify(r));
        out.push(performance.now() - t0);
    }
    return out;
}"""

BLANK_WHATSAPP = "<!doctype html><html id='whatsapp-web'><body><div id='app'></div></body></html>"


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return round(s[min(len(s) - 1, int(p / 100 * len(s)))], 2)


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50_ms": pct(values, 50), "p95_ms": pct(values, 95), "p99_ms": pct(values, 99),
            "mean_ms": round(statistics.fmean(values), 2)}


def one_start(p, calls: int) -> dict:
    with tempfile.TemporaryDirectory() as profile:
        t0 = time.perf_counter()
        context, ext_id = browser.launch(p, Path(profile))
        page = browser.open_page(context, ext_id)
        state = browser.wait_core_ready(page)
        ready_s = time.perf_counter() - t0
        if state["stage"] != "ready":
            raise SystemExit(f"core failed: {state}")
        page_rtt = page.evaluate(PING_LOOP, calls)
        wa = context.new_page()
        wa.route("https://web.whatsapp.com/**", lambda route: route.fulfill(body=BLANK_WHATSAPP, content_type="text/html"))
        wa.goto("https://web.whatsapp.com/")
        world = browser.content_script_world(wa)
        cs_rtt = world.evaluate(f"({PING_LOOP})({calls})")
        context.close()
    return {"start_to_ready_s": round(ready_s, 2), "offscreen_ready_ms": state["readyMs"], "stages_ms": state["stages"],
            "page": summary(page_rtt), "content_script": summary(cs_rtt)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=300)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with sync_playwright() as p:
        runs = [one_start(p, args.calls) for _ in range(args.runs)]
    result = {
        "benchmark": "bridge",
        "runs": runs,
        "start_to_ready_s_median": statistics.median(r["start_to_ready_s"] for r in runs),
        "page_rtt_p50_ms_median": statistics.median(r["page"]["p50_ms"] for r in runs),
        "page_rtt_p95_ms_median": statistics.median(r["page"]["p95_ms"] for r in runs),
        "content_rtt_p50_ms_median": statistics.median(r["content_script"]["p50_ms"] for r in runs),
        "content_rtt_p95_ms_median": statistics.median(r["content_script"]["p95_ms"] for r in runs),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
