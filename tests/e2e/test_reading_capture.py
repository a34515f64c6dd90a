"""Capture, judged against the replica's own data (__replica.messages): every kind of
message in 1:1, group, LID and newsletter chats, in all three DOM generations and both
locales; none lost, none duplicated; also while scrolling fast and with the tab hidden."""

from __future__ import annotations

import itertools

import pytest

from tests.conftest import wait_for
from tests.e2e.reading import all_stored, deliver_all, open_active

pytestmark = pytest.mark.e2e

RECORD_TYPE = {"text": "text", "image": "image", "ptt": "voice", "document": "document", "deleted": "deleted",
               "system": "system"}
FULL = {("2024", "pt-BR"), ("2025", "en"), ("2026", "pt-BR")}  # 1,000 messages; the others 120
_ids = itertools.count(1)


def new_id(run: int) -> str:
    return f"3EB0{run:04d}{next(_ids):012d}"


def mix(run: int, n: int, *, group: list[str] | None = None, channel: bool = False) -> list[dict]:
    """n messages cycling through every kind the replica renders."""
    out: list[dict] = []
    for i in range(n):
        kind = i % 10
        m: dict = {"id": new_id(run)}
        if channel:
            kind = (0, 1, 5)[i % 3]  # a channel only posts: text, pictures, forwards
        if kind == 0:
            m.update(text=f"Olá 👋 pedido {i}, tudo certo? / order {i}")
        elif kind == 1:
            m.update(type="image", text=f"foto {i}" if i % 2 else "")
        elif kind == 2:
            m.update(type="ptt", duration=3 + i % 50)
        elif kind == 3:
            m.update(type="document", file=f"orcamento-{i}.pdf")
        elif kind == 4 and out:
            m.update(text=f"respondendo {i}", quoted=out[-1]["id"])
        elif kind == 5:
            m.update(text=f"encaminhada {i}", forwarded=True)
        elif kind == 6:
            m.update(type="deleted")
        elif kind == 7:
            m.update(type="system", text=f"Mudança de configuração {i}")
        elif kind == 8:
            m.update(text=f"resposta da loja {i}", from_me=True, status=("sent", "delivered", "read")[i % 3])
        else:
            m.update(type="image", from_me=True, status="read")
        if group and not m.get("from_me") and m.get("type") != "system":
            m["sender"] = group[i % len(group)]
        out.append(m)
    return out


def find_key(core_page, world, first_id: str) -> str:
    """The core's key for the open chat: the capture loop's key once it holds first_id."""
    def key():
        k = world.evaluate("MettriContent.capture && MettriContent.capture.chatKey()")
        return k if k and any(r["id"] == first_id for r in all_stored(core_page, k)) else None
    return wait_for(key, timeout=60, message="the chat's first capture")


def judge(core_page, wa, world, chat: str, delivered: list[dict], *, timeout: float = 120.0) -> str:
    key = find_key(core_page, world, delivered[0]["id"])
    want = {m["id"] for m in delivered}
    wait_for(lambda: want <= {r["id"] for r in all_stored(core_page, key)}, timeout=timeout,
             message=f"all {len(want)} messages of {chat} stored")
    stored = all_stored(core_page, key)
    ids = [r["id"] for r in stored]
    assert len(ids) == len(set(ids)), "a message was stored twice"
    truth = {m["id"]: m for m in wa.evaluate("id => __replica.messages(id)", chat)}
    assert set(ids) <= set(truth), "a stored message the replica never had"
    by_id = {r["id"]: r for r in stored}
    for m in delivered:
        rec, src = by_id[m["id"]], truth[m["id"]]
        assert rec["type"] == RECORD_TYPE[src["type"]], (src, rec)
        direction = "system" if src["type"] == "system" else ("out" if src["from_me"] else "in")
        assert rec["direction"] == direction, (src, rec)
        if src.get("quoted"):
            assert rec["quoted"], (src, rec)
        if src.get("forwarded"):
            assert rec["forwarded"] is True, (src, rec)
        if src["from_me"] and src["type"] != "system":
            assert rec["status"] == src["status"], (src, rec)
        if src.get("text") and src["type"] in ("text",):
            assert rec["text"] == src["text"], (src, rec)
    return key


