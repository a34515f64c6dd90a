"""Numbers in the texts the core writes for people are written as each language writes them."""

from pycore.bilingual import filled, number
from pycore.crm.timeline import summary
from pycore.reasons import check
from pycore.suggest.model import note


def test_quantities_are_grouped_in_each_language():
    assert (number(1234567, "pt"), number(1234567, "en"), number(999, "pt")) == ("1.234.567", "1,234,567", "999")
    assert (number(1500, "pt"), number(1500.0, "en"), number(0.5, "pt"), number(0.5, "en")) == ("1.500", "1,500", "0,5", "0.5")
    text = filled(("{count} de {limit}, ano {value}", "{count} of {limit}, year {value}"), count=12345, limit=1000, value=2024)
    # a quantity is grouped; a value the user typed (a year, a code) is not
    assert text == {"pt_BR": "12.345 de 1.000, ano 2024", "en": "12,345 of 1,000, year 2024"}
    assert filled(("{count}", "{count}"), count=True) == {"pt_BR": "True", "en": "True"}  # not a quantity


def test_the_gates_reasons_group_their_numbers():
    c = check("text_too_long", "block", length=70000, limit=65536)
    assert c.reason_pt == "A mensagem tem 70.000 caracteres; o WhatsApp aceita no máximo 65.536."
    assert c.reason_en == "The message has 70,000 characters; WhatsApp accepts at most 65,536."


def test_timeline_and_model_notes_group_their_numbers():
    s = summary("history_import", {"file": "conversa.zip", "count": 12345})
    assert "12.345" in s.pt_BR and "12,345" in s.en
    n = note("model_timeout", seconds=1200)
    assert "1.200 s" in n.pt_BR and "1,200 s" in n.en
    n = note("model_timeout", seconds=7.5)  # the model's timeout, as its settings hold it
    assert "7,5 s" in n.pt_BR and "7.5 s" in n.en
