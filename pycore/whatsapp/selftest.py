"""Decides from the content script's probe which features work, and whether to go
read-only: sending is disabled unless the composer and the send button are each
found exactly once. Clicking the wrong thing is worse than not sending.

With no chat open the composer cannot be checked, and that is no reason to hold queued
messages: opening the target chat is the sender's first step, and the tab checks the
composer right after it, before writing (content/actions.js). So with no chat open, sending
stays on while chats can be found (chat list or search box) and the last check made with a
chat open did not fail; a failed one keeps read-only mode until a chat shows it fixed."""

from __future__ import annotations

from collections import Counter

from pycore.whatsapp.protocol import ProbeResult, Reason
from pycore.whatsapp.selectors import FEATURES, generations_of

# Features that exist only while a conversation is open.
CONVERSATION = {"conversation_panel", "chat_header", "chat_header_title", "message_scroller", "message_row",
                "composer", "send_button"}
READ_NEEDS = ("conversation_panel", "message_row")
SEND_NEEDS = ("composer", "send_button")
OPEN_NEEDS = ("chat_row", "search_box")  # how the sender finds the chat it opens

TEXT = {
    "missing": ("Não encontrei {f} nesta versão do WhatsApp Web.", "Could not find {f} on this WhatsApp Web version."),
    "ambiguous": ("Encontrei mais de um {f}: não sei qual é o certo.", "Found more than one {f}: cannot tell which is right."),
    "not_checked": ("{f} ainda não foi verificado (abra uma conversa).", "{f} not checked yet (open a conversation)."),
}
NAMES = {
    "composer": ("campo de mensagem", "message box"),
    "send_button": ("botão de enviar", "send button"),
    "conversation_panel": ("painel da conversa", "conversation panel"),
    "message_row": ("as mensagens da conversa", "the conversation's messages"),
    "chat_row": ("a lista de conversas", "the chat list"),
}


def state_of(name: str, probe: ProbeResult | None, chat_open: bool) -> str:
    if probe is None or (name in CONVERSATION and not chat_open):
        return "not_checked"
    if probe.deferred and probe.matched is None:
        return "deferred"
    if probe.matched is None or probe.count == 0:
        return "missing"
    if FEATURES[name].unique and probe.count > 1:
        return "ambiguous"
    return "ok"


def reason(code: str, feature: str) -> Reason:
    pt_name, en_name = NAMES.get(feature, (feature, feature))
    pt, en = TEXT[code]
    return Reason(code=code, feature=feature, pt_BR=pt.format(f=pt_name), en=en.format(f=en_name))


def decide(results: dict[str, ProbeResult], chat_open: bool, last_send_ok: bool | None = None) -> dict:
    """Fields of SelfTestOutcome except ``at``. ``last_send_ok``: the verdict of the last check
    made with a chat open (None: never checked)."""
    states = {name: state_of(name, results.get(name), chat_open) for name in FEATURES}
    read_ok = all(states[f] == "ok" for f in READ_NEEDS)
    can_open = any(states[f] == "ok" for f in OPEN_NEEDS)
    if chat_open:
        # A deferred send button (mid-2026: it appears only after typing) is checked again at send time.
        send_ok = states["composer"] == "ok" and states["send_button"] in ("ok", "deferred")
    else:
        send_ok = can_open and last_send_ok is not False
    reasons = [reason(states[f], f) for f in (*SEND_NEEDS, *READ_NEEDS) if states[f] in TEXT and chat_open]
    if not chat_open and not can_open:
        reasons.append(reason("missing", "chat_row"))
    votes = Counter(g for name, p in results.items() if name in FEATURES and p.matched
                    for g in generations_of(name, p.matched))
    generation = max(sorted(votes), key=lambda g: votes[g]) if votes else None
    if send_ok and chat_open:
        pt, en = "Tudo certo: leitura e envio funcionam.", "All good: reading and sending work."
    elif send_ok:
        pt = "Nenhuma conversa aberta: cada envio abre a conversa e confere o campo de mensagem antes de escrever."
        en = "No conversation open: each send opens its chat and checks the message box before writing."
    elif not chat_open and not can_open:
        pt = "Não encontrei a lista de conversas nem a busca: o envio fica desativado."
        en = "Could not find the chat list or the search box: sending is disabled."
    else:
        pt = "Modo somente leitura: o envio está desativado até o Mettri reconhecer esta versão do WhatsApp Web."
        en = "Read-only mode: sending is disabled until Mettri recognises this WhatsApp Web version."
    if not read_ok and chat_open:
        pt += " A captura de mensagens pode estar incompleta."
        en += " Message capture may be incomplete."
    return {
        "features": states,
        "read_ok": read_ok,
        "send_ok": send_ok,
        "safe_mode": not send_ok,
        "generation": generation,
        "reasons": reasons,
        "summary_pt": pt,
        "summary_en": en,
    }
