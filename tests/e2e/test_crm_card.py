"""The CRM card in the side panel (issue 13): it follows the chat open in WhatsApp Web, and every
part is edited in place (tags, notes with undo, custom fields with their errors, stage and value
in R$, reminders, quick keys); a write based on an old version, from a second page, is refused by
the core and the card reloads and applies it again (or asks when both changed the same thing).
Each view is axe-clean and never shows undefined/null/NaN, at the panel's 380 px width."""

from __future__ import annotations

import re

import pytest

from tests import browser
from tests.conftest import open_whatsapp, wait_for
from tests.e2e.a11y import serious_violations

pytestmark = pytest.mark.e2e

PANEL = "extension/pages/sidepanel/sidepanel.html"
BAD_WORDS = browser.BAD_WORDS


call = browser.core_result


def open_panel(context, ext_id, tab="card"):
    panel = browser.open_page(context, ext_id, PANEL)
    panel.set_viewport_size({"width": 380, "height": 900})
    panel.locator(f'.tabs [data-view="{tab}"]').click()
    return panel


def card_of(panel) -> dict:
    """What the card shows from the core: its record key, version and name (empty until drawn).
    The worker's copy, drawn read-only (inert) while the core answers, counts as not drawn yet: a
    test that typed into it as soon as its key showed lost what it typed."""
    return panel.evaluate("""() => { const c = document.querySelector('#crm-card');
        const n = document.querySelector('#crm-card-name');
        if (!c || c.dataset.cached) return {key: '', version: -1, name: ''};
        return {key: c.dataset.key ?? '', version: Number(c.dataset.version ?? -1), name: n?.textContent ?? ''}; }""")


def wait_card(panel, name: str) -> dict:
    return wait_for(lambda: (c := card_of(panel))["name"] == name and c, timeout=30, message=f"the card of {name}")


def field_id(page, label: str) -> str:
    return next(f["id"] for f in call(page, "crm.defs")["fields"] if f["label"] == label)


