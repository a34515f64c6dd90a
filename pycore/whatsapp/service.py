"""The selector table the content script uses (shipped, or overridden by support) and the
self-test's outcome: read-only safe mode when the page's shape cannot be trusted."""

from __future__ import annotations

from typing import Callable

from pycore.clock import Clock
from pycore.storage.base import Storage
from pycore.whatsapp.protocol import LastSelfTest, OverrideResult, SelectorTable, SelfTestOutcome, SelfTestResult
from pycore.whatsapp.selectors import selectors_json
from pycore.whatsapp.selftest import decide

SELFTEST_META_KEY = "whatsapp.selftest"  # the last outcome: read-only mode survives a restart
OVERRIDE_META_KEY = "whatsapp.selectors_override"


class WhatsAppPage:
    def __init__(self, storage: Storage, clock: Clock, emit: Callable) -> None:
        self.storage = storage
        self.clock = clock
        self.emit = emit
        self._read_only = False
        self._last_send_ok: bool | None = None  # the verdict of the last check made with a chat open

    async def start(self) -> None:
        rec = await self.storage.get("meta", SELFTEST_META_KEY)
        value = (rec or {}).get("value") or {}
        self._read_only = bool(value.get("safe_mode"))
        self._last_send_ok = value.get("last_send_ok")

    def read_only(self) -> bool:
        """The last self-test could not find the composer or send button with certainty."""
        return self._read_only

    async def selectors(self) -> SelectorTable:
        override = await self.storage.get("meta", OVERRIDE_META_KEY)
        return SelectorTable.model_validate(override["value"] if override else selectors_json())

    async def override(self, table: SelectorTable | None) -> OverrideResult:
        if table is None:
            await self.storage.delete_many("meta", [OVERRIDE_META_KEY])
        else:
            await self.storage.put("meta", {"key": OVERRIDE_META_KEY, "value": table.model_dump()})
        return OverrideResult(active=table is not None)

    async def report(self, results, chat_open: bool) -> SelfTestOutcome:
        decided = decide(results, chat_open, self._last_send_ok)
        if chat_open:
            self._last_send_ok = decided["send_ok"]
        outcome = SelfTestOutcome(**decided, at=self.clock.now(), chat_open=chat_open, last_send_ok=self._last_send_ok)
        await self.storage.put("meta", {"key": SELFTEST_META_KEY, "value": outcome.model_dump(mode="json")})
        self._read_only = outcome.safe_mode
        self.emit(SelfTestResult(**outcome.model_dump()))
        return outcome

    async def last(self) -> LastSelfTest:
        rec = await self.storage.get("meta", SELFTEST_META_KEY)
        return LastSelfTest(outcome=rec["value"] if rec else None)
