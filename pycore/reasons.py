"""Stable decision codes and their plain-language reasons, pt-BR and English."""

from __future__ import annotations

from pycore.bilingual import filled
from pycore.protocol.decisions import Check, Decision, Verdict

# code -> (pt_BR, en); ``{}`` fields are filled by ``check(code, **values)``.
REASONS: dict[str, tuple[str, str]] = {
    "ok": ("Pode enviar.", "OK to send."),
    "empty_text": ("A mensagem está vazia.", "The message is empty."),
    "text_too_long": (
        "A mensagem tem {length} caracteres; o WhatsApp aceita no máximo {limit}.",
        "The message has {length} characters; WhatsApp accepts at most {limit}.",
    ),
    "control_chars": (
        "A mensagem contém caracteres de controle invisíveis.",
        "The message contains invisible control characters.",
    ),
    "opted_out": (
        "Este contato pediu para não receber mensagens (lista de descadastro).",
        "This contact asked not to receive messages (opt-out list).",
    ),
    "unsolicited": (
        "Este contato não está salvo e nunca escreveu para você: mensagem não solicitada.",
        "This contact is not saved and never wrote to you: unsolicited message.",
    ),
    "strangers_budget": (
        "Limite de {limit} mensagens por dia para pessoas que nunca responderam já foi atingido.",
        "The limit of {limit} messages a day to people who never replied has been reached.",
    ),
    "bulk_identical": (
        "Texto igual ou quase igual já enviado a {count} pessoas na última hora (máximo {limit}).",
        "The same or nearly the same text was sent to {count} people in the last hour (at most {limit}).",
    ),
    "bulk_throttled": (
        "Texto repetido em massa: no máximo {limit} por hora; os envios serão espaçados.",
        "Bulk repeated text: at most {limit} an hour; sends will be spaced out.",
    ),
    "rate_limited": (
        "Limite de envio por {window_pt} atingido; a mensagem sai em cerca de {minutes} min.",
        "Sending limit per {window_en} reached; the message goes out in about {minutes} min.",
    ),
    "periodic_pattern": (
        "Os últimos envios tiveram intervalos quase idênticos, o que parece automação.",
        "The last sends had almost identical intervals, which looks automated.",
    ),
    "sending_paused": (
        "Os envios estão pausados; a mensagem espera até você retomar.",
        "Sending is paused; the message waits until you resume.",
    ),
    "missing_variable": (
        "Falta o valor de {names} para este destinatário.",
        "The value of {names} is missing for this recipient.",
    ),
    "unknown_variable": (
        "A variável {names} não existe (nem no CRM nem na lista de destinatários).",
        "There is no variable {names} (neither in the CRM nor in the recipients list).",
    ),
    "bad_variable": (
        "O texto tem chaves que não formam uma variável: {names}.",
        "The text has braces that are not a variable: {names}.",
    ),
    "late_schedule": (
        "A hora marcada passou há mais de {minutes} min (o navegador ou o WhatsApp estavam fechados): "
        "confirme para enviar agora.",
        "The scheduled time passed more than {minutes} min ago (the browser or WhatsApp was closed): "
        "confirm to send it now.",
    ),
    "duplicate_recipient": (
        "Destinatário repetido na campanha.",
        "Recipient repeated in the campaign.",
    ),
    "needs_approval": ("Aguardando sua aprovação.", "Waiting for your approval."),
    "pause_user": ("Envios pausados por você.", "Sending paused by you."),
    "pause_warning_banner": (
        "O WhatsApp mostrou um aviso sobre envios; tudo foi pausado até você retomar.",
        "WhatsApp showed a warning about sending; everything is paused until you resume.",
    ),
    "pause_too_many_messages": (
        "O WhatsApp disse que você está enviando mensagens demais; tudo foi pausado.",
        "WhatsApp said you are sending too many messages; everything is paused.",
    ),
    "pause_logged_out": (
        "O WhatsApp Web foi desconectado; os envios foram pausados.",
        "WhatsApp Web was logged out; sending was paused.",
    ),
    "pause_other_window": (
        "O WhatsApp foi aberto em outra janela; os envios foram pausados.",
        "WhatsApp was opened in another window; sending was paused.",
    ),
    "optout_message": (
        "O contato pediu descadastro: \"{text}\".",
        "The contact asked to opt out: \"{text}\".",
    ),
    "optin_message": ("O contato pediu para voltar a receber: \"{text}\".", "The contact opted back in: \"{text}\"."),
    "optout_user": ("Descadastro registrado por você.", "Opt-out recorded by you."),
    "optin_user": ("Consentimento registrado por você.", "Opt-in recorded by you."),
    "sent": ("Mensagem enviada.", "Message sent."),
    "failed": ("O envio falhou: {error}.", "Sending failed: {error}."),
    "verify": (
        "Não se sabe se a mensagem saiu; ela não será reenviada sem verificação.",
        "It is unknown whether the message went out; it will not be resent without checking.",
    ),
    "resolved_sent": (
        "Você confirmou que a mensagem saiu; ela não será enviada de novo.",
        "You confirmed the message went out; it will not be sent again.",
    ),
    "resolved_not_sent": (
        "Você confirmou que a mensagem não saiu; ela será enviada mais uma vez.",
        "You confirmed the message did not go out; it will be sent once more.",
    ),
    "cancelled": ("Envio cancelado.", "Send cancelled."),
    "chat_ambiguous": (
        "Há mais de uma conversa com este nome no WhatsApp e nada na página diz qual é a certa: a mensagem não "
        "foi enviada. Abra a conversa certa uma vez (o Mettri a reconhece pelo histórico) ou salve o contato com "
        "outro nome, e envie de novo.",
        "More than one WhatsApp chat has this name and nothing on the page says which one is right: the message "
        "was not sent. Open the right chat once (Mettri recognises it by its history) or save the contact under "
        "another name, then send again.",
    ),
    # data, not sending: imports, restores and erasures (LGPD), audited without their content
    "history_imported": (
        "Histórico importado de um arquivo: {added} mensagens novas.", "History imported from a file: {added} new messages.",
    ),
    "history_import_rolled_back": (
        "Importação desfeita: {removed} mensagens removidas.", "Import rolled back: {removed} messages removed.",
    ),
    "archive_restored": ("Cópia de segurança restaurada.", "Backup restored."),
    "person_erased": (
        "Os dados de uma pessoa foram apagados a pedido (LGPD).", "A person's data was erased on request (LGPD).",
    ),
    "all_erased": ("Todos os dados foram apagados.", "All data was erased."),
}

WINDOW_NAMES = {"minute": ("minuto", "minute"), "hour": ("hora", "hour"), "day": ("dia", "day"), "bucket": ("rajada", "burst")}

RANK: dict[Verdict, int] = {"allow": 0, "warn": 1, "block": 2}


def check(code: str, verdict: Verdict, **values: object) -> Check:
    text = filled(REASONS[code], **values)
    return Check(code=code, verdict=verdict, reason_pt=text["pt_BR"], reason_en=text["en"])


def combine(checks: list[Check]) -> Decision:
    """The worst check decides; among equals the first one (rules run most important first)."""
    worst = None
    for c in checks:
        if worst is None or RANK[c.verdict] > RANK[worst.verdict]:
            worst = c
    if worst is None or worst.verdict == "allow":
        ok = check("ok", "allow")
        return Decision(verdict="allow", code="ok", reason_pt=ok.reason_pt, reason_en=ok.reason_en, checks=checks)
    return Decision(
        verdict=worst.verdict, code=worst.code, reason_pt=worst.reason_pt, reason_en=worst.reason_en, checks=checks
    )
