"""Fidelity of what Mettri stores, judged field by field against the replica's ground truth.

A scenario is a few chats (1:1 with an emoji in the name, an unsaved number, a group with a saved,
an unsaved and a LID participant, a LID chat) with a history spread over several days and new
messages of every kind. `run_scenario` plays it in a replica tab as a user would (open each chat,
scroll up through it, let messages arrive) and `judge` compares every stored record with the
message the page drew. Shared by tests/e2e/test_reading_fidelity.py and scripts/fidelity_report.py.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from pycore.chatkey import display_title
from tests import browser
from tests.conftest import wait_for

RECORD_TYPE = {"text": "text", "image": "image", "ptt": "voice", "document": "document", "deleted": "deleted",
               "system": "system"}
FIELDS = ("direction", "kind", "text_complete", "time_minute", "author", "quoted")
DAY = 86400
LONG_WORDS = {
    "pt-BR": ("Olá! Segue o pedido completo com todos os detalhes da entrega, do pagamento e das trocas 😊 "
              "Por favor confirme o endereço, o horário e a forma de pagamento antes de sábado. "),
    "en": ("Hello! Here is the full order with every detail about delivery, payment and returns 😊 "
           "Please confirm the address, the time and how you will pay before Saturday. "),
}
SYSTEM = {
    "pt-BR": ("As mensagens são protegidas com criptografia de ponta a ponta.", "{a} adicionou {b}",
              "Mensagens temporárias ativadas"),
    "en": ("Messages are end-to-end encrypted.", "{a} added {b}", "Disappearing messages were turned on"),
}


def long_text(tag: str, lang: str, n: int) -> str:
    """A text longer than WhatsApp's cut, with a unique head and tail."""
    body = LONG_WORDS[lang] * (5 + n % 3)  # always over the replica's 700-character cut
    return f"[{tag}] {body}— fim {tag} ✅"


@dataclass
class Scenario:
    run: int
    lang: str
    chats: list[dict]
    history: dict[str, list[dict]]
    live: dict[str, list[dict]]
    tag: str = ""
    truth: dict[str, dict] = field(default_factory=dict)  # id -> message as the page has it

    def messages(self) -> list[dict]:
        return [m for jid in self.history for m in self.history[jid] + self.live[jid]]


def chats_for(run: int) -> list[dict]:
    tag = f"{run:04d}"
    people = [f"55119{tag}{k:04d}@c.us" for k in range(3)]
    return [
        {"id": f"55219{tag}0001@c.us", "name": f"Ana 🌸 Doces F{tag}"},
        {"id": f"55319{tag}0002@c.us", "push_name": f"Beto {tag}"},  # unsaved: the title is the number
        {"id": f"1203630{tag}0003@g.us", "name": f"Clientes 💛 F{tag}", "participants": [
            {"jid": people[0], "name": "Carla Dias"},
            {"jid": people[1], "push_name": "Zé", "saved": False},
            {"jid": f"9876{tag}01234@lid", "push_name": "Lu", "saved": False}]},
        {"id": f"1112{tag}344455@lid", "push_name": f"Dora {tag}"},
    ]


class Ids:
    def __init__(self, run: int) -> None:
        self.run, self.n = run, 0

    def __call__(self) -> str:
        self.n += 1
        return f"3EB0{self.run:04d}{self.n:012d}"


