"""Starting from the runtime's memory snapshot (issue 16): the first start makes it, later starts
restore it and the core works as before (storage, search, random ids); a snapshot that does not
restore is dropped and the core starts fresh instead of failing."""

from __future__ import annotations

import pytest

from tests import browser
from tests.conftest import wait_for

pytestmark = pytest.mark.e2e

RECORDS = [{"chat": "5511988887777@c.us", "id": f"false_5511988887777@c.us_SNAP{i:04d}", "ts": 1_780_000_000 + i * 60,
            "direction": "in", "type": "text", "text": f"pedido número {i} com entrega amanhã", "chat_title": "Snap"}
           for i in range(30)]

WAIT_SNAPSHOT = """async () => {
    for (;;) {
        const r = await MettriCore.request("core.boot_state", {});
        const s = r.ok ? r.result.snapshotState : null;
        if (s === "saved" || s === "failed") return s;
        await new Promise((res) => setTimeout(res, 100));
    }
}"""

# The stored snapshot's pages replaced by bytes that are not a Python heap.
SPOIL = """async () => {
    const db = await new Promise((res, rej) => { const r = indexedDB.open("mettri-runtime"); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
    const tx = db.transaction("snapshots", "readwrite");
    const store = tx.objectStore("snapshots");
    const all = await new Promise((res) => { const r = store.getAll(); r.onsuccess = () => res(r.result); });
    for (const rec of all) store.put({...rec, data: new Blob([new Uint8Array(rec.data.size).fill(7)])});
    await new Promise((res) => (tx.oncomplete = res));
    db.close();
    return all.map((r) => r.key);
}"""


def start(playwright, profile):
    context, ext_id = browser.launch(playwright, profile)
    page = browser.open_page(context, ext_id)
    state = browser.wait_core_ready(page)
    assert state["stage"] == "ready", state
    return context, page, state


def test_later_starts_restore_the_runtime_snapshot_and_the_core_works(playwright, tmp_path):
    profile = tmp_path / "profile"
    context, page, state = start(playwright, profile)
    assert state["runtimeFrom"] == "fresh"
    reply = browser.core_call(page, "messages.import", {"records": RECORDS})
    assert reply["ok"], reply
    assert page.evaluate(WAIT_SNAPSHOT) == "saved"
    context.close()

    context, page, state = start(playwright, profile)
    assert state["runtimeFrom"] == "snapshot"
    status = browser.core_call(page, "core.status")["result"]
    assert status["python"].startswith("3.14") and status["counts"]["messages"] == 30
    listed = browser.core_call(page, "messages.list", {"chat": RECORDS[0]["chat"], "limit": 50})["result"]["messages"]
    assert sorted(m["id"] for m in listed) == sorted(r["id"] for r in RECORDS)
    wait_for(lambda: (st := browser.core_call(page, "search.status")["result"])["indexed"] >= 30 and st["pending"] == 0,
             message="the search index to catch up")
    found = browser.core_call(page, "search.messages", {"q": "entrega"})
    assert found["ok"] and found["result"]["total"] == 30, found
    context.close()


def test_a_snapshot_that_does_not_restore_is_replaced_by_a_fresh_start(playwright, tmp_path):
    profile = tmp_path / "profile"
    context, page, _ = start(playwright, profile)
    assert page.evaluate(WAIT_SNAPSHOT) == "saved"
    assert page.evaluate(SPOIL)  # a snapshot was stored, now spoiled
    context.close()

    context, page, state = start(playwright, profile)
    assert state["runtimeFrom"] == "fresh"
    assert browser.core_call(page, "core.ping", {"echo": "ok"})["result"]["echo"] == "ok"
    assert page.evaluate(WAIT_SNAPSHOT) == "saved"  # a good one again for the next start
    context.close()

    context, page, state = start(playwright, profile)
    assert state["runtimeFrom"] == "snapshot"
    context.close()
