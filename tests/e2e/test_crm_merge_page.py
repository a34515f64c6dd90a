"""Merging two contacts that are one person from the contacts page, and splitting them again: the
card, notes and reminders follow, and come back."""

from __future__ import annotations

import pytest

from tests import browser
from tests.conftest import wait_for
from tests.e2e.a11y import assert_accessible
from tests.e2e.test_crm_pages import CONTACTS, names, ok, person, row, search, settled

pytestmark = pytest.mark.e2e

NUMBER = "5511955530001@c.us"
LID = "223456789012345@lid"


def test_two_contacts_merged_from_the_page_then_split(routed, core_page):
    context, ext_id = routed
    person(core_page, NUMBER, "Rosa Número E2E")
    person(core_page, LID, "Rosa LID E2E")
    ok(core_page, "crm.note.add", {"chat": LID, "text": "pediu pelo LID"})
    page = browser.open_page(context, ext_id, CONTACTS)
    settled(page)
    search(page, "Rosa")
    assert sorted(names(page)) == ["Rosa LID E2E", "Rosa Número E2E"]
    merge = page.locator("#bulk-merge")
    page.locator(f'#records-body tr[data-key="{NUMBER}"] .row-pick').check()
    assert merge.is_hidden()  # one picked: nothing to merge
    page.locator(f'#records-body tr[data-key="{LID}"] .row-pick').check()
    merge.click()
    question = page.locator("#contacts-asks .ask")
    assert "Juntar Rosa Número E2E e Rosa LID E2E" in question.inner_text()
    assert_accessible(page, what="the contacts page asking to merge")
    question.get_by_role("button", name="Juntar").click()
    page.locator("#toasts .toast", has_text="Rosa LID E2E agora faz parte de Rosa Número E2E").wait_for()
    # The list is drawn again after the merge (a load already on its way when it was made paints first).
    wait_for(lambda: names(page) == ["Rosa Número E2E"], message="one row for the merged person")
    card = ok(core_page, "crm.card", {"chat": LID})
    assert card["row"]["key"] == NUMBER and [x["text"] for x in card["notes"]] == ["pediu pelo LID"]

    page.get_by_role("button", name="Separar Rosa LID E2E de Rosa Número E2E").click()
    page.locator("#contacts-asks .ask").get_by_role("button", name="Separar").click()
    page.locator("#toasts .toast", has_text="Rosa LID E2E separado.").wait_for()
    wait_for(lambda: sorted(names(page)) == ["Rosa LID E2E", "Rosa Número E2E"], message="two rows again")
    assert row(core_page, LID)["key"] == LID
    assert [x["text"] for x in ok(core_page, "crm.card", {"chat": LID})["notes"]] == ["pediu pelo LID"]
    page.close()
