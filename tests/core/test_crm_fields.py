"""Custom fields: typed, validated, stored in one form, with clear errors in both languages."""

import pytest

from pycore.crm.texts import Invalid
from pycore.crm.values import format_value, parse_value
from tests.core.crm_support import ANA, err, field, ok, row, update

OPTIONS = [("o1", "Plano 1"), ("o2", "Plano 2"), ("o3", "Ação")]


@pytest.mark.parametrize(
    "kind, raw, lang, stored",
    [
        ("text", "  Rua das Flores,\n 12 ", "pt_BR", "Rua das Flores, 12"),
        ("number", 3, "pt_BR", 3), ("number", 2.5, "en", 2.5), ("number", "1.234,5", "pt_BR", 1234.5),
        ("number", "1,234.5", "en", 1234.5), ("number", "1.234", "pt_BR", 1234), ("number", "-7", "en", -7),
        ("money", 123456, "pt_BR", 123456), ("money", "R$ 1.234,56", "pt_BR", 123456), ("money", "1234,5", "pt_BR", 123450),
        ("money", "$1,234.56", "en", 123456), ("money", "1.234,56", "en", 123456), ("money", "10", "en", 1000),
        ("date", "2026-03-05", "pt_BR", "2026-03-05"), ("date", "05/03/2026", "pt_BR", "2026-03-05"),
        ("date", "03/05/2026", "en", "2026-03-05"), ("date", "2026-03-05 00:00:00", "en", "2026-03-05"),
        ("date", "5/3/26", "pt_BR", "2026-03-05"),
        ("choice", "plano 2", "pt_BR", "o2"), ("choice", "o1", "en", "o1"), ("choice", "ACAO", "pt_BR", "o3"),
        ("email", "Ana.Souza@Exemplo.COM.br", "pt_BR", "Ana.Souza@exemplo.com.br"),
        ("phone", "(11) 98765-4321", "pt_BR", "+5511987654321"),
        ("text", "", "pt_BR", None), ("money", None, "pt_BR", None), ("date", "  ", "en", None),
    ],
)
def test_values_are_stored_in_one_form(kind, raw, lang, stored):
    value = parse_value(kind, raw, "Campo", lang, OPTIONS)
    assert value == stored and type(value) is type(stored)


@pytest.mark.parametrize(
    "kind, raw, lang, reason",
    [
        ("number", "doze", "pt_BR", "not_a_number"), ("number", True, "pt_BR", "bad_value_type"),
        ("number", "1e400", "en", "not_a_number"), ("number", 1e16, "en", "number_range"),
        ("money", "R$ 12,345", "pt_BR", "bad_money"), ("money", -5, "pt_BR", "money_negative"),
        ("money", "abc", "en", "bad_money"), ("money", 10**14, "pt_BR", "money_range"), ("money", 1.5, "en", "bad_money"),
        ("date", "31/02/2026", "pt_BR", "bad_date"), ("date", "amanhã", "pt_BR", "bad_date"),
        ("date", "13/25/2026", "en", "bad_date"), ("date", "1800-01-01", "en", "date_range"), ("date", 20260305, "en", "bad_value_type"),
        ("choice", "Plano 9", "pt_BR", "not_an_option"),
        ("email", "ana@", "pt_BR", "bad_email"), ("email", "ana souza@x.com", "en", "bad_email"), ("email", "a@b", "en", "bad_email"),
        ("phone", "123", "pt_BR", "bad_phone"), ("text", "x" * 1001, "pt_BR", "text_too_long"),
    ],
)
def test_bad_values_are_refused_with_a_reason(kind, raw, lang, reason):
    with pytest.raises(Invalid) as caught:
        parse_value(kind, raw, "Campo", lang, OPTIONS)
    assert caught.value.reason == reason
    t = caught.value.texts()
    assert "Campo" in t["pt_BR"] or reason in ("bad_phone",), t
    assert t["pt_BR"] != t["en"]


