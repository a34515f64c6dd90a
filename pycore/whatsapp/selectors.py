"""Every CSS selector Mettri uses on WhatsApp Web, as data, per feature.

Candidates are tried in order; the first that matches wins. Each names the DOM
generations it was seen in (docs/whatsapp-dom.md): "2024" = Mar 2024 - Aug 2025,
"2025" = Sep - Dec 2025, "2026" = mid-2026 (bare ids, data-testid back). Hashed class
names are never used: they change every release. The content script receives this
table through ``selectors.get`` and knows no selector of its own.

scope: where read-dom.js queries: "page" (document), "row" (a message row),
"chat_row" (a chat-list row), "on_demand" (the document, only once an action opened it: not
probed by the self-test), "drawer" (inside the contact-info drawer). unique: more than one
match means "ambiguous".
TEXTS: what some elements are recognised by, since no attribute marks them.
purpose: what stops working without it: "read", "send", "scrape", "connection".
"""

from __future__ import annotations

from dataclasses import dataclass

SELECTORS_VERSION = 1
GENERATIONS = {
    "2024": "2024 to mid-2025 (message-in/out classes, serialized data-id)",
    "2025": "late 2025 (chat list role=grid again, send is div[role=button])",
    "2026": "mid-2026 (bare data-id, data-testid back, search is an <input>)",
}
ALL = ("2024", "2025", "2026")


@dataclass(frozen=True)
class Candidate:
    css: str
    gens: tuple[str, ...] = ALL


@dataclass(frozen=True)
class Feature:
    purpose: str
    candidates: tuple[Candidate, ...]
    scope: str = "page"
    unique: bool = False


def c(css: str, *gens: str) -> Candidate:
    return Candidate(css, gens or ALL)


