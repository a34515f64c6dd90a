"""Deterministic corpus of WhatsApp-like business conversations.

One generator feeds both the replica page (served as JSON by site.py) and the
Python tests/benchmarks, so both sides know the exact ground truth.

    >>> c = generate(seed=1, chats=50, messages=2000, lang_mix=0.3)
    >>> len(c["chats"]), len(c["messages"])
    (50, 2000)

Everything is plain dicts/lists/str/int/bool (JSON-able). Only ``random.Random``
seeded from ``seed`` is used, never the module-level functions, so the same
arguments always give the same corpus. Timestamps end at a fixed instant
(END_TS), not at "now".
"""
from __future__ import annotations

import json
import random
from itertools import accumulate

END_TS = 1781380800  # 2026-06-13 20:00:00 UTC: fixed "now" of the corpus
ME = {"jid": "5511999990000@c.us", "name": "Loja Mettri", "phone": "+55 11 99999-0000"}

PT_FIRST = ("Ana", "João", "Maria", "José", "Antônio", "Francisca", "Luíza", "Gabriel", "Júlia", "Lucas",
            "Letícia", "Matheus", "Beatriz", "Rafael", "Camila", "Thiago", "Fernanda", "Vinícius", "Patrícia",
            "André", "Márcia", "Sérgio", "Conceição", "Caio", "Débora", "Otávio", "Lúcia", "Renê", "Iara", "Cauã")
PT_LAST = ("Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Ferreira", "Almeida", "Araújo", "Gonçalves",
           "Conceição", "Brandão", "Magalhães", "Simões", "Assunção", "Falcão", "Romão", "Caetano")
EN_FIRST = ("John", "Emily", "Michael", "Sarah", "David", "Jessica", "Chris", "Ashley", "Daniel", "Olivia",
            "Ryan", "Megan", "Kevin", "Laura", "Brian", "Hannah")
EN_LAST = ("Smith", "Johnson", "Brown", "Taylor", "Miller", "Wilson", "Moore", "Clark", "Walker", "Young")
GROUP_PT = ("Clientes VIP", "Encomendas de Natal", "Fornecedores SP", "Entregas Zona Sul", "Família 💛",
            "Revenda Atacado", "Promoções da Semana", "Equipe Loja")
GROUP_EN = ("Wholesale buyers", "Team Store", "Suppliers", "Weekend orders")
PRODUCTS_PT = ("bolo de cenoura", "kit presente", "camiseta básica", "tênis de corrida", "fone bluetooth",
               "cesta de café da manhã", "vestido floral", "caneca personalizada", "açaí 500 ml", "pão de mel")
PRODUCTS_EN = ("gift box", "running shoes", "cotton t-shirt", "bluetooth headset", "custom mug", "carrot cake")
STREETS = ("Rua das Acácias", "Av. Paulista", "Rua São João", "Travessa da Conceição", "Rua Açores",
           "Av. Brasil", "Rua Padre Anchieta")
BAIRROS = ("Pinheiros", "Moema", "Vila Mariana", "Tatuapé", "Santana", "Butantã", "Lapa")
CITIES = (("São Paulo", "SP"), ("Belo Horizonte", "MG"), ("Niterói", "RJ"), ("Florianópolis", "SC"),
          ("Goiânia", "GO"), ("Ribeirão Preto", "SP"))
EMOJI = ("😊", "🙏", "👍", "✅", "😍", "🎉", "📦", "💛", "😂", "🚚")

PT_TEMPLATES = (
    "Oi, tudo bem? Qual o valor do item {p}?",
    "O item {p} sai por R$ {price}. Pix ou cartão em até 3x sem juros {e}",
    "Bom dia! Vocês entregam em {city}?",
    "Meu endereço é {street}, {num} - {bairro}, {city} - {uf}, CEP {cep}",
    "Pedido #{order} confirmado {e}",
    "Obrigada! {e}",
    "ok",
    "Qual o prazo de entrega?",
    "Chega em até {n} dias úteis.",
    "Chegou hoje, muito obrigado {e}",
    "Vocês têm na cor azul? E o tamanho M?",
    "Segue o comprovante do Pix de R$ {price}",
    "Pode me mandar a localização da loja?",
    "Boa tarde! Gostaria de encomendar {n} unidades do item {p} para sábado. É possível entregar até as 10h? "
    "Preciso para uma festa de aniversário e não posso atrasar, por favor me confirme o valor total com o frete.",
    "Perfeito, fechado então {e}{e}",
    "Promoção de hoje: {p} por R$ {price} 🎉 Só até acabar o estoque!",
)
EN_TEMPLATES = (
    "Hi! How much is the {p}?",
    "The {p} is ${price_en} (R$ {price}). We accept cards {e}",
    "Do you deliver to {city}?",
    "My address is {num} Main Street, Apt {n}",
    "Order #{order} confirmed {e}",
    "Thanks! {e}",
    "ok",
    "When will it arrive?",
    "It should arrive in {n} business days.",
    "Got it today, thank you so much {e}",
    "Hello, I would like to order {n} units of the {p} for Saturday morning. Could you confirm the total "
    "price including shipping and whether you can deliver before 10 am? Thanks a lot.",
    "Sounds good {e}",
)
SYSTEM_PT = ("As mensagens são protegidas com criptografia de ponta a ponta.", "{a} adicionou {b}", "{a} saiu")
SYSTEM_EN = ("Messages are end-to-end encrypted.", "{a} added {b}", "{a} left")
DOCS = ("Orcamento_{n}.pdf", "Catalogo_2026.pdf", "NotaFiscal_{order}.pdf", "Invoice_{order}.pdf", "Tabela de preços.xlsx")


