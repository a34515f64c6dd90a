"""Benchmark the send gate's decision in a long chat: send.request from an extension page into a chat
holding many stored messages, against the same request into a chat holding 10, in the same browser
and run (the in-run baseline). The gate asks, among other facts, whether the contact ever wrote in
the chat; a chat read whole for it made each send wait in proportion to its history.

    .venv/bin/python scripts/build.py && .venv/bin/python scripts/bench_send_gate.py [--rounds 9] [--save-baseline]

Each chat is filled through messages.import (every 7th message the contact's, the newest one
among them). Each request queues a message, which is cancelled at once; the first two of each
chat are left out (warm-up). Prints one JSON object: per chat size, the median request (ms) and
`decide_<size>_over_10` (regressions against scripts/baselines/send_gate.json, see benchlib).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from playwright.sync_api import sync_playwright  # noqa: E402

import benchlib  # noqa: E402
from tests import browser  # noqa: E402

SIZES = (10, 2_000, 20_000)
IMPORT_BATCH = 5_000  # messages.import's most records a call


def fill(page, chat: str, n: int) -> None:
    for start in range(0, n, IMPORT_BATCH):
        records = [{"chat": chat, "id": f"M{i:07d}", "ts": 1_781_000_000 + 60 * i, "type": "text", "text": f"mensagem {i}",
                    **({"direction": "in", "author": "Cliente"} if (n - 1 - i) % 7 == 0 else {"direction": "out"}),
                    "chat_title": f"Cliente {n}"} for i in range(start, min(n, start + IMPORT_BATCH))]
        browser.core_result(page, "messages.import", {"records": records})


def requests(page, chat: str, rounds: int) -> list[float]:
    times = []
    for k in range(rounds + 2):
        t0 = time.perf_counter()
        result = browser.core_result(page, "send.request", {"chat": chat, "text": f"Olá! O pedido {k} foi confirmado?"})
        times.append((time.perf_counter() - t0) * 1000)
        entry = result.get("entry")
        if entry:
            browser.core_result(page, "outbox.cancel", {"id": entry["id"]})
    return times[2:]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dist", default=str(ROOT / "dist"))
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--save-baseline", action="store_true")
    a = ap.parse_args()
    out: dict = {"rounds": a.rounds, "request_ms": {}}
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as tmp:
        context, ext_id = browser.launch(pw, Path(tmp) / "profile", dist=Path(a.dist))
        try:
            page = browser.open_page(context, ext_id)
            assert browser.wait_core_ready(page)["stage"] == "ready"
            chats = {n: f"55119{n:08d}@c.us" for n in SIZES}
            for n, chat in chats.items():
                fill(page, chat, n)
                benchlib.log(f"filled {n}")
            got: dict[int, list[float]] = {n: [] for n in SIZES}
            for r in range(2):  # the sizes in turns, the order swapped: the machine's drift falls on all
                for n in (SIZES if r == 0 else SIZES[::-1]):
                    got[n] += requests(page, chats[n], (a.rounds + 1) // 2)
        finally:
            context.close()
    for n, times in got.items():
        out["request_ms"][str(n)] = benchlib.summary(times)
    base = statistics.median(got[SIZES[0]])
    ratios = {f"decide_{n}_over_{SIZES[0]}": round(statistics.median(got[n]) / base, 3) for n in SIZES[1:]}
    benchlib.finish("send_gate", out, ratios, save=a.save_baseline)


if __name__ == "__main__":
    main()
