"""Benchmark the long reading jobs on the WhatsApp Web replica, each against a baseline
measured in the same run and the same tab:

- backfill: a chat of N messages loaded to its first message by the core-paced backfill
  (backfill.start, pace 0.01) -> every message stored; baseline: the same history in a
  twin chat scrolled to its first message by a plain script (what the page and the
  capture cost anyway) -> every message stored. Ratio backfill / baseline.
- chat-list scan: contacts.scan (pace 0.01) of a list of C chats until its last progress
  event; baseline: a plain script walking the same virtualized list from top to bottom.
  Ratio scan / baseline.

    .venv/bin/python scripts/bench_reading.py [--messages 1000] [--chats 1000] [--older-delay 150]

Prints one JSON object. Needs dist/ (python scripts/build.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests import browser  # noqa: E402
from tests.conftest import wait_for  # noqa: E402
from tests.e2e.reading import ALL_TITLES, all_stored, call, deliver_all, events, open_connected, record_events  # noqa: E402
from tests.replica.site import install_routes  # noqa: E402

BASE_TS = 1_780_000_000
# The user's way: scroll the message list to the top until the first message's marker shows.
SCROLL_TO_START = """async (maxMs) => {
    const t0 = performance.now();
    const sc = document.querySelector('#main [data-scrolltracepolicy], #main [data-testid="conversation-panel-messages"]');
    while (!document.querySelector('.older-phone') && performance.now() - t0 < maxMs) {
        sc.scrollTop = 0;
        await new Promise(r => setTimeout(r, 10));
    }
    return !!document.querySelector('.older-phone');
}"""

def make_chat(wa, jid: str, tag: str, n: int) -> None:
    wa.evaluate("([id, name]) => __replica.createChat({id, name})", [jid, f"Histórico {tag}"])
    history = [{"id": f"3A{tag}{i:014d}", "text": f"mensagem antiga {tag} {i}", "ts": BASE_TS + i * 60, "from_me": i % 4 == 0}
               for i in range(n)]
    deliver_all(wa, jid, history, chunk=1000)


def stored_all(core_page, jid: str, n: int, timeout: float) -> None:
    wait_for(lambda: len(all_stored(core_page, jid)) >= n, timeout=timeout, interval=0.1, message=f"{n} stored in {jid}")


def backfill(core_page, wa, n: int) -> dict:
    base_chat, job_chat = "5511955500001@c.us", "5511955500002@c.us"
    make_chat(wa, base_chat, "BA5E", n)
    make_chat(wa, job_chat, "B0B0", n)

    wa.evaluate("id => __replica.openChat(id)", base_chat)
    t0 = time.monotonic()
    assert wa.evaluate(SCROLL_TO_START, 600_000), "the baseline scroll did not reach the first message"
    stored_all(core_page, base_chat, n, 600)
    baseline_s = time.monotonic() - t0

    wa.evaluate("id => __replica.openChat(id)", job_chat)
    wait_for(lambda: all_stored(core_page, job_chat), timeout=60, message="the open window captured")
    t0 = time.monotonic()
    call(core_page, "backfill.start", {"chat": job_chat, "pace": 0.01})
    done = wait_for(lambda: (s := call(core_page, "backfill.status", {"chat": job_chat}))["state"] != "running" and s,
                    timeout=900, interval=0.1, message="the backfill to end")
    stored_all(core_page, job_chat, n, 120)
    backfill_s = time.monotonic() - t0
    assert done["state"] == "done", done
    return {"messages": n, "baseline_scroll_s": round(baseline_s, 2), "backfill_s": round(backfill_s, 2),
            "batches": done["batches"], "ratio_to_baseline": round(backfill_s / baseline_s, 2)}


def scan(core_page, wa, chats: int) -> dict:
    t0 = time.monotonic()
    walked = len(wa.evaluate(ALL_TITLES))
    baseline_s = time.monotonic() - t0
    wa.evaluate("() => document.querySelector('#pane-side').scrollTop = 0")
    t0 = time.monotonic()
    job = call(core_page, "contacts.scan", {"pace": 0.01})
    done = wait_for(lambda: [e for e in events(core_page, "contacts.scan_progress") if e["scan_id"] == job["scan_id"] and e["done"]],
                    timeout=900, interval=0.1, message="the scan to end")
    scan_s = time.monotonic() - t0
    return {"chats": chats, "distinct_titles": walked, "rows_listed": done[0]["rows"],
            "baseline_walk_s": round(baseline_s, 2), "scan_s": round(scan_s, 2), "ratio_to_baseline": round(scan_s / baseline_s, 2)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--chats", type=int, default=1000)
    ap.add_argument("--older-delay", type=int, default=150, help="the replica's delay before older messages render (ms)")
    a = ap.parse_args()
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as tmp:
        context, ext_id = browser.launch(pw, Path(tmp) / "profile")
        install_routes(context)
        core_page = browser.open_page(context, ext_id)
        assert browser.wait_core_ready(core_page)["stage"] == "ready"
        record_events(core_page)
        wa, _ = open_connected(context, core_page, f"gen=2025&lang=pt-BR&chats={a.chats}&older_delay={a.older_delay}")
        out = {"benchmark": "reading", "older_delay_ms": a.older_delay,
               "scan": scan(core_page, wa, a.chats), "backfill": backfill(core_page, wa, a.messages)}
        context.close()
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