def test_card_follows_the_open_chat_and_edits_in_place(routed, core_page, tmp_path):
    context, ext_id = routed
    wa = open_whatsapp(context, "gen=2026&lang=pt-BR")
    chats = wa.evaluate("() => __replica.chats().slice(10, 13).map(c => [c.id, c.name])")
    wa.evaluate("id => __replica.openChat(id)", chats[0][0])
    panel = open_panel(context, ext_id)
    first = wait_card(panel, chats[0][1])

    # Switching chats in WhatsApp switches the card.
    wa.evaluate("id => __replica.openChat(id)", chats[1][0])
    card = wait_card(panel, chats[1][1])
    assert card["key"] != first["key"]
    key = card["key"]
    # The timing is pushed a frame after the card is drawn.
    switch = wait_for(lambda: (s := panel.evaluate("() => mettriCard.timings.at(-1)")) and s["chat"] == key and s,
                      timeout=10, message="the switch's timing")
    assert switch["drawn"] >= switch["heard"]

    # A tag, new (created on the spot) and shown as a chip; the core has it on the record.
    panel.locator("#crm-tag-input").fill("Atacado Teste")
    panel.locator("#crm-tag-input").press("Enter")
    panel.locator("#crm-tags .chip", has_text="Atacado Teste").wait_for()
    wait_for(lambda: panel.locator("#crm-tag-input").input_value() == "", timeout=10, message="the tag box emptied")
    tag = next(t for t in call(core_page, "crm.defs")["tags"] if t["name"] == "Atacado Teste")
    assert call(core_page, "crm.card", {"chat": key})["row"]["tags"] == [tag["id"]]
    # A duplicate (same name, other case and accents) is the same tag, not a second one.
    panel.locator("#crm-tag-input").fill("atacado teste")
    panel.locator("#crm-tag-input").press("Enter")
    wait_for(lambda: panel.locator("#crm-tag-input").input_value() == "", timeout=10, message="the tag input to clear")
    assert [t["name"] for t in call(core_page, "crm.defs")["tags"]].count("Atacado Teste") == 1
    assert panel.locator("#crm-tags .chip").count() == 1

    # A note, as text (never HTML); deleted, then brought back with undo.
    note = "Pediu <b>orçamento</b> de 30 caixas"
    panel.locator("#crm-note-text").fill(note)
    panel.locator("#crm-note-add").click()
    item = panel.locator("#crm-notes .note", has_text="orçamento")
    item.wait_for()
    assert item.locator(".note-text").inner_text() == note and item.locator("b").count() == 0
    item.get_by_role("button", name="Excluir a nota").click()
    panel.locator(".toast", has_text="Nota excluída").wait_for()
    item.wait_for(state="detached")
    panel.locator(".toast button", has_text="Desfazer").click()
    panel.locator("#crm-notes .note", has_text="orçamento").wait_for()
    assert [n["text"] for n in call(core_page, "crm.card", {"chat": key})["notes"]] == [note]

    # A custom field made from the card (money), a bad value refused in words, a good one kept.
    panel.locator("#crm-field-new").click()
    panel.locator("#crm-field-name").fill("Limite de crédito")
    panel.locator("#crm-field-type").select_option("money")
    panel.locator("#crm-field-create").click()
    fid = wait_for(lambda: next((f["id"] for f in call(core_page, "crm.defs")["fields"] if f["label"] == "Limite de crédito"), None),
                   timeout=10, message="the field")
    control = panel.locator(f'[data-field="{fid}"]')
    control.wait_for()
    control.fill("doze reais")
    control.press("Enter")
    error = panel.locator(f"#{control.get_attribute('id')}-error")
    wait_for(lambda: error.inner_text().strip(), timeout=10, message="the field's error")
    assert control.get_attribute("aria-invalid") == "true"
    assert BAD_WORDS.search(error.inner_text()) is None and fid not in error.inner_text()
    assert fid not in call(core_page, "crm.card", {"chat": key})["row"]["fields"]
    control.fill("1.234,56")
    control.press("Enter")
    wait_for(lambda: call(core_page, "crm.card", {"chat": key})["row"]["fields"].get(fid) == 123456, timeout=10,
             message="the value in cents")
    wait_for(lambda: panel.locator(f'[data-field="{fid}"]').input_value() == "1.234,56", timeout=10, message="redrawn")

    # The stage and the value in R$ (integer cents, shown in the page's locale) and the date.
    panel.locator("#crm-stage").select_option(label="Proposta enviada")
    wait_for(lambda: call(core_page, "crm.card", {"chat": key})["row"]["deals"], timeout=10, message="the deal")
    deal = call(core_page, "crm.card", {"chat": key})["row"]["deals"][0]
    stages = {s["id"]: s["label"]["pt_BR"] for p in call(core_page, "crm.defs")["pipelines"] for s in p["stages"]}
    assert stages[deal["stage"]] == "Proposta enviada"
    panel.locator("#crm-value").fill("R$ 2.500,00")
    panel.locator("#crm-value").press("Enter")
    wait_for(lambda: call(core_page, "crm.card", {"chat": key})["row"]["deals"][0]["value_cents"] == 250000, timeout=10,
             message="the value")
    wait_for(lambda: panel.locator("#crm-value").input_value() == "2.500,00", timeout=10, message="the value redrawn")
    panel.locator("#crm-stage-since").wait_for()

    # A reminder from the card.
    panel.locator("#crm-reminder-text").fill("Ligar sobre a proposta")
    panel.locator("#crm-reminder-add").click()
    panel.locator("#crm-reminders .reminder", has_text="Ligar sobre a proposta").wait_for()

    # Quick keys (outside text boxes): N goes to the note box, E to the stage.
    panel.locator("#crm-card-name").click()
    panel.keyboard.press("n")
    assert panel.evaluate("() => document.activeElement.id") == "crm-note-text"
    panel.locator("#crm-card-name").click()
    panel.keyboard.press("e")
    assert panel.evaluate("() => document.activeElement.id") == "crm-stage"

    # Everything the card and the follow-ups show: in words, axe-clean, at 380 px.
    text = panel.locator("#card-view").inner_text()
    assert BAD_WORDS.search(text) is None, text
    assert "2.500,00" in text or panel.locator("#crm-value").input_value() == "2.500,00"
    assert serious_violations(panel, "#card-view") == []
    assert panel.evaluate("() => document.documentElement.scrollWidth") <= 380
    panel.screenshot(path=str(tmp_path / "card-380.png"), full_page=True)
    panel.locator('.tabs [data-view="followups"]').click()
    panel.locator("#followups-today, #followups-overdue").first.wait_for()
    assert BAD_WORDS.search(panel.locator("#followups-view").inner_text()) is None
    assert serious_violations(panel, "#followups-view") == []
    panel.close()
    wa.close()


