"""Open the replica in headless Chromium and save a screenshot per screen/generation/locale.

    .venv-replica/bin/python -m tests.replica.demo [outdir]   (from the repository root)
"""
from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser import BASE_ARGS, CHROMIUM

from .site import install_routes


def main(outdir: str = "replica-shots") -> None:
    out = Path(outdir)
    out.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=BASE_ARGS)
        ctx = browser.new_context(viewport={"width": 1280, "height": 720}, timezone_id="America/Sao_Paulo")
        install_routes(ctx)
        page = ctx.new_page()
        for query, name in [("state=qr", "qr"), ("state=conflict", "conflict"), ("splash=5000", "splash")]:
            page.goto(f"https://web.whatsapp.com/?{query}")
            page.wait_for_timeout(400)
            page.screenshot(path=str(out / f"{name}.png"))
        for gen in ("2024", "2025", "2026"):
            for lang in ("en", "pt-BR"):
                page.goto(f"https://web.whatsapp.com/?gen={gen}&lang={lang}")
                page.wait_for_function("window.__replica && window.__replica.isReady()")
                page.evaluate("__replica.openChat(__replica.chats().find((c) => c.kind === 'group').id)")
                page.evaluate("__replica.showWarning()")
                page.screenshot(path=str(out / f"app-{gen}-{lang}.png"))
        browser.close()
    print(f"screenshots in {out.resolve()}")


if __name__ == "__main__":
    main(*sys.argv[1:])
