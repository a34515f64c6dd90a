"""Connection state, multi-tab election and ban signals."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pycore.protocol.base import Command, Event, Model, command, event

State = Literal["loading", "logged_out", "connected", "disconnected", "reconnecting", "other_window"]
Action = Literal["none", "wait", "reload", "give_up", "idle"]
# Optional: for content-script requests the service worker stamps the tab, and the core uses that.
TabId = Field(default=None, min_length=1, max_length=64)
# The page a tab shows (a reload keeps the tab id): a random id the content script picks at start.
Doc = Field(default=None, min_length=1, max_length=64, description="the page (document) the tab shows now")


class ConnectionStatus(Model):
    state: State
    action: Action = Field(description="what the content script should do now")
    retry_in: float | None = Field(default=None, description="report again after this many seconds")
    attempt: int = 0
    gave_up: bool = False
    code: str = Field(description="stable code of the state's explanation")
    pt_BR: str
    en: str


@command("connection.report", ConnectionStatus, sources={"content"})
class ConnectionReport(Command):
    """What the content script sees (from MettriReadDom.probe and page text)."""

    tab_id: str | None = TabId
    doc: str | None = Doc
    logged_in: bool = Field(description="#pane-side / #side present")
    qr: bool = Field(default=False, description="the QR code canvas is shown")
    loading: bool = Field(default=False, description="splash screen or neither QR nor chats yet")
    offline: bool = Field(default=False, description="an offline banner (alert-computer / alert-phone) is shown")
    other_window: bool = Field(default=False, description='"WhatsApp is open in another window" screen')
    banners: list[str] = Field(default_factory=list, max_length=20, description="texts of banners / toasts / popups")
    observed_at: float


class ConnectionNow(Model):
    status: ConnectionStatus
    tabs: "TabsState"
    reported_at: float | None = Field(
        default=None, description="when the active tab observed what it last reported (its clock); None before any report"
    )


@command("connection.state", ConnectionNow)
class GetConnectionState(Command):
    """The current connection state and the tab election, for pages and diagnostics."""


@event("connection.changed")
class ConnectionChanged(ConnectionStatus):
    previous: State | None = None
    at: float


@event("connection.ban_signal")
class BanSignal(Event):
    """WhatsApp warned about the account (e.g. "You're sending too many messages"): the sender must pause."""

    code: Literal["too_many_messages", "banned"]
    text: str
    pt_BR: str
    en: str
    tab_id: str
    at: float


class TabRole(Model):
    tab_id: str
    role: Literal["active", "idle"]


@command("tabs.hello", TabRole, sources={"content"})
class TabHello(Command):
    """A WhatsApp Web tab started (or is still alive): the core says whether it is the active one."""

    tab_id: str | None = TabId
    doc: str | None = Doc


class TabsState(Model):
    active: str | None
    tabs: list[str]


@command("tabs.bye", TabsState, sources={"content"})
class TabBye(Command):
    """A tab's page is gone (closed, reloaded, crashed: the service worker says so when the page's
    port drops); if it was active, the next oldest takes over at once and is told (tabs.role)."""

    tab_id: str | None = TabId
    doc: str | None = Doc


@event("tabs.role", tabs=True)
class TabRoleChanged(TabRole):
    """Sent to the tab whose role changed: idle tabs stop capturing and sending."""


ConnectionNow.model_rebuild()
