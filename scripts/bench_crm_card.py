"""Benchmark the side panel's CRM card following WhatsApp (issue 13): how long after the panel
hears a chat switch (capture.chat_opened) the new card is painted, over many switches between
chats whose records have tags, a deal, custom fields, notes and reminders.

    .venv/bin/python scripts/bench_crm_card.py [--chats 20] [--rounds 3]

Prints one JSON object; times are also given as ratios to a core.ping round trip from the same
panel in the same run (absolute times on shared machines drift). Needs dist/ (scripts/build.py).
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
sys.path.insert(0, str(ROOT / "scripts"))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests import browser  # noqa: E402
from tests.conftest import open_whatsapp, wait_for  # noqa: E402
from tests.replica.site import install_routes  # noqa: E402

from benchlib import PING_LOOP, pct  # noqa: E402


def call(page, type_, args=None):
    reply = browser.core_call(page, type_, args)
    if not reply["ok"]:
        raise SystemExit(f"{type_}: {reply}")
    return reply["result"]


def card_name(panel) -> str:
    return panel.evaluate("() => document.querySelector('#crm-card-name')?.textContent ?? ''")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chats", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context, ext_id = browser.launch(p, Path(profile))
        install_routes(context)
        core = browser.open_page(context, ext_id)
        assert browser.wait_core_ready(core)["stage"] == "ready"
        wa = open_whatsapp(context, "gen=2026&lang=pt-BR")
        # People with a name of their own (two chats with one title are one key today).
        chats = wa.evaluate("""(n) => { const seen = new Set(); return __replica.chats()
            .filter(c => c.id.endsWith('@c.us') && c.name && !seen.has(c.name) && seen.add(c.name))
            .slice(0, n).map(c => [c.id, c.name]); }""", a.chats)
        panel = browser.open_page(context, ext_id, "extension/pages/sidepanel/sidepanel.html")
        panel.set_viewport_size({"width": 380, "height": 900})
        panel.locator('.tabs [data-view="card"]').click()

        # Each chat once, to learn its key, then a full record for it.
        defs = call(core, "crm.defs")
        tags = [call(core, "crm.tag.create", {"label": f"Bench {i}", "color": "#1e88e5"})["id"] for i in range(4)]
        field = call(core, "crm.field.create", {"label": "Bench cidade", "type": "text"})["id"]
        pipeline = defs["pipelines"][0]
        now = call(core, "debug.clock.advance", {"seconds": 0})["now"]
        seen: set[str] = set()
        for i, (cid, name) in enumerate(chats):
            wa.evaluate("id => __replica.openChat(id)", cid)
            wait_for(lambda n=name: card_name(panel) == n, timeout=30, message=f"the card of {name}")
            key = panel.evaluate("() => document.querySelector('#crm-card').dataset.key")
            if key in seen:  # two chats with one title share a key today (the identity work of issue 13)
                continue
            seen.add(key)
            row = call(core, "crm.record.update", {"chat": key, "version": 0, "add_tags": tags[: 1 + i % 4],
                                                   "fields": {field: f"Cidade {i}"}})
            call(core, "crm.deal.set", {"chat": key, "version": row["version"], "pipeline": pipeline["id"],
                                        "stage": pipeline["stages"][i % len(pipeline["stages"])]["id"], "value": 1000 * (i + 1)})
            for j in range(10):
                call(core, "crm.note.add", {"chat": key, "text": f"Nota {j} do cliente {name}: pedido e entrega"})
            call(core, "crm.reminder.add", {"chat": key, "due_at": now + 3600 * (i + 1), "text": "Retornar"})

        panel.evaluate("() => { mettriCard.timings.length = 0; }")
        walls = []
        for _ in range(a.rounds):
            for cid, name in chats:
                t0 = time.perf_counter()
                wa.evaluate("id => __replica.openChat(id)", cid)
                wait_for(lambda n=name: card_name(panel) == n, timeout=30, interval=0.005, message=f"the card of {name}")
                walls.append((time.perf_counter() - t0) * 1000)
        timings = panel.evaluate("() => mettriCard.timings.map(t => t.drawn - t.heard)")
        ping = panel.evaluate(PING_LOOP, 100)
        base = statistics.median(ping)
        context.close()
    out = {
        "switches": len(timings),
        "card_after_event_ms": {"p50": pct(timings, 50), "p95": pct(timings, 95), "max": pct(timings, 100)},
        "card_after_event_ratio_to_ping_p50": {"p50": round(pct(timings, 50) / base, 2), "p95": round(pct(timings, 95) / base, 2)},
        "replica_click_to_card_ms": {"p50": pct(walls, 50), "p95": pct(walls, 95)},
        "ping_p50_ms": round(base, 2),
        "note": "card_after_event: capture.chat_opened heard by the panel -> new card painted (requestAnimationFrame); "
                "replica_click_to_card includes the capture of the new chat and the test's polling",
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
