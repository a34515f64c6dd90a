"""Which WhatsApp tab acts: one at a time."""

from __future__ import annotations

from dataclasses import dataclass, field


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
