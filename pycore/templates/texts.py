"""Every text of templates the user reads, in Brazilian Portuguese and English."""

from __future__ import annotations

from typing import Any

from pycore.bilingual import filled
from pycore.protocol.base import CoreError, ErrorCode

# reason code -> (pt_BR, en)
REASONS: dict[str, tuple[str, str]] = {
    "var_unknown": (
        "A variável {{{{{var}}}}} não existe. Use uma destas: {available}.",
        "There is no variable {{{{{var}}}}}. Use one of these: {available}.",
    ),
    "var_missing": (
        "{{{{{var}}}}} não tem valor para {who}: preencha no cartão do contato ou escreva sem ela.",
        "{{{{{var}}}}} has no value for {who}: fill it in on the contact's card or write without it.",
    ),
    "var_missing_no_contact": (
        "{{{{{var}}}}} precisa de um contato: abra uma conversa para usar este modelo.",
        "{{{{{var}}}}} needs a contact: open a chat to use this template.",
    ),
    "var_malformed": (
        "\"{var}\" não é uma variável: escreva o nome entre chaves duplas, como {{{{nome}}}}.",
        "\"{var}\" is not a variable: write the name between double braces, like {{{{name}}}}.",
    ),
    "var_unclosed": (
        "Chaves sem par perto de \"{piece}\": uma variável se escreve {{{{nome}}}}.",
        "Unpaired braces near \"{piece}\": a variable is written {{{{name}}}}.",
    ),
    "var_not_in_crm": (
        "{{{{{var}}}}} não é um campo do CRM: só uma campanha que traga esse valor por contato poderá usar este modelo.",
        "{{{{{var}}}}} is not a CRM field: only a campaign that brings this value for each contact can use this template.",
    ),
    "name_empty": ("Dê um nome ao modelo.", "Give the template a name."),
    "text_empty": ("O texto do modelo está vazio.", "The template's text is empty."),
    "shortcut_chars": (
        "O atalho usa só letras, números, - e _ (sem espaços), até {limit} caracteres.",
        "A shortcut uses only letters, digits, - and _ (no spaces), at most {limit} characters.",
    ),
    "duplicate_shortcut": (
        "O atalho /{shortcut} já é do modelo \"{name}\".",
        "The shortcut /{shortcut} already belongs to the template \"{name}\".",
    ),
    "not_found": ("O modelo não existe mais (foi apagado?).", "The template no longer exists (was it deleted?)."),
    "stale_version": (
        "Este modelo foi alterado em outra janela; recarregue e aplique sua mudança de novo.",
        "This template was changed in another window; reload it and apply your change again.",
    ),
    "too_many": ("No máximo {limit} modelos.", "At most {limit} templates."),
    "reorder_mismatch": (
        "A lista de modelos mudou enquanto você reordenava; recarregue a página.",
        "The list of templates changed while you were reordering; reload the page.",
    ),
    "import_not_json": (
        "O arquivo não é um JSON válido ({detail}).",
        "The file is not valid JSON ({detail}).",
    ),
    "import_not_templates": (
        "O arquivo não é uma exportação de modelos do Mettri (falta a lista \"templates\").",
        "The file is not a Mettri templates export (the \"templates\" list is missing).",
    ),
    "import_item_invalid": ("Item {index}: {detail}", "Item {index}: {detail}"),
    "import_shortcut_taken": (
        "Item {index}: o atalho /{shortcut} já existe; mantido o modelo atual.",
        "Item {index}: the shortcut /{shortcut} already exists; the current template was kept.",
    ),
    "import_too_big": ("O arquivo passa de {limit} MB.", "The file is larger than {limit} MB."),
    "no_template": ("Escolha um modelo ou escreva um texto.", "Choose a template or write a text."),
}


def texts(code: str, **values: Any) -> dict[str, str]:
    """Both texts of a reason; a value given as a (pt_BR, en) pair is written in each language."""
    return filled(REASONS[code], **values)


def fail(error: ErrorCode, reason: str, **values: Any) -> CoreError:
    """A CoreError whose details carry the reason code and its text in both languages."""
    extra = {k: values.pop(k) for k in ("current", "problems") if k in values}
    t = texts(reason, **values)
    return CoreError(error, t["en"], [{"reason": reason, **t, **extra}])
