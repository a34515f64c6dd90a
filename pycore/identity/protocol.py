"""Chat identity: a chat is a person, never a name.

The page names the open chat by its title; two people can share one. The core decides which
stored chat a page chat is from every signal the page gives (pycore.identity.resolve) and
links keys that turn out to name one chat (``chats.linked``). The tab asks here which chat-list
rows may be a chat it must open (``identity.match``) and whether the chat it opened is that one
(``identity.verify``) before it writes anything.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pycore.capture.protocol import ChatFacts
from pycore.chatkey import ChatKeyStr
from pycore.protocol.base import Command, Cut, Event, Model, command, event

How = Literal["jid", "phone", "drawer", "overlap", "hint", "title", "minted", "unique_title", "none"]


@event("chats.linked", tabs=True)
class ChatsLinked(Event):
    """Two keys named one chat: everything stored under ``alias`` now lives under ``canonical``
    (messages, chat record, health, outbox, opt-outs, consent, suggestions). Features that key
    their own records by chat move them on this event; references to ``alias`` keep resolving."""

    alias: str
    canonical: str
    how: How


class AliasRecord(Model):
    """A key proven to name the same chat as ``canonical`` (the ``aliases`` store): kept so the
    old key still resolves, and carried in the backup (a restore without it would split the chat)."""

    key: ChatKeyStr
    canonical: ChatKeyStr
    how: How
    at: float


class SeenRow(Model):
    """A chat-list row (or search result) as drawn: its name with emoji; headers are left out."""

    title: Cut(512) = Field(description="the row's name (title attribute, else its text with emoji)")


class MatchResult(Model):
    candidates: list[int] = Field(description="indexes of the rows that may be the chat, best first: open and verify each")
    twins: int = Field(description="rows showing the chat's own name (2+: the name alone cannot tell them apart)")


@command("identity.match", MatchResult, sources={"content"})
class IdentityMatch(Command):
    """Which of these rows may be ``chat`` (names compared normalised, never raw)."""

    chat: ChatKeyStr
    rows: list[SeenRow] = Field(max_length=200)
    by: Literal["list", "title", "phone"] = Field(
        default="list", description="where the rows come from: the chat list, or search results for the name or the phone")


Verdict = Literal["match", "other", "unknown", "read_drawer"]


class VerifyResult(Model):
    verdict: Verdict = Field(description="match: write; other: not this chat; unknown: cannot tell (never write); "
                             "read_drawer: read the contact-info drawer (ask ratelimit.hit scrape) and ask again")
    how: How = Field(description="the evidence the verdict rests on")
    key: str | None = Field(default=None, description="the stored chat the open chat is, when known")
    reason_pt: str
    reason_en: str


@command("identity.verify", VerifyResult, sources={"content"})
class IdentityVerify(Command):
    """Is the chat open now ``chat``? Decided from more than its title: a JID or phone the page
    shows, the drawer, or stored messages of that chat on screen."""

    chat: ChatKeyStr
    facts: ChatFacts
    rows: list[Cut(512)] = Field(default_factory=list, max_length=120,
                                 description="data-id / conv-msg testid of the open conversation's rows, in order")
