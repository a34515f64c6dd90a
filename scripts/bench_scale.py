"""Benchmark a busy account in Chromium with the built extension: search at up to a million
messages, the side panel's chat list and chat view, messages.list, memory and disk.

    .venv/bin/python scripts/bench_scale.py [--sizes 100000 1000000] [--chats 5000] [--rounds 5] [--save-baseline]

For each size: a fresh profile is filled with the replica's corpus (tests/replica/corpus.py, seed 1,
--chats chats) through messages.import, 2,000 records a call (the product's bulk path for many
chats; it indexes each batch as it is written). Then, in the same run:

* core.ping round trips from an extension page: the baseline every latency is divided by;
* search: the core's took_ms and the page's round trip over scripts/search_queries.py (uncached),
  and the side panel's search view, typed -> results painted (minus its debounce);
* the side panel: the chat list (back to the list -> list painted; scrolled to its end -> the next
  rows drawn) and a chat's stored messages (a chat clicked -> its messages painted), for chats
  across the size range;
* messages.list (limit 50 and the panel's 200) and chats.list (the panel's 500) from a page;
* the offscreen document's memory (JS heap + every WebAssembly.Memory) after a GC;
* MiniSearch (tests/replica's pin) and FlexSearch (scripts/vendor.lock.json "bench", never in dist/)
  index the same records and answer the same queries in a page of the same browser, with their
  JS heap after a GC (the records are handed over in slices and not kept);
* capture into the account: batches of 50 and of 500 new rows into a chat of their own, sent back to
  back from the content script of a replica tab (bench_capture's pipeline), against IndexedDB's own
  floor for a store shaped like the messages store in the same browser. A kept profile keeps them
  (3,550 messages a run, in chats of their own, with ids of their run);
* the profile's IndexedDB folder on disk, and a relaunch: browser start -> core ready -> searchable,
  with the side panel opened at once: its frames until the core is ready (a long gap is a frozen panel).

Prints one JSON object (ratios compared with scripts/baselines/scale.json); progress on stderr.
Needs dist/ (scripts/build.py) and the replica's node_modules (MiniSearch).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from playwright.sync_api import sync_playwright  # noqa: E402

import vendor  # noqa: E402
from bench_capture import IDB_FLOOR_MESSAGES, pipeline  # noqa: E402
from bench_search import CORE_LOOP, MINI_LOOP, MINISEARCH, PANEL_LOOP, DEBOUNCE_MS, OffscreenProbe, by_label, free_port  # noqa: E402
from benchlib import PING_LOOP, finish, log, summary  # noqa: E402
from search_queries import QUERIES, resolve  # noqa: E402
from pycore.search.engine import SNAPSHOT_EVERY  # noqa: E402
from tests import browser  # noqa: E402
from tests.history_import import import_records, records  # noqa: E402
from tests.replica import corpus  # noqa: E402
from tests.replica.site import install_routes  # noqa: E402

PANEL = "extension/pages/sidepanel/sidepanel.html"
DIST: Path | None = None  # --dist: another build (its path names the extension id a kept profile belongs to)
SLICE = 50_000  # records per evaluate when a baseline library is fed

# messages.list for each chat (newest first: what a chat view asks for), and the panel's chats.list.
LIST_LOOP = """async ([chats, rounds]) => {
    const time = async (type, args) => {
        const t0 = performance.now();
        const r = await MettriCore.request(type, args, {timeoutMs: 60000});
        if (!r.ok) throw new Error(type + " " + JSON.stringify(r.error));
        return [performance.now() - t0, r.result];
    };
    const m50 = [], m200 = [], chatsList = [], older = [];
    for (let r = 0; r < rounds; r++) {
        for (const chat of chats) {
            const [a, page] = await time("messages.list", {chat, limit: 50, newest_first: true});
            m50.push(a);
            m200.push((await time("messages.list", {chat, limit: 200, newest_first: true}))[0]);
            if (page.next_cursor_ts !== null && page.next_cursor_ts !== undefined) {  // the next page back in history
                older.push((await time("messages.list", {chat, limit: 50, newest_first: true,
                    cursor_ts: page.next_cursor_ts, cursor_seq: page.next_cursor_seq}))[0]);
            }
        }
        for (let k = 0; k < 5; k++) chatsList.push((await time("chats.list", {limit: 500, with_scanned: true}))[0]);
    }
    return {m50, m200, older, chatsList};
}"""

# The side panel as a user drives it: a chat row clicked -> its messages painted; "Voltar" -> the
# chat list painted (each redraw asks the core again for the rows the user has scrolled to:
# sidepanel.js refresh()). The clock stops at the frame after every row of the list is drawn. A row past
# those drawn is reached by scrolling to the list's end, which asks for more (timed as "more").
PANEL_CHATS_LOOP = """async ([picks, rounds]) => {
    const $ = (id) => document.getElementById(id);
    const changed = (el) => new Promise((resolve) => {
        const mo = new MutationObserver(() => { mo.disconnect(); resolve(); });
        mo.observe(el, {childList: true});
    });
    // The list is drawn again when its drawn turn changes (chat-views.js sets data-drawn once every row
    // of a draw is in; rows that would be drawn the same are kept, so its children may not change).
    const drawnAgain = (el) => new Promise((resolve) => {
        const was = el.dataset.drawn;
        const mo = new MutationObserver(() => { if (el.dataset.drawn && el.dataset.drawn !== was) { mo.disconnect(); resolve(); } });
        mo.observe(el, {attributes: true, attributeFilter: ["data-drawn"]});
    });
    const frame = () => new Promise(requestAnimationFrame);
    const open = [], list = [], shown = [], more = [], deep = [];
    for (let r = 0; r < rounds; r++) {
        for (const i of picks) {
            for (let k = 0; k < 600 && !$("chat-list").children[i]; k++) {
                const had = $("chat-list").children.length, t0 = performance.now();
                $("chat-list-end").scrollIntoView({block: "end"});
                for (let w = 0; w < 600 && $("chat-list").children.length === had; w++) await frame();
                if ($("chat-list").children.length > had) more.push(performance.now() - t0);
            }
            const row = $("chat-list").children[i];
            if (!row) throw new Error("no chat row " + i);
            const scrolled = $("chat-list").children.length > 40;
            let t0 = performance.now();
            const msgs = changed($("message-list"));
            row.click();
            await msgs; await frame();
            open.push(performance.now() - t0);
            shown.push($("message-list").children.length);
            t0 = performance.now();
            const back = drawnAgain($("chat-list"));
            $("back").click();
            await back; await frame();
            list.push(performance.now() - t0);
            deep.push(scrolled);
        }
    }
    return {open, list, more, deep, rows: $("chat-list").children.length, shown};
}"""

MINI_FEED = """([recs, first]) => {
    const fold = (s) => s.normalize("NFD").replace(/\\p{Mn}/gu, "").toLowerCase();
    if (first) {
        globalThis.__ms = new MiniSearch({
            fields: ["text"], storeFields: ["chat", "ts", "direction", "type", "text"], idField: "key",
            processTerm: (t) => fold(t), searchOptions: {combineWith: "AND"},
        });
        globalThis.__fold = fold;
    }
    const t0 = performance.now();
    __ms.addAll(recs.map((r) => ({key: r.chat + "|" + r.id, chat: r.chat, ts: r.ts, direction: r.direction,
                                  type: r.type, text: r.text})));
    return performance.now() - t0;
}"""

# FlexSearch keeps the text index; the fields a filter needs live beside it in typed arrays
# (chat number, ts, direction, type) and the text in an array for phrase checks: a lean setup.
FLEX_FEED = """([recs, first]) => {
    if (first) {
        globalThis.__fx = {index: new FlexSearch.Index({tokenize: "forward"}), chat: [], ts: [], dir: [], type: [],
                           text: [], chatNo: new Map(), chatKeys: []};
        globalThis.__fold = (s) => s.normalize("NFD").replace(/\\p{Mn}/gu, "").toLowerCase();
    }
    const fx = __fx, t0 = performance.now();
    for (const r of recs) {
        let c = fx.chatNo.get(r.chat);
        if (c === undefined) { c = fx.chatKeys.length; fx.chatNo.set(r.chat, c); fx.chatKeys.push(r.chat); }
        const id = fx.ts.length;
        fx.chat.push(c); fx.ts.push(r.ts); fx.dir.push(r.direction); fx.type.push(r.type); fx.text.push(r.text);
        fx.index.add(id, r.text);
    }
    return performance.now() - t0;
}"""

FLEX_LOOP = """([queries, rounds, chats]) => {
    const fold = __fold, fx = __fx, out = [], totals = {};
    for (let r = 0; r < rounds; r++) {
        for (const [label, q, f] of queries) {
            const t0 = performance.now();
            const phrase = q.startsWith('"') ? fold(q.replaceAll('"', "")) : null;
            const named = f.chat_name ? new Set(chats.filter((c) => fold(c.title).includes(fold(f.chat_name)))
                .map((c) => fx.chatNo.get(c.key))) : null;
            const ids = fx.index.search(q.replaceAll('"', ""), {limit: fx.ts.length});
            let n = 0;
            const page = [];
            for (const id of ids) {
                if ((f.direction && fx.dir[id] !== f.direction) || (f.types && !f.types.includes(fx.type[id]))
                    || (f.since && fx.ts[id] < f.since) || (named && !named.has(fx.chat[id]))
                    || (phrase && !fold(fx.text[id]).includes(phrase))) continue;
                if (page.length < 20) page.push(id);
                n++;
            }
            out.push([label, performance.now() - t0]);
            totals[q + JSON.stringify(f)] = n;
        }
    }
    return {latency: out, totals};
}"""


# Every frame's distance from the one before, in the side panel, until told to stop.
WATCH_FRAMES = """() => { window.__frameGaps = []; let last = performance.now();
    const tick = (t) => { window.__frameGaps.push(t - last); last = t; if (!window.__stopFrames) requestAnimationFrame(tick); };
    requestAnimationFrame(tick); }"""


def heap_used_mb(cdp) -> float:
    cdp.send("HeapProfiler.collectGarbage")
    return round(cdp.send("Runtime.getHeapUsage")["usedSize"] / 2**20, 1)


def status(page) -> dict:
    return browser.core_call(page, "search.status")["result"]


def wait_searchable(page, n: int, timeout: float = 3600.0, saved: bool = True) -> dict:
    """Every message indexed and a snapshot saved: covering them all (``saved``: what a relaunch starts
    from), or else covering all but fewer than SNAPSHOT_EVERY, the unsaved count at which the core saves
    again as soon as it has caught up. A kept profile holds the last run's captured messages unsaved
    (3,500 of them): measured before that save, the first round of queries ran beside the catch-up and a
    366 MB save at 1M, and its page round trip's p95 read 67 ms instead of 17-23."""
    deadline = time.monotonic() + timeout
    allowed = 0 if saved else SNAPSHOT_EVERY - 1
    while True:
        st = status(page)
        snap = st.get("snapshot") or {}
        if st["indexed"] >= n and st["pending"] == 0 and st["last_seq"] - snap.get("seq", 0) <= allowed:
            return st
        if time.monotonic() > deadline:
            raise TimeoutError(f"not indexed: {st}")
        time.sleep(0.5)


