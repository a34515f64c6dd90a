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
DIAGNOSTICS = "extension/pages/diagnostics/diagnostics.html"
OPTIONS = "extension/pages/options/options.html"
BAD_WORDS = browser.BAD_WORDS


ok = browser.core_result


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


def fits(page, width: int = 400) -> int:
    """The page's width once the window is ``width`` px wide (the page opened beside WhatsApp): a data
    table scrolls inside its own frame, everything else wraps."""
    page.set_viewport_size({"width": width, "height": 800})
    return page.evaluate("() => document.documentElement.scrollWidth")


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
    assert fits(page) <= 400  # with a field filter and the bulk bar shown
    page.set_viewport_size({"width": 1280, "height": 800})

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


def test_a_campaign_to_the_selection_is_queued_only_after_approval(ext, core_page):
    """Known customers (they wrote first) selected on the contacts page: the dry run judges each, and
    only the approval creates the campaign and queues its messages (cancelled at the end)."""
    from tests.history_import import known_chats

    context, ext_id = ext
    chats = {"5511970100001@c.us": "Campanha Rita", "5511970100002@c.us": "Campanha Sol"}
    known_chats(core_page, chats)
    for chat, name in chats.items():
        person(core_page, chat, name)
    before = {c["id"] for c in ok(core_page, "campaign.list")["campaigns"]}
    page = browser.open_page(context, ext_id, CONTACTS)
    settled(page)
    search(page, "Campanha")
    page.locator("#pick-page").check()
    assert page.locator("#bulk-count").inner_text() == "2 selecionado(s)"
    page.locator("#bulk-campaign-open").click()
    page.locator("#campaign-name").fill("Promoção de sábado")
    page.locator("#campaign-template").fill("Oi {{primeiro_nome}}, sábado tem promoção!")
    page.locator("#campaign-dry-run").click()
    page.locator("#campaign-plan tbody tr").first.wait_for()
    verdicts = page.locator("#campaign-plan tbody tr").evaluate_all("rs => rs.map(r => [r.dataset.chat, r.dataset.verdict])")
    assert sorted(c for c, _ in verdicts) == sorted(chats) and all(v != "block" for _, v in verdicts), verdicts
    assert {c["id"] for c in ok(core_page, "campaign.list")["campaigns"]} == before  # a dry run stores nothing
    page.locator("#campaign-approve").click()
    page.locator("#campaign-approved").wait_for()
    new = [c for c in ok(core_page, "campaign.list")["campaigns"] if c["id"] not in before]
    try:
        assert len(new) == 1 and new[0]["name"] == "Promoção de sábado" and new[0]["total"] == 2
        entries = ok(core_page, "outbox.list", {"campaign_id": new[0]["id"], "limit": 10})["entries"]
        assert sorted(e["chat"] for e in entries) == sorted(chats)
        assert {e["text"] for e in entries} == {"Oi Campanha, sábado tem promoção!"}
    finally:
        for c in new:
            ok(core_page, "campaign.cancel", {"id": c["id"]})
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

    # Beside WhatsApp (400 px) with no card shown, the columns still scroll sideways from the keyboard.
    page.locator("#b-q").fill("Ninguém com este nome")
    wait_for(lambda: page.locator(".column .card").count() == 0, message="no card shown")
    settled(page)
    assert fits(page) <= 400
    assert (v := serious_violations(page)) == [], v
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
    page.wait_for_function("n => Number(document.querySelector('main').dataset.moved) > n || document.querySelector('#board-error').textContent", arg=moved)
    assert not page.locator("#board-error").inner_text()
    now = row(core_page, chat)
    assert now["deals"][0]["stage"] == talking and other["id"] in now["tags"]
    wait_for(lambda: page.locator(f'.column[data-stage="{talking}"] .card[data-key="{chat}"]').count() == 1,
             message="the card in its new column")
    page.close()