FEATURES: dict[str, Feature] = {
    # -- shell and connection ---------------------------------------------------
    "app": Feature("connection", (c("#app"),), unique=True),
    "logged_in": Feature("connection", (c("#pane-side"), c("#side"), c('button[aria-label="Chats"]', "2024", "2025", "2026"))),
    "qr_code": Feature(
        "connection",
        (
            c("div[data-ref] canvas"),
            c('canvas[aria-label="Scan this QR code to link a device!"]'),
            c('canvas[aria-label="Scan me!"]', "2024"),
        ),
    ),
    "offline_banner": Feature("connection", (c('[data-icon="alert-computer"]'), c('[data-icon="alert-phone"]', "2024"))),
    "popups": Feature("connection", (c("#wa-popovers-bucket"), c('div[data-animate-modal-popup="true"]'))),
    # In-app banners ("you are sending too many messages"): their text feeds the core's ban patterns.
    "alerts": Feature("connection", (c('[role="alert"]'),)),
    # -- conversation -----------------------------------------------------------
    "conversation_panel": Feature(
        "read", (c('[data-testid="conversation-panel-wrapper"]', "2026"), c("#main")), unique=True
    ),
    "chat_header": Feature("read", (c('[data-testid="conversation-header"]', "2026"), c("#main header")), unique=True),
    "chat_header_title": Feature(
        "read",
        (
            c('[data-testid="conversation-info-header-chat-title"]', "2026"),
            c("#main header span[title]"),
            c('#main header span[dir="auto"]'),
        ),
    ),
    "message_scroller": Feature(
        "read",
        (
            c('[data-testid="conversation-panel-messages"]', "2026"),
            c('[data-scrolltracepolicy="wa.web.conversation.messages"]', "2024", "2025"),
            c('#main [role="application"]', "2024", "2025"),
        ),
        unique=True,
    ),
    "message_row": Feature(
        "read",
        (
            c('#main [data-testid^="conv-msg-"]', "2026"),
            c("#main div[data-id]", "2024", "2025"),
            c('#main [role="row"]'),
        ),
    ),
    # Inside one message row:
    "message_text": Feature(
        "read",
        (
            c("span.selectable-text.copyable-text", "2024", "2025"),
            c(".selectable-text"),
            c("[data-pre-plain-text] span[dir]"),
        ),
        scope="row",
    ),
    "pre_plain_text": Feature("read", (c("[data-pre-plain-text]"),), scope="row"),
    # A virtualized row drawn without content (E: data-virtualized; 2026 rows may just be empty).
    "virtualized": Feature("read", (c('[data-virtualized="true"]'),), scope="row"),
    # The control after a cut long text; which one it is, TEXTS["read_more"] says (markup R).
    "read_more": Feature("read", (c('[role="button"]'), c("button"), c('span[role="link"]')), scope="row"),
    "emoji": Feature("read", (c("img[data-plain-text]"), c("img[alt]")), scope="row"),
    "quoted": Feature(
        "read",
        (c('[aria-label="Quoted message"]'), c('[aria-label="Mensagem citada"]'), c(".quoted-mention", "2024", "2025")),
        scope="row",
    ),
    # Inside the quote: the quoted text (E); the rest of the quote is its author line (R).
    "quoted_text": Feature("read", (c(".quoted-mention"),), scope="row"),
    "media": Feature("read", (c('img[src^="blob:"]'), c("video")), scope="row"),
    # Every row of the conversation list, messages and day dividers alike, in order (E).
    "conversation_row": Feature("read", (c('#main [role="row"]'),)),
    # The header's other titled spans: a group's participant list (E: group headers list participants).
    "chat_header_subtitle": Feature("read", (c("#main header span[title]"),)),
    # The open chat's row in the chat list, for its unread badge while the tab is hidden (R).
    "selected_chat_row": Feature(
        "read", (c('#pane-side [aria-selected="true"]'), c('[data-testid="chat-list"] [aria-selected="true"]', "2026")),
        scope="page",
    ),
    # Warnings are found by their words anywhere in the app shell (TEXTS["warning"]), except where
    # people's own words are drawn: chats, messages, the composer and search boxes.
    "shell": Feature("connection", (c("#app"), c("#wa-popovers-bucket"))),
    "shell_skip": Feature(
        "connection",
        (
            c("#pane-side"),
            c('[data-scrolltracepolicy="wa.web.conversation.messages"]', "2024", "2025"),
            c('[data-testid="conversation-panel-messages"]', "2026"),
            c('#main [role="application"]', "2024", "2025"),
            c("#main header"),
            c('[contenteditable="true"]'),
            c("input"),
        ),
    ),
    # -- who the open chat is (pycore.identity) -----------------------------------------
    # The header's other lines (a phone number, "~ push name") and its avatar (R: an address
    # carrying a JID, where WhatsApp draws one).
    "chat_header_texts": Feature("read", (c("#main header span[title]"), c('#main header span[dir="auto"]')), scope="on_demand"),
    "header_avatar": Feature("read", (c("#main header img[src]"),), scope="on_demand"),
    # R: the contact-info drawer WhatsApp opens from the conversation header shows the phone number
    # (none for a LID contact). Read only when the name alone cannot tell two chats apart.
    "contact_drawer": Feature(
        "read",
        (
            c('[data-testid="contact-info-drawer"]', "2026"),
            c('section[aria-label="Contact info"]'),
            c('section[aria-label="Dados do contato"]'),
            c('section[aria-label="Group info"]'),
            c('section[aria-label="Dados do grupo"]'),
        ),
        scope="on_demand",
        unique=True,
    ),
    "drawer_title": Feature("read", (c("span[title]"), c('span[dir="auto"]')), scope="drawer"),
    "drawer_lines": Feature("read", (c('span[dir="auto"]'), c("span")), scope="drawer"),
    "drawer_close": Feature(
        "read", (c('[role="button"][aria-label="Close"]'), c('[role="button"][aria-label="Fechar"]'), c('[data-icon="x"]')),
        scope="drawer",
    ),
    # -- chat list ----------------------------------------------------------------
    "chat_list": Feature(
        "scrape",
        (
            c('[data-testid="chat-list"]', "2026"),
            c('#pane-side [role="grid"]', "2025", "2026"),
            c('#pane-side [aria-label="Chat list"]'),
        ),
        unique=True,
    ),
    "chat_list_scroller": Feature("scrape", (c("#pane-side"), c('[data-scrolltracepolicy="wa.web.chatlist"]')), unique=True),
    "chat_row": Feature(
        "scrape",
        (
            c('[data-testid="cell-frame-container"]', "2026"),
            c('#pane-side [role="row"]', "2025", "2026"),
            c('#pane-side [role="listitem"]', "2024"),
        ),
    ),
    # Inside one chat row:
    "row_title": Feature(
        "scrape",
        (c('[data-testid="cell-frame-title"] [title]', "2026"), c('[data-testid="cell-frame-title"]', "2026"), c('span[dir="auto"][title]')),
        scope="chat_row",
    ),
    "row_preview": Feature(
        "scrape", (c('[data-testid="last-msg-status"]', "2026"), c('span[dir="ltr"]')), scope="chat_row"
    ),
    # No dated evidence for the row time: reconstructed, so the scraper treats it as optional.
    "row_time": Feature("scrape", (c('[data-testid="cell-frame-primary-detail"]', "2026"),), scope="chat_row"),
    "unread_badge": Feature(
        "scrape",
        (
            c('[data-testid="icon-unread-count"]', "2026"),
            c('span[aria-label*="unread message"]'),
            c('span[aria-label*="não lida"]'),
            c('[role="gridcell"][aria-colindex="1"] > span > div > span', "2025"),
        ),
        scope="chat_row",
    ),
    # -- sending --------------------------------------------------------------------
    "composer": Feature(
        "send",
        (
            c('[data-testid="conversation-compose-box-input"]', "2026"),
            c('#main footer [contenteditable="true"][role="textbox"][data-lexical-editor="true"]'),
            c('#main footer [contenteditable="true"][role="textbox"]'),
        ),
        unique=True,
    ),
    "send_button": Feature(
        "send",
        (
            c('#main footer [role="button"][aria-label="Send"]', "2025", "2026"),
            c('#main footer [role="button"][aria-label="Enviar"]', "2025", "2026"),
            c('#main footer button[aria-label="Send"]', "2024"),
            c('#main footer button[aria-label="Enviar"]', "2024"),
            c('#main footer [data-icon="wds-ic-send-filled"]', "2024", "2025"),
            c('#main footer [data-icon="send"]', "2024"),
        ),
        unique=True,
    ),
    "search_box": Feature(
        "scrape",
        (
            c('#side input[role="textbox"][data-tab="3"]', "2026"),
            c('#side [contenteditable="true"][role="textbox"][data-tab="3"]', "2024", "2025"),
            c('#side [data-tab="3"]'),
        ),
        unique=True,
    ),
    "new_chat": Feature(
        "send",
        (c('[data-icon="new-chat-outline"]'), c('[aria-label="New chat"]'), c('[aria-label="Nova conversa"]')),
    ),
}

