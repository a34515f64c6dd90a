"""A profile made by an older Mettri opens with today's schema (the IndexedDB shim of the build, in
the real browser): its records stay, the indexes the schema added are built, and the index the
schema dropped (messages' by_chat_ts, version 5) is gone, so it no longer costs each write."""

from __future__ import annotations

import json

import pytest

from pycore.storage.schema import SCHEMA_VERSION, schema_json
from tests import browser

pytestmark = pytest.mark.e2e

PAGE = "extension/pages/diagnostics/diagnostics.html"

# Version 4's messages store, as Mettri made it, with three records (one timed exactly at the range's
# end, which the new index must still give).
OLD_PROFILE = """async (name) => {
    const db = await new Promise((res, rej) => {
        const r = indexedDB.open(name, 4);
        r.onupgradeneeded = () => {
            const s = r.result.createObjectStore("messages", {keyPath: "key"});
            for (const [index, path] of [["by_chat_ts", ["chat", "ts"]], ["by_ts", "ts"], ["by_seq", "seq"],
                    ["by_chat_ts_seq", ["chat", "ts", "seq"]], ["by_chat_seq", ["chat", "seq"]]]) s.createIndex(index, path);
            r.result.createObjectStore("meta", {keyPath: "key"});
        };
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
    });
    await new Promise((res, rej) => {
        const tx = db.transaction("messages", "readwrite");
        for (const [i, ts] of [[1, 100], [2, 160], [3, 160]])
            tx.objectStore("messages").put({key: "c@c.us|M" + i, chat: "c@c.us", id: "M" + i, seq: i, ts, text: "m" + i});
        tx.oncomplete = res;
        tx.onerror = () => rej(tx.error);
    });
    db.close();
}"""

OPEN_WITH_SHIM = """async ([name, schema]) => {
    const shim = new mettriDiagnostics.IdbShim(name);
    const previous = JSON.parse(await shim.open(schema));
    const db = await new Promise((res, rej) => { const r = indexedDB.open(name); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
    const tx = db.transaction("messages");
    const store = tx.objectStore("messages");
    const all = (req) => new Promise((res, rej) => { req.onsuccess = () => res(req.result); req.onerror = () => rej(req.error); });
    const out = {
        previous, version: db.version, indexes: Array.from(store.indexNames).sort(),
        stores: Array.from(db.objectStoreNames).length,
        keys: (await all(store.getAll())).map((r) => r.key),
        timed: (await all(store.index("by_chat_ts_seq").getAll(IDBKeyRange.bound(["c@c.us", 100], ["c@c.us", 160, []])))).map((r) => r.id),
    };
    db.close();
    shim.close();
    indexedDB.deleteDatabase(name);
    return out;
}"""


def test_an_older_profile_keeps_its_messages_and_drops_the_index_the_schema_dropped(ext):
    context, ext_id = ext
    page = browser.open_page(context, ext_id, PAGE)
    page.wait_for_function("() => globalThis.mettriDiagnostics")
    name = "mettri-upgrade-test"
    page.evaluate(OLD_PROFILE, name)
    schema = schema_json()
    got = page.evaluate(OPEN_WITH_SHIM, [name, json.dumps(schema)])
    page.close()

    assert got["previous"] == 4 and got["version"] == SCHEMA_VERSION == 5
    assert got["indexes"] == sorted(schema["stores"]["messages"]["indexes"])
    assert "by_chat_ts" not in got["indexes"] and "by_id" in got["indexes"]  # dropped; added
    assert got["stores"] == len(schema["stores"])
    assert got["keys"] == ["c@c.us|M1", "c@c.us|M2", "c@c.us|M3"]
    assert got["timed"] == ["M1", "M2", "M3"]  # both messages timed at the range's end, in the order stored
