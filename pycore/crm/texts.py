"""Every text of the CRM the user reads, in Brazilian Portuguese and English.

Errors carry a stable ``reason`` code and both texts (``CoreError`` details), so a page shows
the user's language without knowing the rule; defaults (the first pipeline, its stages) are
codes with both labels until the user renames them.
"""

from __future__ import annotations

from typing import Any

from pycore.bilingual import filled
from pycore.protocol.base import CoreError, ErrorCode

# reason code -> (pt_BR, en); ``{}`` fields are filled by ``texts(code, **values)``.
REASONS: dict[str, tuple[str, str]] = {
    # versions
    "stale_version": (
        "Este registro foi alterado em outra janela; recarregue e aplique sua mudança de novo.",
        "This record was changed in another window; reload it and apply your change again.",
    ),
    # tags
    "tag_name_empty": ("Dê um nome à etiqueta.", "Give the tag a name."),
    "tag_name_chars": (
        "O nome da etiqueta não pode conter vírgula, ponto e vírgula nem barra vertical (|).",
        "A tag name cannot contain a comma, a semicolon or a vertical bar (|).",
    ),
    "duplicate_tag": ("Já existe uma etiqueta chamada \"{name}\".", "There is already a tag called \"{name}\"."),
    "unknown_tag": ("A etiqueta não existe mais (foi apagada?).", "The tag no longer exists (was it deleted?)."),
    "bad_color": ("Cor inválida: use o formato #RRGGBB.", "Invalid colour: use the #RRGGBB format."),
    "too_many_tags": ("No máximo {limit} etiquetas.", "At most {limit} tags."),
    # pipelines and stages
    "pipeline_name_empty": ("Dê um nome ao funil.", "Give the pipeline a name."),
    "duplicate_pipeline": ("Já existe um funil chamado \"{name}\".", "There is already a pipeline called \"{name}\"."),
    "unknown_pipeline": ("O funil não existe mais.", "The pipeline no longer exists."),
    "unknown_stage": ("A etapa \"{stage}\" não existe neste funil.", "The stage \"{stage}\" does not exist in this pipeline."),
    "stage_name_empty": ("Dê um nome a cada etapa.", "Give every stage a name."),
    "duplicate_stage": ("Há duas etapas chamadas \"{name}\".", "There are two stages called \"{name}\"."),
    "too_many_pipelines": ("No máximo {limit} funis.", "At most {limit} pipelines."),
    "no_stages": ("Um funil precisa de pelo menos uma etapa.", "A pipeline needs at least one stage."),
    "stage_in_use": (
        "A etapa \"{stage}\" tem {count} negócio(s); mova-os para outra etapa antes de excluí-la.",
        "The stage \"{stage}\" has {count} deal(s); move them to another stage before deleting it.",
    ),
    "pipeline_in_use": (
        "O funil \"{name}\" tem {count} negócio(s); remova-os ou mova-os antes de excluí-lo.",
        "The pipeline \"{name}\" has {count} deal(s); remove or move them before deleting it.",
    ),
    "last_pipeline": ("É preciso manter pelo menos um funil.", "At least one pipeline must remain."),
    "move_to_deleted": (
        "As negociações não podem ir para uma etapa que também será excluída.",
        "Deals cannot be moved to a stage that is also being deleted.",
    ),
    "no_deal": ("Este contato não tem negócio neste funil.", "This contact has no deal in this pipeline."),
    # custom fields
    "field_label_empty": ("Dê um nome ao campo.", "Give the field a name."),
    "duplicate_field": ("Já existe um campo chamado \"{name}\".", "There is already a field called \"{name}\"."),
    "unknown_field": ("O campo não existe mais.", "The field no longer exists."),
    "too_many_fields": ("No máximo {limit} campos.", "At most {limit} fields."),
    "choice_needs_options": ("Um campo de escolha precisa de pelo menos uma opção.", "A choice field needs at least one option."),
    "duplicate_option": ("Há duas opções chamadas \"{name}\".", "There are two options called \"{name}\"."),
    "option_in_use": (
        "A opção \"{name}\" está em uso em {count} contato(s); troque o valor deles antes de removê-la.",
        "The option \"{name}\" is used by {count} contact(s); change their value before removing it.",
    ),
    "field_in_use": (
        "O campo \"{name}\" tem valor em {count} contato(s); confirme para apagar esses valores.",
        "The field \"{name}\" has a value for {count} contact(s); confirm to delete those values.",
    ),
    "type_locked": (
        "O tipo de um campo não muda depois de criado; crie um novo campo.",
        "A field's type cannot change once created; create a new field.",
    ),
    # values
    "text_too_long": ("\"{name}\": no máximo {limit} caracteres.", "\"{name}\": at most {limit} characters."),
    "not_a_number": ("\"{name}\": \"{value}\" não é um número.", "\"{name}\": \"{value}\" is not a number."),
    "number_range": ("\"{name}\": número grande demais.", "\"{name}\": number too large."),
    "bad_money": (
        "\"{name}\": \"{value}\" não é um valor em reais (ex.: 1.234,56).",
        "\"{name}\": \"{value}\" is not an amount in reais (e.g. 1,234.56).",
    ),
    "money_negative": ("\"{name}\": o valor não pode ser negativo.", "\"{name}\": the amount cannot be negative."),
    "money_range": ("\"{name}\": valor grande demais.", "\"{name}\": amount too large."),
    "bad_date": (
        "\"{name}\": \"{value}\" não é uma data (use dd/mm/aaaa).",
        "\"{name}\": \"{value}\" is not a date (use mm/dd/yyyy or yyyy-mm-dd).",
    ),
    "date_range": ("\"{name}\": data fora do intervalo 1900–2200.", "\"{name}\": date outside 1900–2200."),
    "not_an_option": (
        "\"{name}\": \"{value}\" não é uma das opções ({options}).",
        "\"{name}\": \"{value}\" is not one of the options ({options}).",
    ),
    "bad_email": ("\"{name}\": \"{value}\" não é um e-mail válido.", "\"{name}\": \"{value}\" is not a valid e-mail."),
    "bad_value_type": ("\"{name}\": tipo de valor inválido.", "\"{name}\": wrong type of value."),
    # phones
    "bad_phone": ("\"{value}\" não é um número de telefone.", "\"{value}\" is not a phone number."),
    "phone_needs_area_code": (
        "\"{value}\": falta o DDD (ex.: 11 91234-5678).",
        "\"{value}\": the area code is missing (e.g. 11 91234-5678).",
    ),
    "bad_area_code": ("\"{value}\": o DDD {ddd} não existe.", "\"{value}\": area code {ddd} does not exist."),
    # records, notes, reminders
    "not_a_person": ("Um grupo não tem telefone.", "A group has no phone number."),
    "record_missing": ("Este contato não tem registro no CRM.", "This contact has no CRM record."),
    "name_too_long": ("O nome tem no máximo {limit} caracteres.", "A name has at most {limit} characters."),
    "note_empty": ("A nota está vazia.", "The note is empty."),
    "note_too_long": (
        "A nota tem {length} caracteres; o máximo é {limit}.",
        "The note has {length} characters; the maximum is {limit}.",
    ),
    "unknown_note": ("A nota não existe mais.", "The note no longer exists."),
    "bad_cursor": (
        "Não foi possível continuar a lista deste ponto; abra-a de novo.",
        "The list could not go on from this point; open it again.",
    ),
    "note_deleted": ("A nota foi excluída; desfaça a exclusão para editá-la.", "The note was deleted; undo the deletion to edit it."),
    "reminder_empty": ("Escreva o que deve ser lembrado.", "Write what to be reminded of."),
    "reminder_too_long": ("O lembrete tem no máximo {limit} caracteres.", "A reminder has at most {limit} characters."),
    "unknown_reminder": ("O lembrete não existe mais.", "The reminder no longer exists."),
    "reminder_done": ("O lembrete já foi concluído.", "The reminder is already done."),
    # CSV import
    "import_gone": (
        "O arquivo não está mais carregado (o Mettri reiniciou?); escolha o arquivo de novo.",
        "The file is no longer loaded (did Mettri restart?); choose the file again.",
    ),
    "file_empty": ("O arquivo está vazio.", "The file is empty."),
    "file_not_csv": ("O arquivo não parece ser uma planilha CSV.", "The file does not look like a CSV spreadsheet."),
    "file_too_big": ("O arquivo tem mais de {limit} linhas.", "The file has more than {limit} rows."),
    "bad_base64": ("O arquivo chegou corrompido; tente de novo.", "The file arrived corrupted; try again."),
    "mapping_needs_phone": ("Escolha a coluna do telefone.", "Choose the phone column."),
    "mapping_twice": ("A coluna de \"{target}\" foi escolhida duas vezes.", "The \"{target}\" column was chosen twice."),
    "bad_column": ("A coluna {column} não existe no arquivo.", "Column {column} does not exist in the file."),
    "missing_phone": ("Linha sem telefone.", "Row without a phone number."),
    "duplicate_in_file": (
        "Mesmo telefone da linha {row}; só a primeira é importada.",
        "Same phone as row {row}; only the first one is imported.",
    ),
    "bad_row": ("Linha com colunas a mais ou a menos.", "Row with too many or too few columns."),
}

