"""Measure the inter-send delay distribution of the send gate, in core seconds:
- "replica": real Chromium, the built extension, the replica's own send log; the core's clock
  is moved forward by exactly what the tab waits (dev builds only), and the replica's wall-clock
  send times are mapped back to core time;
- "cpython": the same core on CPython with a fake clock and a simulated tab.
Sends are distinct manual messages to known contacts (campaign texts are further throttled to
3 near-identical an hour; that is not pacing).

    .venv/bin/python scripts/bench_sending.py [--replica 25] [--cpython 300]

Prints one JSON object. Needs dist/ (python scripts/build.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pycore.app import Core, Services  # noqa: E402
from pycore.clock import FakeClock  # noqa: E402
from pycore.storage.memory import MemoryStorage  # noqa: E402

WORDS = (
    "pedido entrega amanhã horário confirmar orçamento bolo torta salgado encomenda retirada loja frete bairro "
    "pagamento pix cartão desconto cliente obrigado dúvida cardápio tamanho sabor chocolate morango festa "
    "aniversário sábado domingo manhã tarde noite endereço número troco embalagem presente cesta flores"
).split()


def text(i: int) -> str:
    """Distinct texts (near-identical ones are throttled as bulk, which is not pacing)."""
    rng = random.Random(i)
    return " ".join(rng.sample(WORDS, rng.randint(6, 14))).capitalize() + "?"


def summary(gaps: list[float]) -> dict:
    gaps = sorted(gaps)
    q = statistics.quantiles(gaps, n=10, method="inclusive")
    mean = statistics.fmean(gaps)
    return {
        "n": len(gaps), "min": round(gaps[0], 2), "p10": round(q[0], 2), "p50": round(statistics.median(gaps), 2),
        "p90": round(q[-1], 2), "max": round(gaps[-1], 2), "mean": round(mean, 2),
        "cv": round(statistics.pstdev(gaps) / mean, 3),
    }


def cpython(n: int) -> dict:
    clock = FakeClock()
    core = Core(Services(clock=clock, rng=random.Random(11), storage=MemoryStorage()))

    async def run() -> list[float]:
        await core.start()
        # Warm-up and the daily limit would stop a long run: measure pacing at the full limits.
        await core.handle({"id": "s", "type": "sending.settings.set", "source": "page",
                           "args": {"values": {"warmup": False, "per_day": 1500}}})
        times = []
        for i in range(n):
            chat = f"1203630000{i % 40:08d}@g.us"  # groups: known, no stranger rules
            sent = await core.handle({"id": f"r{i}", "type": "send.request", "source": "page",
                                      "args": {"chat": chat, "text": text(i)}})
            assert sent["ok"] and sent["result"]["state"] == "approved", sent
            while True:
                r = (await core.handle({"id": "n", "type": "sender.next", "source": "content", "args": {}}))["result"]
                if r["job"]:
                    times.append(clock.now())
                    await core.handle({"id": "p", "type": "sender.report", "source": "content", "args": {
                        "job_id": r["job"]["id"], "attempt": r["job"]["attempt"], "outcome": "sent", "message_id": "x"}})
                    break
                assert r["retry_in"] is not None, r
                clock.advance(max(r["retry_in"], 0.001))
        return times

    times = asyncio.run(run())
    return summary([b - a for a, b in zip(times, times[1:])])


def replica(n: int) -> dict:
    from playwright.sync_api import sync_playwright

    from tests import browser
    from tests.e2e.sending_support import CoreClock, Tab, call, drive, make_contacts, sent_log
    from tests.replica.site import install_routes

    with sync_playwright() as pw:
        context, ext_id = browser.launch(pw, Path(tempfile.mkdtemp()))
        try:
            install_routes(context)
            page = browser.open_page(context, ext_id)
            assert browser.wait_core_ready(page)["stage"] == "ready"
            call(page, "sending.settings.set", {"values": {"warmup": False}})  # as in the CPython run
            clock = CoreClock(page)
            start_offset = clock.offset()
            tab = Tab(context, "gen=2025&lang=pt-BR")
            chats = make_contacts(page, tab.page, [f"Medida {i:02d}" for i in range(n)], "79")
            for i, chat in enumerate(chats):
                call(page, "send.request", {"chat": chat, "text": text(i)})
            drive(tab, clock, lambda: len(sent_log(tab.page)) >= n, timeout=60 + 3 * n)
            times = sorted(clock.to_core(s["sent_at"], start_offset) for s in sent_log(tab.page))
        finally:
            context.close()
    return summary([b - a for a, b in zip(times, times[1:])])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replica", type=int, default=25, help="sends on the replica (0: skip)")
    ap.add_argument("--cpython", type=int, default=300, help="sends through the core on CPython")
    args = ap.parse_args()
    out = {"unit": "core seconds between consecutive sends",
           "settings": "defaults (safe mode) except warm-up off: a day-0 limit of 20 would add one day-long gap"}
    out["cpython"] = cpython(args.cpython)
    if args.replica:
        out["replica"] = replica(args.replica)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
