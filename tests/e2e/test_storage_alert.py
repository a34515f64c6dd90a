"""The side panel says so when the browser refuses Mettri's writes, until one goes through again.

A real refusal, in a browser of its own: another page of the extension upgrades Mettri's
database past the version this build knows, so the core's next open fails (as when an older
Mettri meets a newer one's data); deleting that database lets writes through again."""

from __future__ import annotations

import re

import pytest

from pycore.storage.schema import SCHEMA_VERSION
from tests import browser
from tests.e2e.a11y import serious_violations

pytestmark = pytest.mark.e2e

PANEL = "extension/pages/sidepanel/sidepanel.html"

UPGRADE_PAST = """(version) => new Promise((resolve, reject) => {
    const r = indexedDB.open("mettri", version);
    r.onsuccess = () => { r.result.close(); resolve(r.result.version); };
    r.onerror = () => reject(r.error);
})"""

DELETE = """() => new Promise((resolve, reject) => {
    const r = indexedDB.deleteDatabase("mettri");
    r.onsuccess = () => resolve(true);
    r.onerror = () => reject(r.error);
})"""


def record(n: int) -> dict:
    return {"chat": "5511955550001@c.us", "id": f"ALERT{n}", "ts": 1_780_000_000 + n, "direction": "in", "type": "text",
            "text": f"Olá {n}", "chat_title": "Cliente Alerta"}


def test_a_refused_write_is_shown_until_writes_go_through_again(playwright, tmp_path):
    context, ext_id = browser.launch(playwright, tmp_path / "profile")
    try:
        page = browser.open_page(context, ext_id, "extension/pages/diagnostics/diagnostics.html")
        assert browser.wait_core_ready(page)["stage"] == "ready"
        browser.core_result(page, "messages.import", {"records": [record(1)]})
        panel = browser.open_page(context, ext_id, PANEL)
        panel.set_viewport_size({"width": 360, "height": 720})
        alert = panel.locator("#storage-alert")
        panel.locator("#core-state.ready").wait_for()
        assert alert.is_hidden()

        assert page.evaluate(UPGRADE_PAST, SCHEMA_VERSION + 1) == SCHEMA_VERSION + 1
        refused = browser.core_call(page, "messages.import", {"records": [record(2)]})
        assert not refused["ok"] and refused["error"]["code"] == "storage_error"
        alert.wait_for(state="visible")
        text = alert.inner_text()
        assert "não conseguiu gravar" in text and "Nada foi perdido" in text
        assert not re.search(r"\b(null|undefined|NaN|storage\.error|VersionError)\b", text)
        assert serious_violations(panel) == []
        panel.screenshot(path=str(tmp_path / "storage-alert.png"))

        assert page.evaluate(DELETE)
        browser.core_result(page, "messages.import", {"records": [record(3)]})
        alert.wait_for(state="hidden")
    finally:
        context.close()
