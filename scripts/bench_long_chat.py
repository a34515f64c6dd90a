"""Benchmark the content script's read in a long open chat: one message arrives, one read follows,
with hundreds to thousands of rows drawn in a page that keeps its rows (WhatsApp's keyed list).

A read may take only the rows put in after those the last read left (capture.js grownRows); the
baseline, measured in the same run on the same kind of page, is the read that queries every row
(`grow: false`, what every read did before). Pages of both kinds alternate, `--rounds` of each per
size. The reader runs in the replica page itself, beside no extension, its core a stub that
acknowledges every batch: the figure is the read's own time on WhatsApp's main thread.

    .venv/bin/python scripts/build.py && .venv/bin/python scripts/bench_long_chat.py [--gen 2025] [--rounds 2]

Prints one JSON object: per size, the rows drawn, each round's median read (ms) for both reads,
the reads that took the short way, and `grown_over_full` (mean over the rounds). Also per size,
in the pages that keep their rows: the connection facts' read (asked every second) and the
self-test's probe (every 10 s), told which element holds the message rows, as the content script
asks them, against the same read of the whole page in the same page (`connection_told_over_whole`,
`probe_told_over_whole`).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from playwright.sync_api import sync_playwright  # noqa: E402

import benchlib  # noqa: E402
from tests import browser  # noqa: E402
from tests.replica.site import install_routes  # noqa: E402

CHAT = "5511966660001@c.us"
SCRIPTS = ("shared/protocol", "shared/selectors", "content/read-dom", "content/capture")
SIZES = (100, 500, 1500, 3000)
SINGLES = 30  # one message, one read; the first 5 are left out (warm-up)
# The chat filled with n messages, then a capture loop started and idle.
FILL = """async ([id, n, grow]) => {
    for (let j = 0; j < n; j++) __replica.deliver(id, {id: '3EB0AA' + String(j).padStart(16, '0'), text: 'mensagem de teste número ' + j});
    const api = {capture: {batch: {request: () => Promise.resolve({ok: true, result: {chat: 'k', expand: [], read_drawer: false}})}}};
    window.__loop = MettriCapture.createCapture({api, selectors: MettriSelectors, grow});
    __loop.start();
    __loop.read();
    while (__loop.busy()) await new Promise((r) => setTimeout(r, 0));
    return document.querySelectorAll('#main [role="row"]').length;
}"""
# One message per task, the read in the next task (as the loop's debounce would), its time taken
# from the loop's own stats; waits until the loop is idle before the next message.
SINGLE = """async ([id, k]) => {
    const turn = () => new Promise((r) => setTimeout(r, 0));
    const out = [];
    for (let j = 0; j < k; j++) {
        __replica.deliver(id, {id: '3EB0BB' + String(j).padStart(16, '0'), text: 'uma mensagem ' + j});
        await turn();
        const before = __loop.stats.readMs;
        __loop.read();
        out.push(__loop.stats.readMs - before);
        while (__loop.busy()) await turn();
    }
    return {ms: out, grown: __loop.stats.readsGrown};
}"""


# The connection facts read (every second) and the self-test's probe (every 10 s and on each chat
# switch), each told where the rows are, then of the whole page, in turns: batches of `k` reads (a
# page's clock ticks in 0.1 ms), the median batch per read (ms).
APART = """() => {
    const holder = __loop.rowsHolder();
    const mid = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
    const timed = (read, k) => {
        const told = [], whole = [];
        for (let r = 0; r < 9; r++) {
            for (const [rows, into] of [[holder, told], [null, whole]]) {
                const t0 = performance.now();
                for (let i = 0; i < k; i++) read(rows);
                into.push((performance.now() - t0) / k);
            }
        }
        return {told: mid(told), whole: mid(whole)};
    };
    return {holder: !!holder,
            connection: timed((rows) => MettriReadDom.readConnection(document, MettriSelectors, rows), 20),
            probe: timed((rows) => MettriReadDom.probe(document, MettriSelectors, rows), 4)};
}"""


def one(ctx, dist: Path, gen: str, size: int, grow: bool) -> dict:
    page = ctx.new_page()
    try:
        page.goto(f"https://web.whatsapp.com/?gen={gen}&lang=pt-BR&rows=kept")
        page.wait_for_function("window.__replica && window.__replica.isReady()", timeout=60_000)
        page.evaluate("(id) => { __replica.createChat({id, name: 'Conversa longa'}); __replica.openChat(id); }", CHAT)
        for name in SCRIPTS:
            page.add_script_tag(content=(dist / "extension" / f"{name}.js").read_text(encoding="utf-8"))
        rows = page.evaluate(FILL, [CHAT, size, grow])
        got = page.evaluate(SINGLE, [CHAT, SINGLES])
        out = {"rows": rows, "read_ms": round(statistics.median(got["ms"][5:]), 2), "grown": got["grown"]}
        if grow:
            out["apart"] = page.evaluate(APART)
        return out
    finally:
        page.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dist", default=str(ROOT / "dist"))
    ap.add_argument("--gen", default="2025", choices=("2024", "2025", "2026"))
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--save-baseline", action="store_true")
    args = ap.parse_args()
    dist = Path(args.dist)
    out: dict = {"gen": args.gen, "reads_per_round": SINGLES - 5, "sizes": {}}
    ratios: dict[str, float | None] = {}
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=browser.CHROMIUM, args=browser.BASE_ARGS)
        try:
            ctx = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="pt-BR",
                                       timezone_id="America/Sao_Paulo")
            install_routes(ctx)
            for size in SIZES:
                full, grown, row = [], [], {}
                apart: dict[str, dict[str, list[float]]] = {"connection": {"told": [], "whole": []},
                                                            "probe": {"told": [], "whole": []}}
                for _ in range(args.rounds):
                    for grow, into in ((False, full), (True, grown)):
                        r = one(ctx, dist, args.gen, size, grow)
                        into.append(r["read_ms"])
                        row["rows"] = r["rows"]
                        if grow:
                            row.setdefault("short_reads", []).append(r["grown"])
                            assert r["apart"]["holder"], "the loop named no element holding the rows"
                            for read, times in apart.items():
                                for way in ("told", "whole"):
                                    times[way].append(r["apart"][read][way])
                    benchlib.log(f"{size}: full {full} grown {grown}")
                row.update({"full_read_ms": full, "grown_read_ms": grown,
                            "grown_over_full": round(statistics.fmean(grown) / statistics.fmean(full), 3)})
                ratios[f"grown_over_full_{size}"] = row["grown_over_full"]
                for read, times in apart.items():
                    row.update({f"{read}_whole_ms": [round(x, 3) for x in times["whole"]],
                                f"{read}_told_ms": [round(x, 3) for x in times["told"]],
                                f"{read}_told_over_whole": round(statistics.fmean(times["told"]) / statistics.fmean(times["whole"]), 3)})
                    ratios[f"{read}_told_over_whole_{size}"] = row[f"{read}_told_over_whole"]
                out["sizes"][str(size)] = row
        finally:
            chromium.close()
    benchlib.finish("long_chat", out, ratios, save=args.save_baseline)


if __name__ == "__main__":
    main()
