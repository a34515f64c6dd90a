"""Templates and quick replies: variables from the CRM card, clear errors for unknown and empty ones
(never a message with {{...}} or an empty name), the picker's matching, the user's order, delete with
undo, import and export; and campaigns rendering through the same renderer."""

from __future__ import annotations

import datetime as dt
import json

from pycore.templates.render import Variables, render
from pycore.templates.variables import Locale, first_name
from tests.core.crm_support import ANA, BIA, GROUP, deal, err, field, messages, ok, update

NOBODY = "5511900000001@c.us"  # a chat with no name anywhere: only its number


def save(core, label, text, shortcut="", category="", **extra):
    return ok(core, "templates.save", {"label": label, "text": text, "shortcut": shortcut, "category": category, **extra})


def preview(core, text, chat=None, locale="pt-BR"):
    args = {"text": text, "locale": locale, "utc_offset_min": -180}
    if chat:
        args["chat"] = chat
    return ok(core, "templates.preview", args)


def test_variables_come_from_the_crm_card_in_the_pages_locale(core, clock):
    city = field(core, "Cidade", "text")
    birthday = field(core, "Data de aniversário", "date")
    credit = field(core, "Crédito", "money")
    update(core, ANA, person_name="Dona Ana Souza", fields={city["id"]: "Niterói", birthday["id"]: "1990-03-12",
                                                            credit["id"]: 123456})
    deal(core, ANA, stage=None, value=250000)
    text = "Oi {{primeiro_nome}} ({{nome}}), de {{Cidade}}: etapa {{etapa}}, {{valor}}, crédito {{crédito}}, " \
           "aniversário {{data_de_aniversario}}, hoje {{data}}."
    today = dt.datetime.fromtimestamp(clock.now(), dt.timezone(dt.timedelta(hours=-3))).date()
    pt = preview(core, text, ANA)
    assert pt["problems"] == [] and pt["contact"] == "Dona Ana Souza"
    assert pt["text"] == (f"Oi Ana (Dona Ana Souza), de Niterói: etapa Novo contato, R$ 2.500,00, crédito R$ 1.234,56, "
                          f"aniversário 12/03/1990, hoje {today:%d/%m/%Y}.")
    en = preview(core, "{{first_name}}: {{stage}}, {{value}}, {{today}}", ANA, locale="en-US")["text"]
    assert en == f"Ana: New contact, R$2,500.00, {today:%m/%d/%Y}"


def test_a_variable_that_does_not_exist_or_has_no_value_is_an_error_never_a_text(core):
    update(core, ANA, person_name="Ana Souza")
    unknown = preview(core, "Oi {{primeiro_nome}}, seu {{cupom}} chegou", ANA)
    assert unknown["text"] is None
    [p] = unknown["problems"]
    assert (p["code"], p["variable"]) == ("unknown", "cupom")
    assert "{{cupom}} não existe" in p["pt_BR"] and "There is no variable {{cupom}}" in p["en"]
    assert "{{primeiro_nome}}" in p["pt_BR"]  # the ones that do exist are named

    city = field(core, "Cidade", "text")
    missing = preview(core, "Entregamos em {{cidade}}", ANA)
    assert missing["text"] is None
    assert [(q["code"], q["variable"]) for q in missing["problems"]] == [("missing", "cidade")]
    assert "não tem valor para Ana Souza" in missing["problems"][0]["pt_BR"]
    assert "has no value for Ana Souza" in missing["problems"][0]["en"]
    update(core, ANA, fields={city["id"]: "Niterói"})
    assert preview(core, "Entregamos em {{cidade}}", ANA)["text"] == "Entregamos em Niterói"


def test_a_contact_known_only_by_its_number_has_no_name(core):
    """A number, or a group, is never written where a person's name goes."""
    for chat in (NOBODY, GROUP):
        r = preview(core, "Oi {{primeiro_nome}}!", chat)
        assert r["text"] is None and r["problems"][0]["code"] == "missing", r
    assert preview(core, "Oi {{nome}}", None)["problems"][0]["pt_BR"].startswith("{{nome}} precisa de um contato")
    assert preview(core, "Bom dia, {{data}}", None)["text"].startswith("Bom dia, ")


