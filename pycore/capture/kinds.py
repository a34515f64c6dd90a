"""A message's kind from several independent signals of its row. Pure.

One icon is never enough: WhatsApp reuses icons (a document's download button can look like an
audio icon), so each kind needs a signal that only it has, or two that agree. Signals:

* document: a file name (a title or text ending in .ext), the "pages • type • size" line, a
  document icon or label;
* voice: a voice label ("Voice message", "Mensagem de voz"), the ptt-status icon, a play or audio
  icon, a duration next to the bubble's time;
* image / video / sticker: the media element and its labels and test ids.

When the signals do not settle it the kind is "unknown": a wrong kind is worse than none.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from pycore.capture.timestamps import parse_clock
from pycore.capture.protocol import RawMessageNode


@lru_cache(maxsize=4096)  # the same labels come back on every row ("Lida", "Maria:")
def _norm(label: str) -> str:
    return " ".join(label.split()).casefold()


def words(*items: str) -> frozenset[str]:
    return frozenset(_norm(i) for i in items)


DELETED_LABELS = words(
    "This message was deleted",
    "You deleted this message",
    "Mensagem apagada",
    "Esta mensagem foi apagada",
    "Você apagou esta mensagem",
    "Se eliminó este mensaje",
    "Eliminaste este mensaje",
)
VOICE_LABELS = words("Voice message", "Play voice message", "Mensagem de voz", "Reproduzir mensagem de voz",
                     "Mensaje de voz")
IMAGE_LABELS = words("Open picture", "Abrir imagem", "Abrir foto", "Photo", "Foto")
VIDEO_LABELS = words("Play video", "Reproduzir vídeo", "Video", "Vídeo")
STICKER_LABELS = words("Sticker", "Figurinha")
DOCUMENT_LABELS = words("Document", "Documento")

DELETED_ICONS = {"recalled"}
VOICE_ICONS = {"ptt-status", "ptt-play"}  # drawn only on voice messages
AUDIO_ICONS = {"audio-play", "audio-download", "audio-pause"}  # also on documents' download buttons
VIDEO_ICONS = {"video-pip", "media-play", "video-thumb"}
DOCUMENT_ICONS = {"audio-file", "doc-generic", "document-generic"}

_FILE = re.compile(r"^[^\n/\\]{1,240}\.[A-Za-z0-9]{2,5}$")
_SIZE = re.compile(r"\b\d+(?:[.,]\d+)?\s?(?:B|[kKMG]B)\b")


def _document_icon(icon: str) -> bool:
    return icon in DOCUMENT_ICONS or icon.startswith(("document", "doc-"))


def signals(node: RawMessageNode | _Shape) -> dict[str, int]:
    """How many independent signals point at each kind (0 = none)."""
    labels = {_norm(lab) for lab in node.labels}
    icons = set(node.icons)
    blocks = [t.strip() for t in node.texts if t.strip()]
    clocks = sum(1 for t in blocks if parse_clock(t))
    named = [*node.labels, *blocks] + ([] if node.pre_plain_text else [node.text])  # a text message is not a file
    file_name = any(_FILE.match(x.strip()) and not parse_clock(x) for x in named)
    return {
        "deleted": int(bool(labels & DELETED_LABELS or icons & DELETED_ICONS)),
        "document": int(file_name) + int(any(_SIZE.search(t) for t in blocks))
        + int(any(map(_document_icon, icons)) or bool(labels & DOCUMENT_LABELS)),
        # a duration is a second time-like text beside the bubble's own time
        "voice": int(bool(labels & VOICE_LABELS)) + int(bool(icons & VOICE_ICONS))
        + int(bool(icons & AUDIO_ICONS)) + int(clocks >= 2),
        "voice_strong": int(bool(labels & VOICE_LABELS or icons & VOICE_ICONS)),
        "sticker": int(bool(labels & STICKER_LABELS or "sticker" in node.testids)),
        "video": int(bool(icons & VIDEO_ICONS or labels & VIDEO_LABELS)),
        "image": int(bool(labels & IMAGE_LABELS or "image-thumb" in node.testids)) + int(node.has_media),
    }


class _Shape(NamedTuple):
    """What the kind depends on, hashable: rows of one kind look alike, so the answer is remembered.
    A sender line only counts as present, and then the text does not count at all."""

    labels: tuple[str, ...]
    icons: tuple[str, ...]
    texts: tuple[str, ...]
    testids: tuple[str, ...]
    has_media: bool
    pre_plain_text: str | None
    text: str


def kind_of(node: RawMessageNode) -> str:
    pre = "line" if node.pre_plain_text else None
    return _kind_of(_Shape(tuple(node.labels), tuple(node.icons), tuple(node.texts), tuple(node.testids), node.has_media,
                           pre, "" if pre else node.text))


@lru_cache(maxsize=4096)
def _kind_of(node: _Shape) -> str:
    s = signals(node)
    if s["deleted"]:
        return "deleted"
    if s["document"] >= 2 and not s["voice_strong"]:
        return "document"
    if s["voice_strong"] and s["document"] < 2 or s["voice"] >= 2 and not s["document"]:
        return "voice"
    if s["sticker"]:
        return "sticker"
    if s["video"]:
        return "video"
    if s["image"]:
        return "image"
    if s["document"] >= 2:
        return "unknown"  # a file and a voice label at once: do not guess
    if s["document"] == 1 and not (node.text.strip() or node.pre_plain_text):
        # a document icon or label alone (an older layout without the size line) still says document;
        # a lone file-name-looking text does not
        icons = set(node.icons)
        if any(map(_document_icon, icons)) or {_norm(x) for x in node.labels} & DOCUMENT_LABELS:
            return "document"
        return "unknown"
    if node.text.strip() or node.pre_plain_text:
        return "text"
    return "unknown"
