"""The CRM settings page (full tab): pipelines and their stages, custom fields, tags and the
general settings, edited by a user and checked in the core. A stage removed while it holds a deal
asks where the deal goes; a field with values asks before deleting them; a tag deleted leaves
every contact; a write based on a version another window changed is refused and reloaded."""

from __future__ import annotations

import pytest

from tests import browser
from tests.e2e.a11y import assert_accessible, assert_readable
from tests.e2e.test_crm_pages import ok, row

pytestmark = pytest.mark.e2e

PAGE = "extension/pages/crm-settings/crm-settings.html"
BIA = "5511955510001@c.us"
CAIO = "5511955510002@c.us"



def defs(core_page):
    return ok(core_page, "crm.defs")



def saves(page) -> int:
    return int(page.locator("main").get_attribute("data-saves") or 0)


def saved(page, before: int) -> None:
    """Wait until the page settled one more write (saved or refused: its status or error says which)."""
    page.wait_for_function("n => Number(document.querySelector('main').dataset.saves || 0) > n", arg=before)


def click_and_settle(page, locator) -> None:
    n = saves(page)
    locator.click()
    saved(page, n)


def open_settings(context, ext_id, width=1000):
    page = browser.open_page(context, ext_id, PAGE)
    page.set_viewport_size({"width": width, "height": 900})
    page.wait_for_function("() => document.querySelector('main').dataset.ready === '1'")
    return page


