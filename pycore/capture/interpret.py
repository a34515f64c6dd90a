"""Raw node facts -> MessageRecord fields. Pure: no storage, no clock.

Evidence is read in order of reliability: the serialized id's fromMe flag, the
message-in/-out classes (until 2026), the tail icons (first bubble of a run only),
the localized "You:" label, and status ticks (only own messages carry them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pycore.capture.ids import MessageId, jid_kind, parse_node_id
from pycore.chatkey import ChatKey, phone_jid
from pycore.capture.timestamps import parse_pre_plain
from pycore.capture.protocol import ChatFacts, RawMessageNode

STATUS_RANK = {None: 0, "pending": 1, "sent": 2, "delivered": 3, "read": 4}


def _norm(label: str) -> str:
    return " ".join(label.split()).casefold()


def _words(*items: str) -> frozenset[str]:
    return frozenset(_norm(i) for i in items)


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
DELETED_LABELS = _words(
    "This message was deleted",
    "You deleted this message",
    "Mensagem apagada",
    "Esta mensagem foi apagada",
    "Você apagou esta mensagem",
)
VOICE_LABELS = _words("Voice message", "Play voice message", "Mensagem de voz", "Reproduzir mensagem de voz")
IMAGE_LABELS = _words("Open picture", "Abrir imagem", "Abrir foto", "Photo", "Foto")
VIDEO_LABELS = _words("Play video", "Reproduzir vídeo", "Video", "Vídeo")
STICKER_LABELS = _words("Sticker", "Figurinha")
DOCUMENT_LABELS = _words("Document", "Documento")
QUOTED_LABELS = _words("Quoted message", "Mensagem citada")
FORWARDED_LABELS = _words("Forwarded", "Encaminhada", "Forwarded many times", "Encaminhada com frequência")

VOICE_ICONS = {"ptt-status", "audio-play", "ptt-play", "audio-download"}
VIDEO_ICONS = {"video-pip", "media-play", "video-thumb"}
DOCUMENT_ICONS = {"audio-file", "doc-generic", "document-generic"}
FORWARDED_ICONS = {"forward-refreshed", "forwarded", "forward-chat"}
DELETED_ICONS = {"recalled"}


@dataclass
class Interpreted:
    id: MessageId
    chat: str
    fields: dict = field(default_factory=dict)  # MessageRecord fields except key/seq/first_seen/last_seen
    clean: bool = True
    issues: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.chat}|{self.id.id}"


def chat_key(chat: ChatFacts, ids: list[MessageId | None]) -> str:
    """The batch's chat: a JID from any serialized id, else the header's JID, else 'title:<name>'."""
    for mid in ids:
        if mid is not None and mid.chat:
            return mid.chat
    if chat.jid:
        return chat.jid
    return str(ChatKey.from_title(chat.title))  # ValueError when the header shows no name


def status_of(node: RawMessageNode) -> str | None:
    """The furthest tick the node shows (labels beat icons: old read ticks reuse msg-dblcheck)."""
    best = None
    for label in node.labels:
        for status, words in STATUS_LABELS.items():
            if _norm(label) in words and STATUS_RANK[status] > STATUS_RANK[best]:
                best = status
    if best is None:
        for icon in node.icons + node.labels:  # svg <title> arrives with the labels
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


def type_of(node: RawMessageNode, labels: set[str]) -> str:
    icons = set(node.icons)
    if labels & DELETED_LABELS or icons & DELETED_ICONS:
        return "deleted"
    if icons & VOICE_ICONS or labels & VOICE_LABELS:
        return "voice"
    if labels & STICKER_LABELS or "sticker" in node.testids:
        return "sticker"
    if icons & VIDEO_ICONS or labels & VIDEO_LABELS:
        return "video"
    if labels & IMAGE_LABELS or "image-thumb" in node.testids:
        return "image"
    if icons & DOCUMENT_ICONS or labels & DOCUMENT_LABELS or any(i.startswith("document") for i in icons):
        return "document"
    if node.has_media:  # a blob image without a label we know: still a picture
        return "image"
    if node.text.strip() or node.pre_plain_text:
        return "text"
    return "unknown"


def interpret(
    node: RawMessageNode, chat: str, *, locale: str | None = None, utc_offset_min: int = 0
) -> Interpreted | None:
    """None for a node with no recognizable message id (an unknown shape)."""
    mid = parse_node_id(node.data_id, node.testid)
    if mid is None:
        return None
    out = Interpreted(id=mid, chat=mid.chat or chat)
    labels = {_norm(lab) for lab in node.labels}
    status = status_of(node)
    direction = direction_of(node, mid, status)
    mtype = type_of(node, labels)
    pre = parse_pre_plain(node.pre_plain_text, locale=locale, utc_offset_min=utc_offset_min)
    if node.pre_plain_text and (pre is None or pre.ts is None):
        out.issues.append("bad_pre_plain_text")
    if direction is None:
        # No direction evidence: system rows have neither a sender line nor content we know.
        direction = "in" if (pre is not None or mtype != "unknown") else "system"
        if direction == "system":
            mtype = "system"
    elif mtype == "unknown" and pre is None and mid.participant is None and not (node.labels or node.icons or node.has_media):
        # An id (true_/false_) but nothing a bubble has: a system row ("X joined", "changed the settings").
        direction, mtype = "system", "system"
    if mtype == "unknown":
        out.issues.append("unknown_type")
    author = pre.author if pre else None
    author_jid = mid.participant or (None if direction == "out" else phone_jid(author))
    if author_jid is None and direction == "in" and mid.chat and jid_kind(mid.chat) in ("user", "lid"):
        author_jid = mid.chat
    deleted = mtype == "deleted"
    out.fields = {
        "chat": out.chat,
        "id": mid.id,
        "ts": pre.ts if pre else None,
        "direction": direction,
        "author": author or None,
        "author_jid": author_jid,
        "type": mtype,
        # A deleted message keeps no content: Mettri does not restore deleted messages.
        "text": "" if deleted else node.text,
        "quoted": None if deleted else (node.quoted if node.quoted is not None else ("" if labels & QUOTED_LABELS else None)),
        "forwarded": bool(set(node.icons) & FORWARDED_ICONS or labels & FORWARDED_LABELS),
        "status": status if direction == "out" else None,
    }
    out.clean = not out.issues
    return out
