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
def core_page(ext):
    """An extension page whose core is ready; used to speak the protocol."""
    context, ext_id = ext
    page = browser.open_page(context, ext_id)
    state = browser.wait_core_ready(page)
    assert state["stage"] == "ready", f"core did not start: {state}"
    yield page
    page.close()
