"""optout.list / optout.set / optout.history."""

from __future__ import annotations

from pycore.bridge import Register
from pycore.optout import protocol as p
from pycore.optout.service import Consent


def register(on: Register, consent: Consent) -> None:
    async def optout_list(cmd: p.OptoutList) -> p.OptoutListResult:
        records = await consent.list()
        return p.OptoutListResult(records=records, titles=await consent.titles([r.chat for r in records]))

    async def optout_set(cmd: p.OptoutSet) -> p.OptoutRecord:
        return await consent.set(cmd.chat, cmd.opted_out, cmd.note)

    async def optout_history(cmd: p.OptoutHistory) -> p.ConsentHistoryResult:
        return p.ConsentHistoryResult(events=await consent.history(cmd.chat))

    on(p.OptoutList, optout_list)
    on(p.OptoutSet, optout_set)
    on(p.OptoutHistory, optout_history)