def _phone_jid(rng: random.Random) -> str:
    return "55119%08d@c.us" % rng.randrange(10 ** 8)


def format_phone(jid: str) -> str:
    """'5511987654321@c.us' -> '+55 11 98765-4321' (Brazilian mobile format)."""
    d = jid.split("@", 1)[0]
    if d.startswith("55") and len(d) == 13:
        return "+%s %s %s-%s" % (d[:2], d[2:4], d[4:9], d[9:])
    return "+" + d


def _msg_id(rng: random.Random, seen: set) -> str:
    while True:
        r = rng.random()
        if r < 0.7:  # WhatsApp Web / desktop style
            mid = "3EB0" + "%0*X" % (18, rng.getrandbits(72))
        elif r < 0.9:  # iPhone style
            mid = "3A" + "%0*X" % (18, rng.getrandbits(72))
        else:  # Android style, 32 hex
            mid = "%032X" % rng.getrandbits(128)
        if mid not in seen:
            seen.add(mid)
            return mid


def _person(rng: random.Random, lang: str) -> str:
    if lang == "en":
        return "%s %s" % (rng.choice(EN_FIRST), rng.choice(EN_LAST))
    return "%s %s" % (rng.choice(PT_FIRST), rng.choice(PT_LAST))


def _make_chats(rng: random.Random, n: int, lang_mix: float) -> list[dict]:
    chats: list[dict] = []
    used: set = set()
    for i in range(n):
        lang = "en" if rng.random() < lang_mix else "pt-BR"
        r = rng.random()
        if i == 3 and n > 3:
            kind = "newsletter"
        elif r < 0.08:
            kind = "group"
        elif r < 0.13:
            kind = "lid"
        else:
            kind = "user"
        while True:
            if kind == "group":
                jid = "120363%012d@g.us" % rng.randrange(10 ** 12)
            elif kind == "newsletter":
                jid = "120363%012d@newsletter" % rng.randrange(10 ** 12)
            elif kind == "lid":
                jid = "%015d@lid" % rng.randrange(10 ** 14, 10 ** 15)
            else:
                jid = _phone_jid(rng)
            if jid not in used:
                used.add(jid)
                break
        chat = {"id": jid, "kind": kind, "lang": lang, "unread": 0, "pinned": False, "muted": False}
        if kind == "group":
            chat["name"] = rng.choice(GROUP_EN if lang == "en" else GROUP_PT) + " %d" % (i % 97)
            parts = []
            for _ in range(rng.randint(3, 8)):
                pj = ("%015d@lid" % rng.randrange(10 ** 14, 10 ** 15)) if rng.random() < 0.25 else _phone_jid(rng)
                saved = rng.random() < 0.6
                p = {"jid": pj, "saved": saved, "name": _person(rng, lang)}
                parts.append(p)
            chat["participants"] = parts
        elif kind == "newsletter":
            chat["name"] = "Novidades Mettri" if lang == "pt-BR" else "Mettri News"
        else:
            saved = rng.random() < 0.7
            chat["saved"] = saved
            person = _person(rng, lang)
            chat["name"] = person if saved else None
            chat["push_name"] = person.split()[0]
            if kind == "user":
                chat["phone"] = format_phone(jid)
        if rng.random() < 0.2:
            chat["unread"] = rng.choice((1, 1, 2, 3, 5, 12, 1227))
        chat["muted"] = rng.random() < 0.05
        chats.append(chat)
    for c in chats[:3]:
        c["pinned"] = True
    return chats


