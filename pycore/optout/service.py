"""Opt-out detection and the suppression list with its consent history.

An inbound message opts the contact out when the whole message is an opt-out
keyword (with courtesy words around it: "STOP", "Parar, por favor") or states a
clear intent ("não quero mais receber", "me tira da lista"). A sentence that
merely contains such a word ("não para de funcionar", "stop by tomorrow") does
not: false positives would silence real customers.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Literal

from pycore.clock import Clock
from pycore.ids import sortable_id
from pycore.optout.protocol import ConsentEvent, OptoutChanged, OptoutRecord
from pycore.ports import AuditWriter, ChatNames, shown_titles
from pycore.protocol.records import MessageRecord
from pycore.reasons import REASONS, check
from pycore.storage.base import Range, Storage, WriteOp
from pycore.textfold import fold

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
    norm = fold(text)
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
    record = OptoutRecord(chat=chat, opted_out=kind == "opt_out", since=ts, source=f"{source}: {text[:200]}")
    return ev, [
        WriteOp(op="put", store="consent", record=ev.model_dump()),
        WriteOp(op="put", store="optouts", record=record.model_dump()),
    ]


def reason_code(ev: ConsentEvent) -> str:
    code = f"{'optout' if ev.kind == 'opt_out' else 'optin'}_{ev.source}"
    assert code in REASONS
    return code


@dataclass
class Consent:
    """The suppression list: who asked not to receive messages, and the history of each answer."""

    storage: Storage
    clock: Clock
    rng: random.Random
    emit: Callable
    audit: AuditWriter
    names: ChatNames

    async def is_opted_out(self, chat: str) -> bool:
        rec = await self.storage.get("optouts", chat)
        return bool(rec and rec["opted_out"])

    async def rekey_ops(self, alias: str, canonical: str) -> list[WriteOp]:
        """One chat's consent under one key: the history joins, the latest answer stands (an
        opt-out wins a tie)."""
        events = await self.history(alias)
        ops = [WriteOp(op="put", store="consent", record={**e.model_dump(), "chat": canonical}) for e in events]
        old, new = await self.get(alias), await self.get(canonical)
        if old is not None:
            ops.append(WriteOp(op="delete", store="optouts", key=alias))
            if new is None or (old.since, old.opted_out) > (new.since, new.opted_out):
                ops.append(WriteOp(op="put", store="optouts", record={**old.model_dump(), "chat": canonical}))
        return ops

    async def list(self) -> list[OptoutRecord]:
        rows = await self.storage.query("optouts")
        return [r for r in map(OptoutRecord.model_validate, rows) if r.opted_out]

    async def titles(self, chats: list[str]) -> dict[str, str]:
        """The names pages show for these chats: a number never seen with a name as people write it."""
        return await shown_titles(self.names, chats)

    async def get(self, chat: str) -> OptoutRecord | None:
        rec = await self.storage.get("optouts", chat)
        return None if rec is None else OptoutRecord.model_validate(rec)

    async def history(self, chat: str) -> list[ConsentEvent]:
        rows = await self.storage.query("consent", index="by_chat_ts", range=Range(lower=[chat, -1e18], upper=[chat, 1e18]))
        return [ConsentEvent.model_validate(r) for r in rows]

    async def scan(self, records: Iterable[MessageRecord]) -> list[ConsentEvent]:
        """Consent changes in captured inbound messages, recorded. Messages are taken in time order,
        so "STOP" then "START" ends opted in; a message already scanned is ignored."""
        events: list[ConsentEvent] = []
        ops: list[WriteOp] = []
        state: dict[str, bool] = {}
        rows = sorted((r for r in records if r.direction == "in" and r.type == "text"), key=lambda r: (r.ts or 0.0, r.key))
        for r in rows:
            kind = detect(r.text)
            if kind is None:
                continue
            event_id = f"msg:{r.key}"
            if await self.storage.get("consent", event_id):
                continue
            if r.chat not in state:
                state[r.chat] = await self.is_opted_out(r.chat)
            if state[r.chat] == (kind == "opt_out"):
                continue  # no change
            state[r.chat] = kind == "opt_out"
            ev, writes = consent_ops(r.chat, kind, "message", r.text, float(r.ts or 0.0), event_id)
            events.append(ev)
            ops += writes
        return await self._apply(events, ops)

    async def set(self, chat: str, opted_out: bool, note: str) -> OptoutRecord:
        now = self.clock.now()
        kind = "opt_out" if opted_out else "opt_in"
        ev, ops = consent_ops(chat, kind, "user", note, now, f"user:{sortable_id(now, self.rng)}")
        await self._apply([ev], ops)
        return OptoutRecord.model_validate((await self.get(chat)).model_dump())

    async def _apply(self, events: list[ConsentEvent], ops: list[WriteOp]) -> list[ConsentEvent]:
        """Consent changes with their audit lines in one transaction, then the pages hear of them."""
        now = self.clock.now()
        for ev in events:
            c = check(reason_code(ev), "allow", text=ev.text[:80])
            ops.append(self.audit.entry(now, "optout." + ev.kind, c, chat=ev.chat, text=ev.text))
        if ops:
            await self.storage.apply(ops)
        for ev in events:
            self.emit(OptoutChanged(chat=ev.chat, opted_out=ev.kind == "opt_out", source=ev.source))
        return events
