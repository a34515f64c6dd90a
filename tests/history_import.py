"""The replica's corpus as messages.import records, and a batched import from an
extension page: shared by the search e2e tests and scripts/bench_search.py."""

from __future__ import annotations

import time

TYPES = {"text": "text", "image": "image", "ptt": "voice", "document": "document", "deleted": "deleted",
         "system": "system"}

# Runs in an extension page: sends the records in batches, reports progress on the console.
IMPORT_JS = """async ([records, size]) => {
    let sent = 0, took = 0;
    for (let i = 0; i < records.length; i += size) {
        const r = await MettriCore.request("messages.import", {records: records.slice(i, i + size)}, {timeoutMs: 120000});
        if (!r.ok) throw new Error(JSON.stringify(r.error));
        sent += r.result.new + r.result.updated;
        took += r.result.took_ms;
    }
    return {sent, took_ms: took};
}"""


def records(corpus: dict) -> list[dict]:
    chats = {c["id"]: c for c in corpus["chats"]}
    out = []
    for m in corpus["messages"]:
        chat = chats[m["chat"]]
        direction = "system" if m["type"] == "system" else "out" if m["from_me"] else "in"
        out.append({
            "chat": m["chat"], "id": m["id"], "ts": m["ts"], "direction": direction,
            "type": TYPES[m["type"]], "text": m.get("text") or m.get("file") or "",
            "author": m.get("sender"), "chat_title": chat["name"] or chat.get("phone"), "is_group": chat["kind"] == "group",
        })
    return out


def import_records(page, recs: list[dict], batch: int = 2000, chunk: int = 20_000, progress=None) -> dict:
    """Import through messages.import in batches; ``chunk`` records cross CDP per evaluate."""
    sent = took = 0
    for start in range(0, len(recs), chunk):
        r = page.evaluate(IMPORT_JS, [recs[start:start + chunk], batch])
        sent += r["sent"]
        took += r["took_ms"]
        if progress:
            progress(min(start + chunk, len(recs)), len(recs))
    return {"stored": sent, "core_ms": round(took, 1)}


def known_chats(page, names: dict[str, str], text: str = "Oi, tudo bem?") -> None:
    """Chats (JID -> name) with one inbound message each, imported: known contacts without a WhatsApp tab."""
    now = time.time()
    import_records(page, [{"chat": jid, "id": "3A" + jid.split("@")[0], "ts": now - 600, "direction": "in",
                           "type": "text", "text": text, "chat_title": name, "is_group": False}
                          for jid, name in names.items()])