def test_a_stale_write_from_a_second_page_is_reloaded_and_applied_again(routed, core_page):
    context, ext_id = routed
    wa = open_whatsapp(context, "gen=2026&lang=pt-BR")
    chat_id, name = wa.evaluate("() => { const c = __replica.chats()[14]; return [c.id, c.name]; }")
    wa.evaluate("id => __replica.openChat(id)", chat_id)
    for label in ("Cidade", "Bairro"):
        if not any(f["label"] == label for f in call(core_page, "crm.defs")["fields"]):
            call(core_page, "crm.field.create", {"label": label, "type": "text"})
    city, area = field_id(core_page, "Cidade"), field_id(core_page, "Bairro")
    a, b = open_panel(context, ext_id), open_panel(context, ext_id)
    key = wait_card(a, name)["key"]
    wait_card(b, name)
    for page in (a, b):
        page.locator(f'[data-field="{city}"]').wait_for()

    # A types a city (not saved yet: its card keeps the version it showed); B saves a district.
    before = card_of(a)["version"]
    a.locator(f'[data-field="{city}"]').fill("Campinas")
    b.locator(f'[data-field="{area}"]').fill("Cambuí")
    b.locator(f'[data-field="{area}"]').press("Enter")
    wait_for(lambda: call(core_page, "crm.card", {"chat": key})["row"]["fields"].get(area) == "Cambuí", timeout=10,
             message="B's write")
    assert card_of(a)["version"] == before  # A has not redrawn: its next write is stale
    # A saves: the core refuses the stale version; the card takes the new record and applies
    # the city again (B changed something else), and says so.
    a.locator(f'[data-field="{city}"]').press("Enter")
    a.locator(".toast", has_text="sua mudança foi aplicada sobre a versão nova").wait_for()
    fields = call(core_page, "crm.card", {"chat": key})["row"]["fields"]
    assert fields[city] == "Campinas" and fields[area] == "Cambuí"

    # Both change the same field: A is asked, with B's value in the question, and keeps its own.
    wait_for(lambda: card_of(a)["version"] == call(core_page, "crm.card", {"chat": key})["row"]["version"],
             timeout=10, message="A up to date")
    wait_for(lambda: b.locator(f'[data-field="{city}"]').input_value() == "Campinas", timeout=10, message="B redrawn")
    a.locator(f'[data-field="{city}"]').fill("Sorocaba")
    b.locator(f'[data-field="{city}"]').fill("Jundiaí")
    b.locator(f'[data-field="{city}"]').press("Enter")
    wait_for(lambda: call(core_page, "crm.card", {"chat": key})["row"]["fields"].get(city) == "Jundiaí", timeout=10,
             message="B's city")
    a.locator(f'[data-field="{city}"]').press("Enter")
    question = a.locator(".ask[role=alertdialog]")
    question.wait_for()
    assert "Jundiaí" in question.inner_text()
    question.get_by_role("button", name="Manter a minha").click()
    wait_for(lambda: call(core_page, "crm.card", {"chat": key})["row"]["fields"].get(city) == "Sorocaba", timeout=10,
             message="A's city kept on purpose")
    wait_for(lambda: b.locator(f'[data-field="{city}"]').input_value() == "Sorocaba", timeout=10, message="B follows")
    a.close()
    b.close()
    wa.close()