def _fill(rng: random.Random, template: str, lang: str = "pt-BR") -> str:
    if "{" not in template:
        return template
    city, uf = rng.choice(CITIES)
    price = rng.randrange(990, 49990)
    return template.format(
        p=rng.choice(PRODUCTS_EN if lang == "en" else PRODUCTS_PT), price="%d,%02d" % divmod(price, 100),
        price_en="%d.%02d" % divmod(price // 5, 100), e=rng.choice(EMOJI), city=city, uf=uf,
        street=rng.choice(STREETS), num=rng.randrange(1, 3000), bairro=rng.choice(BAIRROS),
        cep="%05d-%03d" % (rng.randrange(1000, 99999), rng.randrange(1000)),
        order=rng.randrange(10000, 99999), n=rng.randrange(2, 12),
    )


def generate(seed: int = 1, chats: int = 50, messages: int = 2000, lang_mix: float = 0.3) -> dict:
    """Return {"seed", "end_ts", "me", "chats": [...], "messages": [...]}.

    chats: newest activity first (the list order of the app, pinned ignored);
    messages: grouped by chat (in chat order), chronological within a chat.
    Each message: id, chat, from_me, ts (unix s), type (text|image|ptt|document|deleted|system),
    optional text, sender (groups), quoted (id), forwarded, status (own: sent|delivered|read),
    duration (ptt), file (document).
    """
    rng = random.Random(seed)
    chat_list = _make_chats(rng, chats, lang_mix)
    if not chat_list:
        return {"seed": seed, "end_ts": END_TS, "me": dict(ME), "chats": [], "messages": []}
    # Zipf-like share of messages per chat; every chat gets one when possible.
    base = 1 if messages >= chats else 0
    counts = [base] * chats
    cum = list(accumulate(1.0 / (i + 1) ** 0.9 for i in range(chats)))
    for k in rng.choices(range(chats), cum_weights=cum, k=messages - base * chats):
        counts[k] += 1
    seen: set = set()
    out: list[dict] = []
    for ci, chat in enumerate(chat_list):
        n = counts[ci]
        last = END_TS - int(ci * 1800 + rng.random() * 1700)  # chat order = recency order
        chat["last_ts"] = last
        lang = chat["lang"]
        templates = EN_TEMPLATES if lang == "en" else PT_TEMPLATES
        system = SYSTEM_EN if lang == "en" else SYSTEM_PT
        kind = chat["kind"]
        parts = chat.get("participants")
        # walk backwards in time from the last message
        stamps = []
        t = last
        for _ in range(n):
            stamps.append(t)
            t -= int(rng.expovariate(1 / 5400.0)) + 5
        stamps.reverse()
        first_idx = len(out)
        for j, ts in enumerate(stamps):
            if j == 0 and n > 3 and kind != "newsletter":
                out.append({"id": _msg_id(rng, seen), "chat": chat["id"], "from_me": False, "ts": ts,
                            "type": "system", "text": system[0]})
                continue
            from_me = kind != "newsletter" and rng.random() < 0.4
            m = {"id": _msg_id(rng, seen), "chat": chat["id"], "from_me": from_me, "ts": ts, "type": "text"}
            r = rng.random()
            if r < 0.80:
                m["text"] = _fill(rng, rng.choice(templates), lang)
            elif r < 0.86:
                m["type"] = "image"
                if rng.random() < 0.5:
                    m["text"] = _fill(rng, rng.choice(templates), lang)
            elif r < 0.91:
                m["type"] = "ptt"
                m["duration"] = rng.randrange(2, 180)
            elif r < 0.95:
                m["type"] = "document"
                m["file"] = _fill(rng, rng.choice(DOCS))
            elif r < 0.98:
                m["type"] = "deleted"
            elif parts:
                a, b = rng.sample(parts, 2)
                m["type"] = "system"
                m["from_me"] = False
                m["text"] = rng.choice(system[1:]).format(a=a["name"], b=b["name"])
            else:
                m["text"] = _fill(rng, rng.choice(templates), lang)
            if m["type"] != "system":
                if parts and not from_me:
                    m["sender"] = rng.choice(parts)["jid"]
                if from_me:
                    m["status"] = "read" if rng.random() < 0.85 else "delivered"
                if rng.random() < 0.04:
                    m["forwarded"] = True
                if j > 1 and m["type"] == "text" and rng.random() < 0.06:
                    q = out[rng.randrange(first_idx, len(out))]
                    if q["type"] == "text" and q.get("text"):
                        m["quoted"] = q["id"]
            out.append(m)
        chat["count"] = n
    return {"seed": seed, "end_ts": END_TS, "me": dict(ME), "chats": chat_list, "messages": out}


def generate_json(seed: int = 1, chats: int = 50, messages: int = 2000, lang_mix: float = 0.3) -> bytes:
    """The corpus as compact UTF-8 JSON, as served to the page."""
    return json.dumps(generate(seed, chats, messages, lang_mix), ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")
