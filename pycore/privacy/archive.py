"""The archive's file: a .zip of versioned JSON, one file per part, and the contacts as CSV.

    manifest.json            {"format": "mettri-archive", "version": 1, "created_at", "core_version",
                              "schema_version", "parts": {name: {"version", "file", "records": {store: n}}}}
    parts/<name>.json        {"part": name, "version": n, "stores": {store: [records]}}
    contacts.csv             the contacts, for a spreadsheet

Reading checks everything before anything is written: the format, a version this core knows,
each part's file and its record counts. Any problem is an ``ArchiveError`` in both languages.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime, timezone

from pycore.privacy.parts import Stores
from pycore.privacy.protocol import ARCHIVE_FORMAT, ARCHIVE_VERSION, ArchiveProblem

MAX_PART_BYTES = 1 << 31

_TEXTS = {
    "not_an_archive": ("Este arquivo não é uma cópia de segurança do Mettri.", "This file is not a Mettri backup."),
    "newer_version": ("Esta cópia foi feita por uma versão mais nova do Mettri: atualize a extensão antes de restaurar.",
                      "This backup was made by a newer Mettri: update the extension before restoring it."),
    "damaged": ("A cópia de segurança está danificada ({detail}): nada foi restaurado.",
                "The backup is damaged ({detail}): nothing was restored."),
    "not_empty": ("Só é possível restaurar num perfil vazio: apague tudo antes (Seus dados → Apagar tudo).",
                  "A backup can only be restored into an empty profile: erase everything first (Your data → Erase everything)."),
    "unknown_part": ("A cópia tem dados que esta versão do Mettri não conhece ({detail}): nada foi restaurado.",
                     "The backup holds data this Mettri does not know ({detail}): nothing was restored."),
}


class ArchiveError(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        pt, en = _TEXTS[code]
        self.problem = ArchiveProblem(code=code, message_pt=pt.format(detail=detail), message_en=en.format(detail=detail))
        super().__init__(self.problem.message_en)


def iso(ts: float | None) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds") if ts else ""


def write(parts: dict[str, tuple[int, Stores]], meta: dict, contacts_csv: str) -> bytes:
    buf = io.BytesIO()
    manifest = {"format": ARCHIVE_FORMAT, "version": ARCHIVE_VERSION, **meta, "parts": {}}
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, (version, stores) in parts.items():
            path = f"parts/{name}.json"
            zf.writestr(path, json.dumps({"part": name, "version": version, "stores": stores}, ensure_ascii=False))
            manifest["parts"][name] = {"version": version, "file": path, "records": {s: len(r) for s, r in stores.items()}}
        zf.writestr("contacts.csv", "\ufeff" + contacts_csv)  # a BOM: spreadsheets then read the accents right
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return buf.getvalue()


def read(data: bytes, known: dict[str, int]) -> tuple[dict, dict[str, Stores]]:
    """(manifest, part name -> stores), checked; ``known``: part name -> the version this core reads."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(zf.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError):
        raise ArchiveError("not_an_archive") from None
    if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
        raise ArchiveError("not_an_archive")
    if not isinstance(manifest.get("version"), int) or manifest["version"] > ARCHIVE_VERSION:
        raise ArchiveError("newer_version")
    parts: dict[str, Stores] = {}
    for name, info in (manifest.get("parts") or {}).items():
        if name not in known:
            raise ArchiveError("unknown_part", name)
        if not isinstance(info, dict) or info.get("version", 0) > known[name]:
            raise ArchiveError("newer_version")
        try:
            entry = zf.getinfo(info["file"])
            if entry.file_size > MAX_PART_BYTES:
                raise ArchiveError("damaged", f"{name}: too large")
            body = json.loads(zf.read(entry))
        except ArchiveError:
            raise
        except (KeyError, ValueError, TypeError, zipfile.BadZipFile, EOFError) as exc:
            raise ArchiveError("damaged", f"{name}: {type(exc).__name__}") from None
        stores = body.get("stores") if isinstance(body, dict) else None
        if not isinstance(stores, dict) or body.get("part") != name:
            raise ArchiveError("damaged", name)
        for store, records in stores.items():
            if not isinstance(records, list) or len(records) != (info.get("records") or {}).get(store):
                raise ArchiveError("damaged", f"{name}/{store}: record count")
        parts[name] = stores
    return manifest, parts


CSV_FIELDS = ["chat", "name", "phone", "kind", "push_name", "is_group", "messages", "last_message", "first_seen", "last_seen"]


def contacts_csv(contacts: list[dict], chats: list[dict]) -> str:
    """One row per contact, then one per chat that has no contact record."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\r\n")
    w.writeheader()
    by_chat = {c["key"]: c for c in chats}
    seen = set()
    for c in contacts:
        if c.get("merged_into"):
            continue
        key = c.get("jid") or c["key"]
        chat = by_chat.get(key) or {}
        seen.add(key)
        w.writerow({"chat": key, "name": c.get("title", ""), "phone": c.get("phone") or "", "kind": c.get("kind", ""),
                    "push_name": c.get("push_name") or "", "is_group": "true" if c.get("is_group") else "false",
                    "messages": chat.get("message_count", 0), "last_message": iso(chat.get("last_ts")),
                    "first_seen": iso(c.get("first_seen")), "last_seen": iso(c.get("last_seen"))})
    for chat in chats:
        if chat["key"] in seen:
            continue
        phone = chat["key"].split("@")[0] if chat["key"].endswith("@c.us") else ""
        w.writerow({"chat": chat["key"], "name": chat.get("title", ""), "phone": phone, "kind": "chat", "push_name": "",
                    "is_group": "true" if chat.get("is_group") else "false", "messages": chat.get("message_count", 0),
                    "last_message": iso(chat.get("last_ts")), "first_seen": "", "last_seen": ""})
    return buf.getvalue()
