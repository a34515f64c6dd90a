"""Benchmark of the search engine on CPython: build, query latency per class, snapshot.

    python3 scripts/bench_search_core.py [--sizes 10000,100000] [--repeat 15]

Prints JSON. The corpus is synthetic Portuguese/English business chat, generated
in-process from a fixed seed (switch ``corpus()`` to tests/replica/corpus.py when
that generator exists). This is a benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pycore.clock import FakeClock  # noqa: E402
from pycore.protocol.search import SearchFilters  # noqa: E402
from pycore.search import snapshot  # noqa: E402
from pycore.search.engine import SearchEngine  # noqa: E402
from pycore.search.index import Index  # noqa: E402
from pycore.storage.memory import MemoryStorage  # noqa: E402

NOW = 1_780_000_000.0
SEED = 20261125

PT = """olá bom dia boa tarde boa noite obrigado obrigada pedido pedidos entrega entregas prazo
pagamento pagar pago boleto pix cartão nota fiscal orçamento preço desconto promoção ação produto
produtos estoque tamanho cor camiseta vestido sapato bolsa frete correios transportadora endereço
cliente fornecedor atraso atrasado amanhã hoje ontem semana mês não sim talvez confirmado confirmar
cancelar cancelado troca devolução garantia recebi enviei enviado chegou aguardando separação
retirada loja horário aberto fechado segunda terça quarta quinta sexta sábado domingo parcela
parcelado juros valor total quanto custa disponível indisponível reposição catálogo foto vídeo
áudio mensagem contrato assinatura reunião visita técnico instalação manutenção serviço
""".split()
EN = """hello thanks order orders delivery shipping payment invoice price discount product stock size
color shirt dress shoes bag address customer supplier late tomorrow today yesterday week month yes
no maybe confirmed cancel refund warranty received sent arrived waiting pickup store open closed
total how much available catalog photo video contract meeting visit service
""".split()
STOP = "o a os as de do da dos das em no na para por com que é e um uma seu sua meu minha".split()
CODES = [f"sku{n:05d}" for n in range(3000)]  # rare terms
TEMPLATES = [
    "Qual o prazo de entrega para {city}?", "Segue a nota fiscal do pedido {code}", "Quanto custa o {item}?",
    "Bom dia! O boleto vence amanhã", "Pagamento confirmado via pix, obrigado", "Não recebi o código de rastreio",
    "Your order {code} has shipped", "Can you send the invoice for order {code}?", "Ação promocional: 10% de desconto",
    "Orçamento aprovado, pode separar o pedido {code}", "A devolução do {item} foi recebida",
]
CITIES = ["São Paulo", "Belo Horizonte", "Curitiba", "Recife", "Porto Alegre", "Brasília"]
ITEMS = ["vestido azul", "tênis", "camiseta básica", "bolsa de couro", "kit presente"]
NAMES = "Ana Beto Carla Diego Elisa Fábio Gabi Hugo Iara João Kátia Lucas Marina Nuno Olga Paulo".split()


def corpus(n: int, seed: int = SEED) -> tuple[list[dict], list[dict]]:
    """Deterministic messages and chats; timestamps spread over two years, oldest first."""
    rng = random.Random(seed)
    chats = []
    for i in range(max(20, n // 300)):
        group = i % 10 == 0
        key = f"1203630000{i:08d}@g.us" if group else f"55{11 + i % 80}9{i:08d}@c.us"
        title = f"Grupo {rng.choice(NAMES)} {i}" if group else f"{rng.choice(NAMES)} {rng.choice(NAMES)} {i}"
        chats.append({"key": key, "title": title, "is_group": group, "last_ts": NOW})
    weights = [1.0 / (r + 1) ** 0.9 for r in range(len(PT) + len(EN))]  # Zipf-like
    vocab = PT + EN
    span = 2 * 365 * 86400.0
    msgs = []
    for i in range(n):
        chat = chats[int(rng.paretovariate(1.2)) % len(chats)]
        lang_pt = rng.random() < 0.8
        words = []
        for _ in range(rng.randint(3, 22)):
            r = rng.random()
            if r < 0.3:
                words.append(rng.choice(STOP if lang_pt else ["the", "a", "to", "of", "is", "for", "your"]))
            elif r < 0.33:
                words.append(rng.choice(CODES))
            else:
                words.append(rng.choices(vocab, weights)[0])
        text = " ".join(words).capitalize()
        if rng.random() < 0.2:
            text = rng.choice(TEMPLATES).format(city=rng.choice(CITIES), code=rng.choice(CODES), item=rng.choice(ITEMS))
        kind = rng.random()
        type_ = "text" if kind < 0.85 else rng.choice(["image", "video", "sticker", "document", "voice"])
        ts = NOW - span + span * i / n
        msgs.append({
            "key": f"{chat['key']}|3EB0{i:010d}", "chat": chat["key"], "id": f"3EB0{i:010d}", "seq": i + 1,
            "ts": ts - ts % 60, "direction": "out" if rng.random() < 0.4 else "in", "type": type_,
            "text": "" if type_ in ("voice", "sticker") else text, "first_seen": ts, "last_seen": ts,
            "forwarded": False,
        })
    return msgs, chats


def queries(chats: list[dict]) -> dict[str, list[tuple[str, dict]]]:
    big_chat = chats[1]["key"]
    month = 30 * 86400.0
    return {
        "common_word": [("pedido", {}), ("obrigado ", {}), ("order ", {}), ("entrega ", {})],
        "rare_word": [("sku00042 ", {}), ("sku02999 ", {}), ("sku01234 ", {})],
        "two_words": [("boleto pix ", {}), ("entrega amanhã ", {}), ("payment invoice ", {})],
        "accent_folded": [("acao", {}), ("nao ", {}), ("orcamento ", {}), ("devolucao", {})],
        "prefix_typing": [("p", {}), ("pa", {}), ("pag", {}), ("paga", {}), ("pagam", {}), ("ent", {}), ("or", {})],
        "phrase": [('"nota fiscal"', {}), ('"prazo de entrega"', {}), ('"quanto custa"', {}), ('"são paulo"', {})],
        "filtered_text": [
            ("pedido ", {"chats": [big_chat]}),
            ("entrega ", {"since": NOW - month}),
            ("boleto ", {"direction": "out", "since": NOW - 12 * month, "until": NOW - 6 * month}),
            ("foto", {"types": ["media"]}),
            ("contrato", {"chat_name": "ana"}),
        ],
        "filter_only": [("", {"types": ["document"]}), ("", {"chats": [big_chat]}), ("", {"since": NOW - 86400 * 3})],
        "malformed": [('"nota AND', {}), ("NEAR(pix boleto)", {}), ("-pago *", {})],
    }


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))], 3)


async def bench(n: int, repeat: int) -> dict:
    msgs, chats = corpus(n)
    storage = MemoryStorage()
    await storage.open()
    await storage.put_many("messages", msgs)
    await storage.put_many("chats", chats)
    clock = FakeClock(NOW)

    # Pure index build (what the engine does per batch, without MemoryStorage's reads).
    index = Index()
    t = time.perf_counter()
    for i in range(0, n, 1000):
        index.upsert(msgs[i:i + 1000], msgs[min(n, i + 1000) - 1]["seq"])
    index_build = time.perf_counter() - t

    engine = SearchEngine(storage, clock, snapshot_every=10**9, snapshot_idle=1e12)
    await engine.start()
    out: dict = {"messages": n, "chats": len(chats), "index_build_s": round(index_build, 3), "classes": {}}
    if n <= 20_000:
        # End to end through Storage; MemoryStorage sorts the whole store per query, so only at small sizes.
        t = time.perf_counter()
        await engine.catch_up(None)
        out["catch_up_from_memory_storage_s"] = round(time.perf_counter() - t, 3)
    else:
        engine.index = index
        await engine.catch_up(0, refresh=True)
    for cls, qs in queries(chats).items():
        times, totals = [], []
        for _ in range(repeat):
            for q, flt in qs:
                engine.generation += 1  # uncached: measure the index, not the cache
                res = engine.search_messages(q, SearchFilters(**flt), 20, 0)
                times.append(res["took_ms"])
                totals.append(res["total"])
        out["classes"][cls] = {"p50_ms": pct(times, 50), "p95_ms": pct(times, 95), "max_ms": pct(times, 100),
                               "hits_median": int(statistics.median(totals))}
    cached = []
    for _ in range(repeat):
        cached.append(engine.search_messages("pedido", SearchFilters(), 20, 0)["took_ms"])
    out["cached_query_p50_ms"] = pct(cached, 50)
    contact = []
    for _ in range(repeat):
        for q in ("ana", "+55 11 9", "grupo", "beto carla"):
            engine.generation += 1
            contact.append(engine.search_contacts(q, 20)["took_ms"])
    out["contacts_p50_ms"], out["contacts_p95_ms"] = pct(contact, 50), pct(contact, 95)

    t = time.perf_counter()
    record, info = await snapshot.encode(engine.index, clock.now(), lambda: clock.sleep(0))
    encode_s = time.perf_counter() - t
    t = time.perf_counter()
    restored = snapshot.decode(record)
    decode_s = time.perf_counter() - t
    assert restored is not None and restored[0].count() == n
    out["snapshot"] = {"raw_mb": round(info.raw_bytes / 1e6, 2), "stored_base64_mb": round(info.bytes / 1e6, 2),
                       "encode_s": round(encode_s, 3), "restore_s": round(decode_s, 3)}
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
