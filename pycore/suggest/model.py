"""The language-model source of suggestions, off until the user turns it on in the options page.

The core owns what is sent and what comes back: the prompt (the open chat's recent conversation and
the CRM card's facts), the OpenAI-compatible chat-completions request body, the parsing of the
reply into at most three candidate replies, and every failure as a note in both languages. The
request itself goes out through the ``ModelClient`` port (the offscreen document's fetch, which adds
the API key from chrome.storage.local: the key never enters the core, its database or a backup).

A model slower than the user's timeout, or failing, never holds the local suggestions back: they are
offered first, and the model's replies (or the note saying why there are none) follow.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pycore.bilingual import filled
from pycore.bridge import nested_deeper_than
from pycore.protocol.base import CoreError
from pycore.storage.base import Storage
from pycore.suggest.ports import CardFacts, Conversation, ModelClient
from pycore.suggestions.protocol import (
    ChatMessage, ModelNote, ModelPreview, ModelSettings, ModelSettingsPatch, ModelSettingsResult,
)

SETTINGS_KEY = "suggest.model"
MAX_MESSAGES = 20  # the recent conversation: enough for context, little data leaving the browser
MAX_CHARS = 1000  # per message in the prompt
MAX_REPLIES = 3
REPLY_MAX = 2000  # a longer "reply" is not a WhatsApp answer
# A reply is parsed only when it nests no deeper than this: JSON nested thousands deep crashes the
# parser inside Pyodide (the C stack runs out before RecursionError), and a chat completion nests ~5.
MAX_NESTING = 64
GUARD_S = 1.0  # how long past the timeout the core waits for a port that failed to keep it
LOCAL_HOSTS = ("localhost", "127.0.0.1")  # plain http only to a model on this computer

NOTES: dict[str, tuple[str, str]] = {
    "model_timeout": ("O modelo não respondeu em {seconds} s; ficam as sugestões locais.",
                      "The model did not answer within {seconds} s; the local suggestions stand."),
    "model_auth": ("O modelo recusou a chave (HTTP {status}): confira a chave nas opções.",
                   "The model refused the key (HTTP {status}): check the key in the options."),
    "model_http": ("O modelo respondeu com erro (HTTP {status}); ficam as sugestões locais.",
                   "The model answered with an error (HTTP {status}); the local suggestions stand."),
    "model_bad_json": ("A resposta do modelo não está no formato esperado (JSON de chat completions).",
                       "The model's answer is not in the expected format (chat-completions JSON)."),
    "model_empty": ("O modelo não propôs nenhuma resposta.", "The model proposed no reply."),
    "model_network": ("Não foi possível falar com o modelo em {origin}: sem rede, endereço errado ou acesso "
                      "não permitido nas opções.",
                      "Could not reach the model at {origin}: no network, a wrong address or access not "
                      "granted in the options."),
    "model_unavailable": ("O modelo do próprio Chrome não está disponível neste navegador.",
                          "Chrome's built-in model is not available in this browser."),
    "model_not_set": ("Falta o endereço ou o nome do modelo nas opções.",
                      "The model's address or name is missing in the options."),
}

SYSTEM = (
    "Você ajuda um pequeno negócio a responder clientes no WhatsApp. Escreva até 3 respostas curtas e "
    "diferentes que o negócio poderia enviar agora à última mensagem do cliente, no idioma do cliente. "
    "Não invente preços, prazos nem fatos que não estejam na conversa ou na ficha. Responda apenas com "
    "uma lista JSON de textos, por exemplo: [\"resposta 1\", \"resposta 2\"]."
)


def note(code: str, **values: Any) -> ModelNote:
    return ModelNote(code=code, **filled(NOTES[code], **values))


# -- settings --------------------------------------------------------------------------------------
def chat_url(endpoint: str) -> str:
    """The chat-completions URL of what the user typed (a base ``…/v1`` or the full URL)."""
    url = endpoint.strip()
    if not url:
        return ""
    return url if url.rstrip("/").endswith("/chat/completions") else url.rstrip("/") + "/chat/completions"


def origin_pattern(url: str) -> str:
    """The host permission Chrome is asked for: ``scheme://host/*`` (a pattern covers every port)."""
    if not url:
        return ""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}/*"


def check_endpoint(endpoint: str) -> None:
    """https anywhere, plain http only to this computer (the key would cross the network in clear)."""
    url = endpoint.strip()
    if not url:
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    ok = bool(host) and not parts.username and not parts.password and (
        parts.scheme == "https" or (parts.scheme == "http" and host in LOCAL_HOSTS))
    if not ok:
        raise CoreError("invalid_args", "bad model endpoint", [{
            "field": "endpoint",
            "pt_BR": "Endereço inválido: use https://… (ou http://localhost / http://127.0.0.1 para um modelo neste computador).",
            "en": "Invalid address: use https://… (or http://localhost / http://127.0.0.1 for a model on this computer).",
        }])


# -- the prompt ------------------------------------------------------------------------------------
def card_lines(facts: dict[str, Any]) -> list[str]:
    lines = []
    if facts.get("name"):
        lines.append(f"- Nome: {facts['name']}")
    if facts.get("stage"):
        lines.append(f"- Etapa: {facts['stage']}")
    if facts.get("tags"):
        lines.append(f"- Etiquetas: {', '.join(facts['tags'])}")
    for label, value in facts.get("fields", []):
        lines.append(f"- {label}: {value}")
    return lines


def conversation_lines(messages: list[dict[str, Any]]) -> list[str]:
    out = []
    for m in messages[-MAX_MESSAGES:]:
        who = "Você" if m.get("direction") == "out" else "Cliente"
        text = (m.get("text") or "").strip()
        if m.get("type", "text") != "text" or not text:
            text = text[:MAX_CHARS] + " [mídia]" if text else "[mídia]"
        out.append(f"{who}: {text[:MAX_CHARS]}")
    return out


def build_messages(facts: dict[str, Any], messages: list[dict[str, Any]]) -> list[ChatMessage]:
    system = SYSTEM
    card = card_lines(facts)
    if card:
        system += "\n\nFicha do cliente no CRM:\n" + "\n".join(card)
    convo = "Conversa recente (a mais antiga primeiro):\n" + "\n".join(conversation_lines(messages))
    return [ChatMessage(role="system", content=system), ChatMessage(role="user", content=convo)]


def request_body(settings: ModelSettings, messages: list[ChatMessage]) -> str:
    return json.dumps({"model": settings.model, "messages": [m.model_dump() for m in messages], "temperature": 0.4},
                      ensure_ascii=False)


# -- the reply -------------------------------------------------------------------------------------
FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")
ITEM = re.compile(r"^\s*(?:\d+[.)]|[-*•])\s+")


def candidates(content: str) -> list[str]:
    """The replies in one message's content: a JSON list (or {"replies": [...]}), else a numbered or
    bulleted list, else the whole text as one reply."""
    text = FENCE.sub("", content.strip()).strip()
    try:
        data = None if nested_deeper_than(text, MAX_NESTING) else json.loads(text)
    except (ValueError, RecursionError):
        data = None
    if isinstance(data, dict):
        data = data.get("replies") or data.get("respostas")
    if isinstance(data, list):
        return [x.strip() for x in data if isinstance(x, str) and x.strip()]
    if isinstance(data, str):
        return [data.strip()] if data.strip() else []
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) > 1 and all(ITEM.match(ln) for ln in lines):
        return [ITEM.sub("", ln).strip().strip('"') for ln in lines]
    return [text] if text else []


def parse_reply(status: int, body: str) -> tuple[list[str], ModelNote | None]:
    """An HTTP reply from a chat-completions endpoint: up to three distinct replies, or why none."""
    if status in (401, 403):
        return [], note("model_auth", status=status)
    if not 200 <= status < 300:
        return [], note("model_http", status=status)
    if nested_deeper_than(body, MAX_NESTING):
        return [], note("model_bad_json")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return [], note("model_bad_json")
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list):
        return [], note("model_bad_json")
    out: list[str] = []
    for choice in choices:
        message = choice.get("message") if isinstance(choice, dict) else None
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            out += candidates(content)
    replies = list(dict.fromkeys(r for r in out if len(r) <= REPLY_MAX))[:MAX_REPLIES]
    return (replies, None) if replies else ([], note("model_empty"))


# -- the source ------------------------------------------------------------------------------------
@dataclass
class ModelSource:
    storage: Storage
    client: ModelClient | None
    conversation: Conversation
    facts: CardFacts

    async def settings(self) -> ModelSettings:
        rec = await self.storage.get("meta", SETTINGS_KEY)
        return ModelSettings.model_validate(rec["value"]) if rec else ModelSettings()

    @staticmethod
    def result(s: ModelSettings) -> ModelSettingsResult:
        url = chat_url(s.endpoint)
        return ModelSettingsResult(settings=s, url=url, origin=origin_pattern(url))

    async def set(self, patch: ModelSettingsPatch) -> ModelSettingsResult:
        merged = (await self.settings()).model_copy(update=patch.model_dump(exclude_none=True))
        merged.endpoint = merged.endpoint.strip()
        merged.model = merged.model.strip()
        check_endpoint(merged.endpoint)
        await self.storage.put("meta", {"key": SETTINGS_KEY, "value": merged.model_dump()})
        return self.result(merged)

    async def enabled(self) -> bool:
        return (await self.settings()).enabled

    async def messages(self, chat: str) -> list[ChatMessage]:
        return build_messages(await self.facts.facts(chat), await self.conversation.recent(chat, MAX_MESSAGES))

    async def preview(self, chat: str) -> ModelPreview:
        s = await self.settings()
        msgs = await self.messages(chat)
        return ModelPreview(url=chat_url(s.endpoint) if s.provider == "endpoint" else "", model=s.model,
                            provider=s.provider, messages=msgs, body=request_body(s, msgs))

    async def ask(self, chat: str) -> tuple[list[str], ModelNote | None]:
        """The model's replies for ``chat`` now, or the note saying why there are none (never raises)."""
        s = await self.settings()
        url = chat_url(s.endpoint)
        if s.provider == "endpoint" and (not url or not s.model):
            return [], note("model_not_set")
        if self.client is None:
            return [], note("model_unavailable" if s.provider == "builtin" else "model_network", origin=url)
        msgs = await self.messages(chat)
        request = {"provider": s.provider, "url": url, "body": request_body(s, msgs),
                   "messages": [m.model_dump() for m in msgs], "timeout_ms": int(s.timeout_s * 1000)}
        seconds = s.timeout_s  # a quantity: 7,5 s / 7.5 s (pycore.bilingual)
        try:
            # The port keeps the time (timeout_ms): it aborts the request and answers "timeout". Past a
            # margin the core stops waiting anyway (a port that hangs loses the model, never the bar).
            answer = await asyncio.wait_for(self.client.chat(request), s.timeout_s + GUARD_S)
        except asyncio.TimeoutError:
            return [], note("model_timeout", seconds=seconds)
        except Exception:  # a broken port is a failed model, never a failed capture
            return [], note("model_network", origin=urlsplit(url).netloc or url)
        error = answer.get("error") if isinstance(answer, dict) else "network"
        if error == "timeout":
            return [], note("model_timeout", seconds=seconds)
        if error == "unavailable":
            return [], note("model_unavailable")
        if error:
            return [], note("model_network", origin=urlsplit(url).netloc or url)
        if s.provider == "builtin":  # the on-device model answers with the content itself
            found = list(dict.fromkeys(candidates(str(answer.get("content") or ""))))[:MAX_REPLIES]
            return (found, None) if found else ([], note("model_empty"))
        return parse_reply(int(answer.get("status") or 0), str(answer.get("body") or ""))
