"""Connection manager: the page's observed facts -> a state and a recovery action.

Pure logic with an injected rng. Recovery waits with exponential backoff (WhatsApp
reconnects by itself), reloads the page at most once per episode and once per
RELOAD_COOLDOWN overall, then gives up with a clear message: never a reload loop.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from pycore.connection.protocol import ConnectionReport, ConnectionStatus

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
