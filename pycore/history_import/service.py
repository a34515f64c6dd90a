"""Chat-export imports: read, propose, preview, and the import job itself.

The job writes through capture's MessageStore (port ``writer``), a batch at a time: each batch
is one transaction holding the messages it adds, the job's new position and counters, and the
keys it added (``added:<job>:<n>``, for rollback). A crash therefore leaves the job at the end
of its last written batch: ``interrupted`` at the next start, resumable or rolled back.

Stored once (matching.py): an exported message is left out when the chat already holds it,
captured or imported before. So re-importing a file, or a longer export of the same chat,
adds only what is missing.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Protocol

from pycore import gcpause, steps
from pycore.capture.protocol import ChatHint
from pycore.chat_export import ChatExport, ChatExportError, parse_export_steps
from pycore.clock import Clock
from pycore.history_import import matching, proposal
from pycore.history_import import rows as rows_
from pycore.history_import.protocol import (
    ExportProblem, ExportSummary, ImportJob, ImportPlan, ImportPreview, ImportProgress, PreviewMessage, ReadResult,
)
from pycore.history_import.twins import ImportedCopies, group_of
from pycore.importer.protocol import MessagesImported
from pycore.ports import AuditWriter
from pycore.protocol.base import CoreError
from pycore.reasons import check
from pycore.storage.base import Range, Storage, StorageError, WriteOp
from pycore.storage.ranges import in_time_order

log = logging.getLogger("mettri.history_import")

STORE = "imports"
BATCH = 5000  # messages per transaction: IndexedDB is fastest with a few thousand puts per transaction
PREVIEW_EACH_END = 3
ACTIVE = ("running", "rolling_back")


class Written(Protocol):
    new: list[dict]
    updated: list[dict]
    seq_from: int | None
    seq_to: int | None


class MessageWriter(Protocol):
    async def write(self, sightings: dict[str, dict], now: float, hints: dict[str, ChatHint],
                    extra: Callable[[Any], list[WriteOp]] | None = None,
                    known: dict[str, dict | None] | None = None, validated: bool = False) -> Written: ...

    async def remove(self, keys: list[str], extra: list[WriteOp] | None = None) -> None: ...


class Files(Protocol):
    async def read(self, upload_id: str) -> tuple[str, bytes]: ...

    async def exists(self, upload_id: str) -> bool: ...

    def discard_ops(self, upload_id: str) -> list[WriteOp]: ...


class SearchIndex(Protocol):
    async def index_written(self, records: list[dict], seq_from: int, seq_to: int) -> bool: ...

    async def forget(self, keys: list[str] | None = None, chats: list[str] | None = None) -> int: ...


def job_key(job_id: str) -> str:
    return f"job:{job_id}"


def added_range(job_id: str) -> Range:
    return Range(lower=f"added:{job_id}:", upper=f"added:{job_id};")


def problem_of(err: ChatExportError) -> ExportProblem:
    return ExportProblem(code=err.code, line=err.line, message_pt=err.message_pt, message_en=err.message_en)


def date_order_needed() -> CoreError:
    return CoreError("invalid_args", "the file's dates read both ways: choose the date order first", [{
        "code": "date_order_needed",
        "message_pt": "As datas deste arquivo podem ser lidas de dois jeitos: escolha a ordem (dia/mês ou mês/dia).",
        "message_en": "This file's dates can be read two ways: choose the order (day/month or month/day).",
    }])


@dataclass
class HistoryImports:
    storage: Storage
    clock: Clock
    emit: Callable
    spawn: Callable[[Awaitable[Any]], Any]
    writer: MessageWriter
    files: Files
    copies: ImportedCopies
    search: SearchIndex
    audit: AuditWriter
    batch: int = BATCH
    _parsed: tuple[tuple, ChatExport] | None = None
    _task: Any = None
    _stop: bool = False
    _running: str | None = None
    _rows: dict = field(default_factory=dict)

    # -- reading ------------------------------------------------------------------------------
    async def _export(self, upload_id: str, date_order: str | None) -> ChatExport:
        """The parsed export (the last one is kept: read, preview and start ask for the same file)."""
        cache_key = (upload_id, date_order)
        if self._parsed is not None and self._parsed[0] == cache_key:
            return self._parsed[1]
        name, data = await self.files.read(upload_id)
        export = await steps.in_turns(parse_export_steps(data, name, date_order=date_order), self.clock)
        self._parsed = (cache_key, export)
        return export

    async def read(self, upload_id: str, date_order: str | None) -> ReadResult:
        try:
            export = await self._export(upload_id, date_order)
        except ChatExportError as err:
            return ReadResult(upload_id=upload_id, problem=problem_of(err))
        chats = await self.storage.query("chats")
        contacts = await self.storage.query("contacts")
        fmt = export.format
        summary = ExportSummary(
            file_name=export.file_name, chat_name=export.chat_name, phone=export.phone, platform=fmt.platform,
            locale=fmt.locale, date_order=fmt.date_order, needs_date_order=export.needs_date_order and date_order is None,
            ambiguous_dates=export.ambiguous_dates, messages=len(export.messages),
            first_local=export.messages[0].local.isoformat(), last_local=export.messages[-1].local.isoformat(),
            authors=proposal.roles(export), looks_like_group=export.looks_like_group,
            attachments=len(export.attachments), missing_attachments=len(export.missing_attachments),
            suspect_lines=export.suspect_lines[:20],
        )
        return ReadResult(upload_id=upload_id, summary=summary, candidates=proposal.candidates(export, chats, contacts),
                          new_chat=proposal.new_chat(export))

    async def _plan_rows(self, plan: ImportPlan | dict) -> tuple[ChatExport, rows_.Rows, bool]:
        p = plan if isinstance(plan, dict) else plan.model_dump()
        try:
            export = await self._export(p["upload_id"], p["date_order"])
        except ChatExportError as err:
            raise CoreError("invalid_args", err.message_en, [problem_of(err).model_dump()]) from None
        if export.needs_date_order and p["date_order"] is None:
            raise date_order_needed()
        record = await self.storage.get("chats", p["chat"])
        group = group_of(p["chat"], record) if record is not None else (p["is_group"] or group_of(p["chat"], None))
        roles = {a["name"]: a["role"] for a in p["authors"]}
        cache_key = (p["upload_id"], p["date_order"], p["chat"], group, tuple(sorted(roles.items())), p["utc_offset_min"])
        rows = self._rows.get(cache_key)
        if rows is None:
            rows = await steps.in_turns(rows_.build_steps(export, p["chat"], group, roles, p["utc_offset_min"]), self.clock)
            self._rows = {cache_key: rows}  # one plan at a time
        return export, rows, group

    async def _stored(self, chat: str, rows: rows_.Rows, start: int, end: int) -> list[dict]:
        """The stored messages of ``chat`` that may match rows start..end (their minutes and the texts around)."""
        lo, hi = matching.window(rows, start, end)
        return await self.storage.query("messages", index="by_chat_ts_seq",
                                        range=in_time_order(chat, lo // 60 * 60 - 60, hi // 60 * 60 + 120))

    async def _captured_span(self, chat: str) -> tuple[float, float] | None:
        """The first and last times capture stored in this chat (its health record), if any."""
        health = await self.storage.get("capture_state", chat)
        if not health or health.get("oldest_ts") is None or health.get("newest_ts") is None:
            return None
        return float(health["oldest_ts"]), float(health["newest_ts"])

    async def preview(self, plan: ImportPlan) -> ImportPreview:
        _, rows, group = await self._plan_rows(plan)
        f = rows.fields
        stamps = [x["ts"] for x in f]
        stored_recs = await self._stored(plan.chat, rows, 0, len(f))
        flags = matching.stored_flags(rows, 0, len(f), stored_recs, group, await self._captured_span(plan.chat))
        stored = sum(flags)
        kinds = Counter(x["type"] for x in f)
        dirs = Counter(x["direction"] for x in f)

        def shown(x: dict) -> PreviewMessage:
            return PreviewMessage(ts=x["ts"], direction=x["direction"], author=x["author"], type=x["type"], text=x["text"][:300])

        ends = PREVIEW_EACH_END
        return ImportPreview(
            total=len(f), to_add=len(f) - stored, already_stored=stored, incoming=dirs["in"], outgoing=dirs["out"],
            system=dirs["system"], deleted=kinds["deleted"],
            media=sum(n for t, n in kinds.items() if t in rows_.MEDIA_TYPES or t == "unknown"),
            first_ts=min(stamps), last_ts=max(stamps), first=[shown(x) for x in f[:ends]],
            last=[shown(x) for x in f[-ends:]] if len(f) > ends else [],
        )

    # -- jobs -----------------------------------------------------------------------------------
    async def _job(self, job_id: str) -> dict:
        rec = await self.storage.get(STORE, job_key(job_id))
        if rec is None:
            raise CoreError("not_found", f"no import {job_id!r}")
        return rec

    async def public(self, rec: dict) -> ImportJob:
        state = rec["state"]
        resumable = state in ("paused", "interrupted", "failed") and await self.files.exists(rec["upload_id"])
        return ImportJob(
            id=rec["id"], file_name=rec["file_name"], chat=rec["chat"], chat_title=rec["chat_title"], state=state,
            total=rec["total"], done=rec["next"], added=rec["added"], already_stored=rec["already_stored"],
            started_at=rec["started_at"], updated_at=rec["updated_at"], error=rec.get("error"),
            can_resume=resumable, can_roll_back=state in ("paused", "interrupted", "failed", "done"),
        )

    async def _announce(self, rec: dict) -> ImportJob:
        job = await self.public(rec)
        self.emit(ImportProgress(job=job))
        return job

    async def jobs(self, limit: int) -> list[ImportJob]:
        recs = await self.storage.query(STORE, range=Range(lower="job:", upper="job;"), reverse=True, limit=limit)
        return [await self.public(r) for r in recs]

    def _busy(self) -> None:
        if self._task is not None and not self._task.done():
            raise CoreError("conflict", "another import is running: wait for it or cancel it", [{
                "message_pt": "Outra importação está em andamento: aguarde ou cancele-a.",
                "message_en": "Another import is running: wait for it or cancel it.",
            }])

    async def start(self, plan: ImportPlan) -> ImportJob:
        self._busy()
        export, rows, group = await self._plan_rows(plan)
        now = self.clock.now()
        count = await self.storage.count(STORE, range=Range(lower="job:", upper="job;"))
        job_id = f"imp{int(now * 1000):015d}-{count:06d}"  # sorts by start, then by creation
        title = plan.chat_title or export.chat_name or plan.chat
        chat = await self.storage.get("chats", plan.chat)
        rec = {
            "key": job_key(job_id), "id": job_id, "upload_id": plan.upload_id, "file_name": export.file_name,
            "chat": plan.chat, "chat_title": chat["title"] if chat else title, "is_group": group,
            "roles": {a.name: a.role for a in plan.authors}, "date_order": plan.date_order,
            "utc_offset_min": plan.utc_offset_min, "state": "running", "total": len(rows.fields), "next": 0,
            "added": 0, "already_stored": 0, "batches": 0, "started_at": now, "updated_at": now,
            "seq_from": None, "seq_to": None,
        }
        await self.storage.put(STORE, rec)
        self._launch(job_id)
        return await self._announce(rec)

    def _launch(self, job_id: str, work: Callable[[str], Awaitable[None]] | None = None) -> None:
        self._stop = False
        self._running = job_id
        self._task = self.spawn((work or self._run)(job_id))

    async def cancel(self, job_id: str) -> ImportJob:
        rec = await self._job(job_id)
        if rec["state"] == "running" and self._running == job_id and self._task is not None and not self._task.done():
            self._stop = True
            await self._task  # stops after the batch being written
            rec = await self._job(job_id)
        elif rec["state"] == "running":  # no task runs it (cannot happen after start-up recovery)
            rec = await self._set_state(rec, "interrupted")
        return await self.public(rec)

    async def resume(self, job_id: str) -> ImportJob:
        self._busy()
        rec = await self._job(job_id)
        if rec["state"] not in ("paused", "interrupted", "failed"):
            raise CoreError("conflict", f"an import that is {rec['state']} cannot be resumed")
        if not await self.files.exists(rec["upload_id"]):
            raise CoreError("conflict", "the file of this import is no longer kept: roll it back and import the file again")
        rec = await self._set_state(rec, "running", error=None)
        self._launch(job_id)
        return await self._announce(rec)

    async def rollback(self, job_id: str) -> ImportJob:
        self._busy()
        rec = await self._job(job_id)
        if rec["state"] in ("rolled_back", "rolling_back"):
            return await self.public(rec)
        if rec["state"] == "running":
            raise CoreError("conflict", "cancel the import before rolling it back")
        rec = await self._set_state(rec, "rolling_back")
        self._launch(job_id, self._roll_back)
        return await self._announce(rec)

    async def recover(self) -> None:
        """Start-up: a job that was running died with the previous core; a rollback is finished."""
        for rec in await self.storage.query(STORE, range=Range(lower="job:", upper="job;")):
            if rec["state"] == "running":
                await self._set_state(rec, "interrupted")
            elif rec["state"] == "rolling_back" and (self._task is None or self._task.done()):
                self._launch(rec["id"], self._roll_back)

    async def _set_state(self, rec: dict, state: str, **extra: Any) -> dict:
        rec = {**rec, **extra, "state": state, "updated_at": self.clock.now()}
        await self.storage.put(STORE, rec)
        return rec

    # -- the work -------------------------------------------------------------------------------
    async def _run(self, job_id: str) -> None:
        with gcpause.paused():  # the collector's rescans of the rows paused the core up to 60 ms at a time
            await self._run_paused(job_id)

    async def _run_paused(self, job_id: str) -> None:
        rec = await self._job(job_id)
        try:
            _, rows, _ = await self._plan_rows({
                "upload_id": rec["upload_id"], "date_order": rec["date_order"], "chat": rec["chat"], "is_group": rec["is_group"],
                "authors": [{"name": n, "role": r} for n, r in rec["roles"].items()], "utc_offset_min": rec["utc_offset_min"]})
            while rec["next"] < rec["total"]:
                if self._stop:
                    rec = await self._set_state(rec, "paused")
                    await self._announce(rec)
                    return
                rec = await self._batch(rec, rows)
                await self._announce(rec)
                await self.clock.sleep(0)  # other commands are answered between batches
            now = self.clock.now()
            ops = [WriteOp(op="put", store=STORE, record={**rec, "state": "done", "updated_at": now}),
                   self.audit.entry(now, "history_import.done", check("history_imported", "allow", added=rec["added"]),
                                    chat=rec["chat"])]
            await self.storage.apply(ops + self.files_discard(rec))
            rec = await self._job(job_id)
            await self._announce(rec)
        except (StorageError, CoreError) as exc:
            log.warning("import %s failed: %s", job_id, exc)
            rec = await self._set_state(await self._job(job_id), "failed", error=str(exc)[:500])
            await self._announce(rec)
        finally:
            if rec.get("seq_from") is not None:  # search indexes what was added, once, at the end
                self.emit(MessagesImported(new=rec["added"], updated=0, seq_from=rec["seq_from"], seq_to=rec["seq_to"]))

    def files_discard(self, rec: dict) -> list[WriteOp]:
        """The upload is kept while the job may resume; a finished or rolled-back job lets it go."""
        if self._parsed is not None and self._parsed[0][0] == rec["upload_id"]:
            self._parsed, self._rows = None, {}
        return self.files.discard_ops(rec["upload_id"])

    async def _batch(self, rec: dict, rows: rows_.Rows) -> dict:
        chat, group = rec["chat"], rec["is_group"]
        start, end = rec["next"], min(rec["total"], rec["next"] + self.batch)
        stored_recs = await self._stored(chat, rows, start, end)
        flags = matching.stored_flags(rows, start, end, stored_recs, group, await self._captured_span(chat))
        stored = {r["key"]: r for r in stored_recs}
        sightings: dict[str, dict] = {}
        known: dict[str, dict | None] = {}
        for i, already in zip(range(start, end), flags):
            if already:
                continue  # captured, or imported before
            f = rows.fields[i]
            key = f"{chat}|{f['id']}"
            sightings[key] = f
            known[key] = stored.get(key)
        note = await self.copies.note_op(chat)
        batch_no = rec["batches"]
        done: list[dict] = []

        def extra(w) -> list[WriteOp]:
            added = [r["key"] for r in w.new]
            after = {
                **rec, "next": end, "batches": batch_no + 1, "added": rec["added"] + len(added),
                "already_stored": rec["already_stored"] + (end - start) - len(added), "updated_at": self.clock.now(),
                "seq_from": rec["seq_from"] if rec["seq_from"] is not None else w.seq_from,
                "seq_to": w.seq_to if w.seq_to is not None else rec["seq_to"],
            }
            done.append(after)
            ops = [WriteOp(op="put", store=STORE, record=after)] + note
            if added:
                ops.append(WriteOp(op="put", store=STORE, record={"key": f"added:{rec['id']}:{batch_no:06d}", "keys": added}))
            return ops

        hints = {chat: ChatHint(title=rec["chat_title"], is_group=group)}
        w = await self.writer.write(sightings, self.clock.now(), hints, extra, known, validated=True)
        self.copies.noted(chat)
        if w.seq_from is not None:
            # Searchable with the batch, not after reading it all back; indexed while the next batch's
            # write is committed by IndexedDB (the core waits for it anyway): the two overlap.
            self.spawn(self.search.index_written(w.new + w.updated, w.seq_from, w.seq_to))
        return done[-1]

    async def _roll_back(self, job_id: str) -> None:
        """Forget the added messages in search first (saved at once), then delete them a batch at a
        time with their ``added`` record: repeating it after a crash finishes it."""
        rec = await self._job(job_id)
        try:
            added = await self.storage.query(STORE, range=added_range(job_id))
            keys = [k for a in added for k in a["keys"]]
            if keys:
                await self.search.forget(keys=keys)
            for a in added:
                await self.writer.remove(a["keys"], [WriteOp(op="delete", store=STORE, key=a["key"])])
                await self.clock.sleep(0)
            now = self.clock.now()
            ops = [WriteOp(op="put", store=STORE, record={**rec, "state": "rolled_back", "added": 0, "updated_at": now}),
                   self.audit.entry(now, "history_import.rollback", check("history_import_rolled_back", "allow", removed=len(keys)),
                                    chat=rec["chat"])]
            await self.storage.apply(ops + self.files_discard(rec))
            await self._announce(await self._job(job_id))
        except (StorageError, CoreError) as exc:
            log.warning("rollback of %s failed: %s", job_id, exc)
            await self._announce(await self._set_state(rec, "rolling_back", error=str(exc)[:500]))
