# The core fixtures (an in-memory core with a fake clock) serve e2e tests that feed
# what the browser read into a core on CPython.
import pytest  # noqa: E402

from tests.core.conftest import clock, core, events, storage  # noqa: F401


@pytest.fixture(autouse=True)
def _leave_the_gate_clean(request):
    """Sending tests share one core: whatever a test leaves queued (a failed test's
    campaign, a pause) must not hold back the next test's sends."""
    yield
    if not request.module.__name__.split(".")[-1].startswith("test_sending_"):
        return
    page = request.getfixturevalue("core_page")
    from tests import browser

    for c in (browser.core_call(page, "campaign.list").get("result") or {}).get("campaigns", []):
        if c["state"] in ("draft", "running", "paused"):
            browser.core_call(page, "campaign.cancel", {"id": c["id"]})
    for state in ("queued", "approved"):
        entries = (browser.core_call(page, "outbox.list", {"state": state, "limit": 200}).get("result") or {}).get("entries", [])
        for e in entries:
            browser.core_call(page, "outbox.cancel", {"id": e["id"]})
    browser.core_call(page, "sending.resume")