def test_a_redraw_held_for_typing_does_not_swallow_the_click_that_ends_it(routed, core_page):
    """A change arrives while a note is typed: the card holds its redraw. A person's press on
    "Adicionar nota" (~150 ms between down and up) moves the focus out first; the redraw must
    wait for the release, or the button under the pointer is replaced and the click is lost."""
    context, ext_id = routed
    wa = open_whatsapp(context, "gen=2026&lang=pt-BR")
    chat_id, name = wa.evaluate("() => { const c = __replica.chats().slice(16).find(c => c.name); return [c.id, c.name]; }")
    wa.evaluate("id => __replica.openChat(id)", chat_id)
    panel = open_panel(context, ext_id)
    wait_card(panel, name)
    # The chat's number is proven from its contact drawer shortly after it opens (the card then
    # follows the number's key): start once the card shows the key that stays.
    number = wait_for(lambda: (c := call(core_page, "capture.open_chat")["chat"] or "").endswith("@c.us") and c,
                      timeout=30, message="the open chat known by its number")
    key = call(core_page, "crm.card", {"chat": number})["row"]["key"]
    wait_for(lambda: card_of(panel)["key"] == key, timeout=10, message="the card on the number's record")
    panel.locator("#crm-note-text").fill("Entrega no sábado às 15h")
    # Another page changes the record: the card says it holds the redraw (the user is typing).
    version = call(core_page, "crm.card", {"chat": key})["row"]["version"]
    call(core_page, "crm.record.update", {"chat": key, "version": version, "person_name": "Cliente do sábado"})
    wait_for(lambda: panel.locator("#crm-card").get_attribute("data-pending") == "redraw", timeout=10,
             message="the redraw held while typing")
    panel.locator("#crm-note-add").click(delay=150)
    panel.locator("#crm-notes .note", has_text="Entrega no sábado").wait_for(timeout=10_000)
    assert [n["text"] for n in call(core_page, "crm.card", {"chat": key})["notes"]] == ["Entrega no sábado às 15h"]
    wait_card(panel, "Cliente do sábado")  # and the held redraw was drawn after the click
    # A button reached with Tab keeps the focus through a redraw: Enter still presses it.
    panel.locator("#crm-reminder-text").fill("Confirmar o endereço")
    version = call(core_page, "crm.card", {"chat": key})["row"]["version"]
    call(core_page, "crm.record.update", {"chat": key, "version": version, "person_name": "Cliente de sábado"})
    wait_for(lambda: panel.locator("#crm-card").get_attribute("data-pending") == "redraw", timeout=10,
             message="the redraw held while typing")
    panel.locator("#crm-reminder-add").focus()  # leaving the box: the held redraw runs now
    wait_card(panel, "Cliente de sábado")
    assert panel.evaluate("() => document.activeElement.id") == "crm-reminder-add"
    panel.keyboard.press("Enter")
    panel.locator("#crm-reminders .reminder", has_text="Confirmar o endereço").wait_for(timeout=10_000)
    panel.close()
    wa.close()


def settled_card(context, ext_id, core_page, wa, index: int):
    """A chat known by its number (an unsaved one: its header is the number) opened in WhatsApp,
    and its card in a panel."""
    chat_id = wa.evaluate("i => __replica.chats().slice(i).find(c => c.kind === 'user' && c.saved === false).id", index)
    wa.evaluate("id => __replica.openChat(id)", chat_id)
    wait_for(lambda: call(core_page, "capture.open_chat")["chat"] == chat_id, timeout=30, message="the chat seen open")
    key = call(core_page, "crm.card", {"chat": chat_id})["row"]["key"]
    panel = open_panel(context, ext_id)
    wait_for(lambda: card_of(panel)["key"] == key, timeout=30, message="the card of the open chat")
    return panel, key