# The first pipeline and its stages, until the user renames them: code -> (pt_BR, en).
DEFAULT_PIPELINE = ("default", ("Vendas", "Sales"))
DEFAULT_STAGES: list[tuple[str, tuple[str, str], str]] = [
    ("new", ("Novo contato", "New contact"), "open"),
    ("talking", ("Em conversa", "In conversation"), "open"),
    ("proposal", ("Proposta enviada", "Proposal sent"), "open"),
    ("won", ("Ganho", "Won"), "won"),
    ("lost", ("Perdido", "Lost"), "lost"),
]

# Timeline summaries: kind -> (pt_BR, en).
TIMELINE: dict[str, tuple[str, str]] = {
    "first_message": ("Primeira mensagem", "First message"),
    "last_message": ("Última mensagem", "Last message"),
    "note": ("Nota", "Note"),
    "reminder": ("Lembrete", "Reminder"),
    "reminder_done": ("Lembrete concluído", "Reminder done"),
    "stage": ("{pipeline}: {before} → {after}", "{pipeline}: {before} → {after}"),
    "deal_opened": ("{pipeline}: negócio aberto em {after}", "{pipeline}: deal opened at {after}"),
    "deal_removed": ("{pipeline}: negócio removido (estava em {before})", "{pipeline}: deal removed (was at {before})"),
    "send": ("Mensagem enviada pelo Mettri", "Message sent by Mettri"),
    "import": ("Importado de {file}", "Imported from {file}"),
    "history_import": ("Conversa importada de {file} (mensagens novas: {count})", "Chat imported from {file} (new messages: {count})"),
    "merge": ("Unido com {other}", "Merged with {other}"),
    "split": ("Separado de {other}", "Split from {other}"),
    "kept_aside": (
        "{pipeline}: o negócio de {other} ({stage}) ficou guardado e volta se os contatos forem separados",
        "{pipeline}: {other}'s deal ({stage}) was kept aside and returns if the contacts are split",
    ),
}

