"""Helpers for the chat-export import tests: uploading a file through transfer.*, and capturing
the replica corpus's messages as the WhatsApp tab would (rows with and without a sender line)."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

from pycore.transfers.protocol import CHUNK_BYTES

TZ = -180  # the exports and the captures below use Brasília time


async def ask(core, type_: str, args: dict | None = None, source: str = "page") -> dict:
    """One request, answered in the caller's event loop (background jobs keep running in it)."""
    return await core.handle({"id": "t", "type": type_, "args": args or {}, "source": source})


async def ok(core, type_: str, args: dict | None = None, source: str = "page") -> dict:
    reply = await ask(core, type_, args, source)
    assert reply["ok"], reply
    return reply["result"]


async def upload(core, data: bytes, name: str, purpose: str = "chat_export") -> str:
    info = await ok(core, "transfer.begin", {"file_name": name, "size": len(data), "purpose": purpose})
    for i in range(0, len(data), CHUNK_BYTES):
        piece = base64.b64encode(data[i:i + CHUNK_BYTES]).decode()
        await ok(core, "transfer.put", {"id": info["id"], "index": i // CHUNK_BYTES, "data": piece})
    return info["id"]


def node(m: dict, corpus: dict, chat: dict) -> dict:
    """One message row as read-dom.js reports it: only text rows carry a sender line."""
    side = "true" if m["from_me"] else "false"
    out: dict = {"data_id": f"{side}_{chat['id']}_{m['id']}"}
    if m["type"] == "system":
        out["text"] = m.get("text", "")
        return out
    if m["from_me"]:
        name = corpus["me"]["name"]
        out["icons"] = ["msg-dblcheck-ack"]
    else:
        name = chat.get("name") or chat.get("phone")
    local = datetime(1970, 1, 1) + timedelta(seconds=m["ts"], minutes=TZ)
    if m["type"] == "text":
        out["pre_plain_text"] = f"[{local:%H:%M}, {local:%d/%m/%Y}] {name}: "
        out["text"] = m.get("text", "")
    elif m["type"] == "image":
        out.update(has_media=True, labels=out.get("labels", []) + ["Abrir imagem"], text=m.get("text", ""))
    elif m["type"] == "ptt":
        out["icons"] = out.get("icons", []) + ["ptt-status"]
    elif m["type"] == "document":
        out["icons"] = out.get("icons", []) + ["document-generic"]
    elif m["type"] == "deleted":
        out["labels"] = ["Mensagem apagada"]
    return out


async def capture(core, corpus: dict, chat: dict, messages: list[dict], per_batch: int = 50) -> None:
    for i in range(0, len(messages), per_batch):
        nodes = [node(m, corpus, chat) for m in messages[i:i + per_batch]]
        args = {"chat": {"title": chat.get("name") or chat.get("phone")}, "nodes": nodes, "observed_at": 1.0,
                "locale": "pt-BR", "utc_offset_min": TZ}
        await ok(core, "capture.batch", args, source="content")


async def stored(core, chat: str) -> list[dict]:
    out, cursor = [], None
    while True:
        args = {"chat": chat, "limit": 1000, "order_by": "seq", "newest_first": False}
        if cursor is not None:
            args["cursor_seq"] = cursor
        page = await ok(core, "messages.list", args)
        out += page["messages"]
        cursor = page["next_cursor_seq"]
        if cursor is None:
            return out


def plan(upload_id: str, chat: str, read: dict, **extra) -> dict:
    """The plan the page sends after the user confirmed the proposal."""
    authors = [{"name": a["name"], "role": a["role"]} for a in read["summary"]["authors"]]
    return {"upload_id": upload_id, "chat": chat, "authors": authors, "utc_offset_min": TZ,
            "is_group": read["summary"]["looks_like_group"], **extra}