def test_the_echo_of_the_cards_own_write_is_not_drawn_again(routed, core_page):
    """The card asks for itself again after adding a note; the core's crm.changed for that note
    then says nothing new, and the card does not ask a second time (which would redraw it and
    replace the button under the user's next click: the demo once lost a click to it). A tag's
    write answers with the row and its change number: its echo is not asked for either."""
    context, ext_id = routed
    wa = open_whatsapp(context, "gen=2026&lang=pt-BR")
    panel, key = settled_card(context, ext_id, core_page, wa, 30)
    panel.evaluate("""key => { window.__changes = [];
        MettriCore.onEvent((e) => { if (e.event === 'crm.changed' && e.data.keys.includes(key)) __changes.push(e.data.seq); });
    }""", key)
    asks = panel.evaluate("() => Number(document.querySelector('#crm-card').dataset.changeAsks ?? 0)")
    panel.locator("#crm-note-text").fill("Quer o catálogo novo")
    panel.locator("#crm-note-add").click()
    panel.locator("#crm-notes .note", has_text="Quer o catálogo novo").wait_for(timeout=10_000)
    seq = wait_for(lambda: panel.evaluate("() => __changes[0]"), timeout=10, message="the note's crm.changed")
    seen = wait_for(lambda: (s := panel.locator("#crm-card").get_attribute("data-change-seen") or "0:")
                    and int(s.split(":")[0]) >= seq and s, timeout=10, message="the card's decision on it")
    assert panel.evaluate("() => __changes") == [seq]  # nothing else changed this record meanwhile
    assert seen == f"{seq}:drawn"
    assert panel.evaluate("() => Number(document.querySelector('#crm-card').dataset.changeAsks ?? 0)") == asks

    # A write that answers with the row (a tag) carries its change number: its echo is not asked for either.
    if not any(t["name"] == "Eco" for t in call(core_page, "crm.defs")["tags"]):
        call(core_page, "crm.tag.create", {"label": "Eco"})
    panel.locator("#crm-tag-input").fill("Eco")
    panel.locator("#crm-tag-input").press("Enter")
    panel.locator("#crm-tags", has_text="Eco").wait_for(timeout=10_000)
    tag_seq = wait_for(lambda: panel.evaluate("() => __changes[1]"), timeout=10, message="the tag's crm.changed")
    wait_for(lambda: (s := panel.locator("#crm-card").get_attribute("data-change-seen") or "0:")
             and int(s.split(":")[0]) >= tag_seq, timeout=10, message="the card's decision on it")
    assert panel.evaluate("() => __changes") == [seq, tag_seq]
    assert panel.locator("#crm-card").get_attribute("data-change-seen") == f"{tag_seq}:drawn"
    assert panel.evaluate("() => Number(document.querySelector('#crm-card').dataset.changeAsks ?? 0)") == asks
    panel.close()
    wa.close()


def test_a_tag_made_on_another_page_while_one_is_typed_here_is_added(routed, core_page):
    """The user starts typing a tag in the card while another page makes a tag of that name. The card
    is not redrawn under the typing, so its list of tags is older than the core's: the tag it does
    not know yet is found in the core's, and added, not made again (refused as a duplicate)."""
    context, ext_id = routed
    wa = open_whatsapp(context, "gen=2026&lang=pt-BR")
    panel, key = settled_card(context, ext_id, core_page, wa, 30)
    box = panel.locator("#crm-tag-input")
    box.press_sequentially("Feir")
    assert not any(t["name"] == "Feirante" for t in call(core_page, "crm.defs")["tags"])
    made = call(core_page, "crm.tag.create", {"label": "Feirante"})
    box.press_sequentially("ante")
    box.press("Enter")
    panel.locator("#crm-tags .chip", has_text="Feirante").wait_for(timeout=10_000)
    assert made["id"] in call(core_page, "crm.card", {"chat": key})["row"]["tags"]
    assert [t["name"] for t in call(core_page, "crm.defs")["tags"]].count("Feirante") == 1
    assert panel.locator("#crm-tag-error").text_content() == ""
    panel.close()
    wa.close()


