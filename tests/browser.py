"""Launching Chromium with the built extension, shared by the e2e tests, the
benchmarks and the demo."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
KEPT_PAGES: set = set()  # session pages the e2e clean-up after each test leaves open
CHROMIUM = os.environ.get("METTRI_CHROMIUM", "/usr/lib/chromium/chromium")

BASE_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--lang=pt-BR",  # the product speaks Brazilian Portuguese first
]


def launch(playwright, profile: Path, *, headless: bool = True, extra_args: list[str] | None = None, language: str = "pt-BR",
           dist: Path | None = None):
    """A persistent context with dist/ (or another build, for benchmarks) loaded; returns (context,
    extension_id). ``language``: the browser's UI language (pt-BR, the product's first; "en" for the
    English pages)."""
    dist = dist or DIST
    if not (dist / "manifest.json").exists():
        raise RuntimeError(f"{dist} is missing: run python scripts/build.py first")
    args = [a for a in BASE_ARGS if not a.startswith("--lang=")] + [f"--lang={language}"]
    args += [f"--disable-extensions-except={dist}", f"--load-extension={dist}"] + (extra_args or [])
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=headless,
        args=args,
        viewport={"width": 1280, "height": 800},
        locale=language,
        # Chromium on Linux takes its UI language (chrome.i18n) from LANGUAGE.
        env={**os.environ, "LANGUAGE": language.replace("-", "_")},
    )
    return context, extension_id(context)


def extension_id(context, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        for worker in context.service_workers:
            if worker.url.startswith("chrome-extension://"):
                return worker.url.split("/")[2]
        if time.monotonic() > deadline:
            raise RuntimeError("the extension's service worker did not start (is dist/ a valid extension?)")
        try:
            context.wait_for_event("serviceworker", timeout=1000)
        except Exception:
            pass


def open_page(context, ext_id: str, path: str = "extension/pages/options/options.html"):
    page = context.new_page()
    page.goto(f"chrome-extension://{ext_id}/{path}")
    return page


def wait_core_ready(page, timeout_ms: int = 120_000) -> dict:
    """Poll core.boot_state from an extension page until the core is ready (or failed)."""
    return page.evaluate(
        """async (timeoutMs) => {
            const t0 = Date.now();
            while (Date.now() - t0 < timeoutMs) {
                const r = await MettriCore.request("core.boot_state", {}, {timeoutMs: 5000});
                if (r.ok && (r.result.stage === "ready" || r.result.stage === "failed")) return r.result;
                await new Promise(res => setTimeout(res, 100));
            }
            return {stage: "timeout"};
        }""",
        timeout_ms,
    )


def core_call(page, type_: str, args: dict | None = None) -> dict:
    """Send one protocol request from an extension page; returns the reply envelope."""
    return page.evaluate("([t, a]) => MettriCore.request(t, a)", [type_, args or {}])


def core_result(page, type_: str, args: dict | None = None) -> dict:
    """core_call's result, asserting the reply is ok."""
    reply = core_call(page, type_, args)
    assert reply["ok"], reply
    return reply["result"]


# What no view may ever show: an empty value's name where a text should be.
BAD_WORDS = re.compile(r"\b(null|undefined|NaN)\b")


def content_script_world(page, timeout: float = 10.0):
    """A CDP handle to evaluate code in the content script's isolated world of ``page``.

    Playwright evaluates in the page's main world; the content script (and its
    MettriCore client) lives in an isolated world that CDP can address.
    """
    cdp = page.context.new_cdp_session(page)
    contexts: list[dict] = []
    cdp.on("Runtime.executionContextCreated", lambda e: contexts.append(e["context"]))
    cdp.send("Runtime.enable")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for ctx in contexts:
            aux = ctx.get("auxData", {})
            if aux.get("type") == "isolated" and ctx.get("origin", "").startswith("chrome-extension://") or (
                aux.get("type") == "isolated" and "Mettri" in ctx.get("name", "")
            ):
                return ContentWorld(cdp, ctx["id"])
        page.wait_for_timeout(100)
    raise RuntimeError("the content script's world was not found (was it injected?)")


class ContentWorld:
    def __init__(self, cdp, context_id: int) -> None:
        self.cdp = cdp
        self.context_id = context_id

    def evaluate(self, expression: str):
        """Evaluate an expression (awaiting promises) and return its JSON value."""
        reply = self.cdp.send(
            "Runtime.evaluate",
            {"expression": expression, "contextId": self.context_id, "awaitPromise": True, "returnByValue": True},
        )
        if "exceptionDetails" in reply:
            raise RuntimeError(reply["exceptionDetails"].get("exception", {}).get("description", str(reply)))
        return reply["result"].get("value")
