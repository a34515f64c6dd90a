"""The connection feature: the active tab's reports -> a state, events and ban signals; the
tab election; and the answer to "is WhatsApp there and connected?" for features that need it.

Only the elected active tab's reports count; the others are told to idle.
"""

from __future__ import annotations

import random
from typing import Callable

from pycore.bridge import current_request
from pycore.clock import Clock
from pycore.connection.election import TabElection
from pycore.connection.machine import BAN_REPEAT_SECONDS, BAN_TEXT, ConnectionMachine, ban_code, classify
from pycore.connection.protocol import (
    BanSignal,
    ConnectionChanged,
    ConnectionNow,
    ConnectionReport,
    ConnectionStatus,
    TabRole,
    TabRoleChanged,
    TabsState,
)
from pycore.protocol.base import CoreError
from pycore.storage.base import Storage

NO_TAB_TEXT = (
    "O WhatsApp Web não está aberto. Abra web.whatsapp.com numa aba e tente de novo.",
    "WhatsApp Web is not open. Open web.whatsapp.com in a tab and try again.",
)
BAN_META_KEY = "connection.ban_signal"


def tab_of(tab_id: str | None) -> str:
    """The tab a command is about: its own tab_id, else the tab the service worker stamped."""
    if tab_id:
        return tab_id
    req = current_request()
    if req is not None and req.tab_id is not None:
        return str(req.tab_id)
    raise CoreError("invalid_args", "tab_id is required when the request does not come from a tab")


class Connection:
    def __init__(self, storage: Storage, clock: Clock, rng: random.Random, emit: Callable) -> None:
        self.storage = storage
        self.clock = clock
        self.emit = emit
        self.machine = ConnectionMachine(rng=rng)
        self.election = TabElection()
        self._last_ban: dict[str, float] = {}
        self._shown: set[str] = set()  # ban codes on screen in the active tab's last report
        self._observed = False
        self._reported_at: float | None = None

    # -- what other features ask ------------------------------------------------------------
    def offline(self) -> bool:
        """The active tab said WhatsApp is loading, reconnecting or logged out (not just: no report yet,
        as after a core restart, when the tab has not spoken since)."""
        return self._observed and self.machine.state in ("loading", "reconnecting", "disconnected", "logged_out")

    def require_ready(self) -> None:
        """Work that needs the active tab (backfill, chat-list scan) is refused up front, in both
        languages, rather than queued for a tab that is not there or cannot act."""
        if self.election.active is None:
            pt, en = NO_TAB_TEXT
        elif self.machine.state != "connected":
            status = self.machine.status("none")
            pt, en = status.pt_BR, status.en
        else:
            return
        raise CoreError("whatsapp_not_ready", en, [{"pt_BR": pt, "en": en}])

    # -- the tabs -----------------------------------------------------------------------------
    def _announce(self, promoted: str | None) -> None:
        # Every tab hears it, the one that triggered it included: a tab promoted by its own report
        # (the active one went silent) would otherwise keep idling until its next hello.
        if promoted is not None:
            self.emit(TabRoleChanged(tab_id=promoted, role="active"))

    async def report(self, cmd: ConnectionReport) -> ConnectionStatus:
        now = self.clock.now()
        tab = tab_of(cmd.tab_id)
        role, promoted = self.election.hello(tab, now, cmd.doc)  # a report is also a sign of life
        self._announce(promoted)
        if role != "active":
            return self.machine.status("idle", code="idle_tab")
        showing = {code for code in map(ban_code, cmd.banners) if code}
        appeared, self._shown = showing - self._shown, showing
        for text in cmd.banners:
            code = ban_code(text)
            # A warning that appears is a signal (even right after the user resumed); one that
            # stays on screen is repeated at most every 10 minutes.
            if code and (code in appeared or now - self._last_ban.get(code, float("-inf")) >= BAN_REPEAT_SECONDS):
                appeared.discard(code)
                self._last_ban[code] = now
                pt, en = BAN_TEXT[code]
                signal = BanSignal(code=code, text=text[:500], pt_BR=pt, en=en, tab_id=tab, at=now)
                await self.storage.put("meta", {"key": BAN_META_KEY, "value": signal.model_dump()})
                self.emit(signal)
        before = (self.machine.state, self.machine.gave_up)
        status = self.machine.observe(classify(cmd), now)
        self._observed = True
        self._reported_at = cmd.observed_at
        if (self.machine.state, self.machine.gave_up) != before:
            self.emit(ConnectionChanged(**status.model_dump(), previous=before[0], at=now))
        return status

    async def hello(self, tab_id: str | None, doc: str | None = None) -> TabRole:
        tab = tab_of(tab_id)
        role, promoted = self.election.hello(tab, self.clock.now(), doc)
        self._announce(promoted)
        if role == "idle":
            self.emit(TabRoleChanged(tab_id=tab, role="idle"))
        return TabRole(tab_id=tab, role=role)

    async def bye(self, tab_id: str | None, doc: str | None = None) -> TabsState:
        self._announce(self.election.bye(tab_of(tab_id), doc))
        return self.tabs()

    def tabs(self) -> TabsState:
        return TabsState(active=self.election.active, tabs=list(self.election.tabs))

    async def now(self) -> ConnectionNow:
        return ConnectionNow(status=self.machine.status("none"), tabs=self.tabs(), reported_at=self._reported_at)
