"""Benchmark of the CRM's full-tab pages in Chromium with the built extension (needs dist/).

    .venv/bin/python scripts/bench_crm_pages.py [--records 10000] [--rounds 40]

Seeds a fresh profile with ``--records`` people through the core's own CSV import (open deals in
three stages with values, tags), then measures what the user waits for:
  - contacts page: a search typed -> the table painted (input event to the next animation frame
    after the page marked its paint), and a sort header clicked -> painted;
  - board: first paint after opening the page (performance.mark "mettri-painted" from navigation
    start), and a card moved -> the write stored (the page's data-moved);
  - the pages' JS heap.
Timings are also given as ratios to a baseline measured in the same run: a ``core.ping`` round
trip from the same page (the floor of anything a page asks the core). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_crm import FIRST, LAST, pct, summary  # noqa: E402
from tests import browser  # noqa: E402

CONTACTS = "extension/pages/contacts/contacts.html"
BOARD = "extension/pages/board/board.html"



def until(act: str, attr: str) -> str:
    """A page function: run ``act`` (statements, may await) and resolve with the ms from its start to
    the animation frame after <main> changed data-<attr>: painted (and no longer busy), or moved
    (the write is stored; the board's redraw after it is not counted)."""
    busy = "main.getAttribute('aria-busy') === 'false'" if attr == "painted" else "true"
    return f"""async () => {{
    const main = document.querySelector('main');
    const before = main.dataset.{attr};
    const done = new Promise((resolve) => {{
        const mo = new MutationObserver(() => {{
            if (main.dataset.{attr} !== before && {busy}) {{
                mo.disconnect();
                requestAnimationFrame(() => resolve(performance.now()));
            }}
        }});
        mo.observe(main, {{ attributes: true }});
    }});
    const t0 = performance.now();
    {act}
    return (await done) - t0;
}}"""


PING = """async (n) => {
    const out = [];
    for (let i = 0; i < n; i++) { const t = performance.now(); await MettriCore.request('core.ping', {}); out.push(performance.now() - t); }
    return out;
}"""


def spreadsheet(rows: int, seed: int = 13) -> str:
    rng = random.Random(seed)
    lines = ["Nome;Telefone;Etiquetas;Etapa;Valor"]
    for i in range(rows):
        stage = rng.choice(["", "", "Novo contato", "Em conversa", "Proposta enviada"])
        value = f"{rng.randrange(100, 20000)},{rng.randrange(100):02d}" if stage else ""
        lines.append(f"{rng.choice(FIRST)} {rng.choice(LAST)};(11) 9{60_000_000 + i:08d};"
                     f"{rng.choice(['VIP', 'Feira', 'VIP, Feira', ''])};{stage};{value}")
    return "\r\n".join(lines) + "\r\n"


def seed(page, rows: int) -> dict:
    data = base64.b64encode(spreadsheet(rows).encode("utf-8")).decode()
    return page.evaluate("""async (data) => {
        const t = performance.now();
        const parsed = await MettriApi.crm.import.parse({ data, filename: 'bench.csv' });
        const r = await MettriApi.crm.import.apply({ import_id: parsed.import_id, mapping: parsed.mapping, lang: 'pt_BR' });
        return { created: r.created, rejected: r.rejected, ms: performance.now() - t };
    }""", data)


def settle(page) -> None:
    page.wait_for_function("() => { const m = document.querySelector('main'); return m.dataset.painted && m.getAttribute('aria-busy') === 'false'; }",
                           timeout=120_000)


def quiet(page) -> None:
    """Painted, not busy, and the core has answered everything asked before (it answers in order)."""
    settle(page)
    page.evaluate("() => MettriCore.request('core.ping', {})")
    settle(page)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=40)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    out: dict = {"records": args.records, "rounds": args.rounds}
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as tmp:
        context, ext_id = browser.launch(pw, Path(tmp) / "profile")
        try:
            page = browser.open_page(context, ext_id, CONTACTS)
            assert browser.wait_core_ready(page)["stage"] == "ready"
            out["seed_import"] = seed(page, args.records)
            page.reload()
            settle(page)
            pings = page.evaluate(PING, 200)
            base = pct(pings, 50)
            out["baseline_ping_ms"] = summary(pings)

            rng = random.Random(7)
            search = []
            for i in range(args.rounds):
                q = rng.choice(FIRST + LAST)[: rng.randint(2, 5)] if i % 4 else ""
                act = f"const q = document.querySelector('#f-q'); q.value = {json.dumps(q)}; q.dispatchEvent(new Event('input', {{ bubbles: true }}));"
                search.append(page.evaluate(until(act, "painted")))
                quiet(page)
            sort = []
            for i in range(args.rounds):
                key = ["name", "value", "last_activity", "stage", "next_due"][i % 5]
                sort.append(page.evaluate(until(f"document.querySelector('button.sort[data-sort={key}]').click();", "painted")))
                quiet(page)
            out["contacts_filter_ms"] = summary(search)
            out["contacts_sort_ms"] = summary(sort)
            out["contacts_heap_mb"] = round(page.evaluate("() => performance.memory.usedJSHeapSize") / 2**20, 1)

            first = []
            board = browser.open_page(context, ext_id, BOARD)
            for _ in range(max(3, args.rounds // 8)):
                board.reload()
                settle(board)
                first.append(board.evaluate("() => performance.getEntriesByName('mettri-painted')[0].startTime"))
            out["board_first_paint_ms"] = summary(first)
            moves = []
            for i in range(args.rounds):
                act = f"""const b = mettriBoard.shown(); const from = b.columns[{i % 2}], to = b.columns[{(i + 1) % 2}];
                          const row = from.rows[0]; mettriBoard.move(row, to.stage);"""
                moves.append(board.evaluate(until(act, "moved")))
                quiet(board)
            out["board_move_ms"] = summary(moves)
            # The same write without the page: the core's share of a move.
            direct = []
            for i in range(args.rounds):
                direct.append(board.evaluate("""async (i) => {
                    const b = mettriBoard.shown(); const from = b.columns[i % 2], to = b.columns[(i + 1) % 2];
                    const row = from.rows[i];
                    const t = performance.now();
                    await MettriApi.crm.deal.set({ chat: row.key, version: row.version, pipeline: b.pipeline.id, stage: to.stage.id });
                    return performance.now() - t;
                }""", i))
                quiet(board)
            out["core_deal_set_ms"] = summary(direct)
            out["board_heap_mb"] = round(board.evaluate("() => performance.memory.usedJSHeapSize") / 2**20, 1)
        finally:
            context.close()
    out["ratios_to_ping_p50"] = {k: {"p50": round(out[k]["p50_ms"] / base, 1), "p95": round(out[k]["p95_ms"] / base, 1)}
                                 for k in ("contacts_filter_ms", "contacts_sort_ms", "board_first_paint_ms", "board_move_ms", "core_deal_set_ms")}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    t0 = time.time()
    main()
    print(json.dumps({"wall_s": round(time.time() - t0, 1)}), file=sys.stderr)
