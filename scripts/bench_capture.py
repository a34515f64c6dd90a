"""Benchmark the capture loop on the WhatsApp Web replica.

- throughput: N messages delivered into the open chat in chunks (as they arrive from
  the network); messages per second from the first delivery until the last one is
  stored in IndexedDB (read back through messages.list);
- main-thread cost: the same delivery in a browser without the extension and with it,
  compared by CDP Performance.getMetrics (ScriptDuration, TaskDuration) of the WhatsApp
  tab; plus the content script's own time reading the DOM (MettriCapture stats.readMs).
  Reported per 100 messages;
- freshness: one message at a time delivered into the open chat, then the time until it
  is stored (messages.list, the baseline) and until search.messages finds it (the background
  indexer follows messages.captured); the ratio searchable / stored, and the medians.

    .venv/bin/python scripts/bench_capture.py [--messages 500] [--chunk 10] [--gen 2025]

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
from tests.conftest import wait_for  # noqa: E402
from tests.replica.site import install_routes  # noqa: E402

CHAT = "5511900000042@c.us"
DELIVER = """async ([id, n, chunk, prefix]) => {
    for (let i = 0; i < n; i += chunk) {
        for (let k = i; k < Math.min(n, i + chunk); k++) __replica.deliver(id, {id: prefix + String(k).padStart(8, "0"), text: "mensagem de teste número " + k});
        await new Promise(r => setTimeout(r, 0));
    }
}"""


def metrics(cdp) -> dict:
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def run_page(context, gen: str, n: int, chunk: int, prefix: str, core_page=None):
    wa = context.new_page()
    wa.goto(f"https://web.whatsapp.com/?gen={gen}&lang=pt-BR")
    wa.evaluate("() => __replica.ready")
    wa.evaluate("id => { __replica.createChat({id, name: 'Bench'}); __replica.openChat(id); }", CHAT)
    world = None
    if core_page is not None:
        world = browser.content_script_world(wa)
        wait_for(lambda: world.evaluate("globalThis.MettriContent && MettriContent.role") == "active", timeout=120)
        wa.evaluate("id => __replica.deliver(id, {text: 'aquecimento'})", CHAT)
        wait_for(lambda: world.evaluate("MettriContent.capture.chatKey()"), timeout=60)
        world.evaluate("(() => { const s = MettriContent.capture.stats; s.readMs = 0; s.reads = 0; return 1; })()")
    cdp = context.new_cdp_session(wa)
    cdp.send("Performance.enable")
    before = metrics(cdp)
    t0 = time.monotonic()
    wa.evaluate(DELIVER, [CHAT, n, chunk, prefix])
    delivered = time.monotonic() - t0
    stored_s = None
    if core_page is not None:
        def all_in():
            r = browser.core_call(core_page, "messages.list", {"chat": CHAT, "limit": 1, "order_by": "seq"})
            last = r["result"]["messages"]
            return last and last[0]["id"] == f"{prefix}{n - 1:08d}"
        wait_for(all_in, timeout=300, interval=0.05)
        stored_s = time.monotonic() - t0
    else:
        wa.wait_for_timeout(1000)  # the same idle tail the extension run has
    after = metrics(cdp)
    cost = {k: round((after[k] - before[k]) * 1000, 1) for k in ("ScriptDuration", "TaskDuration")}
    stats = world.evaluate("(() => MettriContent.capture.stats)()") if world else None
    wa.close()
    return delivered, stored_s, cost, stats


def freshness(context, core_page, gen: str, k: int) -> dict:
    """Per message: delivered -> stored, and delivered -> found by search (polled every 20 ms)."""
    chat = "5511900000043@c.us"
    wa = context.new_page()
    wa.goto(f"https://web.whatsapp.com/?gen={gen}&lang=pt-BR")
    wa.evaluate("() => __replica.ready")
    wa.evaluate("id => { __replica.createChat({id, name: 'Fresca'}); __replica.openChat(id); }", chat)
    stored_s, found_s = [], []
    for i in range(k):
        word = f"goiabeira{i:04d}x"
        t0 = time.monotonic()
        mid = wa.evaluate("([id, t]) => __replica.deliver(id, {text: t}).id", [chat, f"chegou a muda {word}"])

        def stored(mid=mid):
            msgs = browser.core_call(core_page, "messages.list", {"chat": chat, "limit": 5})["result"]["messages"]
            return any(m["id"] == mid for m in msgs)

        def found(word=word):
            reply = browser.core_call(core_page, "search.messages", {"q": word, "filters": {"chats": [chat]}, "limit": 5})
            return reply["ok"] and reply["result"]["total"] > 0

        wait_for(stored, timeout=60, interval=0.02)
        stored_s.append(time.monotonic() - t0)
        wait_for(found, timeout=60, interval=0.02)
        found_s.append(time.monotonic() - t0)
    wa.close()
    med_stored, med_found = statistics.median(stored_s), statistics.median(found_s)
    return {"messages": k, "stored_median_s": round(med_stored, 3), "searchable_median_s": round(med_found, 3),
            "searchable_max_s": round(max(found_s), 3), "searchable_to_stored_ratio": round(med_found / med_stored, 2)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=500)
    ap.add_argument("--chunk", type=int, default=10)
    ap.add_argument("--gen", default="2025")
    ap.add_argument("--fresh", type=int, default=20, help="messages for the freshness measurement")
    a = ap.parse_args()
    out: dict = {"messages": a.messages, "chunk": a.chunk, "gen": a.gen}
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as tmp:
        plain = pw.chromium.launch(executable_path=browser.CHROMIUM, args=browser.BASE_ARGS)
        ctx = plain.new_context(viewport={"width": 1280, "height": 800}, locale="pt-BR")
        install_routes(ctx)
        _, _, base_cost, _ = run_page(ctx, a.gen, a.messages, a.chunk, "3EB0BA5E")
        plain.close()

        context, ext_id = browser.launch(pw, Path(tmp) / "profile")
        install_routes(context)
        core_page = browser.open_page(context, ext_id)
        assert browser.wait_core_ready(core_page)["stage"] == "ready"
        delivered, stored_s, ext_cost, stats = run_page(context, a.gen, a.messages, a.chunk, "3EB0E47E", core_page)
        fresh = freshness(context, core_page, a.gen, a.fresh)
        context.close()
    per100 = 100 / a.messages
    out.update(
        deliver_s=round(delivered, 2),
        stored_s=round(stored_s, 2),
        # the replica re-renders the whole window per message, so delivery dominates; after the
        # last delivery the rest is ours: DOM read + bridge + Python + IndexedDB
        throughput_msgs_per_s=round(a.messages / stored_s, 1),
        stored_after_last_delivery_s=round(stored_s - delivered, 2),
        throughput_after_render_msgs_per_s=round(a.messages / max(stored_s - delivered, 1e-3), 1),
        page_without_extension_ms=base_cost,
        page_with_extension_ms=ext_cost,
        extra_main_thread_ms_per_100={k: round((ext_cost[k] - base_cost[k]) * per100, 1) for k in base_cost},
        content_read_ms_per_100=round(stats["readMs"] * per100, 1),
        content_reads=stats["reads"],
        batches=stats["batches"],
        freshness=fresh,
    )
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
