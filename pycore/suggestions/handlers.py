"""suggestion.*"""

from __future__ import annotations

from pycore.bridge import Register
from pycore.suggestions import protocol as p
from pycore.suggestions.service import Suggestions


def register(on: Register, suggestions: Suggestions) -> None:
    async def approve(cmd: p.SuggestionApprove) -> p.SuggestionResult:
        sent = await suggestions.approve(cmd.chat, cmd.text, cmd.mode == "send")
        return p.SuggestionResult(mode=cmd.mode, text=cmd.text, send=sent)

    async def offer(cmd: p.SuggestionOffer) -> p.Suggestion:
        return await suggestions.offer(cmd.chat, cmd.text)

    async def pending(cmd: p.SuggestionPending) -> p.SuggestionList:
        return p.SuggestionList(suggestions=await suggestions.pending())

    async def dismiss(cmd: p.SuggestionDismiss) -> p.SuggestionList:
        await suggestions.clear(cmd.chat)
        return p.SuggestionList(suggestions=await suggestions.pending())

    on(p.SuggestionApprove, approve)
    on(p.SuggestionOffer, offer)
    on(p.SuggestionPending, pending)
    on(p.SuggestionDismiss, dismiss)
