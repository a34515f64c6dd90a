"""CSV import (mapping, dry run, apply, idempotent) and export (round trip)."""

import base64

import pytest

from pycore.crm.csv_read import read, sniff
from pycore.crm.texts import Invalid
from tests.core.crm_support import ANA, BIA, b64, card, deal, err, field, messages, ok, row, tag, update

PT_SHEET = (
    "Nome;Telefone;Etiquetas;Etapa;Valor;Cidade;Observação\r\n"
    "Ana Souza;(11) 98765-4321;VIP, Atacado;Em conversa;R$ 1.234,56;São Paulo;Quer catálogo\r\n"
    "Bia Costa;+55 37 9922-7293;vip;Proposta enviada;2.000,00;Divinópolis;\r\n"
    "Sem telefone;;VIP;;;;\r\n"
    "Número ruim;9876-5432;;;;;\r\n"
    "Ana de novo;11 98765 4321;;;;;\r\n"
    "Etapa errada;21 99999-0000;;Fechado;;;\r\n"
    ";;;;;;\r\n"
)


def parse(core, text, encoding="utf-8", filename="clientes.csv", raw=None):
    data = raw if raw is not None else b64(text, encoding)
    return ok(core, "crm.import.parse", {"data": data, "filename": filename})


def test_reading_what_excel_and_sheets_save():
    rows = [["Nome", "Telefone"], ["João Ação", "11 98765-4321"]]
    for text, encoding, delimiter, seen in (
        ("Nome;Telefone\r\nJoão Ação;11 98765-4321\r\n", "utf-8-sig", ";", "utf-8-sig"),  # Excel "CSV UTF-8" (pt-BR)
        ("Nome;Telefone\r\nJoão Ação;11 98765-4321\r\n", "cp1252", ";", "cp1252"),  # Excel "CSV" on Windows (Latin-1)
        ("Nome,Telefone\nJoão Ação,11 98765-4321\n", "utf-8", ",", "utf-8"),  # Google Sheets
        ("Nome\tTelefone\r\nJoão Ação\t11 98765-4321\r\n", "utf-16", "\t", "utf-16"),  # Excel "Unicode text"
    ):
        sheet = read(base64.b64encode(text.encode(encoding)).decode())
        assert (sheet.encoding, sheet.delimiter, sheet.has_header, sheet.rows) == (seen, delimiter, True, rows)
    # quoted cells with the separator and line breaks inside
    sheet = read(b64('Nome,Telefone,Obs\n"Souza, Ana",11 98765-4321,"linha 1\nlinha 2"\n'))
    assert sheet.rows[1] == ["Souza, Ana", "11 98765-4321", "linha 1\nlinha 2"]
    assert sniff("a;b;c\n1;2,5;3\n4;5,5;6\n") == ";" and sniff("a,b\n1,2\n") == ","
    for bad, reason in (("", "file_empty"), ("\n\n", "file_empty")):
        with pytest.raises(Invalid) as caught:
            read(b64(bad))
        assert caught.value.reason == reason


def test_mapping_suggestion_and_dry_run(core):
    cidade = field(core, "Cidade", "text")["id"]
    vip = tag(core, "VIP")
    update(core, BIA, tags=[vip], person_name="Bia Costa")  # Bia is known, under WhatsApp's 9-less id
    parsed = parse(core, PT_SHEET)
    assert (parsed["delimiter"], parsed["decimal"], parsed["has_header"], parsed["rows"]) == (";", "comma", True, 6)
    targets = [(m["target"], m["field"]) for m in parsed["mapping"]]
    assert targets == [("name", None), ("phone", None), ("tags", None), ("stage", None), ("value", None),
                       ("field", cidade), ("note", None)]
    assert parsed["columns"][1]["samples"][:2] == ["(11) 98765-4321", "+55 37 9922-7293"]
    writes = core.storage.write_calls
    report = ok(core, "crm.import.preview", {"import_id": parsed["import_id"], "mapping": parsed["mapping"]})
    assert core.storage.write_calls == writes  # a dry run writes nothing
    assert (report["created"], report["updated"], report["unchanged"], report["rejected"]) == (1, 1, 0, 4)
    assert report["new_tags"] == ["Atacado"] and not report["applied"]
    rows = {r["row"]: r for r in report["rows"]}
    assert rows[2]["outcome"] == "created" and rows[2]["phone"] == "+5511987654321" and rows[2]["key"] == ANA
    assert rows[3]["outcome"] == "updated" and rows[3]["key"] == BIA  # matched without the ninth digit
    assert rows[3]["changes"] == ["stage", "value", cidade]  # name and tag already as shown: no change
    assert (rows[4]["reason_code"], rows[4]["reason"]["pt_BR"]) == ("missing_phone", "Linha sem telefone.")
    assert rows[5]["reason_code"] == "phone_needs_area_code" and "DDD" in rows[5]["reason"]["pt_BR"]
    assert rows[6]["reason_code"] == "duplicate_in_file" and rows[6]["reason"]["en"] == (
        "Same phone as row 2; only the first one is imported.")
    assert rows[7]["reason_code"] == "unknown_stage" and "Fechado" in rows[7]["reason"]["pt_BR"]
    problems = ok(core, "crm.import.preview", {"import_id": parsed["import_id"], "mapping": parsed["mapping"],
                                               "only_problems": True})
    assert [r["row"] for r in problems["rows"]] == [4, 5, 6, 7]


