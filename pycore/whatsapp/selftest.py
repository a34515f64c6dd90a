"""Decides from the content script's probe which features work, and whether to go
read-only: sending is disabled unless the composer and the send button are each
found exactly once. Clicking the wrong thing is worse than not sending."""

from __future__ import annotations

from collections import Counter

from pycore.whatsapp.protocol import ProbeResult, Reason
from pycore.whatsapp.selectors import FEATURES, generations_of

# Features that exist only while a conversation is open.
CONVERSATION = {"conversation_panel", "chat_header", "chat_header_title", "message_scroller", "message_row",
                "composer", "send_button"}
READ_NEEDS = ("conversation_panel", "message_row")
SEND_NEEDS = ("composer", "send_button")

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


def decide(results: dict[str, ProbeResult], chat_open: bool) -> dict:
    """Fields of SelfTestOutcome except ``at``."""
    states = {name: state_of(name, results.get(name), chat_open) for name in FEATURES}
    read_ok = all(states[f] == "ok" for f in READ_NEEDS)
    # A deferred send button (mid-2026: it appears only after typing) is checked again at send time.
    send_ok = states["composer"] == "ok" and states["send_button"] in ("ok", "deferred")
    reasons = [reason(states[f], f) for f in (*SEND_NEEDS, *READ_NEEDS) if states[f] in TEXT]
    votes = Counter(g for name, p in results.items() if name in FEATURES and p.matched
                    for g in generations_of(name, p.matched))
    generation = max(sorted(votes), key=lambda g: votes[g]) if votes else None
    if send_ok:
        pt, en = "Tudo certo: leitura e envio funcionam.", "All good: reading and sending work."
    elif not chat_open:
        pt = "Abra uma conversa para o Mettri verificar o envio; até lá, o envio fica desativado."
        en = "Open a conversation so Mettri can check sending; until then, sending is disabled."
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
