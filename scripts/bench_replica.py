"""Benchmark the WhatsApp Web replica the tests run on (tests/replica), each against a
baseline measured in the same run:

- corpus: generating 5,000 chats / 100,000 messages, against serialising the same corpus
  to JSON (what serving it costs anyway);
- page load: the replica with that corpus (goto -> ready) and the longest main-thread task
  while it loads (a freeze), against the replica with its default small corpus;
- build: the up-to-date check of tests/replica/build.py against a forced esbuild rebuild.

    .venv/bin/python scripts/bench_replica.py

Prints one JSON object. Needs the replica's node_modules (cd tests/replica && npm ci).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests import browser  # noqa: E402
from tests.replica import build, corpus  # noqa: E402
from tests.replica.site import install_routes  # noqa: E402

LONGTASKS = """
window.__longtasks = [];
new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longtasks.push(e.duration); })
  .observe({ type: 'longtask', buffered: true });
"""


def timed(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


def corpus_speed() -> dict:
    gen_s, big = timed(lambda: corpus.generate(seed=7, chats=5000, messages=100_000, lang_mix=0.3))
    dump_s, _ = timed(lambda: json.dumps(big))
    return {"chats": 5000, "messages": 100_000, "generate_s": round(gen_s, 2), "baseline_json_dump_s": round(dump_s, 2),
            "ratio_to_baseline": round(gen_s / dump_s, 2)}


def load(pw, params: dict | None) -> dict:
    chromium = pw.chromium.launch(executable_path=browser.CHROMIUM, args=browser.BASE_ARGS)
    try:
        ctx = chromium.new_context(viewport={"width": 1280, "height": 720}, timezone_id="America/Sao_Paulo")
        install_routes(ctx, corpus_params=params)
        page = ctx.new_page()
        page.add_init_script(LONGTASKS)
        t0 = time.perf_counter()
        page.goto("https://web.whatsapp.com/?gen=2025")
        page.wait_for_function("window.__replica && window.__replica.isReady()", timeout=120_000)
        wall = time.perf_counter() - t0
        return {"chats": page.evaluate("__replica.state().chats"), "load_s": round(wall, 2),
                "longest_task_ms": round(page.evaluate("Math.max(0, ...window.__longtasks)")),
                "page_timings_ms": page.evaluate("__replica.timings")}
    finally:
        chromium.close()


def build_speed() -> dict:
    full_s, _ = timed(lambda: build.ensure_built(force=True))
    check_s, _ = timed(build.ensure_built)
    return {"forced_build_s": round(full_s, 3), "up_to_date_check_s": round(check_s, 4),
            "ratio_to_baseline": round(check_s / full_s, 4)}


def main() -> None:
    out: dict = {"benchmark": "replica", "corpus": corpus_speed(), "build": build_speed()}
    with sync_playwright() as pw:
        small = load(pw, None)
        big = load(pw, {"chats": 5000, "messages": 100_000})
    out["page_load"] = {"baseline_default_corpus": small, "big_corpus": big,
                        "ratio_to_baseline": round(big["load_s"] / small["load_s"], 2)}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
