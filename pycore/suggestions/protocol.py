"""Suggested replies waiting for the user's click (one per chat)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pycore.chatkey import ChatKeyStr
from pycore.protocol.base import Command, Event, Model, command, event
from pycore.sending.protocol import TEXT_FIELD, SendResult


class SuggestionResult(Model):
    mode: Literal["insert", "send"]
    text: str
    send: SendResult | None = None


@command("suggestion.approve", SuggestionResult)
class SuggestionApprove(Command):
    """The user approved a suggested reply: insert it in the composer, or send it through the gate."""

    chat: ChatKeyStr
    text: str = TEXT_FIELD
    mode: Literal["insert", "send"] = "insert"


ReplySource = Literal["history", "template", "manual"]


class SuggestedReply(Model):
    """One proposed reply and where it came from (the bar labels it)."""

    text: str
    source: ReplySource = Field(description="history: what the user answered before; template: a saved template; manual: offered by hand")
    contact: str = Field(default="", description="history: whom the user answered then")
    answered_at: float | None = Field(default=None, description="history: when (epoch seconds; the page writes the date)")
    template: str = Field(default="", description="template: its name")


class Suggestion(Model):
    chat: str
    chat_title: str = Field(description="how the tab recognises the open chat")
    text: str = Field(description="the first reply's text")
    offered_at: float
    replies: list[SuggestedReply] = Field(default_factory=list, description="up to three, best first (text is the first's)")


class SuggestionList(Model):
    suggestions: list[Suggestion]


@command("suggestion.offer", Suggestion, sources={"page"})
class SuggestionOffer(Command):
    """Keep a suggested reply for a chat (one per chat): the tab shows it with approve buttons. Nothing is sent."""

    chat: ChatKeyStr
    text: str = Field(min_length=1, max_length=70_000)


@command("suggestion.pending", SuggestionList)
class SuggestionPending(Command):
    """Every suggestion still waiting for a click (the tab asks when it starts)."""


@command("suggestion.dismiss", SuggestionList)
class SuggestionDismiss(Command):
    """The user dismissed the suggestion of ``chat``; returns what is left."""

    chat: ChatKeyStr


@event("suggestion.offered")
class SuggestionOffered(Event):
    suggestion: Suggestion


@event("suggestion.cleared")
class SuggestionCleared(Event):
    """Approved or dismissed: the tab removes its bar."""

    chat: str
