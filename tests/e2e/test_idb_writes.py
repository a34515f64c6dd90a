"""A large write through the IndexedDB shim (extension/offscreen/idb-shim.js), in the real browser:
its ops are placed a part at a time so the core's thread is not held, and it stays one
transaction: everything lands, or (one op refused after the first parts were placed) nothing."""

from __future__ import annotations

import json

import pytest

from pycore.storage.schema import schema_json
from tests import browser

pytestmark = pytest.mark.e2e

PAGE = "extension/pages/diagnostics/diagnostics.html"

WRITE = """async ([name, schema, n, badAt]) => {
    const shim = new mettriDiagnostics.IdbShim(name);
    await shim.open(schema);
    const ops = [];
    for (let i = 0; i < n; i++) {
        // No key at badAt: IndexedDB refuses that put when it is placed, after the parts before it.
        const record = i === badAt ? {chat: "c@c.us", seq: i} : {key: "c@c.us|M" + i, chat: "c@c.us", id: "M" + i, seq: i + 1, ts: 1.7e9 + i, text: "ação " + i};
        ops.push({op: "put", store: "messages", record});
    }
    let error = null;
    try {
        await shim.apply(JSON.stringify(ops));
    } catch (err) {
        error = String(err);
    }
    const stored = JSON.parse(await shim.count(JSON.stringify({store: "messages", index: null, range: null})));
    const last = JSON.parse(await shim.get("messages", JSON.stringify("c@c.us|M" + (n - 1))));
    shim.close();
    indexedDB.deleteDatabase(name);
    return {error, stored, last};
}"""


def test_a_write_placed_in_parts_lands_whole_or_not_at_all(ext):
    context, ext_id = ext
    page = browser.open_page(context, ext_id, PAGE)
    page.wait_for_function("() => globalThis.mettriDiagnostics")
    schema = json.dumps(schema_json())
    whole = page.evaluate(WRITE, ["mettri-parts-whole", schema, 1_234, -1])
    assert whole["error"] is None and whole["stored"] == 1_234 and whole["last"]["text"] == "ação 1233"
    refused = page.evaluate(WRITE, ["mettri-parts-refused", schema, 1_234, 1_100])  # in the third part
    page.close()
    assert refused["error"] is not None and "write" in refused["error"]
    assert refused["stored"] == 0 and refused["last"] is None
