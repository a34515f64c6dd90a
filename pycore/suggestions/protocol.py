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


ReplySource = Literal["history", "template", "model", "manual"]


class SuggestedReply(Model):
    """One proposed reply and where it came from (the bar labels it)."""

    text: str
    source: ReplySource = Field(description="history: what the user answered before; template: a saved template; "
                                "model: the language model the user turned on; manual: offered by hand")
    contact: str = Field(default="", description="history: whom the user answered then")
    answered_at: float | None = Field(default=None, description="history: when (epoch seconds; the page writes the date)")
    template: str = Field(default="", description="template: its name")


class ModelNote(Model):
    """Why the language model gave no reply this time, in both languages (the bar shows it)."""

    code: str
    pt_BR: str
    en: str


ModelState = Literal["off", "asking", "answered", "failed"]


class Suggestion(Model):
    chat: str
    chat_title: str = Field(description="how the tab recognises the open chat")
    text: str = Field(description="the first reply's text")
    offered_at: float
    replies: list[SuggestedReply] = Field(default_factory=list, description="up to three, best first (text is the first's)")
    model: ModelState = Field(default="off", description="the language model: off (not asked), asking (replies may "
                              "follow), answered, failed (see note; the local replies stand)")
    note: ModelNote | None = None


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


@event("suggestion.offered", tabs=True)
class SuggestionOffered(Event):
    suggestion: Suggestion


@event("suggestion.cleared", tabs=True)
class SuggestionCleared(Event):
    """Approved or dismissed: the tab removes its bar."""

    chat: str


# -- the language model (off by default) -----------------------------------------------------------
ModelProvider = Literal["endpoint", "builtin"]


class ModelSettings(Model):
    """The language-model source of suggestions. The API key is not here: it stays in the browser's
    extension storage (chrome.storage.local) and never reaches the core's database or a backup."""

    enabled: bool = False
    provider: ModelProvider = Field(default="endpoint", description="endpoint: an OpenAI-compatible URL; builtin: Chrome's on-device model")
    endpoint: str = Field(default="", max_length=2000, description="base URL (…/v1) or the full …/chat/completions URL")
    model: str = Field(default="", max_length=200)
    timeout_s: float = Field(default=8.0, ge=0.5, le=60)


class ModelSettingsPatch(Model):
    enabled: bool | None = None
    provider: ModelProvider | None = None
    endpoint: str | None = Field(default=None, max_length=2000)
    model: str | None = Field(default=None, max_length=200)
    timeout_s: float | None = Field(default=None, ge=0.5, le=60)


class ModelSettingsResult(Model):
    settings: ModelSettings
    url: str = Field(description="where requests go (the chat-completions URL), \"\" when none")
    origin: str = Field(description="the host permission pattern to request for it (scheme://host/*), \"\" when none")


@command("suggestion.model.get", ModelSettingsResult, sources={"page"})
class ModelSettingsGet(Command):
    """The language model's settings (off by default)."""


@command("suggestion.model.set", ModelSettingsResult, sources={"page"})
class ModelSettingsSet(Command):
    """Change the language model's settings; a bad URL gets a clear error in both languages."""

    values: ModelSettingsPatch


class ChatMessage(Model):
    role: Literal["system", "user", "assistant"]
    content: str


class ModelPreview(Model):
    """Exactly what would be sent for a chat (the key is never shown: the request carries it from the browser's storage)."""

    url: str
    model: str
    provider: ModelProvider
    messages: list[ChatMessage]
    body: str = Field(description="the request body as sent (JSON)")


@command("suggestion.model.preview", ModelPreview, sources={"page"})
class ModelPreviewCmd(Command):
    """The prompt the model would get for ``chat`` now (the options page shows it before the user turns it on)."""

    chat: ChatKeyStr
