"""The CRM's full-tab pages in Chromium with the built extension and the real core: the contacts
page (records made in the core appear; search, tag filter, sort, bulk tag; CSV export and import
with a column mapping, a dry-run preview with the reason of a rejected row, apply, a re-import that
changes nothing) and the pipeline board (a drag moves a deal's stage, the keyboard does too, a
stale write is re-applied on the current record). Pages say when they painted (data-painted) and
when a move was stored (data-moved); tests wait for those, never for a fixed time."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests import browser
from tests.conftest import wait_for
from tests.e2e.a11y import serious_violations

pytestmark = pytest.mark.e2e

CONTACTS = "extension/pages/contacts/contacts.html"
BOARD = "extension/pages/board/board.html"
BAD_WORDS = re.compile(r"\b(undefined|null|NaN)\b")


def ok(page, type_, args=None):
    reply = browser.core_call(page, type_, args or {})
    assert reply["ok"], reply
    return reply["result"]


def row(core_page, chat):
    return ok(core_page, "crm.card", {"chat": chat})["row"]


def person(core_page, chat, name, **args):
    return ok(core_page, "crm.record.update", {"chat": chat, "version": row(core_page, chat)["version"], "person_name": name, **args})


def stage_id(core_page, code):
    d = ok(core_page, "crm.defs")
    pipeline = next(p for p in d["pipelines"] if p["id"] == d["settings"]["default_pipeline"])
    return next(s["id"] for s in pipeline["stages"] if s["code"] == code)


def stage_of(core_page, chat):
    deals = row(core_page, chat)["deals"]
    return deals[0]["stage"] if deals else None


def painted(page, after: int = 0) -> int:
    """Wait until the page painted more than ``after`` times; return the count."""
    page.wait_for_function("n => Number(document.querySelector('main').dataset.painted || 0) > n", arg=after)
    return int(page.locator("main").get_attribute("data-painted"))


def settled(page) -> int:
    """The page painted and has no request in flight (aria-busy false): its count."""
    page.wait_for_function("() => { const m = document.querySelector('main'); return m.dataset.painted && m.getAttribute('aria-busy') === 'false'; }")
    return int(page.locator("main").get_attribute("data-painted"))


def shot(page, name: str) -> None:
    """Screenshots for people to look at, when METTRI_SCREENSHOTS names a folder."""
    if folder := os.environ.get("METTRI_SCREENSHOTS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def names(page) -> list[str]:
    return page.locator("#records-body tr[data-key] th.name").all_inner_texts()


def search(page, text: str) -> None:
    n = settled(page)
    page.locator("#f-q").fill(text)
    painted(page, n)
    settled(page)


def test_contacts_page_lists_filters_sorts_and_tags_in_bulk(ext, core_page):
    context, ext_id = ext
    vip = ok(core_page, "crm.tag.create", {"label": "VIP Lista", "color": "#fdd835"})
    chats = {"5511970010001@c.us": "Lista Bruna", "5511970010002@c.us": "Lista Ana", "5511970010003@c.us": "Lista <b>Caio</b>"}
    for chat, name in chats.items():
        person(core_page, chat, name)
    person(core_page, "5511970010001@c.us", "Lista Bruna", add_tags=[vip["id"]])
    ok(core_page, "crm.deal.set", {"chat": "5511970010002@c.us", "version": row(core_page, "5511970010002@c.us")["version"], "value": 123456})

    page = browser.open_page(context, ext_id, CONTACTS)
    settled(page)
    search(page, "Lista")
    assert sorted(names(page)) == ["Lista <b>Caio</b>", "Lista Ana", "Lista Bruna"]  # user text shown as text
    ana = page.locator('#records-body tr[data-key="5511970010002@c.us"]')
    assert ana.locator("td.value").inner_text() == "R$\xa01.234,56"
    assert ana.locator("td.phone").inner_text().strip()  # the number, as the core writes it

    # Sort by name, then the other way.
    n = settled(page)
    page.locator('button.sort[data-sort="name"]').click()
    painted(page, n)
    n = settled(page)
    asc = names(page)
    assert len(asc) == 3 and asc.index("Lista Ana") < asc.index("Lista Bruna"), asc
    page.locator('button.sort[data-sort="name"]').click()
    painted(page, n)
    settled(page)
    assert names(page) == list(reversed(asc))
    assert page.locator('th[aria-sort="descending"] button[data-sort="name"]').count() == 1

    # Filter by tag: only Bruna.
    n = settled(page)
    page.locator("#f-tag").select_option(vip["id"])
    painted(page, n)
    settled(page)
    assert names(page) == ["Lista Bruna"]
    assert page.locator("#records-body tr[data-key] .chip").inner_text() == "VIP Lista"
    n = settled(page)
    page.locator("#f-tag").select_option("")
    painted(page, n)
    settled(page)

    # Bulk: tag Ana and Caio with a new tag; the core has it on both, the rows show it.
    promo = ok(core_page, "crm.tag.create", {"label": "Promo Lista", "color": "#1e88e5"})
    painted(page)  # the new tag arrived (crm.changed {defs}) before choosing it
    wait_for(lambda: page.locator(f'#f-tag option[value="{promo["id"]}"]').count(), message="the new tag in the filter")
    for chat in ("5511970010002@c.us", "5511970010003@c.us"):
        page.locator(f'#records-body tr[data-key="{chat}"] input.row-pick').check()
    assert page.locator("#bulk-count").inner_text() == "2 selecionado(s)"
    page.locator("#bulk-tag").select_option(promo["id"])
    n = settled(page)
    page.locator("#bulk-tag-add").click()
    page.locator("#toasts .toast").wait_for()
    assert page.locator("#toasts .toast").inner_text().startswith("2 contato(s) alterado(s)")
    assert all(promo["id"] in row(core_page, c)["tags"] for c in ("5511970010002@c.us", "5511970010003@c.us"))
    assert promo["id"] not in row(core_page, "5511970010001@c.us")["tags"]
    painted(page, n)
    wait_for(lambda: page.locator('#records-body tr[data-key="5511970010003@c.us"] .chip').all_inner_texts() == ["Promo Lista"],
             message="the tag on Caio's row")

    # Bulk: move both to "Em conversa"; then untag.
    page.locator("#bulk-stage").select_option(stage_id(core_page, "talking"))
    page.locator("#bulk-move").click()
    wait_for(lambda: stage_of(core_page, "5511970010003@c.us") == stage_id(core_page, "talking"), message="the bulk move")
    assert stage_of(core_page, "5511970010002@c.us") == stage_id(core_page, "talking")
    shot(page, "contacts-pt")
    assert not BAD_WORDS.search(page.locator("body").inner_text())
    assert (v := serious_violations(page)) == [], v

    # A campaign to the selection goes through the dry run (nothing is queued before approval).
    page.locator("#bulk-campaign-open").click()
    page.locator("#campaign-template").fill("Oi {{nome}}, novidades!")
    page.locator("#campaign-dry-run").click()
    page.locator("#campaign-plan tbody tr").first.wait_for()
    assert sorted(page.locator("#campaign-plan tbody tr").evaluate_all("rs => rs.map(r => r.dataset.chat)")) == [
        "5511970010002@c.us", "5511970010003@c.us"]
    assert page.locator("#campaign-summary").inner_text()
    shot(page, "contacts-campaign-pt")
    assert not BAD_WORDS.search(page.locator("#bulk").inner_text())
    assert (v := serious_violations(page)) == [], v
    page.close()


def test_a_field_filter_with_a_bad_value_is_explained(ext, core_page):
    context, ext_id = ext
    field = ok(core_page, "crm.field.create", {"label": "Pedidos lista", "type": "number"})
    person(core_page, "5511970020001@c.us", "Filtro Um", fields={field["id"]: 3})
    person(core_page, "5511970020002@c.us", "Filtro Dois", fields={field["id"]: 12})
    page = browser.open_page(context, ext_id, CONTACTS)
    settled(page)
    search(page, "Filtro")
    page.locator("#f-field").select_option(field["id"])
    page.locator("#f-op").select_option("gte")
    n = settled(page)
    page.locator("#f-value").fill("10")
    painted(page, n)
    settled(page)
    assert names(page) == ["Filtro Dois"]
    page.locator("#f-value").fill("dez")
    wait_for(lambda: page.locator("#filters-error").inner_text(), message="the error for a bad number")
    assert not BAD_WORDS.search(page.locator("#filters-error").inner_text())
    assert names(page) == ["Filtro Dois"]  # what was shown stays
    page.close()


def test_board_moves_a_deal_by_drag_and_by_keyboard(ext, core_page):
    context, ext_id = ext
    chat = "5511970030001@c.us"
    person(core_page, chat, "Quadro Dora")
    ok(core_page, "crm.deal.set", {"chat": chat, "version": row(core_page, chat)["version"], "stage": stage_id(core_page, "new"), "value": 123456})
    new, talking, proposal = (stage_id(core_page, c) for c in ("new", "talking", "proposal"))

    page = browser.open_page(context, ext_id, BOARD)
    settled(page)
    page.locator("#b-q").fill("Quadro Dora")
    wait_for(lambda: page.locator(".column .card").count() == 1 and page.locator(f'.column[data-stage="{new}"] .card').count() == 1,
             message="Dora's card in the first column")
    settled(page)
    column = page.locator(f'.column[data-stage="{new}"]')
    assert column.locator(".count").inner_text() == "1 negócio(s)"
    assert column.locator(".total").inner_text() == "R$\xa01.234,56"
    shot(page, "board-pt")
    assert not BAD_WORDS.search(page.locator("body").inner_text())
    assert (v := serious_violations(page)) == [], v

    # Drag to "Em conversa": stored, and still there after a reload.
    card = page.locator(f'.card[data-key="{chat}"]')
    card.drag_to(page.locator(f'.column[data-stage="{talking}"]'))
    page.wait_for_function("() => document.querySelector('main').dataset.moved === '1'")
    assert stage_of(core_page, chat) == talking
    page.reload()
    settled(page)
    page.locator("#b-q").fill("Quadro Dora")
    wait_for(lambda: page.locator(f'.column[data-stage="{talking}"] .card[data-key="{chat}"]').count() == 1,
             message="the card in its new column after a reload")

    # The keyboard: focus the card, Right arrow -> the next stage; the focus stays on the card.
    settled(page)
    page.locator(f'.card[data-key="{chat}"]').focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('main').dataset.moved === '1'")
    assert stage_of(core_page, chat) == proposal
    wait_for(lambda: page.evaluate("k => document.activeElement?.dataset?.key === k", chat), message="the focus on the moved card")
    assert page.locator(f'.column[data-stage="{proposal}"] .card[data-key="{chat}"]').count() == 1
    page.close()


def test_a_stale_move_gets_a_conflict_and_is_applied_again(ext, core_page):
    """The board drew the record; another page then changed it (a tag) before the move was sent: the
    move goes out on the old version, the core refuses it (conflict), the board applies it again on
    the record as it is now, and the other page's change is kept."""
    context, ext_id = ext
    chat = "5511970040001@c.us"
    person(core_page, chat, "Conflito Eva")
    ok(core_page, "crm.deal.set", {"chat": chat, "version": row(core_page, chat)["version"], "stage": stage_id(core_page, "new")})
    page = browser.open_page(context, ext_id, BOARD)
    settled(page)
    page.locator("#b-q").fill("Conflito Eva")
    wait_for(lambda: page.locator(f'.card[data-key="{chat}"]').count() == 1, message="Eva's card")
    settled(page)
    seen = page.evaluate("k => (window.__seen = structuredClone(mettriBoard.shown().columns.flatMap(c => c.rows).find(r => r.key === k))).version", chat)
    other = ok(core_page, "crm.tag.create", {"label": "Outra página", "color": "#43a047"})
    ok(core_page, "crm.record.update", {"chat": chat, "version": seen, "add_tags": [other["id"]]})
    stale = browser.core_call(core_page, "crm.deal.set", {"chat": chat, "version": seen, "stage": stage_id(core_page, "talking")})
    assert stale["error"]["code"] == "conflict"  # what the board's first try gets
    talking = stage_id(core_page, "talking")
    moved = int(page.locator("main").get_attribute("data-moved") or 0)
    page.evaluate("""([k, s]) => mettriBoard.move(window.__seen,
        mettriBoard.shown().columns.find(c => c.stage.id === s).stage)""", [chat, talking])
    page.wait_for_function("n => Number(document.querySelector('main').dataset.moved) > n", arg=moved)
    now = row(core_page, chat)
    assert now["deals"][0]["stage"] == talking and other["id"] in now["tags"]
    wait_for(lambda: page.locator(f'.column[data-stage="{talking}"] .card[data-key="{chat}"]').count() == 1,
             message="the card in its new column")
    page.close()
