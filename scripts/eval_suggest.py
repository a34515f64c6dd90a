"""Offline evaluation of the suggestion engine's history source (pycore/suggest) on CPython.

    python3 scripts/eval_suggest.py [--sizes 10000,100000] [--cases 400] [--corpus replica,faq] [--pyodide]

With --pyodide the same evaluation also runs inside the extension's Pyodide (the core's runtime) in
Chromium (needs dist/), and the Pyodide/CPython latency factors are printed.

For each incoming question the user answered (the user's first text after it, within a day), the
answer is hidden: the engine sees only what came before the question (``before_ts``), proposes
replies, and we check whether the user's real answer is among them:
  exact: same text (case and spacing ignored); near: same after textfold (accents, digits,
  punctuation and emoji ignored: a price or a date changed still counts).
Top-1 and top-3 hit rates, and the latency of one proposal (p50/p95, ms), also as a ratio to a
plain search.messages query over the same index in the same run (timings on shared machines drift).

Corpora: ``replica`` is tests/replica/corpus.py (seed 1, one chat per 20 messages): its replies are
drawn at random, independent of the question, so its hit rate is the floor a random shop would
give. ``faq`` is the same corpus where every question of a few common kinds (price, delivery, deadline,
colour, address) is answered with the shop's own usual answer for that kind (what a real shop does),
evaluated on those questions: what the engine finds when there is something to find. Prints JSON; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_search_core import corpus, pct  # noqa: E402  (scripts/ is on sys.path)

from pycore.clock import FakeClock  # noqa: E402
from pycore.search.engine import SearchEngine  # noqa: E402
from pycore.search.index import Index  # noqa: E402
from pycore.search.protocol import SearchFilters  # noqa: E402
from pycore.storage.memory import MemoryStorage  # noqa: E402
from pycore.suggest.engine import ANSWER_WITHIN_S, SuggestEngine  # noqa: E402
from pycore.suggest.words import terms  # noqa: E402
from pycore.templates.render import Variables, render  # noqa: E402
from pycore.textfold import fold  # noqa: E402

SEED = 7
# faq corpus: the shop's usual answer per kind of question (a word of the question -> the answer).
FAQ = (
    ("valor", "Oi {first}! Esse sai por R$ 89,90, no Pix ou em 3x sem juros."),
    ("entregam", "Entregamos sim! O frete sai por R$ 12 e chega em 2 dias úteis."),
    ("prazo", "O prazo é de até 5 dias úteis depois da confirmação do pagamento."),
    ("cor", "Temos em azul, preto e branco, do P ao GG."),
    ("localizacao", "Estamos na Rua das Acácias, 120 - Pinheiros. Abrimos às 9h."),
    ("price", "Hi {first}! It is $19.90, card or cash."),
    ("deliver", "Yes, we deliver! Shipping takes 2 business days."),
)


class History:
    def __init__(self, engine: SearchEngine) -> None:
        self.engine = engine

    async def similar_incoming(self, terms: list[str], limit: int, before_ts: float) -> list[dict]:
        return self.engine.similar_incoming(terms, limit, before_ts)

    def following(self, rowid: int, limit: int) -> list[dict]:
        return self.engine.following(rowid, limit)


class Names:
    """A chat's person, from its title (the corpus has no CRM): the same names the CRM would give."""

    def __init__(self, titles: dict[str, str]) -> None:
        self.titles = titles

    def _of(self, chat: str) -> tuple[str, str]:
        title = self.titles.get(chat, "")
        if not any(ch.isalpha() for ch in title):
            return "", ""
        return title, title.split()[0]

    async def names(self, chat: str) -> tuple[str, str]:
        return self._of(chat)

    async def all(self) -> list:
        return []

    async def fill(self, text: str, chat: str) -> str | None:
        full, first = self._of(chat)
        values = {"nome": full, "primeiro_nome": first}
        return render(text, Variables(values=values, known={k: k for k in values}, who=full)).text


