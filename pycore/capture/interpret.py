"""Raw node facts -> MessageRecord fields. Pure: no storage, no clock.

Direction evidence is read in order of reliability: the serialized id's fromMe flag, the
message-in/-out classes (until 2026), the tail icons (first bubble of a run only),
the localized "You:" label, and status ticks (only own messages carry them). The kind comes
from several signals (pycore.capture.kinds); the time from the sender line, else the bubble's
time and the day dividers (pycore.capture.timestamps). Rows drawn without content are no
message at all (is_placeholder).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from pycore.msgids import MessageId, jid_kind, parse_id, parse_node_id
from pycore.capture.kinds import _norm, kind_of, words as _words
from pycore.capture.timestamps import bubble_ts, day_start, parse_pre_plain
from pycore.capture.protocol import RawMessageNode
from pycore.chatkey import ChatKey, display_title, phone_jid

STATUS_RANK = {None: 0, "pending": 1, "sent": 2, "delivered": 3, "read": 4}


# Localized labels (en, pt-BR first; a few others seen in the wild). Compared trimmed, case-folded.
YOU_LABELS = _words("You:", "Você:", "Tú:", "Tu:", "Vous :", "Vous:", "Du:", "Tu :")
STATUS_LABELS = {
    "pending": _words("Pending", "Pendente", "Pendiente", "In attesa"),
    "sent": _words("Sent", "Enviada", "Enviado", "Inviato"),
    "delivered": _words("Delivered", "Entregue", "Entregado", "Consegnato"),
    "read": _words("Read", "Lida", "Leído", "Letto", "Visualizada"),
}
STATUS_ICONS = {
    "msg-time": "pending",
    "msg-check": "sent",
    "msg-dblcheck": "delivered",
    "msg-dblcheck-ack": "read",
    "wds-ic-pending": "pending",
    "wds-ic-sent": "sent",
    "wds-ic-delivered": "delivered",
    "wds-ic-read": "read",
}
QUOTED_LABELS = _words("Quoted message", "Mensagem citada", "Mensaje citado")
FORWARDED_LABELS = _words("Forwarded", "Encaminhada", "Forwarded many times", "Encaminhada com frequência", "Reenviado")
FORWARDED_ICONS = {"forward-refreshed", "forwarded", "forward-chat"}


@dataclass
class Interpreted:
    id: MessageId
    chat: str
    fields: dict = field(default_factory=dict)  # MessageRecord fields except key/seq/first_seen/last_seen
    clean: bool = True
    issues: list[str] = field(default_factory=list)
    day: float | None = None  # start of the day its nearest day divider names (epoch seconds)
    raw: str | None = None  # the row's data-id or conv-msg testid, as the content script keys it

    @property
    def key(self) -> str:
        return f"{self.chat}|{self.id.id}"



def is_placeholder(node: RawMessageNode) -> bool:
    """A message row (its id is one we know) present without its content: not a message, WhatsApp
    fills it later. A row whose id we do not know either stays an unknown shape (counted)."""
    if parse_node_id(node.data_id, node.testid) is None:
        return False
    if node.virtualized:
        return True
    return not (node.pre_plain_text or node.text.strip() or any(t.strip() for t in node.texts) or node.labels
                or node.icons or node.has_media or node.quoted)


def author_label(labels: list[str]) -> str | None:
    """The sender named by the row's 'NAME:' label (every bubble has one; own ones say 'You:')."""
    for label in labels:
        text = label.strip()
        if len(text) > 1 and text.endswith(":") and _norm(text) not in YOU_LABELS:
            return display_title(text[:-1]) or None
    return None


def system_text(node: RawMessageNode) -> str:
    """A system row's text ('Ana adicionou Zé', the encryption notice): its visible text blocks."""
    return node.text.strip() or " ".join(t.strip() for t in node.texts if t.strip())


def one_to_one(chat: str) -> str | None:
    """The contact's JID when the chat key is a 1:1 chat's JID (an unsaved number's title is one)."""
    try:
        key = ChatKey.parse(chat)
    except ValueError:
        return None
    return chat if key.kind in ("user", "lid") else None


def status_of(node: RawMessageNode) -> str | None:
    """The furthest tick the node shows (labels beat icons: old read ticks reuse msg-dblcheck)."""
    return _status(tuple(node.labels), tuple(node.icons))


