"""selectors.get / selectors.override and selftest.report / selftest.last."""

from __future__ import annotations

from pycore.bridge import Register
from pycore.whatsapp import protocol as p
from pycore.whatsapp.service import WhatsAppPage


def register(on: Register, page: WhatsAppPage) -> None:
    async def get_selectors(cmd: p.GetSelectors) -> p.SelectorTable:
        return await page.selectors()

    async def override(cmd: p.OverrideSelectors) -> p.OverrideResult:
        return await page.override(cmd.table)

    async def report(cmd: p.SelfTestReport) -> p.SelfTestOutcome:
        return await page.report(cmd.results, cmd.chat_open)

    async def last(cmd: p.GetLastSelfTest) -> p.LastSelfTest:
        return await page.last()

    on(p.GetSelectors, get_selectors)
    on(p.OverrideSelectors, override)
    on(p.SelfTestReport, report)
    on(p.GetLastSelfTest, last)
