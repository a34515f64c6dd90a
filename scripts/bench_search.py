"""Benchmark search in Chromium with the built extension, against MiniSearch in the same browser.

    .venv/bin/python scripts/bench_search.py [--sizes 10000 100000] [--rounds 10]

For each size: a fresh profile; the replica's corpus (tests/replica/corpus.py) is
imported through messages.import; then query latency inside the core (took_ms,
uncached: every round uses another page size so the query cache never answers),
from an extension page (performance.now around MettriCore.request), and in the
side panel's search view (typed -> results on screen, minus its debounce), index
build time (search.rebuild), snapshot size, memory of the offscreen document
(CDP Performance.getMetrics + WebAssembly memory), and a relaunch of the same
profile: browser start -> core ready -> searchable (and again after 20 new messages were saved as the
snapshot's page log, which that start applies over its parts). MiniSearch 7.2.0 indexes the
same records and answers the same queries in a page of the same browser.
Prints one JSON object; progress goes to stderr. Needs dist/ and the replica's node_modules.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchlib import pct  # noqa: E402  (scripts/ is on sys.path)
from playwright.sync_api import sync_playwright  # noqa: E402
from search_queries import QUERIES, resolve  # noqa: E402

from tests import browser  # noqa: E402
from tests.history_import import import_records, records  # noqa: E402
from tests.replica import corpus  # noqa: E402

MINISEARCH = ROOT / "tests" / "replica" / "node_modules" / "minisearch" / "dist" / "umd" / "index.js"
DEBOUNCE_MS = 180  # extension/pages/sidepanel/search-view.js waits this long after the last keystroke

CORE_LOOP = """async ([queries, rounds, base]) => {
    const core = [], e2e = [], totals = {};
    for (let r = 0; r < rounds; r++) {
        for (const [label, q, filters] of queries) {
            const t0 = performance.now();
            const reply = await MettriCore.request("search.messages", {q, filters, limit: base + r});
            const dt = performance.now() - t0;
            if (!reply.ok) throw new Error(JSON.stringify(reply.error));
            if (reply.result.cached) throw new Error("cached answer in an uncached round");
            core.push([label, reply.result.took_ms]);
            e2e.push([label, dt]);
            totals[q + JSON.stringify(filters)] = reply.result.total;
        }
    }
    const t0 = performance.now();
    const again = await MettriCore.request("search.messages", {q: queries[0][1], filters: queries[0][2], limit: base});
    return {core, e2e, totals, cached_e2e_ms: performance.now() - t0, cached: again.result.cached};
}"""

# The side panel's search view, as a user drives it: the filters are set, the
# query typed (one input event), and the clock stops when the results are on
# screen (the view sets data-took-ms on the summary after rendering). The view
# waits DEBOUNCE_MS after the last keystroke on purpose; that wait is reported
# apart. Every round sets "until" one more day past the corpus's end, which changes
# no result but keeps the query cache from answering (as typing new queries would).
PANEL_LOOP = """async ([queries, rounds, endTs, debounceMs]) => {
    const $ = (id) => document.getElementById(id);
    document.querySelector('.tabs [data-view="search"]').click();
    const day = (ts) => { const d = new Date(ts * 1000); return d.toISOString().slice(0, 10); };
    const summary = $("search-summary");
    const out = [], totals = {};
    for (let r = 0; r < rounds; r++) {
        for (const [label, q, f] of queries) {
            $("search-chat").value = f.chat_name || "";
            $("search-direction").value = f.direction || "";
            $("search-type").value = (f.types || [""])[0];
            $("search-since").value = f.since ? day(f.since) : "";
            $("search-until").value = day(endTs + (r + 2) * 86400);
            delete summary.dataset.tookMs;
            const shown = new Promise((resolve) => {
                const mo = new MutationObserver(() => {
                    if (summary.dataset.tookMs !== undefined) { mo.disconnect(); resolve(performance.now()); }
                });
                mo.observe(summary, {attributes: true});
            });
            $("search-q").value = q;
            const t0 = performance.now();
            $("search-q").dispatchEvent(new Event("input"));
            const t1 = await shown;
            await new Promise(requestAnimationFrame);  // the frame that paints the results
            out.push([label, performance.now() - t0 - debounceMs, t1 - t0 - debounceMs]);
            totals[q + JSON.stringify(f)] = Number(summary.dataset.total);
        }
    }
    return {latency: out, totals};
}"""

MINI_SETUP = """([recs, chats]) => {
    const fold = (s) => s.normalize("NFD").replace(/\\p{Mn}/gu, "").toLowerCase();
    const t0 = performance.now();
    const ms = new MiniSearch({
        fields: ["text"], storeFields: ["chat", "ts", "direction", "type", "text"], idField: "key",
        processTerm: (t) => fold(t),
        searchOptions: {combineWith: "AND"},
    });
    ms.addAll(recs.map((r) => ({key: r.chat + "|" + r.id, ...r})));
    globalThis.__ms = ms; globalThis.__fold = fold; globalThis.__chats = chats;
    return performance.now() - t0;
}"""

MINI_LOOP = """([queries, rounds, now]) => {
    const fold = __fold, out = [], totals = {};
    for (let r = 0; r < rounds; r++) {
        for (const [label, q, f] of queries) {
            const t0 = performance.now();
            const phrase = q.startsWith('"') ? fold(q.replaceAll('"', "")) : null;
            const words = q.replaceAll('"', "");
            const named = f.chat_name ? new Set(__chats.filter((c) => fold(c.title).includes(fold(f.chat_name))).map((c) => c.key)) : null;
            const filter = (h) => (!f.direction || h.direction === f.direction) && (!f.types || f.types.includes(h.type))
                && (!f.since || h.ts >= f.since) && (!named || named.has(h.chat)) && (!phrase || fold(h.text).includes(phrase));
            // Like the core: the last word may still be typed (prefix), accents and case ignored.
            const hits = __ms.search(words, {prefix: (term, i, terms) => !phrase && i === terms.length - 1 && term.length >= 2, filter});
            const page = hits.slice(0, 20).map((h) => h.id);
            out.push([label, performance.now() - t0]);
            totals[q + JSON.stringify(f)] = hits.length;
        }
    }
    return {latency: out, totals};
}"""


def log(*a) -> None:
    print(*a, file=sys.stderr, flush=True)


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50_ms": pct(values, 50), "p95_ms": pct(values, 95), "max_ms": round(max(values), 2),
            "mean_ms": round(statistics.fmean(values), 2)}


def by_label(pairs: list) -> dict:
    out: dict[str, list[float]] = {}
    for label, v in pairs:
        out.setdefault(label, []).append(v)
    return {k: summary(v) for k, v in out.items()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OffscreenProbe:
    """Browser-level CDP (over --remote-debugging-port) into the offscreen document's target and
    its core worker's (extension/offscreen/core-worker.js), where Python's WebAssembly memory is."""

    def __init__(self, p, port: int) -> None:
        self.browser = p.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
        self.cdp = self.browser.new_browser_cdp_session()
        self.replies: dict[int, dict] = {}
        self.cdp.on("Target.receivedMessageFromTarget", self._received)
        targets = self.cdp.send("Target.getTargets")["targetInfos"]
        target = next(t for t in targets if "offscreen/offscreen.html" in t["url"])
        self.session = self.cdp.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": False})["sessionId"]
        self.next_id = 0
        # The core's worker (a dedicated worker of the document) is reached through the document's
        # session: auto-attach reports it, and messages to it are wrapped in the document's.
        self.worker: str | None = None
        self.send("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": False, "flatten": False})
        deadline = time.monotonic() + 10
        while self.worker is None and time.monotonic() < deadline:
            self.cdp.send("Target.getTargets")  # pumps the connection's events
            time.sleep(0.02)

    def _received(self, event: dict) -> None:
        msg = json.loads(event["message"])
        if msg.get("method") == "Target.attachedToTarget" and msg["params"]["targetInfo"]["type"] == "worker":
            # The first: the core's worker starts with the document (the snapshot's comes later).
            self.worker = self.worker or msg["params"]["sessionId"]
        elif msg.get("method") == "Target.receivedMessageFromTarget":
            msg = json.loads(msg["params"]["message"])  # from the worker, inside the document's session
        if "id" in msg:
            self.replies[msg["id"]] = msg

    def send(self, method: str, params: dict | None = None, timeout: float = 30.0, session: str | None = None) -> dict:
        self.next_id += 1
        mid = self.next_id
        message = json.dumps({"id": mid, "method": method, "params": params or {}})
        if session is not None and session != self.session:  # the worker's: wrapped in the document's
            self.next_id += 1
            message = json.dumps({"id": self.next_id, "method": "Target.sendMessageToTarget",
                                  "params": {"sessionId": session, "message": message}})
        self.cdp.send("Target.sendMessageToTarget", {"sessionId": self.session, "message": message})
        deadline = time.monotonic() + timeout
        while mid not in self.replies:
            if time.monotonic() > deadline:
                raise TimeoutError(method)
            self.cdp.send("Target.getTargets")  # pumps the connection's events
            time.sleep(0.02)
        reply = self.replies.pop(mid)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    def sessions(self) -> list[str]:
        return [self.session] + ([self.worker] if self.worker else [])

    def heap(self) -> dict:
        """JS heap after a GC, the document's and its core worker's together, in bytes."""
        used = total = 0
        for session in self.sessions():
            self.send("HeapProfiler.collectGarbage", session=session)
            heap = self.send("Runtime.getHeapUsage", session=session)
            used, total = used + heap["usedSize"], total + heap["totalSize"]
        return {"used": used, "total": total}

    def memory(self) -> dict:
        """JS heap after a GC (the document's and the worker's), Python's WebAssembly memory and the files
        of its in-memory file system, as the worker counts them (extension/offscreen/main.js
        mettriWasmBytes, mettriFileBytes: no heap walk)."""
        heap = self.heap()

        def worker(name: str) -> int | None:
            return self.send("Runtime.evaluate", {"expression": f"globalThis.{name} ? {name}() : null",
                                                  "returnByValue": True, "awaitPromise": True})["result"].get("value")
        wasm, files = worker("mettriWasmBytes"), worker("mettriFileBytes")
        js = heap["used"] / 2**20
        return {"js_heap_used_mb": round(js, 1), "js_heap_total_mb": round(heap["total"] / 2**20, 1),
                "wasm_memory_mb": round(wasm / 2**20, 1) if wasm else None,
                # the search index's database file, in Python's in-memory file system (JS memory outside the heap)
                "memory_files_mb": round(files / 2**20, 1) if files is not None else None,
                "total_mb": round(js + ((wasm or 0) + (files or 0)) / 2**20, 1)}

    def close(self) -> None:
        self.browser.close()


def status(page) -> dict:
    return browser.core_call(page, "search.status")["result"]


def wait_indexed(page, n: int, timeout: float = 900.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        st = status(page)
        if st["indexed"] >= n and st["pending"] == 0:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"not indexed: {st}")
        time.sleep(0.2)


def launch(p, profile: Path, port: int):
    return browser.launch(p, profile, extra_args=[f"--remote-debugging-port={port}"])


def one_size(p, size: int, rounds: int) -> dict:
    data = corpus.generate(seed=1, chats=max(60, size // 20), messages=size)
    recs = records(data)
    chats = [{"key": c["id"], "title": c["name"] or c.get("phone") or c["id"]} for c in data["chats"]]
    queries = resolve(QUERIES, float(data["end_ts"]))
    probe_word = "entrega"
    result: dict = {"messages": size, "chats": len(chats)}
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        port = free_port()
        context, ext_id = launch(p, profile, port)
        page = browser.open_page(context, ext_id)
        assert browser.wait_core_ready(page)["stage"] == "ready"
        log(f"[{size}] importing")
        t0 = time.perf_counter()
        imp = import_records(page, recs, progress=lambda d, t: log(f"  imported {d}/{t}"))
        import_s = time.perf_counter() - t0
        wait_indexed(page, size)
        result["import"] = {"wall_s": round(import_s, 1), "core_s": round(imp["core_ms"] / 1000, 1),
                            "records_per_s": round(size / import_s), "indexed_after_s": round(time.perf_counter() - t0, 1)}
        log(f"[{size}] rebuild")
        rebuilt = browser.core_call(page, "search.rebuild", {})
        assert rebuilt["ok"], rebuilt
        st = status(page)
        result["index_build_ms"] = rebuilt["result"]["took_ms"]
        result["snapshot"] = {"stored_bytes": st["snapshot"]["bytes"], "sqlite_bytes": st["snapshot"]["raw_bytes"]}
        log(f"[{size}] queries")
        q = page.evaluate(CORE_LOOP, [queries, rounds, 20])
        result["core_took_ms"] = summary([v for _, v in q["core"]])
        result["core_took_ms_by_kind"] = by_label(q["core"])
        result["page_e2e_ms"] = summary([v for _, v in q["e2e"]])
        result["page_e2e_ms_by_kind"] = by_label(q["e2e"])
        result["page_e2e_cached_ms"] = round(q["cached_e2e_ms"], 2)
        log(f"[{size}] side panel")
        panel = browser.open_page(context, ext_id, "extension/pages/sidepanel/sidepanel.html")
        ui = panel.evaluate(PANEL_LOOP, [queries, rounds, data["end_ts"], DEBOUNCE_MS])
        panel.close()
        result["side_panel_ui_ms"] = summary([v for _, v, _ in ui["latency"]])  # to the painted frame
        result["side_panel_ui_rendered_ms"] = summary([v for _, _, v in ui["latency"]])  # to the DOM update
        result["side_panel_ui_ms_by_kind"] = by_label([(k, v) for k, v, _ in ui["latency"]])
        result["side_panel_ui_debounce_ms"] = DEBOUNCE_MS
        probe = OffscreenProbe(p, port)
        result["offscreen_memory"] = probe.memory()
        probe.close()

        log(f"[{size}] minisearch")
        mini = context.new_page()
        mini.route("https://bench.invalid/**", lambda r: r.fulfill(body="<!doctype html><title>bench</title>", content_type="text/html"))
        mini.goto("https://bench.invalid/")
        mini.add_script_tag(path=str(MINISEARCH))
        build_ms = mini.evaluate(MINI_SETUP, [recs, chats])
        heap = mini.evaluate("() => performance.memory ? performance.memory.usedJSHeapSize : null")
        m = mini.evaluate(MINI_LOOP, [queries, rounds, data["end_ts"]])
        result["minisearch"] = {"index_build_ms": round(build_ms, 1), "took_ms": summary([v for _, v in m["latency"]]),
                                "took_ms_by_kind": by_label(m["latency"]),
                                "page_js_heap_used_mb": round(heap / 2**20, 1) if heap else None}
        result["totals"] = {k: {"core": q["totals"][k], "minisearch": m["totals"].get(k)} for k in q["totals"]}
        # The panel's date filters are whole local days: its "since 7 days" may differ from the core loop's instant.
        result["side_panel_totals_differ"] = {k: v for k, v in ui["totals"].items() if q["totals"].get(k) != v}
        mini.close()
        context.close()

        log(f"[{size}] relaunch")
        context, page, result["relaunch"] = relaunch(p, profile, port, probe_word)
        # 20 new messages saved as the snapshot's page log (the save an idle pause makes), then a
        # relaunch that applies it over the parts: the same measure, with the log read too.
        fresh = [{**r, "id": "LOG" + r["id"], "ts": r["ts"] + 60, "text": r["text"] + " jabuticaba"} for r in recs[:20]]
        import_records(page, fresh)
        browser.core_call(page, "debug.clock.advance", {"seconds": 301})  # past SNAPSHOT_IDLE: saved at once
        wait_saved(page, size + 20)
        kept = page.evaluate(READ_LOG_JS)
        context.close()
        log(f"[{size}] relaunch with a page log of {kept}")
        context, page, result["relaunch_with_log"] = relaunch(p, profile, port, "jabuticaba")
        result["relaunch_with_log"]["log"] = kept
        context.close()
    return result


# The search snapshot's page log as IndexedDB holds it: its pages and bytes (null: none).
READ_LOG_JS = """() => new Promise((resolve, reject) => {
    const open = indexedDB.open("mettri");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
        const req = open.result.transaction("search_snapshot").objectStore("search_snapshot").get("index~log");
        req.onsuccess = () => { const r = req.result; open.result.close(); resolve(r ? {pages: r.pages.length, bytes: r.size} : null); };
        req.onerror = () => reject(req.error);
    };
})"""


def wait_saved(page, n: int, timeout: float = 120.0) -> None:
    end = time.monotonic() + timeout
    while (st := status(page))["indexed"] != n or st["snapshot"]["seq"] != st["last_seq"]:
        if time.monotonic() > end:
            raise TimeoutError(f"not saved: {st}")
        time.sleep(0.2)


def relaunch(p, profile: Path, port: int, probe_word: str):
    """Browser start -> core ready -> the first search answers with hits; the context and page stay open."""
    t0 = time.perf_counter()
    context, ext_id = launch(p, profile, port)
    page = browser.open_page(context, ext_id)
    state = browser.wait_core_ready(page)
    ready_s = time.perf_counter() - t0
    st = status(page)
    first = browser.core_call(page, "search.messages", {"q": probe_word})
    searchable_s = time.perf_counter() - t0
    assert first["ok"] and first["result"]["hits"], first
    return context, page, {
        "browser_start_to_core_ready_s": round(ready_s, 2),
        "browser_start_to_searchable_s": round(searchable_s, 2),
        "core_ready_to_searchable_s": round(searchable_s - ready_s, 3),
        "offscreen_ready_ms": state.get("readyMs"), "stages_ms": state.get("stages"),
        "started_from": st["started_from"], "indexed_at_ready": st["indexed"], "pending_at_ready": st["pending"],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args()
    if not MINISEARCH.exists():
        raise SystemExit("run python -m tests.replica.build first (MiniSearch comes with the replica's node_modules)")
    with sync_playwright() as p:
        runs = []
        for size in args.sizes:
            runs.append(one_size(p, size, args.rounds))
            log(json.dumps(runs[-1]))  # partial results survive a later failure
    targets = {}
    big = runs[-1]
    targets["core_p95_under_20ms"] = big["core_took_ms"]["p95_ms"] < 20
    targets["page_p95_under_50ms"] = big["page_e2e_ms"]["p95_ms"] < 50
    targets["side_panel_ui_p95_under_50ms_after_debounce"] = big["side_panel_ui_ms"]["p95_ms"] < 50
    targets["core_p95_not_slower_than_minisearch"] = big["core_took_ms"]["p95_ms"] <= big["minisearch"]["took_ms"]["p95_ms"]
    targets["searchable_within_1_5s_of_ready"] = big["relaunch"]["core_ready_to_searchable_s"] <= 1.5
    print(json.dumps({"benchmark": "search", "runs": runs, "targets_at_largest": targets}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