@pytest.mark.parametrize("answer, winner", [("yes", "talking"), ("no", "proposal")])
def test_when_another_page_moved_the_same_deal_the_user_chooses(ext, core_page, answer, winner):
    """The board drew the deal in "Novo contato"; another page moved it to "Proposta enviada"; the
    board's move to "Em conversa" is refused (conflict) and, since the same thing changed, the user
    is asked: apply mine (Em conversa) or keep the other (Proposta enviada). Nothing is silently lost."""
    context, ext_id = ext
    chat = f"55119700900{0 if answer == 'yes' else 1}@c.us"
    name = f"Escolha {answer}"
    person(core_page, chat, name)
    ok(core_page, "crm.deal.set", {"chat": chat, "version": row(core_page, chat)["version"], "stage": stage_id(core_page, "new")})
    page = browser.open_page(context, ext_id, BOARD)
    settled(page)
    page.locator("#b-q").fill(name)
    wait_for(lambda: page.locator(f'.card[data-key="{chat}"]').count() == 1, message="the card")
    settled(page)
    page.evaluate("k => { window.__seen = structuredClone(mettriBoard.shown().columns.flatMap(c => c.rows).find(r => r.key === k)); }", chat)
    ok(core_page, "crm.deal.set", {"chat": chat, "version": row(core_page, chat)["version"], "stage": stage_id(core_page, "proposal")})
    talking = stage_id(core_page, "talking")
    moved = int(page.locator("main").get_attribute("data-moved") or 0)
    page.evaluate("""([s]) => { mettriBoard.move(window.__seen, mettriBoard.shown().columns.find(c => c.stage.id === s).stage); }""", [talking])
    question = page.locator('#board-asks [role="alertdialog"]')
    question.wait_for()
    assert name in question.inner_text()
    assert (v := serious_violations(page)) == [], v
    question.locator(f'button[data-answer="{answer}"]').click()
    if answer == "yes":
        page.wait_for_function("n => Number(document.querySelector('main').dataset.moved) > n", arg=moved)
    else:
        question.wait_for(state="detached")
        page.wait_for_function("() => document.querySelector('main').getAttribute('aria-busy') === 'false'")
    assert stage_of(core_page, chat) == stage_id(core_page, winner)
    wait_for(lambda: page.locator(f'.column[data-stage="{stage_id(core_page, winner)}"] .card[data-key="{chat}"]').count() == 1,
             message="the card where the chosen change put it")
    page.close()


def check(page, selector: str, on: bool = True) -> None:
    """Tick or untick a filter and wait for the table that answers it."""
    n = settled(page)
    page.locator(selector).set_checked(on)
    painted(page, n)
    settled(page)


def choose(page, selector: str, value: str) -> None:
    n = settled(page)
    page.locator(selector).select_option(value)
    painted(page, n)
    settled(page)