# Class tokens read-dom.js reports (it never reports hashed classes).
FACT_CLASSES = ("message-in", "message-out", "focusable-list-item")

# What elements say, for those no attribute marks. "warning" is a regular expression (case-
# insensitive) over a block of text; pycore.connection classifies what it finds.
TEXTS = {
    "read_more": ["Read more", "Ler mais", "Leer más", "Mostrar mais", "Ver mais"],
    "warning": (
        r"too many messages|sending too much|muitas mensagens|mensagens demais|enviando demais"
        r"|demasiados mensajes|muchos mensajes|\bbanned\b|\bbanid[ao]\b|\bsuspended\b|\bsuspens[ao]\b"
        r"|\bsuspendid[ao]\b|\bbaneada\b"
    ),
}


def selectors_json() -> dict:
    """The table as the content script receives it from ``selectors.get``."""
    return {
        "version": SELECTORS_VERSION,
        "generations": GENERATIONS,
        "classes": list(FACT_CLASSES),
        "texts": TEXTS,
        "features": {
            name: {
                "purpose": f.purpose,
                "scope": f.scope,
                "unique": f.unique,
                "candidates": [{"css": cand.css, "gens": list(cand.gens)} for cand in f.candidates],
            }
            for name, f in FEATURES.items()
        },
    }


def generations_of(feature: str, css: str) -> tuple[str, ...]:
    for cand in FEATURES[feature].candidates:
        if cand.css == css:
            return cand.gens
    return ()