# CSV export headers: column -> (pt_BR, en).
HEADERS: dict[str, tuple[str, str]] = {
    "name": ("Nome", "Name"),
    "phone": ("Telefone", "Phone"),
    "chat": ("Conversa", "Chat"),
    "tags": ("Etiquetas", "Tags"),
    "stage": ("Etapa", "Stage"),
    "value": ("Valor (R$)", "Value (R$)"),
    "expected": ("Data prevista", "Expected date"),
    "last_activity": ("Última atividade", "Last activity"),
    "created": ("Criado em", "Created"),
}


def texts(code: str, **values: Any) -> dict[str, str]:
    """Both texts of a reason; a value given as a (pt_BR, en) pair is written in each language."""
    return filled(REASONS[code], **values)


def fail(error: ErrorCode, reason: str, **values: Any) -> CoreError:
    """A CoreError whose details carry the reason code and its text in both languages;
    ``current`` (a conflict's current record) and ``field``/``row`` travel along when given."""
    extra = {k: values[k] for k in ("current", "field", "row", "column") if k in values}
    t = texts(reason, **{k: v for k, v in values.items() if k != "current"})
    return CoreError(error, t["en"], [{"reason": reason, **t, **extra}])


class Invalid(Exception):
    """A value that did not validate: the reason code and its values (becomes a reply or a CSV row's reason)."""

    def __init__(self, reason: str, **values: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.values = values

    def texts(self) -> dict[str, str]:
        return texts(self.reason, **self.values)

    def error(self, **extra: Any) -> CoreError:
        return fail("invalid_args", self.reason, **self.values, **extra)