def test_filters_waiting_overdue_stage_activity_and_pages(ext, core_page):
    import time

    from tests.history_import import import_records

    context, ext_id = ext
    joana, kleber, lia = "5511970070001@c.us", "5511970070002@c.us", "5511970070003@c.us"
    now = time.time()
    import_records(core_page, [
        {"chat": joana, "id": "3AESPERA1", "ts": now - 3600, "direction": "in", "type": "text", "text": "Tem em azul?",
         "chat_title": "Espera Joana", "is_group": False},
        {"chat": kleber, "id": "3AESPERA2", "ts": now - 3600, "direction": "out", "type": "text", "text": "Segue o orçamento",
         "chat_title": "Espera Kleber", "is_group": False},
    ])
    for chat, name in ((joana, "Espera Joana"), (kleber, "Espera Kleber"), (lia, "Espera Lia")):
        person(core_page, chat, name)
    ok(core_page, "crm.deal.set", {"chat": kleber, "version": row(core_page, kleber)["version"], "stage": stage_id(core_page, "proposal")})
    ok(core_page, "crm.reminder.add", {"chat": lia, "due_at": now - 7200, "text": "Ligar de volta"})
    for i in range(55):
        person(core_page, f"55119700{8000 + i}@c.us", f"Lote {i:02d}")

    page = browser.open_page(context, ext_id, CONTACTS)
    settled(page)
    search(page, "Espera")
    assert sorted(names(page)) == ["Espera Joana", "Espera Kleber", "Espera Lia"]
    assert page.locator(f'#records-body tr[data-key="{joana}"] .badge.waiting').count() == 1
    assert page.locator(f'#records-body tr[data-key="{lia}"] .badge.overdue').inner_text() == "1 atrasado(s)"
    check(page, "#f-waiting")
    assert names(page) == ["Espera Joana"]
    check(page, "#f-waiting", False)
    check(page, "#f-overdue")
    assert names(page) == ["Espera Lia"]
    check(page, "#f-overdue", False)
    choose(page, "#f-stage", stage_id(core_page, "proposal"))
    assert names(page) == ["Espera Kleber"]
    assert page.locator(f'#records-body tr[data-key="{kleber}"] td.stage').inner_text() == "Proposta enviada"
    choose(page, "#f-stage", "")
    choose(page, "#f-activity", "1")
    assert sorted(names(page)) == ["Espera Joana", "Espera Kleber"]
    choose(page, "#f-activity", "old30")  # no activity in 30 days, or none at all
    assert names(page) == ["Espera Lia"]
    choose(page, "#f-activity", "")

    # Pages of 50.
    search(page, "Lote")
    assert page.locator("#records-caption").inner_text() == "1–50 de 55 contatos"
    assert len(names(page)) == 50 and page.locator("#page-prev").is_disabled()
    n = settled(page)
    page.locator("#page-next").click()
    painted(page, n)
    settled(page)
    assert page.locator("#records-caption").inner_text() == "51–55 de 55 contatos"
    assert len(names(page)) == 5 and page.locator("#page-next").is_disabled()
    page.close()


def test_open_chat_from_the_contacts_page_opens_it_in_whatsapp(routed, core_page):
    from tests.conftest import open_whatsapp
    from tests.history_import import known_chats

    context, ext_id = routed
    wa = open_whatsapp(context, "gen=2025&lang=pt-BR")
    try:
        target = wa.evaluate("() => __replica.chats()[3].id")
        title = wa.evaluate("id => __replica.chat(id).name", target)
        known_chats(core_page, {target: title})
        wa.evaluate("id => __replica.openChat(id)", wa.evaluate("() => __replica.chats()[1].id"))
        person(core_page, target, "Abrir Mara")
        page = browser.open_page(context, ext_id, CONTACTS)
        settled(page)
        search(page, "Abrir Mara")
        assert page.locator("#records-caption").inner_text() == "1 contato"  # one, not "1–1 de 1 contatos"
        page.locator(f'#records-body tr[data-key="{target}"] button.open-chat').click()
        wait_for(lambda: wa.evaluate("() => __replica.state().activeChat") == target, timeout=15, message="the chat opened in WhatsApp")
        page.close()
    finally:
        wa.close()


CSV_FILE = (
    "Nome;Telefone;Etiquetas;Valor\r\n"
    "Planilha Gil;(11) 97005-0001;cliente csv;1.500,00\r\n"
    "Planilha Hugo;+55 11 97005-0002;cliente csv;\r\n"
    "Planilha Sem Fone;;cliente csv;\r\n"
).encode("utf-8")


def import_file(page, data: bytes) -> None:
    page.locator("#csv-import-open").click()
    page.locator("#csv-file").set_input_files({"name": "clientes.csv", "mimeType": "text/csv", "buffer": data})
    page.locator("#csv-map").wait_for()


def summary(page, applied: bool) -> dict:
    page.wait_for_function("a => document.querySelector('#csv-summary')?.dataset.applied === a", arg=str(applied).lower())
    return {k: int(page.locator("#csv-summary").get_attribute(f"data-{k}")) for k in ("created", "updated", "unchanged", "rejected")}


