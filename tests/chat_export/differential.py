"""Mettri's export parser against whatsapp-chat-parser (npm, pinned in package-lock.json).

Both read the same generated files; every message both claim is compared on count, date,
author and text. Where they differ by design, the difference has a name here and in
docs/chat-export-formats.md; anything else is a failure.

    python -m tests.chat_export.differential     # prints the comparison as JSON
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path

from pycore.chat_export import parse_export
from pycore.chatkey import display_title
from tests.chat_export.generate import STYLES, Export, make_corpus, pick_chat, render

HERE = Path(__file__).resolve().parent
LIB = HERE / "node_modules" / "whatsapp-chat-parser"

# Differences that are decisions, not bugs (see docs/chat-export-formats.md).
KNOWN = {
    # iOS writes system lines under the chat's name; the library takes that name as the author.
    "ios_system_author",
    # The library keeps the file's final newline as an empty last line of the last message.
    "last_message_trailing_newline",
    # The library's "name.ext (file attached)" pattern needs a name without spaces ("Tabela de preços.xlsx").
    "attachment_name_with_space",
}


def lib_parse(jobs: list[tuple[str, bool | None]]) -> list[list[dict]]:
    """whatsapp-chat-parser's reading of each (text, daysFirst) in one Node process."""
    if not LIB.is_dir():
        raise RuntimeError(f"{LIB} is missing: run ./scripts/setup.sh (npm ci in tests/chat_export)")
    payload = json.dumps([{"text": t, "daysFirst": d} for t, d in jobs])
    done = subprocess.run(["node", str(HERE / "lib_parse.mjs")], input=payload.encode(), capture_output=True,
                          cwd=HERE, env={**os.environ, "TZ": "UTC"}, timeout=120, check=False)
    if done.returncode:
        raise RuntimeError(done.stderr.decode(errors="replace")[-2000:])
    return json.loads(done.stdout)


def cases() -> list[tuple[str, Export]]:
    """Every generated format, on a 1:1 chat, a group and a short chat whose dates are ambiguous."""
    corpus = make_corpus()
    user, group, small = pick_chat(corpus, "user"), pick_chat(corpus, "group"), pick_chat(corpus, "user", index=8)
    out = []
    for style in STYLES.values():
        out.append((f"{style.name}/user", render(corpus, user, style, shift_days=40)))
        out.append((f"{style.name}/group", render(corpus, group, style, shift_days=-100)))
        out.append((f"{style.name}/ambiguous", render(corpus, small, style, shift_days=-5)))
    return out


def compare(name: str, export: Export, ours, theirs: list[dict]) -> dict:
    """The differences between the two readings of one file, by kind."""
    diffs: Counter = Counter()
    examples: dict[str, str] = {}

    def differ(kind: str, detail: str) -> None:
        diffs[kind] += 1
        examples.setdefault(kind, f"{name}: {detail}"[:300])

    mine = ours.messages
    if len(mine) != len(theirs):
        differ("count", f"{len(mine)} vs {len(theirs)}")
    for i, (m, t) in enumerate(zip(mine, theirs)):
        if t["date"] != m.local.isoformat():
            differ("date", f"line {m.line}: {m.local.isoformat()} vs {t['date']}")
        text = t["message"]
        if i == len(mine) - 1 and text != m.raw and text.rstrip("\n") == m.raw:
            differ("last_message_trailing_newline", repr(text[-20:]))
            text = text.rstrip("\n")
        if text != m.raw:
            differ("text", f"line {m.line}: {m.raw[:60]!r} vs {text[:60]!r}")
        their_author = display_title(t["author"]) if t["author"] is not None else None
        if m.author != their_author:
            if (m.kind == "system" and ours.format.platform == "ios" and their_author == export.chat_name):
                differ("ios_system_author", f"line {m.line}: library author {their_author!r}")
            else:
                differ("author", f"line {m.line}: {m.author!r} vs {their_author!r}")
        mine_file = m.media.name if m.media else None
        if mine_file != t["attachment"]:
            if t["attachment"] is None and mine_file and " " in mine_file:
                differ("attachment_name_with_space", mine_file)
            else:
                differ("attachment", f"line {m.line}: {mine_file!r} vs {t['attachment']!r}")
    facts = {"system": sum(m.kind == "system" for m in mine),
             # Android's "name.ext (file attached)" form; iOS's "<attached: name>" the library reads with spaces
             "attachments_with_space": 0 if ours.format.platform == "ios" else
             sum(bool(m.media and m.media.name and " " in m.media.name) for m in mine),
             "platform": ours.format.platform}
    return {"diffs": dict(diffs), "examples": examples, **facts}


def run() -> dict:
    """Both parsers over every case: per case the counts and the differences."""
    pairs = []
    for name, export in cases():
        ours = parse_export(export.data, export.file_name)
        days_first = None
        if ours.needs_date_order:  # the user's answer (the truth), given to both
            ours = parse_export(export.data, export.file_name, date_order=export.style.date_order)
            days_first = export.style.date_order == "dmy"
        pairs.append((name, export, ours, days_first))
    theirs = lib_parse([(export.text, days_first) for _, export, _, days_first in pairs])
    guesses = lib_parse([(export.text, None) for _, export, ours, d in pairs if d is not None])
    report = {}
    ambiguous = iter(guesses)
    for (name, export, ours, days_first), parsed in zip(pairs, theirs):
        entry = {"style": export.style.name, "lib_understands": export.style.lib_understands,
                 "messages": len(ours.messages), "lib_messages": len(parsed), **compare(name, export, ours, parsed)}
        if days_first is not None:  # what the library guesses on its own when the file cannot tell
            guess = next(ambiguous)
            entry["lib_guess_right"] = [g["date"] for g in guess] == [p["date"] for p in parsed]
        report[name] = entry
    return report


if __name__ == "__main__":
    print(json.dumps(run(), indent=1, ensure_ascii=False))