class Nowhere:
    async def offer_replies(self, chat: str, replies: list) -> None:
        return None


def usual_answer(question: str) -> str | None:
    """The usual answer for the first kind whose word the question has (whole words, folded)."""
    words = set(terms(question))
    return next((a for word, a in FAQ if word in words), None)


def make_faq(msgs: list[dict], titles: dict[str, str]) -> list[dict]:
    """The shop answers each question of a known kind with its usual answer for that kind."""
    out = [dict(m) for m in msgs]
    by_key = {m["key"]: m for m in out}
    for q, a in pairs(out):
        usual = usual_answer(q["text"])
        if usual:
            title = titles.get(q["chat"]) or ""
            first = title.split()[0] if any(ch.isalpha() for ch in title) else ""
            by_key[a["key"]]["text"] = usual.format(first=first) if first else usual.replace(" {first}", "")
    return out


def pairs(msgs: list[dict]) -> list[tuple[dict, dict]]:
    """(question, the user's answer) pairs: the answer is the user's first text after the question
    in its chat, within ANSWER_WITHIN_S (the engine's own rule)."""
    by_chat: dict[str, list[dict]] = {}
    for m in msgs:
        by_chat.setdefault(m["chat"], []).append(m)
    found = []
    for rows in by_chat.values():
        rows.sort(key=lambda r: (r["ts"], r["seq"]))
        for i, q in enumerate(rows):
            if q["direction"] != "in" or q["type"] != "text" or not q["text"].strip():
                continue
            for a in rows[i + 1:i + 9]:
                if a["ts"] - q["ts"] > ANSWER_WITHIN_S:
                    break
                if a["direction"] == "out" and a["type"] == "text" and a["text"].strip():
                    found.append((q, a))
                    break
    # An answer answers the last question before it: earlier ones in a row are not counted twice.
    last = {a["key"]: q["key"] for q, a in sorted(found, key=lambda p: (p[0]["ts"], p[0]["seq"]))}
    return [(q, a) for q, a in found if last[a["key"]] == q["key"]]


def cases(msgs: list[dict], want: int, only_faq: bool) -> list[tuple[dict, dict]]:
    """``want`` pairs sampled deterministically (faq: only questions of a kind the shop has a usual answer for)."""
    found = [p for p in pairs(msgs) if not only_faq or usual_answer(p[0]["text"])]
    return random.Random(SEED).sample(found, min(want, len(found)))


