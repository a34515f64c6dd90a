"""Templates in the options page: create (a duplicate shortcut refused in words), edit, reorder, delete
with undo, a preview filled in for a real contact (a missing value said, never a half text), export
and import as JSON; axe-clean and free of undefined/null/NaN."""

from __future__ import annotations

import json

import pytest

from tests import browser
from tests.e2e.a11y import serious_violations

pytestmark = pytest.mark.e2e

CHAT = "5511982000001@c.us"


def names(page, expected=None):
    """The listed names; with ``expected``, once the list shows them (the list redraws after each change)."""
    if expected is not None:
        page.wait_for_function("(want) => JSON.stringify([...document.querySelectorAll('#tpl-list li .title')]"
                               ".map(e => e.textContent)) === JSON.stringify(want)", arg=expected)
    return page.locator("#tpl-list li .title").all_inner_texts()


def test_templates_are_managed_in_the_options_page(ext, core_page, tmp_path):
    context, ext_id = ext
    for t in browser.core_call(core_page, "templates.list")["result"]["templates"]:  # a clean slate
        browser.core_call(core_page, "templates.delete", {"id": t["id"], "version": t["version"]})
    reply = browser.core_call(core_page, "messages.import", {"records": [
        {"chat": CHAT, "id": "TPLOPT1", "ts": 1_780_000_000, "direction": "in", "text": "Oi!", "chat_title": "Carla Dias"}]})
    assert reply["ok"], reply
    page = browser.open_page(context, ext_id)
    pt = page.evaluate("() => chrome.i18n.getMessage('@@ui_locale')").lower().startswith("pt")
    page.locator("#tpl-form").wait_for()

    def add(name, shortcut, text):
        page.fill("#tpl-name", name)
        page.fill("#tpl-shortcut", shortcut)
        page.fill("#tpl-text", text)
        before = page.locator("#tpl-message").inner_text()
        page.click("#tpl-save")
        page.wait_for_function("(b) => document.querySelector('#tpl-message').textContent !== b", arg=before)
        return page.locator("#tpl-message").inner_text()

    assert "Pix" in add("Pix", "pix", "Chave Pix: loja@exemplo.com")
    add("Prazo", "prazo", "Entregamos em 2 dias, {{primeiro_nome}}.")
    assert names(page, ["Pix", "Prazo"]) == ["Pix", "Prazo"]
    refused = add("Outro", "PIX", "x")
    assert page.locator("#tpl-message").get_attribute("role") == "alert"
    assert refused == ('O atalho /PIX já é do modelo "Pix".' if pt else 'The shortcut /PIX already belongs to the template "Pix".')
    assert names(page) == ["Pix", "Prazo"]

    # Preview for a real contact, then for nobody: the missing name is said, no half text.
    page.fill("#tpl-text", "Entregamos em 2 dias, {{primeiro_nome}}.")
    page.select_option("#tpl-preview-chat", CHAT)
    page.click("#tpl-preview")
    page.wait_for_function("() => document.querySelector('#tpl-preview-out').textContent.includes('Carla')")
    assert page.locator("#tpl-preview-out").inner_text() == "Entregamos em 2 dias, Carla."
    page.select_option("#tpl-preview-chat", "")
    page.click("#tpl-preview")
    page.locator("#tpl-preview-out.error li").wait_for()
    assert "{{primeiro_nome}}" in page.locator("#tpl-preview-out").inner_text()

    # Reorder with the keyboard-reachable buttons; the order is the core's.
    page.locator("#tpl-list li").nth(1).locator(".tpl-up").click()
    page.wait_for_function("() => document.querySelector('#tpl-list li .title').textContent === 'Prazo'")
    assert [t["name"] for t in browser.core_call(core_page, "templates.list")["result"]["templates"]] == ["Prazo", "Pix"]

    # Edit.
    page.locator("#tpl-list li").nth(1).locator(".tpl-edit").click()
    assert page.locator("#tpl-name").input_value() == "Pix"
    page.fill("#tpl-text", "Chave Pix: 12.345.678/0001-90")
    page.click("#tpl-save")
    page.wait_for_function("() => [...document.querySelectorAll('#tpl-list .tpl-text')].some(e => e.textContent.includes('0001-90'))")

    # Delete, then undo: back at its place.
    page.locator("#tpl-list li").nth(0).locator(".tpl-delete").click()
    page.locator("#tpl-undo").wait_for()
    assert names(page, ["Pix"]) == ["Pix"]
    page.click("#tpl-undo")
    page.wait_for_function("() => document.querySelectorAll('#tpl-list li .title').length === 2")
    assert names(page) == ["Prazo", "Pix"]

    # Export, then import the file back with one new template and one bad item.
    with page.expect_download() as dl:
        page.click("#tpl-export")
    data = json.loads(open(dl.value.path(), encoding="utf-8").read())
    assert [t["shortcut"] for t in data["templates"]] == ["prazo", "pix"]
    data["templates"] += [{"name": "Horário", "shortcut": "horario", "text": "Abrimos às 9h."}, {"name": "", "text": "x"}]
    path = tmp_path / "modelos.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    page.set_input_files("#tpl-import-file", str(path))
    page.locator("#tpl-import-issues li").first.wait_for()
    page.wait_for_function("() => document.querySelectorAll('#tpl-list li .title').length === 3")
    assert names(page) == ["Prazo", "Pix", "Horário"]
    issues = page.locator("#tpl-import-issues li").all_inner_texts()
    assert len(issues) == 3 and issues[-1].startswith("Item 4: " + ("Dê um nome" if pt else "Give the template"))

    text = page.locator("#templates").inner_text()
    assert not any(bad in text for bad in ("undefined", "null", "NaN")), text
    assert serious_violations(page, "#templates") == []
    page.close()