def dir_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 1)


def baseline_library(context, name: str, script: Path, feed: str, loop: str, recs: list, queries: list, rounds: int,
                     chats: list) -> dict:
    """One library in its own page of the same browser: build from slices, heap after a GC, queries."""
    page = context.new_page()
    try:
        page.route("https://bench.invalid/**", lambda r: r.fulfill(body="<!doctype html><title>bench</title>",
                                                                    content_type="text/html"))
        page.goto("https://bench.invalid/")
        page.add_script_tag(path=str(script))
        cdp = page.context.new_cdp_session(page)
        empty = heap_used_mb(cdp)
        build_ms = 0.0
        for start in range(0, len(recs), SLICE):
            build_ms += page.evaluate(feed, [recs[start:start + SLICE], start == 0])
        heap = heap_used_mb(cdp)
        page.evaluate("(c) => { globalThis.__chats = c; }", chats)  # chat_name filters (after the heap figure)
        m = page.evaluate(loop, [queries, rounds, chats] if name == "flexsearch" else [queries, rounds, 0])
        return {"index_build_ms": round(build_ms, 1), "took_ms": summary([v for _, v in m["latency"]]),
                "took_ms_by_kind": by_label(m["latency"]), "js_heap_used_mb": heap,
                "index_js_heap_mb": round(heap - empty, 1), "totals": m["totals"]}
    except Exception as exc:  # a library that cannot hold the corpus is a result, not a crash of the run
        log(f"  {name} failed: {exc!r}")
        return {"error": repr(exc)[:300]}
    finally:
        page.close()


