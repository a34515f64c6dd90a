"""The suggestion engine: when a new incoming message arrives in the chat the user has open, up to
three replies are proposed in the bar beside the composer. Nothing is sent: the user approves
(through the send gate), edits in the composer, or dismisses.

Sources, each labelled:
1. history: the earlier incoming messages most like this one (bm25 over the search index) and the
   reply the user actually sent after each, with the names of the person answered then re-filled
   for this contact;
2. templates: saved templates whose shortcut, name, category or text share words with the message;
3. the language model, only when the user turned it on (pycore.suggest.model): the local replies are
   offered first, the model's join them when it answers in time, else a note says why not.

Runs beside capture, never in its way (pycore.features spawns it); a failure only loses suggestions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pycore.clock import Clock
from pycore.suggest import refill
from pycore.suggest.ports import ContactWords, History, Messages, ModelReplies, Offers, Texts
from pycore.suggest.words import terms
from pycore.suggestions.protocol import SuggestedReply, Suggestion
from pycore.textfold import fold as same_text

MAX_REPLIES = 3
FRESH_S = 15 * 60  # an incoming message older than this when captured is history being read, not news
HITS = 12  # similar questions looked at
ANSWER_WITHIN_S = 24 * 3600  # a reply sent later than this after the question is no answer to it
FOLLOWING = 8  # messages looked at after a question for the user's answer


@dataclass
class Candidate:
    reply: SuggestedReply
    score: float


@dataclass
class SuggestEngine:
    clock: Clock
    history: History
    messages: Messages
    contacts: ContactWords
    texts: Texts
    offers: Offers
    model: ModelReplies | None = None

    # -- the trigger -----------------------------------------------------------------------
    async def captured(self, chat: str, new_keys: list[str]) -> bool:
        """A capture of the open chat stored ``new_keys``: propose replies when the chat's newest
        message is one of them, incoming, text, and fresh. True when replies were offered."""
        if not new_keys:
            return False
        # A batch of history being read (none of its new messages is fresh incoming text) is settled
        # from the records the store just wrote: a backfill's batches asked storage twice each for nothing.
        written = self.messages.remembered(new_keys)
        if written is not None and not any(self._news(r) for r in written):
            return False
        waiting = await self.offers.current(chat)  # first: any other offer made after this is newer
        newest = await self.messages.newest(chat)
        if newest is None or newest.get("key") not in set(new_keys) or not self._news(newest):
            return False
        ts = newest["ts"]
        replies = await self.propose(chat, newest["text"], before_ts=ts)
        if await self.offered_since(chat, waiting):
            return False  # someone offered a reply while these were ranked: theirs is the newer word
        if self.model is None or not await self.model.enabled():
            if not replies:
                return False
            await self.offers.offer_replies(chat, replies)
            return True
        return await self.with_model(chat, replies, waiting)

    def _news(self, rec: dict) -> bool:
        """An incoming text, captured while fresh: what a reply can be proposed to."""
        if rec.get("direction") != "in" or rec.get("type", "text") != "text" or not (rec.get("text") or "").strip():
            return False
        ts = rec.get("ts")
        return ts is not None and ts >= self.clock.wall(self.clock.now()) - FRESH_S

    async def offered_since(self, chat: str, waiting: Suggestion | None) -> bool:
        """Another offer replaced ``waiting`` (the chat's suggestion when the engine began)."""
        now = await self.offers.current(chat)
        return now is not None and now != waiting

    async def with_model(self, chat: str, local: list[SuggestedReply], waiting: Suggestion | None) -> bool:
        """Offer the local replies at once, ask the model, then offer both (or the local ones with the
        note saying why the model gave none), unless the user already acted on the first offer or a
        newer message brought another."""
        assert self.model is not None
        first = await self.offers.offer_replies(chat, local, model="asking") if local else None
        found, note = await self.model.ask(chat)
        now = await self.offers.current(chat)
        if first is not None and (now is None or now.offered_at != first.offered_at):
            return True  # approved, dismissed or replaced meanwhile: the model's answer is too late
        if first is None and await self.offered_since(chat, waiting):
            return False
        model = [SuggestedReply(text=t, source="model") for t in found]
        merged = _dedupe(_alternate(local, model), MAX_REPLIES)
        if not merged:
            return False
        await self.offers.offer_replies(chat, merged, model="answered" if found else "failed", note=note)
        return True

    # -- ranking ---------------------------------------------------------------------------
    async def propose(self, chat: str, text: str, before_ts: float, limit: int = MAX_REPLIES) -> list[SuggestedReply]:
        """Up to ``limit`` replies to ``text`` for ``chat``: history first, then templates, alternating
        after the best of each; the same text is offered once."""
        words = terms(text)
        history = await self.from_history(chat, text, words, before_ts)
        templates = await self.from_templates(chat, words)
        order = _interleave(history, templates)
        out: list[SuggestedReply] = []
        seen: set[str] = set()
        for c in order:
            key = same_text(c.reply.text) or c.reply.text
            if key in seen:
                continue
            seen.add(key)
            out.append(c.reply)
            if len(out) == limit:
                break
        return out

    async def from_history(self, chat: str, question: str, words: list[str], before_ts: float) -> list[Candidate]:
        """Each similar earlier question's answer, best question first; an answer given to several
        similar questions counts once, with their scores added (the user's usual answer)."""
        if not words:
            return []
        hits = await self.history.similar_incoming(words, HITS, before_ts)
        asked = same_text(question)
        by_text: dict[str, Candidate] = {}
        for hit in hits:
            found = self.answer_to(hit)
            if found is None:
                continue
            answer, between = found
            full, first = await self.contacts.names(hit["chat"])
            generic = refill.generalize(answer["text"], full, first)
            filled = await self.texts.fill(generic, chat)
            if filled is None:  # a name this contact does not have: never an empty name
                continue
            filled = refill.restore(filled)
            key = same_text(filled) or filled
            if key == asked:  # the question itself is no answer to it
                continue
            # An answer after other messages of the person may answer one of those instead.
            score = float(hit.get("score") or 0.0) / (1 + between)
            if key in by_text:
                by_text[key].score += score
                continue
            by_text[key] = Candidate(SuggestedReply(text=filled, source="history", contact=full or first or "",
                                                    answered_at=answer["ts"]), score)
        return sorted(by_text.values(), key=lambda c: -c.score)

    def answer_to(self, hit: dict[str, Any]) -> tuple[dict[str, Any], int] | None:
        """The user's first text sent after the question within a day, and how many messages of the
        person came in between (people often ask in several messages; the more, the less sure)."""
        between = 0
        for m in self.history.following(hit["rowid"], FOLLOWING):
            if m["ts"] - hit["ts"] > ANSWER_WITHIN_S:
                return None
            if m["direction"] == "out" and m["type"] == "text" and (m["text"] or "").strip():
                return m, between
            if m["direction"] == "in":
                between += 1
        return None

    async def from_templates(self, chat: str, words: list[str]) -> list[Candidate]:
        """Templates sharing words with the message: its shortcut or a word of its name or category
        weighs more than a word of its text; only templates that fill in for this contact."""
        if not words:
            return []
        wanted = set(words)
        out: list[Candidate] = []
        for t in await self.texts.all():
            head = set(terms(" ".join((t.shortcut.replace("-", " ").replace("_", " "), t.name, t.category))))
            body = set(terms(t.text))
            score = 2.0 * len(wanted & head) + 1.0 * len(wanted & (body - head))
            score += 0.5 * sum(1 for w in wanted - head - body if any(h.startswith(w) or w.startswith(h)
                                                                      for h in head | body if len(h) >= 4 and len(w) >= 4))
            if score <= 0:
                continue
            filled = await self.texts.fill(t.text, chat)
            if filled is None:
                continue
            out.append(Candidate(SuggestedReply(text=filled, source="template", template=t.name), score))
        out.sort(key=lambda c: -c.score)
        return out


def _alternate(a: list[SuggestedReply], b: list[SuggestedReply]) -> list[SuggestedReply]:
    out: list[SuggestedReply] = []
    for i in range(max(len(a), len(b))):
        out += [x[i] for x in (a, b) if i < len(x)]
    return out


def _dedupe(replies: list[SuggestedReply], limit: int) -> list[SuggestedReply]:
    out: list[SuggestedReply] = []
    seen: set[str] = set()
    for r in replies:
        key = same_text(r.text) or r.text
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out[:limit]


def _interleave(history: list[Candidate], templates: list[Candidate]) -> list[Candidate]:
    """history[0], templates[0], history[1], templates[1], ..."""
    out: list[Candidate] = []
    for i in range(max(len(history), len(templates))):
        out += [c[i] for c in (history, templates) if i < len(c)]
    return out