def test_an_answer_landing_while_a_button_is_held_waits_for_the_release(routed, core_page):
    """Another page changes the record; the card asks for it again, and the user presses
    "Adicionar nota" while that answer is on its way. Drawn on arrival, it would replace the button
    under the pointer and the click would be lost; the card holds it until the release."""
    context, ext_id = routed
    wa = open_whatsapp(context, "gen=2026&lang=pt-BR")
    panel, key = settled_card(context, ext_id, core_page, wa, 34)
    panel.locator("#crm-note-text").fill("Trocar o tamanho")
    panel.evaluate("() => document.activeElement.blur()")  # typed, left the box: redraws are not held
    # The press begins the moment the card asks (in the same task: before any answer can land).
    panel.evaluate("""() => { const root = document.querySelector('#crm-card');
        const watch = new MutationObserver(() => {
            if (!(root.dataset.changeSeen ?? '').endsWith(':asked')) return;
            watch.disconnect();
            window.__pressed = document.querySelector('#crm-note-add');
            __pressed.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
        });
        watch.observe(root, { attributes: true, attributeFilter: ['data-change-seen'] });
    }""")
    version = call(core_page, "crm.card", {"chat": key})["row"]["version"]
    call(core_page, "crm.record.update", {"chat": key, "version": version, "person_name": "Cliente do tamanho"})
    wait_for(lambda: panel.locator("#crm-card").get_attribute("data-pending") == "redraw", timeout=10,
             message="the answer held while the button is down")
    kept = panel.evaluate("""() => { const b = document.querySelector('#crm-note-add');
        b.dispatchEvent(new PointerEvent('pointerup', { bubbles: true }));
        b.click();  // a release on the pressed button clicks it, in the same task
        return b === window.__pressed; }""")
    assert kept
    panel.locator("#crm-notes .note", has_text="Trocar o tamanho").wait_for(timeout=10_000)
    wait_card(panel, "Cliente do tamanho")  # the held answer is asked for and drawn after the click
    assert [n["text"] for n in call(core_page, "crm.card", {"chat": key})["notes"]].count("Trocar o tamanho") == 1
    panel.close()
    wa.close()


def test_a_redraw_keeps_the_caret_where_the_user_put_it(routed, core_page):
    """A note's editor just opened (nothing typed yet, so the card does not hold its redraws) when
    another page changes the record: the redrawn editor keeps the focus and the caret, and what the
    user types next goes where the caret was (CI once saw a late redraw put it at the start)."""
    context, ext_id = routed
    wa = open_whatsapp(context, "gen=2026&lang=pt-BR")
    chat_id, name = wa.evaluate("() => __replica.chats().slice(26, 27).map(c => [c.id, c.name])[0]")
    wa.evaluate("id => __replica.openChat(id)", chat_id)
    panel = open_panel(context, ext_id)
    key = wait_card(panel, name)["key"]
    panel.locator("#crm-note-text").fill("Bolo de fubá")
    panel.locator("#crm-note-add").click()
    note = panel.locator("#crm-notes .note", has_text="Bolo de fubá")
    note.get_by_role("button", name="Editar a nota").click()
    box = note.locator("textarea")
    box.evaluate("b => { b.focus(); b.setSelectionRange(8, 8); }")  # after "Bolo de "
    version = card_of(panel)["version"]
    row = call(core_page, "crm.card", {"chat": key})["row"]
    call(core_page, "crm.record.update", {"chat": key, "version": row["version"], "person_name": "Cliente do fubá"})
    wait_for(lambda: card_of(panel)["version"] > version, timeout=10, message="the card redrawn with the change")
    assert panel.evaluate("() => [document.activeElement.tagName, document.activeElement.selectionStart]") == ["TEXTAREA", 8]
    panel.keyboard.type("milho e ")
    assert note.locator("textarea").input_value() == "Bolo de milho e fubá"
    panel.close()
    wa.close()