def test_values_format_back_as_they_parse():
    for kind, value in (("money", 123456), ("number", 1234.5), ("date", "2026-03-05"), ("choice", "o3")):
        for lang in ("pt_BR", "en"):
            text = format_value(kind, value, lang, dict(OPTIONS))
            assert parse_value(kind, text, "Campo", lang, OPTIONS) == value
    assert format_value("money", 123456, "pt_BR") == "1234,56" and format_value("money", 5, "en") == "0.05"


def test_fields_through_the_protocol(core):
    plan = field(core, "Plano", "choice", ["Básico", "Premium"])
    cpf = field(core, "Limite", "money")
    mail = field(core, "E-mail", "email")
    r = update(core, ANA, fields={plan["id"]: "premium", cpf["id"]: "R$ 2.500,00", mail["id"]: "ana@loja.com"})
    premium = next(o["id"] for o in plan["options"] if o["label"] == "Premium")
    assert r["fields"] == {plan["id"]: premium, cpf["id"]: 250000, mail["id"]: "ana@loja.com"}
    # a bad value: invalid_args, which field, why, in both languages; nothing stored changes
    code, d = err(core, "crm.record.update", {"chat": ANA, "version": r["version"], "fields": {cpf["id"]: "dois mil"}})
    assert code == "invalid_args" and d["reason"] == "bad_money" and d["field"] == cpf["id"]
    assert d["pt_BR"] == '"Limite": "dois mil" não é um valor em reais (ex.: 1.234,56).'
    assert d["en"] == '"Limite": "dois mil" is not an amount in reais (e.g. 1,234.56).'
    code, d = err(core, "crm.record.update", {"chat": ANA, "version": r["version"], "fields": {"nope": "x"}})
    assert (code, d["reason"], d["field"]) == ("invalid_args", "unknown_field", "nope")
    assert row(core, ANA)["fields"] == r["fields"] and row(core, ANA)["version"] == r["version"]
    # English typing rules when the page is in English; None clears
    r = update(core, ANA, fields={cpf["id"]: "1,250.50", mail["id"]: None}, lang="en")
    assert r["fields"] == {plan["id"]: premium, cpf["id"]: 125050}


def test_field_definitions(core):
    f = field(core, "Plano", "choice", ["Básico", "Premium"])
    code, d = err(core, "crm.field.create", {"label": " plano ", "type": "text"})
    assert (code, d["reason"]) == ("invalid_args", "duplicate_field")
    code, d = err(core, "crm.field.create", {"label": "Cor", "type": "choice"})
    assert d["reason"] == "choice_needs_options"
    code, d = err(core, "crm.field.create", {"label": "Cor", "type": "choice", "options": [{"label": "A"}, {"label": "a"}]})
    assert d["reason"] == "duplicate_option"
    premium = f["options"][1]["id"]
    update(core, ANA, fields={f["id"]: premium})
    # an option in use cannot go; renaming it is fine and every record shows the new label
    code, d = err(core, "crm.field.update", {"id": f["id"], "version": f["version"], "options": [{"label": "Básico"}]})
    assert d["reason"] == "option_in_use"
    assert d["en"] == 'The option "Premium" is used by 1 contact(s); change their value before removing it.'
    f2 = ok(core, "crm.field.update", {"id": f["id"], "version": f["version"],
                                       "options": [{"id": f["options"][0]["id"], "label": "Básico"}, {"id": premium, "label": "Ouro"}]})
    assert [o["label"] for o in f2["options"]] == ["Básico", "Ouro"] and f2["options"][1]["id"] == premium
    # a stale definition write is a conflict with the current definition
    code, d = err(core, "crm.field.update", {"id": f["id"], "version": f["version"], "label": "Pacote"})
    assert code == "conflict" and d["current"]["version"] == f2["version"]
    # deleting a field with values needs confirmation, then takes the values off
    code, d = err(core, "crm.field.delete", {"id": f["id"], "version": f2["version"]})
    assert (code, d["reason"]) == ("invalid_args", "field_in_use")
    assert ok(core, "crm.field.delete", {"id": f["id"], "version": f2["version"], "drop_values": True}) == {"changed": 1}
    assert row(core, ANA)["fields"] == {} and ok(core, "crm.defs")["fields"] == []
