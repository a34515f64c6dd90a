"""Listing 2,000 chats by scrolling the virtualized chat list at the core's pace."""

from __future__ import annotations

import pytest

from tests.conftest import wait_for
from tests.e2e.reading import ALL_TITLES, call, events, open_connected, record_events

pytestmark = pytest.mark.e2e


def clean(title: str) -> str:
    return title.replace("\u202a", "").replace("\u202c", "").strip()


def test_scan_lists_2000_chats(routed, core_page):
    context, _ = routed
    record_events(core_page)
    wa, world = open_connected(context, core_page, "gen=2026&lang=en&chats=2000&messages=4000")
    assert wa.evaluate("() => __replica.state().chats") == 2000
    scan = call(core_page, "contacts.scan", {"pace": 0.01})
    done = wait_for(lambda: [e for e in events(core_page, "contacts.scan_progress")
                             if e["scan_id"] == scan["scan_id"] and e["done"]], timeout=180, message="the scan to end")
    assert world.evaluate("MettriContent.scraper.running()") is None
    titles = {clean(t) for t in wa.evaluate(ALL_TITLES)}
    assert len(titles) > 1200  # 2,000 chats, 1,288 distinct titles: corpus names repeat (seed 1)
    stored = {clean(c["title"]) for c in call(core_page, "contacts.list", {"limit": 10_000})["contacts"]}
    missing = titles - stored
    assert not missing, f"{len(missing)} chats not listed, e.g. {sorted(missing)[:5]}"
    assert done[0]["rows"] == len(titles)
    wa.close()