def test_braces_that_are_not_a_variable_are_refused(core):
    for text in ("Oi {{ }}", "Oi {{nome", "Oi nome}}", "Oi {{nome}"):
        r = preview(core, text, ANA)
        assert r["text"] is None and r["problems"][0]["code"] == "malformed", text
    code, detail = err(core, "templates.save", {"label": "x", "text": "Oi {{nome"})
    assert code == "invalid_args" and detail["reason"] == "var_malformed" and detail["problems"]


def test_a_value_never_smuggles_a_variable_in(core):
    update(core, ANA, person_name="Ana {{cupom}}")
    assert preview(core, "Oi {{nome}}", ANA)["text"] == "Oi Ana {cupom}"


def test_first_names_skip_courtesy_words():
    assert first_name("Dona Maria da Silva") == "Maria"
    assert first_name("Sr. João") == "João"
    assert first_name("Dr") == "Dr"
    assert first_name("😀 Ana") == "Ana"
    assert first_name("+55 11 98765-4321") is None


def test_renderer_reports_each_variable_once_and_names_them_folded():
    v = Variables(values={"primeiro_nome": "Ana"}, known={"primeiro_nome": "primeiro_nome", "cidade": "cidade"}, who="Ana")
    r = render("{{Primeiro Nome}} {{ cidade }} {{CIDADE}}", v)
    assert r.text is None and [(p.code, p.variable) for p in r.problems] == [("missing", "cidade")]
    assert r.used == ("primeiro_nome", "cidade")
    assert render("{{primeiro-nome}}!", v).text == "Ana!"


def test_save_validates_and_keeps_shortcuts_unique(core):
    t = save(core, "Preço", "O {{produto}} custa R$ 50", shortcut="/Preço", category="Vendas")
    assert t["shortcut"] == "Preço" and t["variables"] == ["produto"]
    assert [n["reason"] for n in t["notes"]] == ["var_not_in_crm"]  # saved, with a note: a campaign may bring it
    code, detail = err(core, "templates.save", {"label": "Outro", "text": "x", "shortcut": "preco"})
    assert code == "invalid_args" and detail["reason"] == "duplicate_shortcut" and "Preço" in detail["pt_BR"]
    for bad in ("com espaço", "x" * 31, "-inicio"):
        assert err(core, "templates.save", {"label": "A", "text": "x", "shortcut": bad})[1]["reason"] == "shortcut_chars"
    assert err(core, "templates.save", {"label": " ", "text": "x"})[1]["reason"] == "name_empty"
    assert err(core, "templates.save", {"label": "A", "text": "  "})[1]["reason"] == "text_empty"
    changed = ok(core, "templates.save", {"id": t["id"], "version": t["version"], "label": "Preço", "text": "Custa R$ 60",
                                          "shortcut": "preco", "category": "Vendas"})
    assert changed["version"] == t["version"] + 1
    stale = err(core, "templates.save", {"id": t["id"], "version": t["version"], "label": "x", "text": "y"})
    assert stale[0] == "conflict" and stale[1]["reason"] == "stale_version" and stale[1]["current"]["text"] == "Custa R$ 60"


