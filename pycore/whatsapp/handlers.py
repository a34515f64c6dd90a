"""selectors.get / selectors.override and selftest.report / selftest.last."""

from __future__ import annotations

from pycore.protocol.whatsapp import (
    GetLastSelfTest,
    GetSelectors,
    LastSelfTest,
    OverrideResult,
    OverrideSelectors,
    SelectorTable,
    SelfTestOutcome,
    SelfTestReport,
    SelfTestResult,
)
from pycore.whatsapp.selectors import selectors_json
from pycore.whatsapp.selftest import decide

SELFTEST_META_KEY = "whatsapp.selftest"  # the last outcome: the sender reads safe_mode from here after a restart
OVERRIDE_META_KEY = "whatsapp.selectors_override"


def install(core) -> None:
    async def get_selectors(cmd: GetSelectors):
        override = await core.storage.get("meta", OVERRIDE_META_KEY)
        return SelectorTable(**(override["value"] if override else selectors_json()))

    async def override(cmd: OverrideSelectors):
        if cmd.table is None:
            await core.storage.delete_many("meta", [OVERRIDE_META_KEY])
        else:
            await core.storage.put("meta", {"key": OVERRIDE_META_KEY, "value": cmd.table.model_dump()})
        return OverrideResult(active=cmd.table is not None)

    async def report(cmd: SelfTestReport):
        outcome = SelfTestOutcome(**decide(cmd.results, cmd.chat_open), at=core.clock.now())
        await core.storage.put("meta", {"key": SELFTEST_META_KEY, "value": outcome.model_dump(mode="json")})
        core.emit(SelfTestResult(**outcome.model_dump()))
        return outcome

    async def last(cmd: GetLastSelfTest):
        rec = await core.storage.get("meta", SELFTEST_META_KEY)
        return LastSelfTest(outcome=rec["value"] if rec else None)

    core.on(GetSelectors, get_selectors)
    core.on(OverrideSelectors, override)
    core.on(SelfTestReport, report)
    core.on(GetLastSelfTest, last)