def test_apply_then_import_again_changes_nothing(core, events):
    cidade = field(core, "Cidade", "text")["id"]
    parsed = parse(core, PT_SHEET)
    plan = {"import_id": parsed["import_id"], "mapping": parsed["mapping"]}
    done = ok(core, "crm.import.apply", plan)
    assert (done["created"], done["updated"], done["rejected"], done["applied"]) == (2, 0, 4, True)
    assert events.of("crm.import.progress")[-1] == {"import_id": parsed["import_id"], "done": 2, "total": 2}
    ana = card(core, ANA)
    tags = {t["name"]: t["id"] for t in ok(core, "crm.defs")["tags"]}
    assert ana["row"]["name"] == "Ana Souza" and ana["row"]["tags"] == [tags["VIP"], tags["Atacado"]]
    assert ana["row"]["deals"][0]["stage"] == "talking" and ana["row"]["deals"][0]["value_cents"] == 123456
    assert ana["row"]["fields"] == {cidade: "São Paulo"} and [n["text"] for n in ana["notes"]] == ["Quer catálogo"]
    bia = row(core, BIA)
    assert bia["key"] == "5537999227293@c.us" and bia["tags"] == [tags["VIP"]]  # "vip" is the VIP tag
    kinds = [i["kind"] for i in ok(core, "crm.timeline", {"chat": ANA})["items"]]
    assert "import" in kinds and "deal_opened" in kinds
    versions = {k: row(core, k)["version"] for k in (ANA, BIA)}
    writes = core.storage.write_calls
    again = ok(core, "crm.import.apply", {**plan, "import_id": parse(core, PT_SHEET)["import_id"]})
    assert (again["created"], again["updated"], again["unchanged"], again["rejected"]) == (0, 0, 2, 4)
    assert core.storage.write_calls == writes
    assert {k: row(core, k)["version"] for k in (ANA, BIA)} == versions
    assert len(card(core, ANA)["notes"]) == 1


def test_a_number_is_filed_under_the_chat_whatsapp_already_uses(core):
    messages(core, BIA, [(1_779_000_000, "in", "oi")], title="Bia")  # the page knows her 9-less id
    parsed = parse(core, "Nome,Telefone\nBia,(37) 99922-7293\nNova,(37) 98888-1111\n")
    done = ok(core, "crm.import.apply", {"import_id": parsed["import_id"], "mapping": parsed["mapping"]})
    assert {r["key"] for r in ok(core, "crm.list")["rows"]} == {BIA, "5537988881111@c.us"}
    assert done["created"] == 2


def test_export_round_trip_changes_nothing(core):
    plan_field = field(core, "Plano", "choice", ["Básico", "Premium"])
    limite = field(core, "Limite", "money")["id"]
    aniversario = field(core, "Aniversário", "date")["id"]
    vip, atacado = tag(core, "VIP"), tag(core, "Atacado")
    update(core, ANA, person_name="=Ana", tags=[vip, atacado],
           fields={plan_field["id"]: "Premium", limite: 250050, aniversario: "1990-04-30"})
    deal(core, ANA, stage="won", value=99990, expected_date="2026-07-01")
    update(core, BIA, tags=[vip])
    for lang, sep in (("pt_BR", ";"), ("en", ",")):
        exported = ok(core, "crm.export.csv", {"lang": lang})
        assert exported["rows"] == 2 and exported["filename"].endswith(".csv")
        lines = exported["text"].lstrip("\ufeff").splitlines()
        assert lines[0].split(sep)[:4] == (["Nome", "Telefone", "Conversa", "Etiquetas"] if lang == "pt_BR"
                                           else ["Name", "Phone", "Chat", "Tags"])
        assert (exported["text"][0] == "\ufeff") == (lang == "pt_BR")
        if lang == "pt_BR":
            ana = next(line for line in lines if "Ana" in line)
            assert ana.startswith("'=Ana;+5511987654321;") and "Ganho;999,90;01/07/2026" in ana  # no formula runs
            assert "Premium;2500,50;30/04/1990" in ana
        parsed = parse(core, exported["text"])
        assert [m["target"] for m in parsed["mapping"]][:5] == ["name", "phone", "ignore", "tags", "stage"]
        report = ok(core, "crm.import.apply", {"import_id": parsed["import_id"], "mapping": parsed["mapping"], "lang": lang})
        assert (report["created"], report["updated"], report["unchanged"], report["rejected"]) == (0, 0, 2, 0), report


def test_bad_files_and_mappings(core):
    assert err(core, "crm.import.parse", {"data": "@@@"})[1]["reason"] == "bad_base64"
    assert err(core, "crm.import.parse", {"data": b64("")})[1]["reason"] == "file_empty"
    parsed = parse(core, "Nome,Telefone\nAna,11 98765-4321\n")
    iid = parsed["import_id"]
    assert err(core, "crm.import.preview", {"import_id": iid, "mapping": [{"column": 0, "target": "name"}]})[1]["reason"] == "mapping_needs_phone"
    assert err(core, "crm.import.preview", {"import_id": iid, "mapping": [{"column": 7, "target": "phone"}]})[1]["reason"] == "bad_column"
    two = [{"column": 1, "target": "phone"}, {"column": 0, "target": "phone"}]
    assert err(core, "crm.import.preview", {"import_id": iid, "mapping": two})[1]["reason"] == "mapping_twice"
    code, d = err(core, "crm.import.preview", {"import_id": "gone", "mapping": parsed["mapping"]})
    assert code == "not_found" and d["reason"] == "import_gone" and "de novo" in d["pt_BR"]
    # a file without a header: the phone column is found by its content
    bare = parse(core, "Ana,11 98765-4321\nBia,37 99922-7293\n")
    assert not bare["has_header"] and [m["target"] for m in bare["mapping"]] == ["ignore", "phone"]
    assert ok(core, "crm.import.preview", {"import_id": bare["import_id"], "mapping": bare["mapping"]})["created"] == 2