def test_picker_matches_shortcut_first_then_words_and_fills_for_the_open_chat(core):
    update(core, ANA, person_name="Ana Souza")
    save(core, "Horário de funcionamento", "Abrimos às 9h, {{primeiro_nome}}!", shortcut="horario", category="Loja")
    save(core, "Chave Pix", "Nossa chave Pix é loja@exemplo.com", shortcut="pix", category="Pagamento")
    save(core, "Pix parcelado", "Pix à vista ou cartão em 3x", shortcut="pixparc", category="Pagamento")
    save(core, "Prazo", "Entregamos em {{cidade_inexistente}}", shortcut="prazo")

    def pick(query, chat=ANA):
        args = {"query": query, "locale": "pt-BR", **({"chat": chat} if chat else {})}
        return ok(core, "templates.pick", args, source="content")

    assert [i["template"]["shortcut"] for i in pick("pix")["items"]] == ["pix", "pixparc"]
    assert [i["template"]["shortcut"] for i in pick("PIXP")["items"]] == ["pixparc"]
    assert [i["template"]["shortcut"] for i in pick("pagamento")["items"]] == ["pix", "pixparc"]
    assert [i["template"]["shortcut"] for i in pick("horário")["items"]] == ["horario"]  # accents ignored
    assert [i["template"]["shortcut"] for i in pick("abrimos")["items"]] == ["horario"]  # words of the text
    assert [i["template"]["shortcut"] for i in pick("")["items"]] == ["horario", "pix", "pixparc", "prazo"]
    assert pick("nada disso")["items"] == []
    [h] = pick("horario")["items"]
    assert h["text"] == "Abrimos às 9h, Ana!" and h["problems"] == []
    [bad] = pick("prazo")["items"]
    assert bad["text"] is None and bad["problems"][0]["code"] == "unknown"
    [nobody] = pick("horario", chat=None)["items"]
    assert nobody["text"] is None and nobody["problems"][0]["code"] == "missing"


def test_order_delete_with_undo(core, events):
    a = save(core, "A", "texto a", shortcut="a")
    b = save(core, "B", "texto b", shortcut="b")
    c = save(core, "C", "texto c", shortcut="c")
    listed = ok(core, "templates.reorder", {"ids": [c["id"], a["id"], b["id"]]})
    assert [t["name"] for t in listed["templates"]] == ["C", "A", "B"]
    assert err(core, "templates.reorder", {"ids": [c["id"], a["id"]]})[1]["reason"] == "reorder_mismatch"
    gone = ok(core, "templates.delete", {"id": a["id"], "version": a["version"]})
    assert gone["deleted_at"] is not None
    assert [t["name"] for t in ok(core, "templates.list")["templates"]] == ["C", "B"]
    save(core, "A2", "outro", shortcut="a")  # its shortcut is free while it is deleted
    back = ok(core, "templates.restore", {"id": a["id"]})
    assert back["shortcut"] == "" and back["deleted_at"] is None  # taken meanwhile: restored without it
    assert [t["name"] for t in ok(core, "templates.list")["templates"]] == ["C", "A", "B", "A2"]
    assert events.of("templates.changed")


def test_deleted_templates_are_gone_after_thirty_days(core, clock):
    a = save(core, "A", "texto a", shortcut="a")
    ok(core, "templates.delete", {"id": a["id"], "version": a["version"]})
    clock.advance(31 * 86400)
    ok(core, "templates.list")
    assert err(core, "templates.restore", {"id": a["id"]})[1]["reason"] == "not_found"


def test_export_and_import_round_trip(core):
    save(core, "Preço", "Custa R$ 50, {{primeiro_nome}}", shortcut="preco", category="Vendas")
    save(core, "Pix", "Chave: loja@exemplo.com", shortcut="pix")
    exported = ok(core, "templates.export")
    data = json.loads(exported["json_text"])
    assert data["format"] == "mettri-templates" and exported["count"] == 2
    assert data["templates"][0] == {"name": "Preço", "shortcut": "preco", "category": "Vendas",
                                    "text": "Custa R$ 50, {{primeiro_nome}}"}

    data["templates"][1]["text"] = "Chave nova"
    data["templates"].append({"name": "Novo", "shortcut": "novo", "text": "Olá"})
    data["templates"].append({"name": "", "text": "sem nome"})
    data["templates"].append({"name": "Chaves", "text": "Oi {{nome"})
    data["templates"].append("not an object")
    report = ok(core, "templates.import", {"json_text": json.dumps(data)})
    assert (report["added"], report["updated"], report["skipped"]) == (1, 0, 2)
    assert [(r["index"], r["reason"]) for r in report["rejected"]] == [
        (1, "import_shortcut_taken"), (2, "import_shortcut_taken"), (4, "name_empty"), (5, "var_malformed"), (6, "text_empty")]
    assert report["rejected"][2]["pt_BR"].startswith("Item 4: Dê um nome")
    replaced = ok(core, "templates.import", {"json_text": json.dumps(data), "replace": True})
    assert (replaced["added"], replaced["updated"]) == (0, 3)
    assert {t["shortcut"]: t["text"] for t in ok(core, "templates.list")["templates"]}["pix"] == "Chave nova"
    assert err(core, "templates.import", {"json_text": "{nope"})[1]["reason"] == "import_not_json"
    assert err(core, "templates.import", {"json_text": "{\"x\": 1}"})[1]["reason"] == "import_not_templates"