def same(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


async def evaluate(n: int, want: int, kind: str) -> dict:
    msgs, chats, now = corpus(n)
    titles = {c["key"]: c["title"] for c in chats}
    if kind == "faq":
        msgs = make_faq(msgs, titles)
    storage = MemoryStorage()
    await storage.open()
    await storage.put_many("chats", chats)
    index = Index()
    for i in range(0, n, 1000):
        index.upsert(msgs[i:i + 1000], msgs[min(n, i + 1000) - 1]["seq"])
    search = SearchEngine(storage, FakeClock(now), snapshot_every=10**9, snapshot_idle=1e12)
    search.index = index
    names = Names(titles)
    engine = SuggestEngine(FakeClock(now), history=History(search), messages=None, contacts=names, texts=names,
                           offers=Nowhere())
    chosen = cases(msgs, want, kind == "faq")
    hits = {"top1_exact": 0, "top3_exact": 0, "top1_near": 0, "top3_near": 0}
    took: list[float] = []
    baseline: list[float] = []
    offered = 0
    for q, answer in chosen:
        t = time.perf_counter()
        replies = await engine.propose(q["chat"], q["text"], before_ts=q["ts"])
        took.append((time.perf_counter() - t) * 1000)
        search.generation += 1  # uncached, like the proposal
        t = time.perf_counter()
        search.search_messages(q["text"][:200], SearchFilters(), 20, 0)
        baseline.append((time.perf_counter() - t) * 1000)
        texts = [r.text for r in replies]
        offered += bool(texts)
        for depth in (1, 3):
            top = texts[:depth]
            hits[f"top{depth}_exact"] += any(same(x, answer["text"]) for x in top)
            hits[f"top{depth}_near"] += any(fold(x) == fold(answer["text"]) and fold(x) for x in top)
    total = len(chosen)
    base_p50 = pct(baseline, 50)
    return {
        "corpus": kind, "messages": n, "chats": len(chats), "cases": total,
        "offered_rate": round(offered / total, 3) if total else None,
        **{k: round(v / total, 3) if total else None for k, v in hits.items()},
        "latency_ms": {"p50": pct(took, 50), "p95": pct(took, 95), "max": pct(took, 100)},
        "baseline_search_ms": {"p50": base_p50, "p95": pct(baseline, 95)},
        "latency_ratio_to_search_p50": {"p50": round(pct(took, 50) / base_p50, 2) if base_p50 else None,
                                        "p95": round(pct(took, 95) / base_p50, 2) if base_p50 else None},
    }


async def run_all(sizes: str, want: int, kinds: str) -> dict:
    import sqlite3

    out = {"python": sys.version.split()[0], "platform": sys.platform, "sqlite": sqlite3.sqlite_version, "seed": SEED,
           "runs": []}
    for kind in kinds.split(","):
        for n in (int(s) for s in sizes.split(",")):
            out["runs"].append(await evaluate(n, want, kind))
    return out


# The files this script reads, written into Pyodide's file system (pycore is the runtime's own).
PYODIDE_FILES = ("scripts/eval_suggest.py", "scripts/bench_search_core.py", "scripts/search_queries.py",
                 "tests/__init__.py", "tests/history_import.py", "tests/replica/__init__.py", "tests/replica/corpus.py")


def in_pyodide(args: argparse.Namespace) -> dict:
    """Run the same evaluation inside the diagnostics page's Pyodide (the core's runtime and wheels)."""
    import tempfile

    from playwright.sync_api import sync_playwright

    from tests import browser

    files = {f: (ROOT / f).read_text() for f in PYODIDE_FILES}
    call = f"await run_all({args.sizes!r}, {args.cases}, {args.corpus!r})"
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        context, ext_id = browser.launch(pw, Path(profile))
        try:
            page = browser.open_page(context, ext_id, "extension/pages/diagnostics/diagnostics.html")
            text = page.evaluate(
                """async ([files, call]) => {
                    const py = await mettriDiagnostics.getRuntime();
                    for (const [path, source] of Object.entries(files)) {
                        py.FS.mkdirTree("/home/pyodide/eval/" + path.split("/").slice(0, -1).join("/"));
                        py.FS.writeFile("/home/pyodide/eval/" + path, source);
                    }
                    return await py.runPythonAsync(`
import json, sys, importlib
sys.path[:0] = ["/home/pyodide/eval", "/home/pyodide/eval/scripts"]
run_all = importlib.import_module("eval_suggest").run_all
json.dumps(${call})
`);
                }""",
                [files, call],
            )
        finally:
            context.close()
    return json.loads(text)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--cases", type=int, default=400)
    ap.add_argument("--corpus", default="replica,faq")
    ap.add_argument("--pyodide", action="store_true", help="also run inside Pyodide in Chromium (needs dist/)")
    args = ap.parse_args()
    cpython = asyncio.run(run_all(args.sizes, args.cases, args.corpus))
    if not args.pyodide:
        print(json.dumps(cpython, indent=2, ensure_ascii=False))
        return
    pyodide = in_pyodide(args)
    factors = [{"corpus": c["corpus"], "messages": c["messages"],
                "p50": round(p["latency_ms"]["p50"] / c["latency_ms"]["p50"], 2),
                "p95": round(p["latency_ms"]["p95"] / c["latency_ms"]["p95"], 2)}
               for c, p in zip(cpython["runs"], pyodide["runs"])]
    print(json.dumps({"cpython": cpython, "pyodide": pyodide, "pyodide_over_cpython": factors}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
