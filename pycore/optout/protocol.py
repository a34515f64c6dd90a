"""Opt-out / consent: the suppression list the send gate honours, with its history."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pycore.chatkey import ChatKeyStr
from pycore.protocol.base import Command, Event, Model, command, event


class OptoutRecord(Model):
    chat: str
    opted_out: bool
    since: float
    source: str


class OptoutListResult(Model):
    records: list[OptoutRecord]
    titles: dict[str, str] = Field(
        default_factory=dict, description="each listed chat's name as WhatsApp shows it (a number never seen with a name: "
        "as people write it), by chat key (pages never parse keys)"
    )


@command("optout.list", OptoutListResult, sources={"page"})
class OptoutList(Command):
    """The suppression list (contacts who asked not to receive messages)."""


@command("optout.set", OptoutRecord, sources={"page"})
class OptoutSet(Command):
    """The user records an opt-out or an opt-in (e.g. the contact asked in person)."""

    chat: ChatKeyStr
    opted_out: bool
    note: str = Field(default="", max_length=500)


class ConsentEvent(Model):
    id: str
    chat: str
    ts: float
    kind: Literal["opt_out", "opt_in"]
    source: Literal["message", "user"]
    text: str


class ConsentHistoryResult(Model):
    events: list[ConsentEvent]


@command("optout.history", ConsentHistoryResult, sources={"page"})
class OptoutHistory(Command):
    """Consent history of one chat, oldest first."""

    chat: ChatKeyStr


@event("optout.changed")
class OptoutChanged(Event):
    chat: str
    opted_out: bool
    source: str