def test_tag_rename_note_edit_reminder_done_and_a_crm_search_hit_open_the_card(routed, core_page):
    context, ext_id = routed
    wa = open_whatsapp(context, "gen=2026&lang=pt-BR")
    chats = wa.evaluate("() => __replica.chats().slice(24, 26).map(c => [c.id, c.name])")
    wa.evaluate("id => __replica.openChat(id)", chats[0][0])
    panel = open_panel(context, ext_id)
    key = wait_card(panel, chats[0][1])["key"]

    # A tag renamed and recoloured from its chip: every record follows (one definition).
    panel.locator("#crm-tag-input").fill("Revenda Norte")
    panel.locator("#crm-tag-input").press("Enter")
    panel.get_by_role("button", name="Editar a etiqueta Revenda Norte").click()
    editor = panel.locator(".tag-editor")
    editor.locator("input[type=text]").fill("Revenda Sul")
    editor.locator("input[type=color]").fill("#5e35b1")
    editor.get_by_role("button", name="Salvar").click()
    chip = panel.locator("#crm-tags .chip", has_text="Revenda Sul")
    chip.wait_for()
    # The chip is drawn again once the card reloads: read the colour of the one on screen.
    wait_for(lambda: panel.locator("#crm-tags .chip", has_text="Revenda Sul").evaluate_all(
        "es => es.map(e => getComputedStyle(e).backgroundColor)") == ["rgb(94, 53, 177)"], message="the chip in its new colour")
    tag = next(t for t in call(core_page, "crm.defs")["tags"] if t["name"] == "Revenda Sul")
    assert tag["color"].lower() == "#5e35b1" and call(core_page, "crm.card", {"chat": key})["row"]["tags"] == [tag["id"]]

    # A note edited in place.
    panel.locator("#crm-note-text").fill("Gosta de girassol")
    panel.locator("#crm-note-add").click()
    note = panel.locator("#crm-notes .note", has_text="Gosta de girassol")
    note.get_by_role("button", name="Editar a nota").click()
    note.locator("textarea").fill("Gosta de girassóis amarelos")
    note.get_by_role("button", name="Salvar").click()
    panel.locator("#crm-notes .note-text", has_text="Gosta de girassóis amarelos").wait_for()
    assert [n["text"] for n in call(core_page, "crm.card", {"chat": key})["notes"]] == ["Gosta de girassóis amarelos"]

    # A reminder done from the card leaves the open list.
    panel.locator("#crm-reminder-text").fill("Mandar fotos")
    panel.locator("#crm-reminder-add").click()
    item = panel.locator("#crm-reminders .reminder", has_text="Mandar fotos")
    rid = item.get_attribute("data-reminder")
    item.get_by_role("button", name="Marcar como feito: Mandar fotos").click()
    panel.locator(f'#crm-reminders [data-reminder="{rid}"]').wait_for(state="detached")
    assert rid not in [r["id"] for r in call(core_page, "crm.reminders.list", {"scope": "open", "chat": key})["reminders"]]

    # The person's name, edited in place (the chat's title stays WhatsApp's).
    panel.get_by_role("button", name="Editar o nome").click()
    panel.locator('[data-fk="name-input"]').fill("Dona Cida (floricultura)")
    panel.locator('[data-fk="name-input"]').press("Enter")
    wait_card(panel, "Dona Cida (floricultura)")
    assert call(core_page, "crm.card", {"chat": key})["row"]["name"] == "Dona Cida (floricultura)"

    # The note is found by the side panel's search (accents folded) and opens this record's card.
    wa.evaluate("id => __replica.openChat(id)", chats[1][0])
    wait_card(panel, chats[1][1])
    panel.locator('.tabs [data-view="search"]').click()
    panel.locator("#search-q").fill("girassois")
    hit = panel.locator(f'#search-records li[data-record="{key}"]')
    hit.wait_for(timeout=20_000)
    assert "girassóis" in hit.inner_text() and BAD_WORDS.search(hit.inner_text()) is None
    hit.click()
    wait_for(lambda: panel.locator("#card-view").is_visible() and card_of(panel)["key"] == key, timeout=20,
             message="the record's card")
    panel.close()
    wa.close()


