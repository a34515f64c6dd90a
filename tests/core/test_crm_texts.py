"""Every text of the CRM exists in both languages, with the same blanks to fill."""

import re
import string

import pytest

from pycore.crm.texts import DEFAULT_STAGES, HEADERS, REASONS, TIMELINE


def blanks(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("table", [REASONS, TIMELINE, HEADERS], ids=["reasons", "timeline", "headers"])
def test_both_languages_with_the_same_blanks(table):
    for code, (pt, en) in table.items():
        assert pt.strip() and en.strip(), code
        assert blanks(pt) == blanks(en), code
        assert not re.search(r"\b(None|null|undefined|NaN)\b", pt + en), code


def test_default_stages_read_in_both_languages():
    assert [pt for _, (pt, _), _ in DEFAULT_STAGES] == ["Novo contato", "Em conversa", "Proposta enviada", "Ganho", "Perdido"]
    assert [en for _, (_, en), _ in DEFAULT_STAGES] == ["New contact", "In conversation", "Proposal sent", "Won", "Lost"]
