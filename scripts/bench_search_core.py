"""Benchmark of the search engine on CPython: build, query latency per kind, snapshot (and a save after
1 and after 20 new messages: only the parts that changed against every part, seconds and bytes).

    python3 scripts/bench_search_core.py [--sizes 10000,100000] [--repeat 15]

Same corpus (tests/replica/corpus.py, seed 1, one chat per 20 messages) and
same queries (scripts/search_queries.py) as scripts/bench_search.py, which
measures the core under Pyodide in Chromium: the two are comparable. Also
filter-only and malformed queries, and contact search. Prints JSON; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search_queries import QUERIES, resolve  # noqa: E402  (scripts/ is on sys.path)

from pycore.clock import FakeClock  # noqa: E402
from pycore.search import pagelog, snapshot  # noqa: E402
from pycore.search.engine import SearchEngine  # noqa: E402
from pycore.search.index import Index  # noqa: E402
from pycore.search.protocol import SearchFilters  # noqa: E402
from pycore.storage.memory import MemoryStorage  # noqa: E402
from tests.history_import import records  # noqa: E402
from tests.replica import corpus as replica  # noqa: E402

SEED = 1


def corpus(n: int) -> tuple[list[dict], list[dict], float]:
    """Stored message records and chat records of the replica's corpus, and its end time."""
    data = replica.generate(seed=SEED, chats=max(60, n // 20), messages=n)
    msgs = [{**r, "key": f"{r['chat']}|{r['id']}", "seq": i + 1, "first_seen": r["ts"], "last_seen": r["ts"],
             "forwarded": False} for i, r in enumerate(records(data))]
    chats = [{"key": c["id"], "title": c["name"] or c.get("phone") or c["id"], "is_group": c["kind"] == "group",
              "last_ts": float(data["end_ts"])} for c in data["chats"]]
    return msgs, chats, float(data["end_ts"])


def extra_queries(chats: list[dict], now: float) -> list[list]:
    big_chat = chats[1]["key"]
    return [
        ["filter_only", "", {"types": ["document"]}], ["filter_only", "", {"chats": [big_chat]}],
        ["filter_only", "", {"since": now - 3 * 86400}],
        ["malformed", '"nota AND', {}], ["malformed", "NEAR(pix boleto)", {}], ["malformed", "-pago *", {}],
    ]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))], 3)


async def bench(n: int, repeat: int) -> dict:
    msgs, chats, now = corpus(n)
    storage = MemoryStorage()
    await storage.open()
    await storage.put_many("messages", msgs)
    await storage.put_many("chats", chats)
    clock = FakeClock(now)

    # Pure index build (what the engine does per batch, without MemoryStorage's reads).
    index = Index()
    t = time.perf_counter()
    for i in range(0, n, 1000):
        index.upsert(msgs[i:i + 1000], msgs[min(n, i + 1000) - 1]["seq"])
    index_build = time.perf_counter() - t

    engine = SearchEngine(storage, clock, snapshot_every=10**9, snapshot_idle=1e12)
    await engine.start()
    out: dict = {"messages": n, "chats": len(chats), "index_build_s": round(index_build, 3), "kinds": {}}
    if n <= 20_000:
        # End to end through Storage; MemoryStorage sorts the whole store per query, so only at small sizes.
        t = time.perf_counter()
        await engine.catch_up(None)
        out["catch_up_from_memory_storage_s"] = round(time.perf_counter() - t, 3)
    else:
        engine.index = index
        await engine.catch_up(0, refresh=True)
    kinds: dict[str, tuple[list[float], list[int]]] = {}
    every: list[float] = []
    for r in range(repeat):
        for label, q, flt in resolve(QUERIES, now) + extra_queries(chats, now):
            engine.generation += 1  # uncached: measure the index, not the cache
            res = engine.search_messages(q, SearchFilters(**flt), 20 + r % 5, 0)
            times, totals = kinds.setdefault(label, ([], []))
            times.append(res["took_ms"])
            totals.append(res["total"])
            if label not in ("filter_only", "malformed"):
                every.append(res["took_ms"])
    out["took_ms"] = {"p50_ms": pct(every, 50), "p95_ms": pct(every, 95), "max_ms": pct(every, 100)}
    for label, (times, totals) in kinds.items():
        out["kinds"][label] = {"p50_ms": pct(times, 50), "p95_ms": pct(times, 95), "max_ms": pct(times, 100),
                               "hits_median": int(statistics.median(totals))}
    cached = []
    for _ in range(repeat):
        cached.append(engine.search_messages("entrega", SearchFilters(), 20, 0)["took_ms"])
    out["cached_query_p50_ms"] = pct(cached, 50)
    contact = []
    for _ in range(repeat):
        for q in ("maria", "+55 11 9", "clientes", "ana silva", "jo"):
            engine.generation += 1
            contact.append(engine.search_contacts(q, 20)["took_ms"])
    out["contacts_p50_ms"], out["contacts_p95_ms"] = pct(contact, 50), pct(contact, 95)

    t = time.perf_counter()
    info = await snapshot.save(storage, engine.index, clock.now(), lambda: clock.sleep(0))
    save_s = time.perf_counter() - t
    t = time.perf_counter()
    restored = await snapshot.load(storage)
    load_s = time.perf_counter() - t
    assert restored is not None and restored[0].count() == n
    out["snapshot"] = {"raw_mb": round(info.raw_bytes / 1e6, 2), "stored_mb": round(info.bytes / 1e6, 2),
                       "save_s": round(save_s, 3), "load_s": round(load_s, 3),
                       **await incremental_save(storage, restored, msgs, clock)}
    return out