def test_csv_export_and_import_with_mapping_preview_apply_and_reimport(ext, core_page):
    context, ext_id = ext
    gil, hugo = "5511970050001@c.us", "5511970050002@c.us"
    person(core_page, gil, "Planilha Gil")
    page = browser.open_page(context, ext_id, CONTACTS)
    settled(page)
    search(page, "Planilha")

    # Export what the filters show.
    with page.expect_download() as dl:
        page.locator("#csv-export").click()
    text = Path(dl.value.path()).read_text(encoding="utf-8-sig")
    assert "Planilha Gil" in text and ";" in text.splitlines()[0]
    assert "Planilha Hugo" not in text

    # Import: the mapping step suggests from the headers; the user maps "Valor" to the value.
    import_file(page, CSV_FILE)
    assert page.locator("#csv-map-0").input_value() == "name"
    assert page.locator("#csv-map-1").input_value() == "phone"
    page.locator("#csv-map-2").select_option("tags")
    page.locator("#csv-map-3").select_option("value")
    assert page.locator('#csv-map-3 option[value="value"]').inner_text() == "Valor (R$)"
    page.locator("#csv-preview").click()
    assert summary(page, applied=False) == {"created": 1, "updated": 1, "unchanged": 0, "rejected": 1}
    rejected = page.locator('#csv-report tr[data-outcome="rejected"]')
    assert rejected.locator("td.num").inner_text() == "4"
    assert rejected.locator("td.reason").inner_text() == "Linha sem telefone."
    assert not row(core_page, hugo)["exists"]  # a preview writes nothing
    shot(page, "csv-preview-pt")
    assert not BAD_WORDS.search(page.locator("#csv-import").inner_text())
    assert (v := serious_violations(page)) == [], v

    page.locator("#csv-apply").click()
    assert summary(page, applied=True) == {"created": 1, "updated": 1, "unchanged": 0, "rejected": 1}
    h, g = row(core_page, hugo), row(core_page, gil)
    assert h["exists"] and h["name"] == "Planilha Hugo" and g["deals"][0]["value_cents"] == 150000
    tag_names = {t["id"]: t["name"] for t in ok(core_page, "crm.defs")["tags"]}
    assert [tag_names[t] for t in h["tags"]] == ["cliente csv"] and [tag_names[t] for t in g["tags"]] == ["cliente csv"]
    wait_for(lambda: "Planilha Hugo" in names(page), message="the imported contact in the table")

    # The same file again: nothing to create or update, no apply button.
    versions = (h["version"], g["version"])
    page.locator("#csv-close").click()
    import_file(page, CSV_FILE)
    page.locator("#csv-map-2").select_option("tags")
    page.locator("#csv-map-3").select_option("value")
    page.locator("#csv-preview").click()
    assert summary(page, applied=False) == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 1}
    assert page.locator("#csv-apply").count() == 0
    assert (row(core_page, hugo)["version"], row(core_page, gil)["version"]) == versions
    page.close()