def mix(ids: Ids, lang: str, chat: dict, n: int, *, start: int = 0, system_first: bool = False) -> list[dict]:
    """n messages cycling through every kind the replica draws (ts filled in by the caller)."""
    senders = [p["jid"] for p in chat.get("participants") or []]
    out: list[dict] = []
    for i in range(start, start + n):
        k = i % 12
        m: dict = {"id": ids()}
        texts = [o for o in out if o.get("type", "text") == "text" and o.get("text")]
        if system_first and not out:
            m.update(type="system", text=SYSTEM[lang][0])
        elif k == 0:
            m.update(text=f"Oi 😊 pedido {i}" if lang == "pt-BR" else f"Hi 😊 order {i}")
        elif k == 1:
            m.update(type="image")
        elif k == 2:
            m.update(type="ptt", duration=3 + i % 90)
        elif k == 3:
            m.update(type="document", file=f"Orcamento_{i}.pdf")
        elif k == 4 and texts:
            m.update(text=f"sobre isso {i}" if lang == "pt-BR" else f"about this {i}", quoted=texts[-1]["id"])
        elif k == 5:
            m.update(text=long_text(m["id"][-6:], lang, i))
        elif k == 6:
            m.update(type="deleted")
        elif k == 7:
            m.update(type="image", text=f"foto {i} 📦" if lang == "pt-BR" else f"photo {i} 📦")
        elif k == 8:
            m.update(text=f"resposta da loja {i}" if lang == "pt-BR" else f"shop reply {i}", from_me=True, status="read")
        elif k == 9:
            m.update(type="document", file=f"Tabela de preços {i}.xlsx")
        elif k == 10 and senders and i % 24 == 10:
            m.update(type="system", text=SYSTEM[lang][1].format(a="Carla Dias", b="Zé"))
        elif k == 10:
            m.update(text=f"encaminhada {i}" if lang == "pt-BR" else f"forwarded {i}", forwarded=True)
        else:
            m.update(type="ptt" if i % 2 else "document", from_me=True, status="delivered",
                     **({"duration": 7} if i % 2 else {"file": f"Recibo_{i}.pdf"}))
        if senders and not m.get("from_me") and m.get("type") != "system":
            m["sender"] = senders[i % len(senders)]
        out.append(m)
    return out