@lru_cache(maxsize=4096)  # rows repeat the same few labels and icons
def _status(labels: tuple[str, ...], icons: tuple[str, ...]) -> str | None:
    best = None
    for label in labels:
        for status, words in STATUS_LABELS.items():
            if _norm(label) in words and STATUS_RANK[status] > STATUS_RANK[best]:
                best = status
    if best is None:
        for icon in icons + labels:  # svg <title> arrives with the labels
            status = STATUS_ICONS.get(icon.strip())
            if status and STATUS_RANK[status] > STATUS_RANK[best]:
                best = status
    return best


def direction_of(node: RawMessageNode, mid: MessageId, status: str | None) -> str | None:
    if mid.from_me is not None:
        return "out" if mid.from_me else "in"
    if "message-out" in node.classes:
        return "out"
    if "message-in" in node.classes:
        return "in"
    if "tail-out" in node.icons:
        return "out"
    if "tail-in" in node.icons:
        return "in"
    if any(_norm(lab) in YOU_LABELS for lab in node.labels):
        return "out"
    if status is not None:
        return "out"
    return None  # decided by the caller: incoming content, or a system row


def interpret(
    node: RawMessageNode,
    chat: str,
    *,
    locale: str | None = None,
    utc_offset_min: int = 0,
    observed_at: float | None = None,
) -> Interpreted | None:
    """None for a node with no recognizable message id (an unknown shape). Callers skip
    placeholders (is_placeholder) first: they are no message at all."""
    mid = parse_node_id(node.data_id, node.testid)
    if mid is None:
        return None
    out = Interpreted(id=mid, chat=mid.chat or chat, raw=node.data_id or node.testid)
    labels = {_norm(lab) for lab in node.labels}
    status = status_of(node)
    direction = direction_of(node, mid, status)
    mtype = kind_of(node)
    pre = parse_pre_plain(node.pre_plain_text, locale=locale, utc_offset_min=utc_offset_min)
    if node.pre_plain_text and (pre is None or pre.ts is None):
        out.issues.append("bad_pre_plain_text")
    bubble = not (mtype == "unknown" and pre is None and mid.participant is None
                  and not (node.labels or node.icons or node.has_media))
    if direction is None:
        # No direction evidence: system rows have neither a sender line nor a bubble's marks.
        direction = "in" if (pre is not None or mtype != "unknown") else "system"
    elif not bubble:
        # An id (true_/false_) but nothing a bubble has: a system row ("X joined", "changed the settings").
        direction = "system"
    if direction == "system":
        mtype = "system"
    if mtype == "unknown":
        out.issues.append("unknown_type")
    author = (pre.author if pre else None) or (author_label(node.labels) if direction == "in" else None)
    author_jid = mid.participant or (None if direction == "out" else phone_jid(author))
    if author_jid is None and direction == "in":
        if mid.chat and jid_kind(mid.chat) in ("user", "lid"):
            author_jid = mid.chat  # a 1:1 chat's incoming messages are the contact's
        elif mid.chat is None:
            author_jid = one_to_one(out.chat)  # 2026: a 1:1 chat the page proved a JID for
    deleted = mtype == "deleted"
    ts, source = (pre.ts, "pre_plain") if pre and pre.ts is not None else (None, None)
    seen = observed_at if observed_at is not None else 0.0
    if ts is None and direction != "system":
        found = bubble_ts(node.texts, node.day_labels, observed_at=seen, utc_offset_min=utc_offset_min, locale=locale)
        if found:
            ts, source = found
    out.day = day_start(node.day_labels, observed_at=seen, utc_offset_min=utc_offset_min, locale=locale)
    quoted = None if deleted else (node.quoted if node.quoted is not None else ("" if labels & QUOTED_LABELS else None))
    out.fields = {
        "chat": out.chat,
        "id": mid.id,
        "ts": ts,
        "ts_source": source,
        "ts_inferred": source not in (None, "pre_plain", "bubble"),
        "direction": direction,
        "author": author or None,
        "author_jid": author_jid,
        "type": mtype,
        # A deleted message keeps no content: Mettri does not restore deleted messages.
        "text": "" if deleted else (system_text(node) if direction == "system" else node.text),
        "text_complete": deleted or not node.truncated,
        "quoted": quoted,
        "quoted_author": None if quoted is None or not node.quoted_author else display_title(node.quoted_author) or None,
        "quoted_id": _quoted_id(node) if quoted is not None else None,
        "forwarded": bool(set(node.icons) & FORWARDED_ICONS or labels & FORWARDED_LABELS),
        "status": status if direction == "out" else None,
    }
    out.clean = not out.issues
    return out


def _quoted_id(node: RawMessageNode) -> str | None:
    """The quoted message's id when the quote block carries one (else resolved from stored messages)."""
    mid = parse_id(node.quoted_id) if node.quoted_id else None
    return mid.id if mid else None
