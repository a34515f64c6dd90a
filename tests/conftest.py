"""Session-wide fixtures: one Chromium with the built extension for all e2e tests."""

from __future__ import annotations

import pytest

from tests import browser


@pytest.fixture(scope="session")
def ext(playwright, tmp_path_factory):
    """(context, extension_id) of a Chromium with dist/ loaded, shared by the session."""
    context, ext_id = browser.launch(playwright, tmp_path_factory.mktemp("profile"))
    yield context, ext_id
    context.close()


@pytest.fixture(scope="session")
def plain_browser(playwright):
    """One Chromium without the extension for the session: the replica's own tests and the tests
    that run the content script's readers in a replica page share it."""
    b = playwright.chromium.launch(executable_path=browser.CHROMIUM, headless=True, args=browser.BASE_ARGS)
    yield b
    b.close()


@pytest.fixture(scope="session")
def core_page(ext):
    """An extension page whose core is ready; used to speak the protocol."""
    context, ext_id = ext
    page = browser.open_page(context, ext_id)
    state = browser.wait_core_ready(page)
    assert state["stage"] == "ready", f"core did not start: {state}"
    browser.KEPT_PAGES.add(page)  # tests close what they leave open, never this one
    yield page
    page.close()


@pytest.fixture(scope="session")
def routed(ext):
    """The session context with https://web.whatsapp.com/ served by the replica."""
    from tests.replica.site import install_routes

    context, ext_id = ext
    install_routes(context)
    return context, ext_id


def open_whatsapp(context, query: str = "gen=2026&lang=pt-BR"):
    """Open the replica in a new tab and wait until its app is ready."""
    page = context.new_page()
    page.goto(f"https://web.whatsapp.com/?{query}")
    page.evaluate("() => __replica.ready")
    return page


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2, message="condition"):
    """Poll ``predicate`` until it returns a truthy value; return that value. ``message`` names what
    was awaited; a callable is asked at the timeout, so that it can say what was seen instead."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            said = message() if callable(message) else message
            raise AssertionError(f"timed out after {timeout} s waiting for {said}")
        time.sleep(interval)
