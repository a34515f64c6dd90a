# The core fixtures (an in-memory core with a fake clock) serve e2e tests that feed
# what the browser read into a core on CPython.
import pytest  # noqa: E402

from tests.core.conftest import clock, core, events, storage  # noqa: F401


@pytest.fixture(autouse=True)
def _leave_the_browser_clean(request):
    """E2e tests share one browser and one core. Whatever a test leaves behind (a failed one too)
    must not steer the next: its WhatsApp tabs (the first one open keeps the active role, so the
    next test's tab would only idle) and extension pages are closed, and what it left queued (a
    campaign, a scheduled or approved send, a pause) is cancelled."""
    yield
    if "routed" in request.fixturenames or "ext" in request.fixturenames:
        context, _ = request.getfixturevalue("ext")
        from tests import browser

        for page in list(context.pages):
            if page not in browser.KEPT_PAGES and not page.url.endswith("/offscreen.html"):
                page.close()
    if "core_page" in request.fixturenames:
        _cancel_pending_sends(request.getfixturevalue("core_page"))


def _cancel_pending_sends(page) -> None:
    from tests import browser

    for c in (browser.core_call(page, "campaign.list").get("result") or {}).get("campaigns", []):
        if c["state"] in ("draft", "running", "paused"):
            browser.core_call(page, "campaign.cancel", {"id": c["id"]})
    for state in ("queued", "approved"):
        entries = (browser.core_call(page, "outbox.list", {"state": state, "limit": 200}).get("result") or {}).get("entries", [])
        for e in entries:
            browser.core_call(page, "outbox.cancel", {"id": e["id"]})
    browser.core_call(page, "sending.resume")
