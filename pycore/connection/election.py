"""Which WhatsApp tab acts: one at a time."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TabElection:
    """The first tab to say hello is active; others idle; the oldest idle takes over when the
    active one says bye (its page closed, reloaded or crashed: the service worker says bye for a
    page whose port dropped) or has not been heard of for STALE_SECONDS (a hung page).

    ``doc`` names the page a tab shows (a reload keeps the tab, not the page): a bye for a page
    that is no longer the tab's current one is ignored, so a late bye never removes the reloaded page."""

    STALE_SECONDS = 90.0
    tabs: list[str] = field(default_factory=list)
    heard: dict[str, float] = field(default_factory=dict)
    docs: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> str | None:
        return self.tabs[0] if self.tabs else None

    def hello(self, tab: str, now: float, doc: str | None = None) -> tuple[str, str | None]:
        """(this tab's role, the tab that took over from a silent one through this call, if any:
        announce it, even when it is the caller, whose own request (a report) may not say so)."""
        promoted = None
        if self.active not in (None, tab) and now - self.heard[self.active] > self.STALE_SECONDS:
            promoted = self.bye(self.active)
        if tab not in self.tabs:
            self.tabs.append(tab)
        self.heard[tab] = now
        if doc:
            self.docs[tab] = doc
        return ("active" if tab == self.active else "idle"), promoted

    def bye(self, tab: str, doc: str | None = None) -> str | None:
        """Remove a tab; return the tab that just became active, if any."""
        if doc and self.docs.get(tab) not in (None, doc):
            return None  # the tab shows a newer page already
        was_active = tab == self.active
        if tab in self.tabs:
            self.tabs.remove(tab)
            self.heard.pop(tab, None)
            self.docs.pop(tab, None)
        return self.active if was_active else None
