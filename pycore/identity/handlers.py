"""identity.match, identity.verify."""

from __future__ import annotations

from pycore.bridge import Register
from pycore.identity import protocol as p
from pycore.identity.service import ChatIdentity


def register(on: Register, identity: ChatIdentity) -> None:
    async def match(cmd: p.IdentityMatch) -> p.MatchResult:
        return await identity.match(cmd.chat, cmd.rows, cmd.by)

    async def verify(cmd: p.IdentityVerify) -> p.VerifyResult:
        return await identity.verify(cmd.chat, cmd.facts, cmd.rows)

    on(p.IdentityMatch, match)
    on(p.IdentityVerify, verify)
