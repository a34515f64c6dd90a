"""selectors.get and selftest.report."""

from __future__ import annotations

from pycore.protocol.whatsapp import GetSelectors, SelectorTable, SelfTestOutcome, SelfTestReport, SelfTestResult
from pycore.whatsapp.selectors import selectors_json
from pycore.whatsapp.selftest import decide

SELFTEST_META_KEY = "whatsapp.selftest"  # the last outcome: the sender reads safe_mode from here after a restart


def install(core) -> None:
    async def get_selectors(cmd: GetSelectors):
        return SelectorTable(**selectors_json())

    async def report(cmd: SelfTestReport):
        outcome = SelfTestOutcome(**decide(cmd.results, cmd.chat_open), at=core.clock.now())
        await core.storage.put("meta", {"key": SELFTEST_META_KEY, "value": outcome.model_dump(mode="json")})
        core.emit(SelfTestResult(**outcome.model_dump()))
        return outcome

    core.on(GetSelectors, get_selectors)
    core.on(SelfTestReport, report)