def test_the_pages_in_english(playwright, tmp_path):
    """A browser whose language is English: the contacts and board pages speak English, money reads
    R$1,234.56, and axe finds nothing serious; no undefined/null/NaN anywhere. The diagnostics
    self-check, in the same browser, words its stages in English with English digit grouping, and the
    options page's metrics chart writes its days as English does (month first)."""
    context, ext_id = browser.launch(playwright, tmp_path / "profile-en", language="en")
    try:
        page = browser.open_page(context, ext_id, CONTACTS)
        assert browser.wait_core_ready(page)["stage"] == "ready"
        assert not page.evaluate("() => chrome.i18n.getMessage('@@ui_locale')").lower().startswith("pt")
        # No contact yet, beside WhatsApp (400 px): the sentence saying so is read whole, not cut by the
        # table's sideways scroll.
        settled(page)
        page.set_viewport_size({"width": 400, "height": 800})
        empty = page.locator("#records-body td.empty span")
        assert empty.inner_text().startswith("No contacts in the CRM yet.")
        box = empty.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 400, box
        page.set_viewport_size({"width": 1280, "height": 800})
        chat = "5511970060001@c.us"
        ok(page, "crm.record.update", {"chat": chat, "version": 0, "person_name": "English Ivo"})
        ok(page, "crm.deal.set", {"chat": chat, "version": row(page, chat)["version"], "value": 123456})
        tag = ok(page, "crm.tag.create", {"label": "Wholesale", "color": "#43a047"})
        ok(page, "crm.record.update", {"chat": chat, "version": row(page, chat)["version"], "add_tags": [tag["id"]]})
        page.reload()
        settled(page)
        wait_for(lambda: names(page) == ["English Ivo"], message="Ivo in the table")
        assert page.locator("h1").inner_text() == "Contacts"
        assert page.locator(f'#records-body tr[data-key="{chat}"] td.value').inner_text() == "R$1,234.56"
        assert page.locator(f'#records-body tr[data-key="{chat}"] td.stage').inner_text() == "New contact"
        page.locator(f'#records-body tr[data-key="{chat}"] input.row-pick').check()
        import_file(page, CSV_FILE)
        page.locator("#csv-preview").click()
        summary(page, applied=False)
        assert page.locator('#csv-report tr[data-outcome="rejected"] td.reason').inner_text() == "Row without a phone number."
        shot(page, "contacts-en")
        assert not BAD_WORDS.search(page.locator("body").inner_text())
        assert (v := serious_violations(page)) == [], v
        assert fits(page) <= 400

        board = browser.open_page(context, ext_id, BOARD)
        settled(board)
        wait_for(lambda: board.locator(f'.card[data-key="{chat}"]').count() == 1, message="Ivo's card")
        assert board.locator("h1").inner_text() == "Sales pipeline"
        first = board.locator(".column").first
        assert first.locator("h2").inner_text().lower() == "new contact"
        assert first.locator(".total").inner_text() == "R$1,234.56"
        assert first.locator(".count").inner_text() == "1 deal(s)"
        shot(board, "board-en")
        assert not BAD_WORDS.search(board.locator("body").inner_text())
        assert (v := serious_violations(board)) == [], v

        diag = browser.open_page(context, ext_id, DIAGNOSTICS)
        diag.click("#run")
        wait_for(lambda: diag.text_content("#state") in ("All good", "Failed"), timeout=120, message="the check to end")
        lines = diag.text_content("#out").strip().split("\n")
        # whole milliseconds, grouped as English writes them (1,354 ms; pt-BR writes 1.354 ms)
        number = r"\d{1,3}(,\d{3})*"
        assert re.fullmatch(rf"Loading Python: {number} ms", lines[0]), lines
        assert re.fullmatch(rf"Loading packages: {number} ms", lines[1]), lines
        assert re.fullmatch(rf"500 records written and read back: {number} ms", lines[2]), lines
        assert diag.text_content("#state") == "All good", lines
        assert not BAD_WORDS.search(diag.locator("body").inner_text())
        assert (v := serious_violations(diag)) == [], v

        options = browser.open_page(context, ext_id, OPTIONS)
        options.locator("#metrics svg.chart rect").last.wait_for(state="attached")
        today = options.evaluate("() => new Intl.DateTimeFormat('en-US', {month: '2-digit', day: '2-digit'}).format(new Date())")
        last = options.locator("#metrics svg.chart rect title").last.text_content()
        assert last.startswith(f"{today} · "), (last, today)  # 12/07 on 7 December; pt-BR writes 07/12
        assert not BAD_WORDS.search(options.locator("body").inner_text())
        assert (v := serious_violations(options)) == [], v
    finally:
        context.close()
