"""Long work in steps (pycore/steps.py): the same result at once or in turns, and other tasks
answered between the turns. The export's parser and its rows are written that way."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from pycore import steps
from pycore.chat_export import ChatExportError, parse_export, parse_export_steps, parser
from pycore.clock import FakeClock
from pycore.history_import import rows as rows_
from tests.chat_export import generate as g


def counting(n: int, log: list[str]):
    total = 0
    for part in steps.parts(range(n), 4):
        total += sum(part)
        log.append(f"step {len(part)}")
        yield
    return total


def test_parts_cut_any_iterable_into_lists_of_a_size():
    assert list(steps.parts(iter(range(7)), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(steps.parts([], 3)) == []


def test_finish_and_in_turns_give_the_same_result_and_in_turns_lets_others_in():
    assert steps.finish(counting(10, [])) == 45

    async def scenario():
        log: list[str] = []

        async def other():
            for _ in range(5):
                log.append("other")
                await asyncio.sleep(0)

        helper = asyncio.create_task(other())
        total = await steps.in_turns(counting(10, log), FakeClock())
        await helper
        return total, log

    total, log = asyncio.run(scenario())
    assert total == 45
    assert log.index("other") < log.index("step 2")  # the other task ran between two steps


def run_counted(gen):
    """The steps run to the end: how many there were, and the result."""
    n = 0
    while True:
        try:
            next(gen)
        except StopIteration as done:
            return n, done.value
        n += 1


@pytest.fixture(scope="module")
def export():
    return g.big_export(1_200, seed=3)


def test_the_parser_in_steps_reads_exactly_what_it_reads_at_once(export, monkeypatch):
    whole = parse_export(export.data, export.file_name)
    monkeypatch.setattr(steps, "PIECE", 100)
    n, result = run_counted(parse_export_steps(export.data, export.file_name))
    assert n >= 2 * len(whole.messages) // 100  # a step per piece of lines and per piece of messages
    assert result.messages == whole.messages and result.authors == whole.authors and result.format == whole.format


def test_an_exports_rows_in_steps_are_the_rows_built_at_once(export, monkeypatch):
    parsed = parse_export(export.data, export.file_name)
    roles = {a.name: "me" if i == 0 else "contact" for i, a in enumerate(parsed.authors)}
    whole = rows_.build(parsed, "5511999990000@c.us", False, roles, -180)
    monkeypatch.setattr(steps, "PIECE", 100)
    n, rows = run_counted(rows_.build_steps(parsed, "5511999990000@c.us", False, roles, -180))
    assert n >= 3 * len(parsed.messages) // 100
    assert rows == whole and len({f["id"] for f in rows.fields}) == len(rows.fields)


def test_a_bad_file_is_refused_in_steps_as_at_once():
    with pytest.raises(Exception) as at_once:
        parse_export(b"not an export at all\n", "x.txt")
    with pytest.raises(type(at_once.value)) as stepped:
        steps.finish(parse_export_steps(b"not an export at all\n", "x.txt"))
    assert stepped.value.code == at_once.value.code == "not_chat_export"


FIXTURES = Path(g.__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def small_corpus():
    return g.make_corpus(messages=300, chats=4)


@pytest.mark.parametrize("style", sorted(g.STYLES))
def test_the_text_split_a_piece_at_a_time_reads_as_the_whole_texts_split(style, small_corpus, monkeypatch):
    # Pieces of 97 characters: cuts fall inside nearly every message, and every one must move to the
    # next message line (multi-line texts, system lines, iOS and Android headers, every encoding).
    chat = g.pick_chat(small_corpus, "group")
    export = g.render(small_corpus, chat, g.STYLES[style], faithful=True)
    whole = parse_export(export.data, export.file_name)
    monkeypatch.setattr(parser, "SPLIT_CHARS", 97)
    n, pieces = run_counted(parse_export_steps(export.data, export.file_name))
    assert n > 20  # the text was split in many pieces
    assert pieces.messages == whole.messages and pieces.suspect_lines == whole.suspect_lines
    assert pieces.format == whole.format and pieces.authors == whole.authors


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.txt")))
def test_real_shaped_files_split_a_piece_at_a_time_read_the_same(name, monkeypatch):
    data = (FIXTURES / name).read_bytes()
    try:
        whole = parse_export(data, name)
    except ChatExportError as err:
        whole = err
    monkeypatch.setattr(parser, "SPLIT_CHARS", 61)
    try:
        pieces = parse_export(data, name)
    except ChatExportError as err:
        pieces = err
    if isinstance(whole, ChatExportError):
        assert isinstance(pieces, ChatExportError) and (pieces.code, pieces.line) == (whole.code, whole.line)
    else:
        assert pieces.messages == whole.messages and pieces.needs_date_order == whole.needs_date_order