def one_size(p, size: int, n_chats: int, rounds: int, libs: bool, keep: Path | None, partial: bool = False) -> dict:
    t0 = time.perf_counter()
    data = corpus.generate(seed=1, chats=n_chats, messages=size)
    recs = records(data)
    gen_s = time.perf_counter() - t0
    chats = [{"key": c["id"], "title": c["name"] or c.get("phone") or c["id"]} for c in data["chats"]]
    queries = resolve(QUERIES, float(data["end_ts"]))
    per_chat: dict[str, int] = {}
    for r in recs:
        per_chat[r["chat"]] = per_chat.get(r["chat"], 0) + 1
    result: dict = {"messages": size, "chats": len(chats), "generate_s": round(gen_s, 1),
                    "largest_chat": max(per_chat.values()), "median_chat": sorted(per_chat.values())[len(per_chat) // 2]}
    with tempfile.TemporaryDirectory(prefix="mettri-bench-scale-") as tmp:
        # --keep: the filled profile is kept and a later run starts from it (the fill of 1M takes long).
        profile = keep / f"{size}-{n_chats}" if keep else Path(tmp) / "profile"
        filled = profile / "mettri-bench-filled.json"
        port = free_port()
        context, ext_id = browser.launch(p, profile, extra_args=[f"--remote-debugging-port={port}"], dist=DIST)
        install_routes(context)  # the replica tab of the capture measure
        page = browser.open_page(context, ext_id)
        assert browser.wait_core_ready(page)["stage"] == "ready"

        if partial:  # --as-is: a kept profile whose fill was stopped: measure what it holds
            while (st := status(page))["pending"] or st["indexed"] == 0:  # caught up with what is stored
                time.sleep(0.5)
            stored = st["last_seq"]
            recs = recs[:stored]  # messages.import stored the corpus in order, one seq per record
            per_chat = {}
            for r in recs:
                per_chat[r["chat"]] = per_chat.get(r["chat"], 0) + 1
            result.update(messages=len(recs), chats=len(per_chat), largest_chat=max(per_chat.values()))
            result["fill"] = {"stopped_at": len(recs)}
            size = len(recs)
            chats = [c for c in chats if c["key"] in per_chat]
        elif filled.exists():
            result["fill"] = {**json.loads(filled.read_text()), "reused_profile": True}
        else:
            # A kept profile whose fill was stopped goes on from what it stored (messages.import
            # stored the corpus in order; the last call is sent again, an import never duplicates).
            while keep and (st := status(page))["pending"]:
                time.sleep(0.5)
            done = max(0, status(page)["last_seq"] - 2000) if keep else 0
            log(f"[{size}] fill through messages.import" + (f", from {done}" if done else ""))
            t0 = time.perf_counter()
            step = max(1, size // 10)
            imp = import_records(page, recs[done:], progress=lambda d, t: d % step < 20_000 and log(f"  {done + d}/{size} {time.perf_counter() - t0:.0f}s"))
            stored_s = time.perf_counter() - t0
            wait_searchable(page, size)
            result["fill"] = {"path": "messages.import, 2,000 records a call", "stored_s": round(stored_s, 1),
                              "stored_per_s": round((size - done) / stored_s), "resumed_from": done, "core_ms": imp["core_ms"],
                              "searchable_and_snapshot_s": round(time.perf_counter() - t0, 1)}
            filled.write_text(json.dumps(result["fill"]))
        # A kept profile may hold the last run's captured messages unsaved in a snapshot: a small tail
        # (under SNAPSHOT_EVERY) stays so until 5 idle minutes have passed, a larger one is saved at once.
        st = wait_searchable(page, size, saved="reused_profile" not in result["fill"])
        result["snapshot"] = {"stored_mb": round(st["snapshot"]["bytes"] / 2**20, 1),
                              "sqlite_mb": round(st["snapshot"]["raw_bytes"] / 2**20, 1)}
        log(f"[{size}] {json.dumps(result['fill'])}")

        ping = page.evaluate(PING_LOOP, 200)
        result["ping_ms"] = summary(ping)

        log(f"[{size}] search queries")
        q = page.evaluate(CORE_LOOP, [queries, rounds, 20])
        result["core_took_ms"] = summary([v for _, v in q["core"]])
        result["core_took_ms_by_kind"] = by_label(q["core"])
        result["page_e2e_ms"] = summary([v for _, v in q["e2e"]])

        # Chats across the size range: the busiest, the middle, the quiet ones (the list is by recency).
        ranked = sorted(per_chat, key=per_chat.get, reverse=True)
        picks = [ranked[int(i * (len(ranked) - 1) / 19)] for i in range(20)]
        log(f"[{size}] messages.list / chats.list")
        lists = page.evaluate(LIST_LOOP, [picks, rounds])
        result["messages_list_50_ms"] = summary(lists["m50"])
        result["messages_list_200_ms"] = summary(lists["m200"])
        result["messages_list_older_page_ms"] = summary(lists["older"]) if lists["older"] else None
        result["chats_list_500_ms"] = summary(lists["chatsList"])

        log(f"[{size}] side panel")
        panel = browser.open_page(context, ext_id, PANEL)
        panel.set_viewport_size({"width": 400, "height": 800})
        panel.wait_for_function("() => document.getElementById('chat-list').children.length >= 40 "
                                "&& !document.getElementById('chat-list').dataset.cached", timeout=120_000)
        ui = panel.evaluate(PANEL_CHATS_LOOP, [[0, 1, 2, 5, 10, 20, 50, 99, 200, 400], rounds])
        result["side_panel_open_chat_ms"] = summary(ui["open"])
        result["side_panel_chat_list_ms"] = summary(ui["list"])
        # Split by whether the user had scrolled past the first screens (a longer list is asked for).
        for name, deep in (("first_screens", False), ("scrolled", True)):
            part = [v for v, d in zip(ui["list"], ui["deep"]) if d is deep]
            result[f"side_panel_chat_list_{name}_ms"] = summary(part) if part else None
        result["side_panel_more_chats_ms"] = summary(ui["more"]) if ui["more"] else None
        result["side_panel_rows"] = {"chat_list": ui["rows"], "messages_shown_max": max(ui["shown"])}
        s = panel.evaluate(PANEL_LOOP, [queries, rounds, data["end_ts"], DEBOUNCE_MS])
        result["side_panel_search_ms"] = summary([v for _, v, _ in s["latency"]])
        result["side_panel_search_debounce_ms"] = DEBOUNCE_MS
        panel.close()

        probe = OffscreenProbe(p, port)
        mem = probe.memory()
        probe.close()
        result["offscreen_memory"] = mem

        if libs:
            log(f"[{size}] minisearch")
            mini = baseline_library(context, "minisearch", MINISEARCH, MINI_FEED,
                                    MINI_LOOP, recs, queries, rounds, chats)
            log(f"[{size}] flexsearch")
            flex_js = vendor.fetch_bench("flexsearch", offline=True) / "dist" / "flexsearch.bundle.min.js"
            flex = baseline_library(context, "flexsearch", flex_js, FLEX_FEED, FLEX_LOOP, recs, queries, rounds, chats)
            result["totals"] = {k: {"mettri": q["totals"][k], "minisearch": mini.get("totals", {}).get(k),
                                    "flexsearch": flex.get("totals", {}).get(k)} for k in q["totals"]}
            mini.pop("totals", None)
            flex.pop("totals", None)
            result["minisearch"], result["flexsearch"] = mini, flex

        # Last: nothing above sees these messages. They are indexed before the relaunch, and saved in a
        # snapshot as the core does at once with SNAPSHOT_EVERY or more unsaved (a smaller tail would
        # wait 5 idle minutes, and the relaunch would catch it up in the background).
        log(f"[{size}] capture into the account")
        run_id = f"{int(time.time()) % 10**6:06d}"
        capture = {"idb_floor_messages_store_puts_per_s": round(page.evaluate(IDB_FLOOR_MESSAGES, 5000))}
        for i, (rows, batches) in enumerate(((50, 20), (500, 4))):
            capture[f"batches_of_{rows}"] = pipeline(context, page, "2025", rows, batches,
                                                     chat=f"55119876{i}{run_id}@c.us", prefix=f"3EB0{run_id}{i}")
        result["capture"] = capture
        wait_searchable(page, size, saved=False)
        context.close()
        idb = profile / "Default" / "IndexedDB"
        result["indexeddb_on_disk_mb"] = dir_mb(idb)
        result["profile_on_disk_mb"] = dir_mb(profile)

        log(f"[{size}] relaunch")
        t0 = time.perf_counter()
        context, ext_id = browser.launch(p, profile, extra_args=[f"--remote-debugging-port={port}"], dist=DIST)
        # The side panel opened at once: its frames while the core starts (a gap is a frozen panel).
        page = browser.open_page(context, ext_id, PANEL)
        page.set_viewport_size({"width": 400, "height": 800})
        page.evaluate(WATCH_FRAMES)
        state = browser.wait_core_ready(page, timeout_ms=600_000)
        ready_s = time.perf_counter() - t0
        gaps = sorted(page.evaluate("() => { window.__stopFrames = true; return window.__frameGaps; }"))
        first = browser.core_call(page, "search.messages", {"q": "entrega"})
        searchable_s = time.perf_counter() - t0
        assert first["ok"] and first["result"]["hits"], first
        st = status(page)
        result["relaunch"] = {"browser_start_to_core_ready_s": round(ready_s, 2),
                              "browser_start_to_searchable_s": round(searchable_s, 2),
                              "core_ready_to_searchable_s": round(searchable_s - ready_s, 3),
                              "started_from": st["started_from"], "stages_ms": state.get("stages"),
                              "side_panel_frames_while_starting": {
                                  "frames": len(gaps), "longest_gap_ms": round(gaps[-1]) if gaps else None,
                                  "gaps_over_100ms": sum(g > 100 for g in gaps),
                                  "frozen_s": round(sum(g for g in gaps if g > 100) / 1000, 2)}}
        probe = OffscreenProbe(p, port)
        mem = probe.memory()
        probe.close()
        result["offscreen_memory_after_relaunch"] = mem
        context.close()
    return result


def targets(r: dict) -> dict:
    return {
        "core_search_p95_le_50ms": r["core_took_ms"]["p95_ms"] <= 50,
        "side_panel_search_painted_p95_le_100ms": r["side_panel_search_ms"]["p95_ms"] <= 100,
        "searchable_le_2s_after_ready": r["relaunch"]["core_ready_to_searchable_s"] <= 2.0,
        "side_panel_chat_list_p95_le_100ms": r["side_panel_chat_list_ms"]["p95_ms"] <= 100,
        "side_panel_open_chat_p95_le_100ms": r["side_panel_open_chat_ms"]["p95_ms"] <= 100,
        "messages_list_200_p95_le_100ms": r["messages_list_200_ms"]["p95_ms"] <= 100,
    }


def ratios(r: dict) -> dict:
    ping = r["ping_ms"]["p50_ms"] or None
    out = {}
    for key in ("core_took_ms", "page_e2e_ms", "side_panel_search_ms", "side_panel_chat_list_ms", "side_panel_open_chat_ms",
                "messages_list_50_ms", "messages_list_200_ms", "chats_list_500_ms"):
        out[f"{key}_p95_over_ping_p50"] = round(r[key]["p95_ms"] / ping, 2) if ping else None
    mini = r.get("minisearch", {}).get("took_ms")
    if mini:
        out["core_took_ms_p95_over_minisearch_p95"] = round(r["core_took_ms"]["p95_ms"] / mini["p95_ms"], 3)
    capture = r.get("capture")
    if capture:
        for rows in (50, 500):
            got = capture[f"batches_of_{rows}"]["core_msgs_per_s"]
            out[f"idb_floor_over_capture_{rows}_msgs_per_s"] = round(capture["idb_floor_messages_store_puts_per_s"] / got, 2)
    flex = r.get("flexsearch", {}).get("took_ms")
    if flex:
        out["core_took_ms_p95_over_flexsearch_p95"] = round(r["core_took_ms"]["p95_ms"] / flex["p95_ms"], 3)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--chats", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-libs", action="store_true", help="skip the MiniSearch and FlexSearch baselines")
    ap.add_argument("--keep", type=Path, help="keep filled profiles in this folder and reuse them in later runs")
    ap.add_argument("--save-baseline", action="store_true")
    ap.add_argument("--dist", type=Path, help="the build to load (default dist/)")
    ap.add_argument("--as-is", action="store_true", help="with --keep: measure a kept profile whose fill was stopped")
    args = ap.parse_args()
    global DIST
    DIST = args.dist.resolve() if args.dist else None
    if not MINISEARCH.exists():
        raise SystemExit("run (cd tests/replica && npm ci) first: MiniSearch comes with the replica's node_modules")
    vendor.fetch_bench("flexsearch")
    runs = []
    with sync_playwright() as p:
        for size in args.sizes:
            runs.append(one_size(p, size, args.chats, args.rounds, not args.no_libs, args.keep, args.as_is))
            runs[-1]["targets"] = targets(runs[-1])
            log(json.dumps(runs[-1]))  # partial results survive a later failure
    all_ratios = {f"{r['messages']}_{k}": v for r in runs for k, v in ratios(r).items()}
    finish("scale", {"benchmark": "scale", "runs": runs}, all_ratios, save=args.save_baseline)


if __name__ == "__main__":
    main()
