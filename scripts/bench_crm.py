"""Benchmark of the CRM core: 10,000 records, 50,000 notes, 2,000 open deals, generated deterministically.

    .venv/bin/python scripts/bench_crm.py [--records 10000] [--notes 50000] [--deals 2000] [--rounds 200]
    .venv/bin/python scripts/bench_crm.py --pyodide      # and inside Pyodide over real IndexedDB (needs dist/)
    .venv/bin/python scripts/bench_crm.py --pyodide --storage memory   # Pyodide vs CPython, same storage

Every command goes through the core's JSON entry point (``Core.handle_json``: parsing, validation,
the handler, serialising the reply), as the offscreen document calls it. Storage is in memory with
sorted indexes (a B-tree's cost, like IndexedDB's, not MemoryStorage's sort-per-query), and does
the structured-clone-like copy of every record written. Measured: the first load, a card for a
chat, list filters and sorts, the board, a stage move persisted, a CSV import of 10,000 rows
(parse, dry run, apply), CRM search (index build and queries), and the roster's memory.

Timings are also given as ratios to a baseline measured in the same run (``baseline_ms``: one
pure-Python pass that filters and sorts 10,000 dicts, the floor of any list query in Python), so
runs on different machines compare. ``--pyodide`` runs this very file in the diagnostics page's
Pyodide (the runtime and wheel the extension ships) over the real IndexedDB adapter and a scratch
database, and prints both runs and the factor of each figure (Pyodide + IndexedDB over CPython).
Prints one JSON object; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import bisect
import json
import random
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pycore.app import Core, Services  # noqa: E402
from pycore.clock import FakeClock  # noqa: E402
from pycore.storage.memory import MemoryStorage, sort_key  # noqa: E402
from pycore.storage.schema import STORES  # noqa: E402

SEED = 13
NOW = 1_780_000_000.0
DDDS = [11, 21, 31, 37, 41, 47, 51, 61, 71, 81, 85, 91]
FIRST = ("Ana Bia Caio Dani Edu Fabi Gabi Hugo Iara João Karla Lia Marcos Nina Otávio Paula Rafa Sofia Tiago Vera "
         "Wagner Yara Zé Lucas Marina Pedro Júlia Renata Bruno Camila").split()
LAST = "Souza Costa Lima Reis Silva Santos Oliveira Pereira Almeida Nunes Rocha Dias Melo Barros Freitas Cardoso".split()
WORDS = ("pedido entrega amanhã orçamento bolo torta salgado encomenda retirada loja frete bairro pagamento pix "
         "cartão desconto cliente dúvida cardápio tamanho sabor chocolate morango festa aniversário sábado manhã "
         "tarde endereço troco embalagem presente cesta flores instalação visita técnica garantia prazo").split()
OPEN_STAGES = ("new", "talking", "proposal")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))], 3)


def summary(values: list[float]) -> dict:
    return {"p50_ms": pct(values, 50), "p95_ms": pct(values, 95), "max_ms": pct(values, 100), "n": len(values)}


class SortedMemory(MemoryStorage):
    """MemoryStorage whose index reads bisect a sorted list kept per index (rebuilt after a write to
    that store), as a B-tree answers them, instead of sorting the whole store on every query."""

    def __init__(self) -> None:
        super().__init__()
        self.sorted: dict[tuple[str, str | None], tuple[list, list]] = {}

    async def apply(self, ops) -> None:
        await super().apply(ops)
        for op in ops:
            for k in [k for k in self.sorted if k[0] == op.store]:
                del self.sorted[k]

    def _handed(self, record):
        return json.loads(json.dumps(record))  # what IndexedDB's shim hands over: JSON text

    def _select(self, store, index, rng):
        key = (store, index)
        if key not in self.sorted:
            rows = super()._select(store, index, None)
            self.sorted[key] = (rows, [r[0] for r in rows])
        rows, keys = self.sorted[key]
        if rng is None:
            return list(rows)
        if rng.eq is not None:
            lo = bisect.bisect_left(keys, sort_key(rng.eq))
            hi = bisect.bisect_right(keys, sort_key(rng.eq))
        else:
            lo = 0 if rng.lower is None else bisect.bisect_left(keys, sort_key(rng.lower))
            hi = len(keys) if rng.upper is None else bisect.bisect_right(keys, sort_key(rng.upper))
        return rows[lo:hi]


def generate(records: int, notes: int, open_deals: int, seed: int = SEED) -> dict[str, list[dict]]:
    """The stores' contents, as the CRM writes them."""
    rng = random.Random(seed)
    tags = [{"key": f"tag:t{i:02d}", "id": f"t{i:02d}", "name": name, "color": "#1e88e5", "version": 1, "position": i}
            for i, name in enumerate(["VIP", "Atacado", "Varejo", "Novo", "Recorrente", "Indicação", "Instagram",
                                      "Feira", "Inadimplente", "Aniversariante", "Orçamento", "Pós-venda", "Revenda",
                                      "Empresa", "Pessoa física", "Frete grátis", "Sul", "Sudeste", "Nordeste", "Norte"])]
    options = [{"id": f"o{i}", "label": label} for i, label in enumerate(["Básico", "Prata", "Ouro", "Platina", "Outro"])]
    fields = [
        {"key": "field:cidade", "id": "cidade", "label": "Cidade", "type": "text", "options": [], "version": 1, "position": 1},
        {"key": "field:plano", "id": "plano", "label": "Plano", "type": "choice", "options": options, "version": 1, "position": 2},
        {"key": "field:limite", "id": "limite", "label": "Limite", "type": "money", "options": [], "version": 1, "position": 3},
        {"key": "field:aniv", "id": "aniv", "label": "Aniversário", "type": "date", "options": [], "version": 1, "position": 4},
        {"key": "field:email", "id": "email", "label": "E-mail", "type": "email", "options": [], "version": 1, "position": 5},
    ]
    cities = ["São Paulo", "Belo Horizonte", "Divinópolis", "Curitiba", "Porto Alegre", "Recife", "Salvador", "Fortaleza",
              "Brasília", "Manaus", "Campinas", "Santos"]
    recs, activity, reminders = [], [], []
    deal_keys = set(rng.sample(range(records), open_deals + open_deals // 2))
    open_keys = set(rng.sample(sorted(deal_keys), open_deals))
    for i in range(records):
        ddd = DDDS[i % len(DDDS)]
        key = f"55{ddd}9{10_000_000 + i:08d}@c.us"
        created = NOW - rng.uniform(1, 400) * 86400
        fields_of: dict = {}
        if rng.random() < 0.7:
            fields_of["cidade"] = rng.choice(cities)
        if rng.random() < 0.5:
            fields_of["plano"] = rng.choice(options)["id"]
        if rng.random() < 0.4:
            fields_of["limite"] = rng.randrange(10_000, 5_000_000)
        if rng.random() < 0.3:
            fields_of["aniv"] = f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        deals = {}
        if i in deal_keys:
            stage = rng.choice(OPEN_STAGES) if i in open_keys else rng.choice(("won", "lost"))
            since = created + rng.uniform(0, NOW - created)
            deals["default"] = {"id": f"d{i}", "stage": stage, "value_cents": rng.randrange(5_000, 2_000_000),
                                "expected_date": None, "stage_since": since, "created_at": created, "updated_at": since}
        recs.append({"key": key, "is_group": False, "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}", "title": None,
                     "tags": sorted(rng.sample([t["id"] for t in tags], rng.choice((0, 0, 1, 1, 2, 3)))),
                     "fields": fields_of, "deals": deals, "note_count": 0, "absorbed": {}, "version": rng.randint(1, 9),
                     "created_at": created, "updated_at": created})
        last = NOW - rng.expovariate(1 / (3 * 86400))
        activity.append({"chat": key, "first_ts": created, "first_dir": "in", "first_text": "Olá",
                         "last_ts": last, "last_dir": rng.choice(("in", "out")), "last_key": f"{key}|L{i}",
                         "last_text": " ".join(rng.sample(WORDS, 6))})
    note_docs = []
    weights = [1 / (1 + i % 97) for i in range(records)]  # a few people with many notes, most with few
    owners = rng.choices(range(records), weights=weights, k=notes)
    for n, owner in enumerate(owners):
        rec = recs[owner]
        ts = rec["created_at"] + rng.uniform(0, NOW - rec["created_at"])
        note_docs.append({"id": f"{int(ts * 1000):015d}-{n:08d}", "record": rec["key"], "origin": rec["key"],
                          "text": " ".join(rng.choices(WORDS, k=rng.randint(4, 30))).capitalize() + ".",
                          "created_at": ts, "updated_at": ts, "deleted_at": None, "version": 1})
        rec["note_count"] += 1
    for n in range(1000):
        rec = recs[rng.randrange(records)]
        due = NOW + rng.uniform(-5, 20) * 86400
        reminders.append({"id": f"r{n:05d}", "record": rec["key"], "origin": rec["key"], "text": "Ligar de volta",
                          "due_at": due, "open_due": due, "done_at": None, "snoozed": 0, "notified_at": None,
                          "created_at": due - 86400, "updated_at": due - 86400, "version": 1})
    return {"crm_defs": tags + fields, "crm_records": recs, "crm_notes": note_docs, "crm_activity": activity,
            "crm_reminders": reminders}


def csv_file(records: list[dict], rows: int, seed: int = SEED) -> str:
    """A customer spreadsheet (pt-BR Excel: ';', decimal comma): half the people known, half new."""
    rng = random.Random(seed + 1)
    lines = ["Nome;Telefone;Etiquetas;Etapa;Valor;Cidade"]
    for i in range(rows):
        if i % 2 == 0:
            rec = records[(i * 7) % len(records)]
            user = rec["key"].split("@")[0]
            phone = f"({user[2:4]}) {user[4:9]}-{user[9:]}"
            name = rec["name"]
        else:
            phone = f"(11) 9{60_000_000 + i:08d}"
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        stage = rng.choice(["", "", "Novo contato", "Em conversa", "Proposta enviada"])
        value = f"{rng.randrange(100, 20000)},{rng.randrange(100):02d}" if stage else ""
        lines.append(f"{name};{phone};{rng.choice(['VIP', 'Feira', 'VIP, Feira', ''])};{stage};{value};Campinas")
    return "\r\n".join(lines) + "\r\n"


def baseline(records: list[dict], repeat: int = 7) -> float:
    """The floor of a list query in Python: filter 10,000 dicts on a tag and sort them by a string."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        hits = [r for r in records if "t01" in r["tags"] or r["note_count"] > 3]
        sorted(hits, key=lambda r: (r["name"].casefold(), r["key"]))
        sorted(records, key=lambda r: r["updated_at"])
        best = min(best, time.perf_counter() - t)
    return best * 1000


def indexeddb():
    """The real IndexedDB adapter over a scratch database (inside Pyodide only)."""
    import uuid

    import js  # noqa: F401 - Pyodide's bridge to the page

    from pycore.host import IndexedDBStorage

    return IndexedDBStorage(js.mettriDiagnostics.IdbShim.new(f"mettri-bench-crm-{uuid.uuid4().hex}"))


async def run(records: int, notes: int, deals: int, rounds: int, storage_kind: str = "memory") -> dict:
    data = generate(records, notes, deals)
    base_ms = baseline(data["crm_records"])
    storage = SortedMemory() if storage_kind == "memory" else indexeddb()
    await storage.open()
    t = time.perf_counter()
    for store, rows in data.items():
        for i in range(0, len(rows), 5000):
            await storage.put_many(store, rows[i:i + 5000])
    seeded_s = time.perf_counter() - t
    if storage_kind == "memory":
        for store, spec in STORES.items():  # build the sorted indexes once, as IndexedDB has them
            for index in [None, *spec.indexes]:
                await storage.query(store, index=index, limit=1)
    clock = FakeClock(NOW)
    core = Core(Services(clock=clock, rng=random.Random(SEED), storage=storage))
    await core.start()
    seq = 0

    async def call(type_: str, args: dict) -> tuple[dict, float]:
        nonlocal seq
        seq += 1
        text = json.dumps({"id": f"b{seq}", "type": type_, "args": args, "source": "page"})
        t = time.perf_counter()
        reply = json.loads(await core.handle_json(text))
        ms = (time.perf_counter() - t) * 1000
        if not reply["ok"]:
            raise RuntimeError(f"{type_}: {reply['error']}")
        return reply["result"], ms

    out: dict = {"records": records, "notes": notes, "open_deals": deals, "storage": storage_kind,
                 "seeded_s": round(seeded_s, 2), "baseline_ms": round(base_ms, 3)}
    _, out["first_load_ms"] = await call("crm.defs", {})
    out["first_load_ms"] = round(out["first_load_ms"], 1)
    rng = random.Random(SEED + 2)
    keys = [r["key"] for r in data["crm_records"]]

    cards = []
    for _ in range(rounds):
        _, ms = await call("crm.card", {"chat": rng.choice(keys)})
        cards.append(ms)
    out["card"] = summary(cards)

    queries = [
        {"filters": {"tags": ["t01"]}, "sort": "name", "descending": False},
        {"filters": {"stages": ["talking", "proposal"]}, "sort": "value"},
        {"filters": {"q": "souza"}, "sort": "last_activity"},
        {"filters": {"q": "11 9100"}, "sort": "name"},
        {"filters": {"waiting": True}, "sort": "last_activity"},
        {"filters": {"overdue": True}, "sort": "next_due"},
        {"filters": {"fields": [{"field": "cidade", "op": "eq", "value": "Curitiba"}]}, "sort": "updated"},
        {"filters": {"fields": [{"field": "limite", "op": "gte", "value": "R$ 10.000,00"}]}, "sort": "name"},
        {"filters": {"active_since": NOW - 86400}, "sort": "last_activity"},
        {"filters": {}, "sort": "name", "descending": False},
        {"filters": {}, "sort": "last_activity", "offset": 5000},
        {"filters": {"any_tags": ["t02", "t03"], "untagged": False, "kind": "person"}, "sort": "created"},
    ]
    lists, per_query = [], {}
    for _ in range(max(3, rounds // len(queries))):
        for i, q in enumerate(queries):
            _, ms = await call("crm.list", {**q, "limit": 50})
            lists.append(ms)
            per_query.setdefault(i, []).append(ms)
    out["list"] = summary(lists)
    out["list_slowest_query"] = queries[max(per_query, key=lambda i: pct(per_query[i], 95))]

    _, out["board_first_ms"] = await call("crm.board", {"per_stage": 50})
    out["board_first_ms"] = round(out["board_first_ms"], 2)
    boards = []
    for _ in range(max(20, rounds // 5)):
        _, ms = await call("crm.board", {"per_stage": 50})
        boards.append(ms)
    out["board"] = summary(boards)

    moves = []
    board, _ = await call("crm.board", {"per_stage": 50})
    movable = [row for col in board["columns"] for row in col["rows"]]
    for i in range(min(rounds, len(movable))):
        row = movable[i]
        stage = OPEN_STAGES[(OPEN_STAGES.index(row["deals"][0]["stage"]) + 1) % 3] if row["deals"][0]["stage"] in OPEN_STAGES else "new"
        _, ms = await call("crm.deal.set", {"chat": row["key"], "version": row["version"], "stage": stage})
        moves.append(ms)
    out["stage_move_persisted"] = summary(moves)

    timelines = []
    for _ in range(max(10, rounds // 4)):
        _, ms = await call("crm.timeline", {"chat": rng.choice(keys)})
        timelines.append(ms)
    out["timeline"] = summary(timelines)

    sheet = csv_file(data["crm_records"], records)
    t = time.perf_counter()
    parsed, parse_ms = await call("crm.import.parse", {"data": base64.b64encode(sheet.encode("utf-8")).decode(),
                                                       "filename": "clientes.csv"})
    plan = {"import_id": parsed["import_id"], "mapping": parsed["mapping"]}
    preview, preview_ms = await call("crm.import.preview", {**plan, "limit": 100})
    applied, apply_ms = await call("crm.import.apply", plan)
    out["csv_import"] = {"rows": records, "parse_ms": round(parse_ms, 1), "preview_ms": round(preview_ms, 1),
                         "apply_ms": round(apply_ms, 1), "total_s": round(time.perf_counter() - t, 3),
                         "created": applied["created"], "updated": applied["updated"], "unchanged": applied["unchanged"],
                         "rejected": applied["rejected"]}
    again = await call("crm.import.parse", {"data": base64.b64encode(sheet.encode("utf-8")).decode()})
    t = time.perf_counter()
    second, _ = await call("crm.import.apply", {"import_id": again[0]["import_id"], "mapping": again[0]["mapping"]})
    out["csv_reimport"] = {"total_s": round(time.perf_counter() - t, 3), "unchanged": second["unchanged"],
                           "changed": second["created"] + second["updated"]}
    _, export_ms = await call("crm.export.csv", {})
    out["csv_export_ms"] = round(export_ms, 1)

    t = time.perf_counter()
    await core.features.search.sync_records()
    out["search_index_build_ms"] = round((time.perf_counter() - t) * 1000, 1)
    out["search_docs"] = core.features.search.record_index.count()
    searches = []
    for _ in range(max(10, rounds // 4)):
        _, ms = await call("search.records", {"q": rng.choice(WORDS)[:5]})
        searches.append(ms)
    out["search_records"] = summary(searches)

    tracemalloc.start()
    fresh = Core(Services(clock=clock, rng=random.Random(SEED), storage=storage))
    await fresh.start()
    before = tracemalloc.get_traced_memory()[0]
    await fresh.features.crm.ctx.ready()
    out["roster_mb"] = round((tracemalloc.get_traced_memory()[0] - before) / 1e6, 1)
    tracemalloc.stop()

    ratios = {}
    for name in ("card", "list", "board", "stage_move_persisted", "timeline", "search_records"):
        ratios[f"{name}_p95"] = round(out[name]["p95_ms"] / base_ms, 2)
    ratios["first_load"] = round(out["first_load_ms"] / base_ms, 1)
    ratios["csv_import"] = round(out["csv_import"]["total_s"] * 1000 / base_ms, 1)
    out["ratio_to_baseline"] = ratios
    out["python"] = sys.version.split()[0]
    out["platform"] = sys.platform
    return out


def in_pyodide(args: argparse.Namespace) -> dict:
    """Run this file inside the diagnostics page's Pyodide (the same runtime and wheel as the core)."""
    from playwright.sync_api import sync_playwright

    import tempfile

    from tests import browser

    source = Path(__file__).read_text()
    call = f"await run({args.records}, {args.notes}, {args.deals}, {args.rounds}, {args.storage!r})"
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        context, ext_id = browser.launch(pw, Path(profile))
        try:
            page = browser.open_page(context, ext_id, "extension/pages/diagnostics/diagnostics.html")
            result = page.evaluate(
                """async ([source, call]) => {
                    const py = await mettriDiagnostics.getRuntime();
                    py.FS.mkdirTree("/home/pyodide/scripts");
                    py.FS.writeFile("/home/pyodide/scripts/bench_crm.py", source);
                    const text = await py.runPythonAsync(`
import json, sys
sys.path.insert(0, "/home/pyodide/scripts")
sys.argv = ["bench_crm.py"]
import importlib
bench = importlib.import_module("bench_crm")
run = bench.run
json.dumps(${call})
`);
                    const out = JSON.parse(text);
                    // The page's memory after the run: the wasm heap (Python's objects live there) and the JS heap.
                    out.wasm_heap_mb = Math.round(py._module.HEAPU8.length / 1e5) / 10;
                    const mem = /** @type {any} */ (performance).memory;
                    if (mem) out.js_heap_mb = Math.round(mem.usedJSHeapSize / 1e5) / 10;
                    return JSON.stringify(out);
                }""",
                [source, call],
            )
        finally:
            context.close()
    return json.loads(result)


def factors(cp: dict, py: dict) -> dict:
    out = {}
    for key in ("card", "list", "board", "stage_move_persisted", "timeline", "search_records"):
        out[f"{key}_p95"] = round(py[key]["p95_ms"] / cp[key]["p95_ms"], 2)
    out["first_load"] = round(py["first_load_ms"] / cp["first_load_ms"], 2)
    out["csv_import"] = round(py["csv_import"]["total_s"] / cp["csv_import"]["total_s"], 2)
    out["baseline"] = round(py["baseline_ms"] / cp["baseline_ms"], 2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--notes", type=int, default=50_000)
    ap.add_argument("--deals", type=int, default=2_000)
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--pyodide", action="store_true", help="also run inside Pyodide in Chromium (needs dist/)")
    ap.add_argument("--storage", choices=("memory", "indexeddb"), default="indexeddb",
                    help="inside Pyodide: the real IndexedDB adapter (default) or the in-memory one")
    args = ap.parse_args()
    cpython = asyncio.run(run(args.records, args.notes, args.deals, args.rounds))
    if not args.pyodide:
        print(json.dumps(cpython, indent=2, ensure_ascii=False))
        return
    pyodide = in_pyodide(args)
    print(json.dumps({"cpython": cpython, "pyodide": pyodide, "pyodide_over_cpython": factors(cpython, pyodide)},
                     indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
