"""Benchmark the start of the core and the bridge's round trips (issue 16, targets 1 and 3).

    .venv/bin/python scripts/bench_bridge.py [--rounds 3] [--calls 300] [--before DIST] [--save-baseline]

Start: browser launch -> "core ready" (core.boot_state polled every 25 ms from an extension tab)
and -> the first real command answered (chats.list), for a first start (fresh profile) and for a
later start (the same profile relaunched, as every browser start after the first is). The in-run
baseline is a bare ``loadPyodide()`` of the same runtime files in the same browser: in an
extension tab once the core is ready, twice, the median. Target: launch -> ready <= 1.25x it.

Round trips: core.ping from an extension page and from the content script in a WhatsApp tab
(through the typed client's transport, MettriCore), p50/p95 over --calls; the in-run baseline is a
plain chrome.runtime message answered by another extension page (no Python, no relay).
Targets: p50 <= 3 ms, p95 <= 8 ms.

--before DIST measures another build (e.g. main's dist/) in the same rounds, interleaved.
Prints one JSON object. Needs dist/ (python scripts/build.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from benchlib import PING_LOOP, bare_load, finish, log, median, spread, summary  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests import browser  # noqa: E402

POLL_READY = """async () => {
    const ask = (type) => chrome.runtime.sendMessage({to: "core", request: {id: "bench-" + Math.random(), type, args: {}}})
        .catch(() => undefined);
    for (;;) {
        const r = await ask("core.boot_state");
        if (r && r.ok && (r.result.stage === "ready" || r.result.stage === "failed")) {
            const at = performance.timeOrigin + performance.now();
            const first = await ask("chats.list");
            return {state: r.result, at, firstAnswerAt: performance.timeOrigin + performance.now(), firstOk: !!(first && first.ok)};
        }
        await new Promise((res) => setTimeout(res, 25));
    }
}"""

WAIT_SNAPSHOT = """async () => {
    for (let i = 0; i < 2400; i++) {
        const r = await chrome.runtime.sendMessage({to: "core", request: {id: "bench-s" + i, type: "core.boot_state", args: {}}});
        const s = r && r.result && r.result.snapshotState;
        if (s === "saved" || s === "failed" || (r && r.result && !("snapshotState" in r.result))) return s || null;
        await new Promise((res) => setTimeout(res, 50));
    }
    return "timeout";
}"""

ECHO_SERVER = """() => { chrome.runtime.onMessage.addListener((m, s, send) => {
    if (m && m.to === "bench-echo") { send({ok: true}); } return false; }); return true; }"""

ECHO_LOOP = """async (n) => {
    const out = [];
    for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        const r = await chrome.runtime.sendMessage({to: "bench-echo"});
        if (!r || !r.ok) throw new Error("echo failed");
        out.push(performance.now() - t0);
    }
    return out;
}"""

BLANK_WHATSAPP = "<!doctype html><html id='whatsapp-web'><body><div id='app'></div></body></html>"


def ext_start(p, dist: Path, profile: Path, *, keep: bool = False):
    t0 = time.time() * 1000
    context, ext_id = browser.launch(p, profile, dist=dist)
    page = context.new_page()
    page.goto(f"chrome-extension://{ext_id}/manifest.json")  # a light extension tab to poll from
    got = page.evaluate(POLL_READY)
    if got["state"]["stage"] != "ready":
        raise SystemExit(f"core failed in {dist}: {got['state']}")
    out = {"launch_to_ready_ms": round(got["at"] - t0), "launch_to_first_answer_ms": round(got["firstAnswerAt"] - t0),
           "first_answer_ok": got["firstOk"], "stages_ms": got["state"]["stages"], "offscreen_ready_ms": got["state"]["readyMs"],
           "runtime_from": got["state"].get("runtimeFrom")}
    if not keep:
        out["snapshot"] = page.evaluate(WAIT_SNAPSHOT)  # made after ready: before the baseline runs
    out["bare_loadPyodide_ms"] = bare_load(context, ext_id)
    out["ready_ratio"] = round(out["launch_to_ready_ms"] / out["bare_loadPyodide_ms"], 3)
    out["first_answer_ratio"] = round(out["launch_to_first_answer_ms"] / out["bare_loadPyodide_ms"], 3)
    if not keep:
        context.close()
        return out, None, None
    return out, context, ext_id


def round_trips(context, ext_id: str, calls: int) -> dict:
    echo = context.new_page()
    echo.goto(f"chrome-extension://{ext_id}/manifest.json")
    echo.evaluate(ECHO_SERVER)
    page = browser.open_page(context, ext_id)
    page.evaluate(PING_LOOP, 20)  # warm-up
    page_rtt = page.evaluate(PING_LOOP, calls)
    page_echo = page.evaluate(ECHO_LOOP, calls)
    wa = context.new_page()
    wa.route("https://web.whatsapp.com/**", lambda route: route.fulfill(body=BLANK_WHATSAPP, content_type="text/html"))
    wa.goto("https://web.whatsapp.com/")
    world = browser.content_script_world(wa)
    world.evaluate(f"({PING_LOOP})(20)")
    cs_rtt = world.evaluate(f"({PING_LOOP})({calls})")
    cs_echo = world.evaluate(f"({ECHO_LOOP})({calls})")
    return {"page": summary(page_rtt), "page_echo_baseline": summary(page_echo),
            "content_script": summary(cs_rtt), "content_echo_baseline": summary(cs_echo)}


def one_round(p, builds: dict[str, Path], calls: int) -> dict:
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, dist in builds.items():
            prof = Path(tmp) / label
            first, _, _ = ext_start(p, dist, prof)
            later, context, ext_id = ext_start(p, dist, prof, keep=True)
            rtt = round_trips(context, ext_id, calls)
            context.close()
            out[label] = {"first": first, "relaunch": later, "rtt": rtt}
    return out


def figures(rounds: list[dict], label: str) -> dict:
    def get(path):
        vals = []
        for r in rounds:
            v = r
            for k in path:
                v = v[k]
            vals.append(v)
        return vals

    fig = {
        "start_ratio_relaunch": spread(get([label, "relaunch", "ready_ratio"])),
        "start_ratio_first": spread(get([label, "first", "ready_ratio"])),
        "first_answer_ratio_relaunch": spread(get([label, "relaunch", "first_answer_ratio"])),
        "bare_loadPyodide_ms": spread(get([label, "relaunch", "bare_loadPyodide_ms"]) + get([label, "first", "bare_loadPyodide_ms"])),
        "launch_to_ready_ms_relaunch": spread(get([label, "relaunch", "launch_to_ready_ms"])),
        "launch_to_ready_ms_first": spread(get([label, "first", "launch_to_ready_ms"])),
        "stages_ms_relaunch": {k: median(r[label]["relaunch"]["stages_ms"].get(k) for r in rounds)
                               for k in ("runtime", "packages", "core")},
        "stages_ms_first": {k: median(r[label]["first"]["stages_ms"].get(k) for r in rounds) for k in ("runtime", "packages", "core")},
        "runtime_from_relaunch": [r[label]["relaunch"]["runtime_from"] for r in rounds],
    }
    for who in ("page", "content_script"):
        base = "page_echo_baseline" if who == "page" else "content_echo_baseline"
        fig[f"{who}_rtt_p50_ms"] = median(get([label, "rtt", who, "p50_ms"]))
        fig[f"{who}_rtt_p95_ms"] = median(get([label, "rtt", who, "p95_ms"]))
        fig[f"{who}_echo_p50_ms"] = median(get([label, "rtt", base, "p50_ms"]))
        fig[f"{who}_rtt_p50_ratio"] = median(r[label]["rtt"][who]["p50_ms"] / r[label]["rtt"][base]["p50_ms"] for r in rounds)
        fig[f"{who}_rtt_p95_ratio"] = median(r[label]["rtt"][who]["p95_ms"] / r[label]["rtt"][base]["p50_ms"] for r in rounds)
    return fig


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--before", type=Path, help="another build's dist/ to measure in the same rounds (e.g. main's)")
    ap.add_argument("--save-baseline", action="store_true")
    args = ap.parse_args()
    builds = {"after": browser.DIST}
    if args.before:
        builds = {"before": args.before.resolve(), **builds}
    rounds = []
    with sync_playwright() as p:
        for i in range(args.rounds):
            log(f"round {i + 1}/{args.rounds}")
            rounds.append(one_round(p, builds, args.calls))
    result: dict = {"benchmark": "bridge", "rounds": rounds}
    for label in builds:
        result[label] = figures(rounds, label)
    after = result["after"]
    result["targets"] = {
        "start_ratio_relaunch_le_1_25": after["start_ratio_relaunch"]["median"] <= 1.25,
        "page_rtt_p50_le_3ms": after["page_rtt_p50_ms"] <= 3, "page_rtt_p95_le_8ms": after["page_rtt_p95_ms"] <= 8,
        "content_rtt_p50_le_3ms": after["content_script_rtt_p50_ms"] <= 3,
        "content_rtt_p95_le_8ms": after["content_script_rtt_p95_ms"] <= 8,
    }
    ratios = {"start_ratio_relaunch": after["start_ratio_relaunch"]["median"], "start_ratio_first": after["start_ratio_first"]["median"],
              "page_rtt_p50_ratio": after["page_rtt_p50_ratio"], "content_script_rtt_p50_ratio": after["content_script_rtt_p50_ratio"],
              "page_rtt_p95_ratio": after["page_rtt_p95_ratio"], "content_script_rtt_p95_ratio": after["content_script_rtt_p95_ratio"]}
    finish("bridge", result, ratios, save=args.save_baseline)


if __name__ == "__main__":
    main()
