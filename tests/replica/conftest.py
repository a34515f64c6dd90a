"""The session's plain Chromium (no extension; tests/conftest.py plain_browser) for the replica tests."""
from __future__ import annotations

import pytest

from .site import install_routes


@pytest.fixture(scope="session")
def browser(plain_browser):
    # pytest-playwright defines `browser` too: the suite's one plain Chromium stands in for it here.
    return plain_browser


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
