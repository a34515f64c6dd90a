"""The diagnostics page shows what the core knows of WhatsApp Web right now: the connection (in the
page's language, whether a tab is the active one, when it last reported) and the last self-test,
and follows them as they change."""

from __future__ import annotations

import re

import pytest

from tests import browser
from tests.conftest import wait_for
from tests.e2e.a11y import serious_violations
from tests.e2e.reading import call, open_connected

pytestmark = pytest.mark.e2e

PAGE = "extension/pages/diagnostics/diagnostics.html"


def test_diagnostics_shows_the_connection_and_the_last_self_test(routed, core_page):
    context, ext_id = routed
    wa, _ = open_connected(context, core_page, "gen=2025&lang=en")
    wa.evaluate("() => __replica.openChat(__replica.chats()[0].id)")  # a chat open: the whole self-test can run
    # A test from before the chat opened ("no conversation open") also has sending on: wait for the chat's.
    outcome = wait_for(lambda: (o := call(core_page, "selftest.last")["outcome"]) and o["summary_en"].startswith("All good") and o,
                       message="a self-test with a chat open")

    page = browser.open_page(context, ext_id, PAGE)
    pt = page.evaluate("() => chrome.i18n.getMessage('@@ui_locale')").lower().startswith("pt")
    status = call(core_page, "connection.state")["status"]
    state = page.locator("#diag-connection-state")
    state.wait_for()
    assert state.inner_text() == (status["pt_BR"] if pt else status["en"])
    assert page.locator("#diag-active-tab").inner_text() == ("uma aba ativa (de 1 aberta)" if pt else "one active tab (of 1 open)")
    assert page.locator("#diag-last-report time").get_attribute("datetime")
    summary = page.locator("#diag-selftest-summary")
    wait_for(lambda: summary.inner_text() == (outcome["summary_pt"] if pt else outcome["summary_en"]),
             message="the self-test summary")
    assert page.locator("#diag-selftest-mode").inner_text() == ("ligados" if pt else "on")
    ok = sum(s in ("ok", "deferred") for s in outcome["features"].values())
    assert page.locator("#diag-selftest-checks").inner_text() == (
        f"{ok} de {len(outcome['features'])} encontradas" if pt else f"{ok} of {len(outcome['features'])} found")
    assert not re.search(r"\b(null|undefined|NaN)\b", page.locator("#page-state").inner_text())
    assert serious_violations(page) == []

    # The tab goes away: the page follows (it asks again every few seconds).
    wa.close()
    wait_for(lambda: page.locator("#diag-active-tab").inner_text() == ("nenhuma aba ativa" if pt else "no active tab"),
             timeout=20, message="the page to show no active tab")
    page.close()


def test_the_accessibility_check_sees_a_planted_violation(ext):
    """serious_violations() is not vacuous: a nameless button planted in a page is reported."""
    context, ext_id = ext
    page = browser.open_page(context, ext_id, PAGE)
    page.locator("#run").wait_for()
    assert serious_violations(page) == []
    page.evaluate("() => document.querySelector('main').append(document.createElement('button'))")
    assert "button-name" in {v["id"] for v in serious_violations(page)}
    page.close()