SCROLL_TO_START = """async (maxMs) => {
    // Scroll to the top as fast as the page loads older messages, until the first one shows.
    const sc = document.querySelector('.msg-scroller');
    const t0 = performance.now();
    while (!document.querySelector('.older-phone') && performance.now() - t0 < maxMs) {
        sc.scrollTop = 0;
        await new Promise(r => setTimeout(r, 10));
    }
    return !!document.querySelector('.older-phone');
}"""


def make_chats(wa, run: int) -> dict[str, dict]:
    people = [f"55119{run:04d}{k:04d}@c.us" for k in range(3)]
    specs = {
        f"55219{run:04d}0001@c.us": dict(name=f"Cliente {run}"),
        f"1203630{run:04d}0001@g.us": dict(name=f"Grupo {run}", participants=[
            {"jid": people[0], "name": "Ana Souza"}, {"jid": people[1], "push_name": "Beto", "saved": False},
            {"jid": f"9876{run:04d}01234@lid", "push_name": "Caio"}]),
        f"1112{run:04d}344455@lid": dict(push_name=f"Dora {run}"),
        f"1203630{run:04d}0009@newsletter": dict(name=f"Canal {run}"),
    }
    return {jid: wa.evaluate("c => __replica.createChat(c)", {"id": jid, **spec}) for jid, spec in specs.items()}


SHARES = (0.3, 0.4, 0.15, 0.15)


@pytest.mark.parametrize("gen", ["2024", "2025", "2026"])
@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_every_kind_is_captured_once(routed, core_page, gen, lang):
    """Live messages into the open chat; in the full runs also a history scrolled through fast."""
    context, _ = routed
    run = int(gen) % 100 * 10 + (lang == "en")
    full = (gen, lang) in FULL
    total, live = (1000, 100) if full else (120, 120)
    wa, world = open_active(context, f"gen={gen}&lang={lang}")
    wa.evaluate("() => __replica.setOlderDelay(30)")
    for (jid, chat), share in zip(make_chats(wa, run).items(), SHARES):
        group = [p["jid"] for p in chat.get("participants") or []] or None
        msgs = mix(run, round(total * share), group=group, channel=jid.endswith("@newsletter"))
        n_live = round(live * share)
        older = deliver_all(wa, jid, msgs[:-n_live], chunk=200)  # history, while another chat is open
        wa.evaluate("id => __replica.openChat(id)", jid)
        if older:
            assert wa.evaluate(SCROLL_TO_START, 60_000), "the history did not load to its first message"
        judge(core_page, wa, world, jid, older + deliver_all(wa, jid, msgs[-n_live:]))
    wa.close()


@pytest.mark.parametrize("gen,lang", [("2024", "en"), ("2025", "pt-BR"), ("2026", "en")])
def test_hidden_tab_captures_each_message(routed, core_page, gen, lang):
    """A hidden tab renders only the last message: each one must be read before the next replaces it."""
    context, _ = routed
    run = 500 + int(gen) % 100
    wa, world = open_active(context, f"gen={gen}&lang={lang}")
    jid, chat = next(iter(make_chats(wa, run).items()))
    wa.evaluate("id => __replica.openChat(id)", jid)
    wa.evaluate("() => __replica.setHidden(true)")
    msgs = mix(run, 40)
    delivered = [wa.evaluate("([id, m]) => __replica.deliver(id, m)", [jid, m]) for m in msgs]  # one task each
    assert wa.evaluate("() => __replica.state().hidden")
    judge(core_page, wa, world, jid, delivered)
    wa.close()