BADGE_TEXT = "() => document.querySelector('mettri-crm-badge')?.shadowRoot?.querySelector('.badge')?.textContent ?? ''"
HEADER_LAYOUT = """() => [...document.querySelectorAll('#main header, #main header *')]
    .map(e => { const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; })"""


def test_badge_under_the_header_shows_stage_and_tags_and_is_gone_in_safe_mode(routed, core_page):
    context, ext_id = routed
    wa = open_whatsapp(context, "gen=2026&lang=pt-BR")
    (a_id, a_name), (b_id, b_name) = wa.evaluate("() => __replica.chats().slice(28, 30).map(c => [c.id, c.name])")
    wa.evaluate("id => __replica.openChat(id)", a_id)
    world = browser.content_script_world(wa)
    panel = open_panel(context, ext_id)
    key = wait_card(panel, a_name)["key"]
    wait_for(lambda: world.evaluate("MettriContent.badge.decision()") == {"chat": key, "state": "empty"}, timeout=20,
             message="no badge for a chat without stage or tags")
    assert wa.evaluate(BADGE_TEXT) == ""
    before = wa.evaluate(HEADER_LAYOUT)

    panel.locator("#crm-stage").select_option(label="Em conversa")
    panel.locator("#crm-tag-input").fill("Badge VIP")
    panel.locator("#crm-tag-input").press("Enter")
    wait_for(lambda: "Em conversa" in (t := wa.evaluate(BADGE_TEXT)) and "Badge VIP" in t, timeout=20, message="the badge")
    assert wa.evaluate(HEADER_LAYOUT) == before  # WhatsApp's own header did not move
    assert wa.evaluate("""() => document.querySelector('#main header').getBoundingClientRect().bottom
        <= document.querySelector('mettri-crm-badge').shadowRoot.querySelector('.badge').getBoundingClientRect().top""")

    # Another chat without CRM data: the badge goes.
    wa.evaluate("id => __replica.openChat(id)", b_id)
    wait_for(lambda: (d := world.evaluate("MettriContent.badge.decision()"))["state"] == "empty" and d["chat"] != key,
             timeout=20, message="the other chat's decision")
    assert wa.evaluate("() => document.querySelector('mettri-crm-badge')") is None
    wa.close()

    # Read-only safe mode (the self-test cannot trust the page): no badge, even for chat A.
    table = call(core_page, "selectors.get")
    for feature in ("message_row", "composer", "send_button"):
        table["features"][feature]["candidates"] = [{"css": "#mettri-not-there", "gens": ["2024", "2025", "2026"]}]
    assert call(core_page, "selectors.override", {"table": table})["active"] is True
    try:
        wa = open_whatsapp(context, "gen=2026&lang=pt-BR")
        world = browser.content_script_world(wa)
        wa.evaluate("id => __replica.openChat(id)", a_id)
        wait_for(lambda: world.evaluate("MettriContent.badge.decision()")["state"] == "safe_mode", timeout=30,
                 message="the badge's decision in safe mode")
        assert wa.evaluate("() => document.querySelector('mettri-crm-badge')") is None
        wa.close()
    finally:
        call(core_page, "selectors.override", {"table": None})
    panel.close()