async def incremental_save(storage: MemoryStorage, restored, msgs: list[dict], clock: FakeClock) -> dict:
    """New messages indexed into the restored index (a file, as under Pyodide), 1, 20 more, then 2,000
    more (SNAPSHOT_EVERY: a save during a long scroll back), each time saved three ways: the pages
    changed since the last save (the page log, what a save does while they fit in it), only the parts
    whose CRC changed (what saves did before the log), then every part (the in-run baseline). The
    parts and bytes each save puts are counted at storage.apply; each save makes its own CRC pass
    (the parts' saves one more than the log's)."""
    index, info = restored
    stored, base = info.part_crcs, info.base
    put: list[tuple[int, int]] = []  # (parts, bytes) of each save
    real = storage.apply

    async def apply(ops):
        parts = [op.record["data"] for op in ops if op.store == snapshot.STORE and op.op == "put" and "#" in op.record["key"]]
        put.append((len(parts), sum(map(len, parts))))
        return await real(ops)

    storage.apply = apply  # type: ignore[method-assign]
    out: dict = {}
    for new in (1, 20, 2000):
        seq = index.seq
        fresh = [{**m, "key": f"{m['key']}-new{seq}", "id": f"{m['id']}-new{seq}", "seq": seq + i + 1,
                  "text": f"mensagem nova {i} sobre o pedido"} for i, m in enumerate(msgs[-new:])]
        index.upsert(fresh, fresh[-1]["seq"])
        timed: dict[str, list[float]] = {"page_log": [], "changed_parts": [], "whole": []}
        for _ in range(3):  # in turns, the median of each: a save here takes tens of milliseconds
            put.clear()
            for label, against, on in (("page_log", stored, base), ("changed_parts", stored, None), ("whole", None, None)):
                t = time.perf_counter()
                saved = await snapshot.save(storage, index, clock.now(), lambda: clock.sleep(0), stored=against, base=on)
                timed[label].append(time.perf_counter() - t)
        stored, base = saved.part_crcs, saved.base
        (_, log_bytes), (changed_parts, changed_bytes), (whole_parts, whole_bytes) = put
        log_s, changed_s, whole_s = (statistics.median(timed[k]) for k in ("page_log", "changed_parts", "whole"))
        out[f"after_{new}_new"] = {
            "parts": whole_parts, "parts_written_changed": changed_parts,
            "mb_written_log": round(log_bytes / 1e6, 3), "pages_in_log": log_bytes // pagelog.PAGE,
            "mb_written_changed": round(changed_bytes / 1e6, 2), "mb_written_whole": round(whole_bytes / 1e6, 2),
            "save_log_s": round(log_s, 3), "save_changed_parts_s": round(changed_s, 3), "save_whole_s": round(whole_s, 3),
            "log_over_whole_s": round(log_s / whole_s, 3), "changed_over_whole_s": round(changed_s / whole_s, 3),
            "log_over_whole_bytes": round(log_bytes / whole_bytes, 4),
            "changed_over_whole_bytes": round(changed_bytes / whole_bytes, 3)}
    storage.apply = real  # type: ignore[method-assign]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    import sqlite3

    results = {"python": sys.version.split()[0], "sqlite": sqlite3.sqlite_version, "seed": SEED, "runs": []}
    for n in (int(s) for s in args.sizes.split(",")):
        results["runs"].append(asyncio.run(bench(n, args.repeat)))
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
