"""Connection manager: the page's observed facts -> a state, a recovery action and events.

Pure logic with an injected clock and rng. Recovery waits with exponential backoff
(WhatsApp reconnects by itself), reloads the page at most once per episode and once
per RELOAD_COOLDOWN overall, then gives up with a clear message: never a reload loop.
Only the elected active tab's reports count; the others are told to idle.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pycore.bridge import current_request
from pycore.protocol.base import CoreError

from pycore.protocol.connection import (
    BanSignal,
    ConnectionChanged,
    ConnectionReport,
    ConnectionNow,
    ConnectionStatus,
    GetConnectionState,
    TabBye,
    TabHello,
    TabRole,
    TabRoleChanged,
    TabsState,
)

MESSAGES = {
    "loading": ("Carregando o WhatsApp Web…", "Loading WhatsApp Web…"),
    "logged_out": ("Escaneie o QR code com o celular para conectar.", "Scan the QR code with your phone to connect."),
    "connected": ("Conectado.", "Connected."),
    "reconnecting": ("Sem conexão; tentando de novo em instantes.", "Connection lost; trying again shortly."),
    "disconnected": (
        "Sem conexão há muito tempo. Verifique a internet e o celular e recarregue a página quando puder.",
        "Disconnected for a long time. Check the internet and your phone, then reload the page when you can.",
    ),
    "other_window": (
        "O WhatsApp está aberto em outra janela; o Mettri pausou aqui.",
        "WhatsApp is open in another window; Mettri paused here.",
    ),
    "idle_tab": ("Outra aba do WhatsApp está ativa; esta fica em espera.", "Another WhatsApp tab is active; this one waits."),
}
BAN_PATTERNS = {
    "too_many_messages": re.compile(r"too many messages|muitas mensagens|mensagens demais|demasiados mensajes", re.I),
    "banned": re.compile(r"\bbanned\b|\bbanid[ao]\b|\bsuspens[ao]\b|\bsuspended\b", re.I),
}
BAN_TEXT = {
    "too_many_messages": (
        "O WhatsApp avisou que você está enviando mensagens demais: envios pausados.",
        "WhatsApp warned that you are sending too many messages: sending paused.",
    ),
    "banned": ("O WhatsApp indicou restrição na conta: envios pausados.", "WhatsApp signalled an account restriction: sending paused."),
}
BAN_REPEAT_SECONDS = 600.0  # the same warning re-emitted at most every 10 minutes
RELOAD_COOLDOWN = 1800.0


@dataclass(frozen=True)
class RecoveryPolicy:
    base: float = 5.0
    factor: float = 2.0
    cap: float = 120.0
    jitter: float = 0.2
    reload_at: int = 4  # the attempt on which one reload is allowed
    max_attempts: int = 7  # ~5 minutes of trying in all

    def delay(self, attempt: int, rng: random.Random) -> float:
        raw = min(self.cap, self.base * self.factor ** (attempt - 1))
        return round(raw * (1 + rng.uniform(-self.jitter, self.jitter)), 3)


OTHER_WINDOW = re.compile(r"open in another window|aberto em outra janela|abierto en otra ventana", re.I)


def classify(r: ConnectionReport) -> str:
    if r.other_window or any(OTHER_WINDOW.search(b) for b in r.banners):
        return "other_window"
    if r.qr:
        return "logged_out"
    if r.offline:
        return "disconnected"
    if r.logged_in and not r.loading:
        return "connected"
    return "loading"


def ban_code(text: str) -> str | None:
    for code, pattern in BAN_PATTERNS.items():
        if pattern.search(text):
            return code
    return None


@dataclass
class ConnectionMachine:
    rng: random.Random
    policy: RecoveryPolicy = field(default_factory=RecoveryPolicy)
    state: str = "loading"
    attempt: int = 0
    gave_up: bool = False
    next_check_at: float = 0.0
    reloaded_in_episode: bool = False
    last_reload_at: float = float("-inf")

    def status(self, action: str, retry_in: float | None = None, code: str | None = None) -> ConnectionStatus:
        code = code or self.state
        pt, en = MESSAGES[code]
        return ConnectionStatus(
            state=self.state, action=action, retry_in=retry_in, attempt=self.attempt, gave_up=self.gave_up,
            code=code, pt_BR=pt, en=en,
        )

    def observe(self, observed: str, now: float) -> ConnectionStatus:
        if observed != "disconnected":
            self.state, self.attempt, self.gave_up = observed, 0, False
            if observed == "connected":
                self.reloaded_in_episode = False
            return self.status("idle" if observed == "other_window" else "none")
        if self.state not in ("reconnecting", "disconnected"):
            self.state, self.attempt, self.gave_up = "reconnecting", 0, False
        if self.gave_up:
            return self.status("none")
        if self.attempt and now < self.next_check_at:
            return self.status("wait", round(self.next_check_at - now, 3))
        self.attempt += 1
        if self.attempt > self.policy.max_attempts:
            self.state, self.gave_up = "disconnected", True
            return self.status("give_up")
        delay = self.policy.delay(self.attempt, self.rng)
        self.next_check_at = now + delay
        if (
            self.attempt >= self.policy.reload_at
            and not self.reloaded_in_episode
            and now - self.last_reload_at >= RELOAD_COOLDOWN
        ):
            self.reloaded_in_episode, self.last_reload_at = True, now
            return self.status("reload", delay)
        return self.status("wait", delay)


@dataclass
class TabElection:
    """The first tab to say hello is active; others idle; the oldest idle takes over when
    the active one says bye or has not been heard of for STALE_SECONDS (a crashed tab)."""

    STALE_SECONDS = 90.0
    tabs: list[str] = field(default_factory=list)
    heard: dict[str, float] = field(default_factory=dict)

    @property
    def active(self) -> str | None:
        return self.tabs[0] if self.tabs else None

    def hello(self, tab: str, now: float) -> tuple[str, str | None]:
        """(this tab's role, a tab that was just promoted, if another one)."""
        promoted = None
        if self.active not in (None, tab) and now - self.heard[self.active] > self.STALE_SECONDS:
            promoted = self.bye(self.active)
        if tab not in self.tabs:
            self.tabs.append(tab)
        self.heard[tab] = now
        return ("active" if tab == self.active else "idle"), (promoted if promoted != tab else None)

    def bye(self, tab: str) -> str | None:
        """Remove a tab; return the tab that just became active, if any."""
        was_active = tab == self.active
        if tab in self.tabs:
            self.tabs.remove(tab)
            self.heard.pop(tab, None)
        return self.active if was_active else None


def tab_of(cmd) -> str:
    """The tab a command is about: its own tab_id, else the tab the service worker stamped."""
    if cmd.tab_id:
        return cmd.tab_id
    req = current_request()
    if req is not None and req.tab_id is not None:
        return str(req.tab_id)
    raise CoreError("invalid_args", "tab_id is required when the request does not come from a tab")


def install(core) -> None:
    machine = ConnectionMachine(rng=core.services.rng)
    election = TabElection()
    last_ban: dict[str, float] = {}
    shown_before: list[str] = []  # ban codes on screen in the active tab's last report

    def announce(promoted: str | None) -> None:
        if promoted is not None:
            core.emit(TabRoleChanged(tab_id=promoted, role="active"))

    async def report(cmd: ConnectionReport) -> ConnectionStatus:
        now = core.clock.now()
        tab = tab_of(cmd)
        role, promoted = election.hello(tab, now)  # a report is also a sign of life
        announce(promoted)
        if role != "active":
            return machine.status("idle", code="idle_tab")
        showing = {code for code in map(ban_code, cmd.banners) if code}
        appeared, shown_before[:] = showing - set(shown_before), sorted(showing)
        for text in cmd.banners:
            code = ban_code(text)
            # a warning that appears is a signal (even right after the user resumed); one that
            # stays on screen is repeated at most every 10 minutes
            if code and (code in appeared or now - last_ban.get(code, float("-inf")) >= BAN_REPEAT_SECONDS):
                appeared.discard(code)
                last_ban[code] = now
                pt, en = BAN_TEXT[code]
                signal = BanSignal(code=code, text=text[:500], pt_BR=pt, en=en, tab_id=tab, at=now)
                await core.storage.put("meta", {"key": "connection.ban_signal", "value": signal.model_dump()})
                core.emit(signal)
        before = (machine.state, machine.gave_up)
        status = machine.observe(classify(cmd), now)
        if (machine.state, machine.gave_up) != before:
            core.emit(ConnectionChanged(**status.model_dump(), previous=before[0], at=now))
        return status

    async def hello(cmd: TabHello) -> TabRole:
        tab = tab_of(cmd)
        role, promoted = election.hello(tab, core.clock.now())
        announce(promoted)
        if role == "idle":
            core.emit(TabRoleChanged(tab_id=tab, role="idle"))
        return TabRole(tab_id=tab, role=role)

    async def bye(cmd: TabBye) -> TabsState:
        announce(election.bye(tab_of(cmd)))
        return TabsState(active=election.active, tabs=list(election.tabs))

    async def state(cmd: GetConnectionState) -> ConnectionNow:
        return ConnectionNow(
            status=machine.status("none"), tabs=TabsState(active=election.active, tabs=list(election.tabs))
        )

    core.connection = machine
    core.tabs = election
    core.on(GetConnectionState, state)
    core.on(ConnectionReport, report)
    core.on(TabHello, hello)
    core.on(TabBye, bye)


NO_TAB_TEXT = (
    "O WhatsApp Web não está aberto. Abra web.whatsapp.com numa aba e tente de novo.",
    "WhatsApp Web is not open. Open web.whatsapp.com in a tab and try again.",
)


def require_whatsapp(core) -> None:
    """Work that needs the active tab (backfill, chat-list scan) is refused up front, in both
    languages, rather than queued for a tab that is not there or cannot act."""
    if core.tabs.active is None:
        pt, en = NO_TAB_TEXT
    elif core.connection.state != "connected":
        status = core.connection.status("none")
        pt, en = status.pt_BR, status.en
    else:
        return
    raise CoreError("whatsapp_not_ready", en, [{"pt_BR": pt, "en": en}])
