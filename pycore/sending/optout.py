"""Opt-out detection and the suppression list with its consent history.

An inbound message opts the contact out when the whole message is an opt-out
keyword (with courtesy words around it: "STOP", "Parar, por favor") or states a
clear intent ("não quero mais receber", "me tira da lista"). A sentence that
merely contains such a word ("não para de funcionar", "stop by tomorrow") does
not: false positives would silence real customers.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Literal

from pycore.protocol.sending import ConsentEvent
from pycore.sending.policy import normalize
from pycore.sending.reasons import REASONS
from pycore.storage.base import Range, Storage, WriteOp

OPTOUT_WORDS = {
    "stop", "pare", "parar", "sair", "cancelar", "cancela", "cancelo", "descadastrar",
    "descadastro", "descadastre", "remover", "remova", "unsubscribe", "optout", "opt out", "stop all", "end", "quit",
}
OPTIN_WORDS = {"start", "voltar", "quero voltar", "quero receber", "assinar", "unstop", "optin", "opt in"}
COURTESY = {"por", "favor", "pfv", "pf", "pls", "please", "obrigado", "obrigada", "ok", "agora", "ja", "sim", "me"}
INTENT = [
    r"\bnao quero (mais )?receber\b",
    r"\bnao quero receber mais\b",
    r"\bnao (me )?(mande|mandem|envie|enviem) mais\b",
    r"\b(pare|parem|para) de (me )?(mandar|enviar)\b",
    r"\b(me )?(tire|tira|remova|remove|retire|exclua|exclui) (o meu numero |meu numero |meu contato )?(da|dessa|desta|de sua|da sua) lista\b",
    r"\bremova meu (numero|contato)\b",
    r"\b(quero )?sair (da|dessa|desta|de sua|da sua) lista\b",
    r"\bdescadastr",
    r"\bunsubscribe\b",
    r"\bstop (sending|messaging|texting)\b",
    r"\b(do not|dont) (message|text|contact) me\b",
    r"\bremove me from (your|the|this) list\b",
]
INTENT_RE = re.compile("|".join(INTENT))


def _core_words(norm: str) -> str:
    """The message without courtesy words: "parar por favor" -> "parar"."""
    return " ".join(w for w in norm.split() if w not in COURTESY)


def detect(text: str) -> Literal["opt_out", "opt_in"] | None:
    norm = normalize(text)
    if not norm:
        return None
    core = _core_words(norm) or norm
    if core in OPTOUT_WORDS or INTENT_RE.search(norm):
        return "opt_out"
    if core in OPTIN_WORDS:
        return "opt_in"
    return None


def consent_ops(chat: str, kind: str, source: str, text: str, ts: float, event_id: str) -> tuple[ConsentEvent, list[WriteOp]]:
    ev = ConsentEvent(id=event_id, chat=chat, ts=ts, kind=kind, source=source, text=text[:500])
    record = {"chat": chat, "opted_out": kind == "opt_out", "since": ts, "source": f"{source}: {text[:200]}"}
    return ev, [
        WriteOp(op="put", store="consent", record=ev.model_dump()),
        WriteOp(op="put", store="optouts", record=record),
    ]


async def is_opted_out(storage: Storage, chat: str) -> bool:
    rec = await storage.get("optouts", chat)
    return bool(rec and rec["opted_out"])


async def scan(storage: Storage, records: Iterable[dict[str, Any]]) -> tuple[list[ConsentEvent], list[WriteOp]]:
    """Consent changes found in captured inbound message records, and the writes that record them.

    Messages are taken in time order, so "STOP" then "START" ends opted in. A
    record already scanned (same message key in the history) is ignored.
    """
    events: list[ConsentEvent] = []
    ops: list[WriteOp] = []
    state: dict[str, bool] = {}
    rows = sorted(
        (r for r in records if r.get("direction") == "in" and r.get("type", "text") == "text"),
        key=lambda r: (r.get("ts") or 0.0, r.get("key", "")),
    )
    for r in rows:
        kind = detect(r.get("text", ""))
        if kind is None:
            continue
        chat = r["chat"]
        event_id = f"msg:{r.get('key') or chat + '|' + str(r.get('id'))}"
        if await storage.get("consent", event_id):
            continue
        if chat not in state:
            state[chat] = await is_opted_out(storage, chat)
        if state[chat] == (kind == "opt_out"):
            continue  # no change
        state[chat] = kind == "opt_out"
        ev, writes = consent_ops(chat, kind, "message", r.get("text", ""), float(r.get("ts") or 0.0), event_id)
        events.append(ev)
        ops += writes
    return events, ops


async def history(storage: Storage, chat: str) -> list[ConsentEvent]:
    rows = await storage.query("consent", index="by_chat_ts", range=Range(lower=[chat, -1e18], upper=[chat, 1e18]))
    return [ConsentEvent.model_validate(r) for r in rows]


def reason_code(ev: ConsentEvent) -> str:
    code = f"{'optout' if ev.kind == 'opt_out' else 'optin'}_{ev.source}"
    assert code in REASONS
    return code