def test_pipelines_stages_fields_tags_and_settings_are_edited_from_the_page(routed, core_page):
    context, ext_id = routed
    page = open_settings(context, ext_id)
    status = page.locator("#cs-status")
    error = page.locator("#cs-error")

    # A new pipeline gets the five default stages.
    page.locator("#cs-pipeline-new-name").fill("Pós-venda E2E")
    click_and_settle(page, page.get_by_role("button", name="Criar funil"))
    pipeline = next(p for p in defs(core_page)["pipelines"] if p["label"]["pt_BR"] == "Pós-venda E2E")
    assert len(pipeline["stages"]) == 5
    box = page.locator(f'fieldset[data-pipeline="{pipeline["id"]}"]')
    box.wait_for()

    # Bia has a deal in its third stage; that stage is then removed, another renamed, one added
    # and the last moved up.
    third = pipeline["stages"][2]
    ok(core_page, "crm.deal.set", {"chat": BIA, "version": row(core_page, BIA)["version"], "pipeline": pipeline["id"],
                                   "stage": third["id"]})
    stages = box.locator("ol.stages li")
    stages.nth(1).locator('input[data-role="stage-name"]').fill("Negociando")
    stages.nth(2).get_by_role("button", name=f"Remover a etapa {third['label']['pt_BR']}").click()
    box.locator('[data-role="stage-add"]').click()
    stages.last.locator('input[data-role="stage-name"]').fill("Aguardando pagamento")
    last_named = stages.nth(3).locator('input[data-role="stage-name"]').input_value()
    stages.nth(3).locator('[data-move="-1"]').click()

    click_and_settle(page, box.locator('[data-role="pipeline-save"]'))
    # Refused: the removed stage holds Bia's deal. The page asks where it goes; nothing changed yet.
    question = box.locator(".ask")
    question.wait_for()
    assert "1 negócio" in question.inner_text()
    assert [s["id"] for s in next(p for p in defs(core_page)["pipelines"] if p["id"] == pipeline["id"])["stages"]] == \
        [s["id"] for s in pipeline["stages"]]
    assert_accessible(page, what="the settings page asking where the deals go")
    question.get_by_label("Mover os negócios para").select_option(label="Negociando")
    click_and_settle(page, question.get_by_role("button", name="Mover e salvar"))
    assert "negócios foram movidos" in status.inner_text(), (status.inner_text(), error.inner_text())

    now = next(p for p in defs(core_page)["pipelines"] if p["id"] == pipeline["id"])
    names = [s["label"]["pt_BR"] for s in now["stages"]]
    s = pipeline["stages"]
    assert names == [s[0]["label"]["pt_BR"], "Negociando", last_named, s[3]["label"]["pt_BR"], "Aguardando pagamento"], names
    assert now["stages"][1]["id"] == s[1]["id"]  # renamed, same stage: its deals stay
    deal = next(d for d in row(core_page, BIA)["deals"] if d["pipeline"] == pipeline["id"])
    assert deal["stage"] == s[1]["id"]
    kinds = [i["kind"] for i in ok(core_page, "crm.timeline", {"chat": BIA, "limit": 10})["items"]]
    assert "stage" in kinds, kinds

    # A custom field (choice): renamed, an option added; deleting it while Caio has a value asks twice.
    field = ok(core_page, "crm.field.create", {"label": "Região E2E", "type": "choice",
                                               "options": [{"label": "Norte"}, {"label": "Sul"}]})
    north = field["options"][0]["id"]
    ok(core_page, "crm.record.update", {"chat": CAIO, "version": row(core_page, CAIO)["version"], "fields": {field["id"]: north}})
    fbox = page.locator(f'fieldset[data-field="{field["id"]}"]')
    fbox.wait_for()
    fbox.locator('[data-role="field-name"]').fill("Região de entrega")
    fbox.locator('[data-role="field-options"]').fill("Norte\nSul\nCentro-Oeste")
    click_and_settle(page, fbox.locator('[data-role="field-save"]'))
    f = next(x for x in defs(core_page)["fields"] if x["id"] == field["id"])
    assert f["label"] == "Região de entrega" and [o["label"] for o in f["options"]] == ["Norte", "Sul", "Centro-Oeste"]
    assert f["options"][0]["id"] == north  # an unchanged option keeps its id: Caio's value still reads "Norte"
    fbox = page.locator(f'fieldset[data-field="{field["id"]}"]')
    fbox.locator('[data-role="field-delete"]').click()
    fbox.locator(".ask").get_by_role("button", name="Excluir").click()
    fbox.locator(".ask", has_text="1 contato").get_by_role("button", name="Excluir o campo e os valores").wait_for()
    assert field["id"] in row(core_page, CAIO)["fields"]  # asked, not yet deleted
    click_and_settle(page, fbox.locator(".ask").get_by_role("button", name="Excluir o campo e os valores"))
    assert all(x["id"] != field["id"] for x in defs(core_page)["fields"])
    assert field["id"] not in row(core_page, CAIO)["fields"]

    # A tag deleted leaves every contact that had it.
    tag = ok(core_page, "crm.tag.create", {"label": "Atacado E2E", "color": "#00897b"})
    for chat in (BIA, CAIO):
        ok(core_page, "crm.record.update", {"chat": chat, "version": row(core_page, chat)["version"], "add_tags": [tag["id"]]})
    tbox = page.locator(f'fieldset[data-tag="{tag["id"]}"]')
    tbox.locator('[data-role="tag-delete"]').click()
    click_and_settle(page, tbox.locator(".ask").get_by_role("button", name="Excluir"))
    assert status.inner_text() == "Etiqueta Atacado E2E excluída. Contatos que a tinham: 2."
    assert all(tag["id"] not in row(core_page, chat)["tags"] for chat in (BIA, CAIO))
    assert all(x["id"] != tag["id"] for x in defs(core_page)["tags"])

    # The user is renaming a tag here when another window renames it: the form being typed in stays
    # (the other window's change does not wipe it), and saving it is refused and shows what is stored.
    other = ok(core_page, "crm.tag.create", {"label": "Varejo E2E", "color": "#6d4c41"})
    tbox = page.locator(f'fieldset[data-tag="{other["id"]}"]')
    tbox.wait_for()
    tbox.locator('[data-role="tag-name"]').fill("Varejo desta página")
    other_chip = page.locator(f'fieldset[data-tag="{other["id"]}"] legend .chip', has_text="Varejo E2E")
    drawn = int(page.locator("main").get_attribute("data-drawn"))
    ok(core_page, "crm.tag.update", {"id": other["id"], "version": other["version"], "label": "Varejo (outra janela)"})
    page.wait_for_function("n => Number(document.querySelector('main').dataset.drawn) > n", arg=drawn)  # the page heard it
    assert other_chip.count() == 1 and tbox.locator('[data-role="tag-name"]').input_value() == "Varejo desta página"
    click_and_settle(page, tbox.locator('[data-role="tag-save"]'))
    assert "Outra janela mudou isto antes" in error.inner_text()
    assert next(x for x in defs(core_page)["tags"] if x["id"] == other["id"])["name"] == "Varejo (outra janela)"
    page.locator(f'fieldset[data-tag="{other["id"]}"] input[data-role="tag-name"][value="Varejo (outra janela)"]').wait_for()

    # General: the waiting delay (restored after: other tests read "waiting" with the default).
    before = defs(core_page)["settings"]["waiting_minutes"]
    for minutes in (45, before):
        page.locator("#cs-waiting").fill(str(minutes))
        click_and_settle(page, page.locator("#cs-general button[type=submit]"))
        assert defs(core_page)["settings"]["waiting_minutes"] == minutes

    assert_accessible(page, what="the CRM settings page")
    assert_readable(page)
    page.set_viewport_size({"width": 400, "height": 900})  # a narrow window: nothing runs off the side
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 400
    assert_accessible(page, what="the CRM settings page at 400 px")
    page.close()


def test_a_pipeline_with_deals_is_not_deleted_and_the_last_one_stays(routed, core_page):
    context, ext_id = routed
    made = ok(core_page, "crm.pipeline.create", {"label": "Funil com negócio E2E"})
    ok(core_page, "crm.deal.set", {"chat": CAIO, "version": row(core_page, CAIO)["version"], "pipeline": made["id"]})
    page = open_settings(context, ext_id)
    box = page.locator(f'fieldset[data-pipeline="{made["id"]}"]')
    box.locator('[data-role="pipeline-delete"]').click()
    click_and_settle(page, box.locator(".ask").get_by_role("button", name="Excluir"))
    assert "tem 1 negócio" in page.locator("#cs-error").inner_text()
    assert any(p["id"] == made["id"] for p in defs(core_page)["pipelines"])

    empty = ok(core_page, "crm.pipeline.create", {"label": "Funil vazio E2E"})
    box = page.locator(f'fieldset[data-pipeline="{empty["id"]}"]')
    box.locator('[data-role="pipeline-delete"]').click()
    click_and_settle(page, box.locator(".ask").get_by_role("button", name="Excluir"))
    assert page.locator("#cs-status").inner_text() == "Excluído."
    assert all(p["id"] != empty["id"] for p in defs(core_page)["pipelines"])
    box.wait_for(state="detached")
    page.close()
