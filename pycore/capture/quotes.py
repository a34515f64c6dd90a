"""Which stored message a quote refers to, when the quote block carries no id. Pure.

A quote shows its author and text. The quoted message is the newest message of the same chat,
before the quoting one, whose text is the quoted text (WhatsApp may draw a long one cut) and
whose author matches; none or several equally good candidates leave the reference unknown.
"""

from __future__ import annotations

from pycore.chatkey import display_title
from pycore.capture.interpret import YOU_LABELS


def _same_text(quoted: str, candidate: dict) -> bool:
    quoted, text = quoted.strip(), (candidate.get("text") or "").strip()
    if not quoted or not text:
        return False
    if text == quoted or (len(quoted) >= 40 and text.startswith(quoted.rstrip("… "))):
        return True
    # the original stored only up to "Read more" so far
    return not candidate.get("text_complete", True) and len(text) >= 40 and quoted.startswith(text)


def _same_author(author: str | None, candidate: dict) -> bool:
    if not author:
        return True
    if " ".join((author + ":").split()).casefold() in YOU_LABELS:  # "You" / "Você" in the quote
        return candidate.get("direction") == "out"
    return candidate.get("direction") == "in" and display_title(candidate.get("author") or "") == display_title(author)


def resolve(quote: dict, candidates: list[dict]) -> str | None:
    """The id of the message ``quote`` (MessageRecord fields) quotes, among ``candidates``."""
    text = quote.get("quoted")
    if not text:
        return None
    before = quote.get("ts")
    found = [
        c for c in candidates
        if c.get("id") != quote.get("id") and c.get("type") != "deleted" and _same_text(text, c)
        and _same_author(quote.get("quoted_author"), c) and (before is None or c.get("ts") is None or c["ts"] <= before + 60)
    ]
    if not found:
        return None
    found.sort(key=lambda c: (c.get("ts") or 0, c.get("seq") or 0))
    return found[-1]["id"]