def test_list_offers_every_variable(core):
    field(core, "Cidade", "text")
    names = [(v["name"], v["kind"]) for v in ok(core, "templates.list")["variables"]]
    assert ("nome", "builtin") in names and ("primeiro_nome", "builtin") in names and ("cidade", "field") in names
    assert ("etapa", "builtin") in names and ("data", "builtin") in names


def test_a_campaign_uses_a_template_and_the_policy_judges_each_rendered_text(core, clock):
    for chat in (ANA, BIA):  # both wrote first: known contacts
        messages(core, chat, [(clock.now() - 3600, "in", "Oi, meu pedido já chegou?")])
    update(core, ANA, person_name="Ana Souza")
    update(core, BIA, person_name="Beatriz Lima")
    t = save(core, "Retirada", "Olá {{primeiro_nome}}! Seu pedido está pronto para retirada na loja.", shortcut="retirada")
    spec = {"name": "retirada", "template_id": t["id"], "recipients": [{"chat": ANA}, {"chat": BIA}, {"chat": NOBODY}]}
    plan = ok(core, "campaign.dry_run", spec)
    texts = {p["chat"]: p["text"] for p in plan["recipients"]}
    assert texts[ANA] == "Olá Ana! Seu pedido está pronto para retirada na loja."
    assert texts[BIA] == "Olá Beatriz! Seu pedido está pronto para retirada na loja."
    nobody = next(p for p in plan["recipients"] if p["chat"] == NOBODY)
    assert nobody["text"] is None and nobody["decision"]["code"] == "missing_variable"
    unknown = ok(core, "campaign.dry_run", {**spec, "template_id": None, "template": "Oi {{apelido}}"})
    assert {p["decision"]["code"] for p in unknown["recipients"]} == {"unknown_variable"}
    created = ok(core, "campaign.create", spec)["campaign"]
    ok(core, "templates.save", {"id": t["id"], "version": t["version"], "label": "Retirada", "text": "Mudou {{nome}}"})
    ok(core, "campaign.approve", {"id": created["id"]})
    queued = ok(core, "outbox.list", {"campaign_id": created["id"]})["entries"]
    # The campaign keeps the text it was created with; each recipient's own text is queued.
    assert sorted((e["chat"], e["text"]) for e in queued if e["state"] != "blocked") == sorted([(BIA, texts[BIA]), (ANA, texts[ANA])])
    assert [e["state"] for e in queued if e["chat"] == NOBODY] == ["blocked"]
    assert err(core, "campaign.dry_run", {**spec, "template_id": "nope"})[1]["reason"] == "not_found"
    assert err(core, "campaign.dry_run", {"recipients": [{"chat": ANA}]})[1]["reason"] == "no_template"


def test_locale_formats():
    loc = Locale("pt-BR", -180)
    assert loc.money(-5) == "-R$ 0,05" and loc.number(1234.5) == "1.234,5" and loc.number(7) == "7"
    assert Locale("en-GB").date(dt.date(2026, 3, 12)) == "12/03/2026"
    assert Locale("en-US").date(dt.date(2026, 3, 12)) == "03/12/2026"
