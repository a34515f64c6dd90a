"""Fidelity report: for each DOM generation x language of the replica, what Mettri stored
compared with what the page showed (issue 12).

Plays tests/e2e/fidelity.py's scenario (4 chats: an emoji name, an unsaved number, a group, a LID
chat; ~100 history rows spread over 20 days, opened with placeholder rows, then ~76 new messages
of every kind) in real Chromium with the built extension, then prints one JSON object:

    {"2024/en": {"expected", "matched", "missing", "duplicated", "stored_from_placeholders",
                 "fields": {"direction"|"kind"|"text_complete"|"time_minute"|"author"|"quoted":
                            {"right", "of", "share"}}, "wrong_examples", "notes", "seconds"}, ...}

    .venv/bin/python scripts/fidelity_report.py [--gens 2024 2025 2026] [--langs en pt-BR] [--dist DIR]

Needs dist/ (python scripts/build.py). A step that never happens (a text never completed) is
noted in "notes" after its timeout instead of stopping the report.
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
from tests.e2e.fidelity import build, judge, now_of, open_replica, run_scenario  # noqa: E402
from tests.replica.site import install_routes  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gens", nargs="+", default=["2024", "2025", "2026"])
    ap.add_argument("--langs", nargs="+", default=["en", "pt-BR"])
    ap.add_argument("--dist", type=Path, default=browser.DIST, help="an unpacked build (default dist/)")
    args = ap.parse_args()
    browser.DIST = args.dist.resolve()  # e.g. a copy of an older build, to measure before a change
    out: dict = {}
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as tmp:
        context, ext_id = browser.launch(pw, Path(tmp) / "profile")
        install_routes(context)
        core_page = browser.open_page(context, ext_id)
        state = browser.wait_core_ready(core_page)
        if state.get("stage") != "ready":
            raise SystemExit(f"the core did not start: {state}")
        for gi, gen in enumerate(args.gens):
            for li, lang in enumerate(args.langs):
                t0 = time.monotonic()
                wa, world = open_replica(context, f"gen={gen}&lang={lang}&placeholders=8")
                sc = build(9000 + gi * 10 + li, lang, now_of(wa))
                played = run_scenario(core_page, wa, world, sc, strict=False)
                table = judge(core_page, wa, sc, gen, from_placeholders=played["from_placeholders"])
                table["notes"] = played["notes"]
                table["seconds"] = round(time.monotonic() - t0, 1)
                out[f"{gen}/{lang}"] = table
                wa.close()
                print(f"{gen}/{lang} done in {table['seconds']} s", file=sys.stderr)
        context.close()
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
