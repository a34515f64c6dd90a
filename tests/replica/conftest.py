"""Session-scoped plain Chromium (no extension) for the replica tests."""
from __future__ import annotations

import pytest

from .site import install_routes

CHROMIUM = "/usr/lib/chromium/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]


@pytest.fixture(scope="session")
def browser(playwright):
    # pytest-playwright's session `playwright`: one Playwright driver for the whole suite.
    b = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
    yield b
    b.close()


@pytest.fixture
def context(browser):
    # pytest-playwright also defines `context`; this plain one replaces it for this folder.
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, timezone_id="America/Sao_Paulo",
                              locale="en-US")
    install_routes(ctx)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    p = context.new_page()
    yield p
    p.close()
