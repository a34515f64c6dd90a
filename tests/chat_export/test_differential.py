"""Mettri's export parser agrees with whatsapp-chat-parser (npm, pinned) on every generated
file whose format the library understands: same count, dates, authors and texts; the only
differences are the documented ones (docs/chat-export-formats.md), each exactly where expected.
Needs Node and tests/chat_export/node_modules (scripts/setup.sh installs them)."""

from __future__ import annotations

import pytest

from tests.chat_export.differential import KNOWN, run


@pytest.fixture(scope="module")
def report():
    return run()


def test_every_format_is_compared(report):
    from tests.chat_export.generate import STYLES

    assert {entry["style"] for entry in report.values()} == set(STYLES)
    assert sum(entry["messages"] for entry in report.values()) > 15_000


def test_agreement_where_the_library_understands_the_format(report):
    understood = {name: e for name, e in report.items() if e["lib_understands"]}
    assert len(understood) >= 60
    for name, entry in understood.items():
        assert entry["messages"] == entry["lib_messages"], name
        unexplained = set(entry["diffs"]) - KNOWN
        assert not unexplained, (name, entry["examples"])


def test_known_differences_are_exactly_where_documented(report):
    for name, entry in report.items():
        if not entry["lib_understands"]:
            continue
        diffs = entry["diffs"]
        # iOS only, and on every system line (the library names the chat as their author)
        assert diffs.get("ios_system_author", 0) == (entry["system"] if entry["platform"] == "ios" else 0), name
        # every generated file ends with a newline, which the library adds to the last message
        assert diffs.get("last_message_trailing_newline") == 1, name
        # the library finds no Android attachment whose name has a space; every other one matches
        assert diffs.get("attachment_name_with_space", 0) == entry["attachments_with_space"], name


def test_the_library_misreads_pt_br_day_periods(report):
    periods = {name: e for name, e in report.items() if not e["lib_understands"]}
    assert {e["style"] for e in periods.values()} == {"android_pt_periods", "ios_pt_periods"}
    for name, entry in periods.items():
        # "2:30 da tarde - Ana: oi": the library takes "da tarde - Ana" for the author and 2:30 for the hour
        assert entry["diffs"]["author"] >= entry["messages"] - entry["system"] - 1, name
        assert entry["diffs"]["date"] > 0, name
        assert entry["messages"] == entry["lib_messages"], name