def spread(messages: list[dict], now: float) -> None:
    """History timestamps over 20 days ago, 4 days ago (a weekday), yesterday and today, in order."""
    n = len(messages)
    days = (20, 4, 1, 0)
    for i, m in enumerate(messages):
        day = days[min(3, i * 4 // max(1, n))]
        m["ts"] = int(now - day * DAY - (n - i) * 7 * 60)


def build(run: int, lang: str, now: float, *, history: tuple[int, ...] = (30, 20, 36, 14),
          live: tuple[int, ...] = (20, 16, 28, 12)) -> Scenario:
    ids = Ids(run)
    chats = chats_for(run)
    hist, new = {}, {}
    for chat, nh, nl in zip(chats, history, live):
        h = mix(ids, lang, chat, nh, system_first=True)
        if chat["id"].endswith("@g.us") and nh > 10:
            h[nh // 2] = {"id": h[nh // 2]["id"], "type": "system", "text": SYSTEM[lang][2]}
        spread(h, now)
        hist[chat["id"]] = h
        new[chat["id"]] = mix(ids, lang, chat, nl, start=nh)
    return Scenario(run=run, lang=lang, chats=chats, history=hist, live=new, tag=f"{run:04d}")


# -- playing it in the page -----------------------------------------------------------
DELIVER = """async ([id, ms, per]) => {
    const out = [];
    for (let i = 0; i < ms.length; i += per) {
        for (const m of ms.slice(i, i + per)) out.push(__replica.deliver(id, m));  // several in one task
        await new Promise(r => setTimeout(r, 0));
    }
    return out;
}"""

# Scroll up through the open conversation as a reader would, waiting at each step until the rows
# in view are drawn (the replica fills empty rows that stay in view).
FILL_BY_SCROLLING = """async () => {
    const sc = document.querySelector('#main .msg-scroller');
    const frame = () => new Promise(r => requestAnimationFrame(r));
    // Empty rows only: the list itself also carries data-virtualized, and is always in view.
    const emptyInView = () => {
        const box = sc.getBoundingClientRect();
        return __replica.placeholders().length && [...sc.querySelectorAll('[role="row"] [data-virtualized="true"], [role="row"] .placeholder')]
            .some(el => { const b = el.getBoundingClientRect(); return b.bottom > box.top && b.top < box.bottom; });
    };
    for (let step = 0; step < 500; step++) {
        for (let f = 0; f < 600 && emptyInView(); f++) await frame();
        if (!__replica.placeholders().length) return true;
        if (sc.scrollTop === 0) return false;
        sc.scrollTop = Math.max(0, sc.scrollTop - sc.clientHeight * 0.7);
        await frame();
    }
    return false;
}"""


def capture_idle(world) -> bool:
    return bool(world.evaluate(
        "(() => { const c = MettriContent.capture; if (!c) return false;"
        " const busy = c.busy ? c.busy() : false; return c.pending.size === 0 && !busy; })()"))


def stored_records(core_page, tag: str) -> list[dict]:
    """Every stored record of the chats whose key or title carries the scenario's tag."""
    chats = browser.core_call(core_page, "chats.list", {"limit": 5000})["result"]["chats"]
    out = []
    for c in chats:
        if tag not in c["key"] and tag not in (c.get("title") or ""):
            continue
        cursor = None
        while True:
            args = {"chat": c["key"], "limit": 1000, "order_by": "seq", "newest_first": False}
            if cursor is not None:
                args["cursor_seq"] = cursor
            page = browser.core_call(core_page, "messages.list", args)["result"]
            out += page["messages"]
            cursor = page["next_cursor_seq"]
            if cursor is None:
                break
    return out


def wait_or_note(predicate, timeout: float, strict: bool, message: str, notes: list[str]) -> bool:
    """Wait for a condition; in a report (strict=False) note it after a quarter of the timeout."""
    try:
        wait_for(predicate, timeout=timeout if strict else timeout / 4, interval=0.1, message=message)
        return True
    except AssertionError:
        if strict:
            raise
        notes.append(message)
        return False


def run_scenario(core_page, wa, world, sc: Scenario, *, strict: bool = True, notes: list[str] | None = None) -> dict:
    """Play the scenario in an open replica tab (placeholders on); returns {"from_placeholders": n}."""
    notes = [] if notes is None else notes
    for chat in sc.chats:
        wa.evaluate("c => __replica.createChat(c)", chat)
    for jid, msgs in sc.history.items():
        wa.evaluate(DELIVER, [jid, msgs, 50])
    from_placeholders = drawn_empty = 0
    for chat in sc.chats:
        jid = chat["id"]
        hist, live = sc.history[jid], sc.live[jid]
        wa.evaluate("id => __replica.openChat(id)", jid)
        newest = hist[-1]["id"]
        wait_or_note(lambda: any(r["id"] == newest for r in stored_records(core_page, sc.tag)) and capture_idle(world),
                     60, strict, f"{jid}: the newest history row stored", notes)
        empty = set(wa.evaluate("() => __replica.placeholders()"))
        drawn_empty += len(empty)
        from_placeholders += sum(1 for r in stored_records(core_page, sc.tag) if r["id"] in empty)
        assert wa.evaluate(FILL_BY_SCROLLING), "scrolling did not fill every row"
        wa.evaluate(DELIVER, [jid, live, 3])
        want = {m["id"] for m in hist + live}
        wait_or_note(lambda: want <= {r["id"] for r in stored_records(core_page, sc.tag)} and capture_idle(world),
                     90, strict, f"{jid}: every message stored", notes)
        longs = {m["id"]: m["text"] for m in hist + live if len(m.get("text") or "") > 700}
        if longs:
            wait_or_note(lambda: all(r["text"] == longs[r["id"]] for r in stored_records(core_page, sc.tag)
                                     if r["id"] in longs) and capture_idle(world),
                         60, strict, f"{jid}: long texts complete", notes)
    assert drawn_empty or not strict, "the replica drew no placeholder rows"
    truth = wa.evaluate("ids => ids.map(i => __replica.message(i))", [m["id"] for m in sc.messages()])
    sc.truth = {m["id"]: m for m in truth}
    return {"from_placeholders": from_placeholders, "drawn_empty": drawn_empty, "notes": notes}


# -- judging ----------------------------------------------------------------------------
def expected_author(wa, sc: Scenario, m: dict, gen: str) -> tuple[str, str | None]:
    """(name the page shows for the sender, the JID the DOM identifies or None)."""
    chat = m["chat"]
    jid = m.get("sender") or chat
    name = wa.evaluate("j => __replica.senderName(j)", jid)
    if gen in ("2024", "2025"):
        return name, jid  # serialized data-id: the chat, or the group participant
    digits = name.replace("+", "").replace(" ", "").replace("-", "")
    return name, (f"{digits}@c.us" if digits.isdigit() and jid.endswith("@c.us") else None)


def judge(core_page, wa, sc: Scenario, gen: str, *, from_placeholders: int = 0) -> dict:
    records = stored_records(core_page, sc.tag)
    by_id: dict[str, list[dict]] = {}
    for r in records:
        by_id.setdefault(r["id"], []).append(r)
    expected = sc.messages()
    tally = {f: [0, 0] for f in FIELDS}
    wrong: dict[str, list] = {f: [] for f in FIELDS}
    you = "Você" if sc.lang == "pt-BR" else "You"
    names: dict[str, tuple] = {}

    def mark(name: str, ok: bool, detail) -> None:
        tally[name][1] += 1
        tally[name][0] += int(ok)
        if not ok and len(wrong[name]) < 5:
            wrong[name].append(detail)

    matched = 0
    for m in expected:
        t = sc.truth[m["id"]]
        recs = by_id.get(m["id"])
        if not recs:
            continue
        matched += 1
        r = recs[0]
        system = t["type"] == "system"
        direction = "system" if system else ("out" if t["from_me"] else "in")
        mark("direction", r["direction"] == direction, (t["id"], direction, r["direction"]))
        mark("kind", r["type"] == RECORD_TYPE[t["type"]], (t["id"], t["type"], r["type"]))
        if t.get("text") and t["type"] in ("text", "image", "system"):
            mark("text_complete", r["text"] == t["text"], (t["id"], t["text"][:40], (r["text"] or "")[:40]))
        if not system:
            ok = r["ts"] is not None and int(r["ts"] // 60) == int(t["ts"] // 60)
            mark("time_minute", ok, (t["id"], t["ts"], r["ts"]))
        if direction == "in":
            key = t.get("sender") or t["chat"]
            if key not in names:
                names[key] = expected_author(wa, sc, t, gen)
            name, jid = names[key]
            ok = display_title(r.get("author") or "") == display_title(name) and (
                r.get("author_jid") == jid if jid else r.get("author_jid") in (None, key))
            mark("author", ok, (t["id"], name, jid, r.get("author"), r.get("author_jid")))
        if t.get("quoted"):
            q = sc.truth.get(t["quoted"]) or wa.evaluate("i => __replica.message(i)", t["quoted"])
            q_author = you if q["from_me"] else wa.evaluate("j => __replica.senderName(j)", q.get("sender") or q["chat"])
            ok = (r.get("quoted") == q["text"] and display_title(r.get("quoted_author") or "") == display_title(q_author)
                  and r.get("quoted_id") == q["id"])
            mark("quoted", ok, (t["id"], q_author, q["text"][:30], r.get("quoted_author"), (r.get("quoted") or "")[:30],
                                r.get("quoted_id")))
    duplicated = sum(len(v) - 1 for v in by_id.values() if len(v) > 1)
    return {
        "expected": len(expected),
        "matched": matched,
        "missing": len(expected) - matched,
        "duplicated": duplicated,
        "stored_from_placeholders": from_placeholders,
        "fields": {f: {"right": a, "of": n, "share": round(a / n, 4) if n else None} for f, (a, n) in tally.items()},
        "wrong_examples": {f: w for f, w in wrong.items() if w},
    }


def open_replica(context, query: str):
    """A replica tab whose content script is the active one (as tests.e2e.reading.open_active)."""
    from tests.e2e.reading import open_active

    return open_active(context, query)


def now_of(wa) -> float:
    return wa.evaluate("Date.now() / 1000")


def elapsed_since(t0: float) -> float:
    return round(time.monotonic() - t0, 1)
