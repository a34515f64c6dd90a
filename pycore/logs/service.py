"""Keeps the core's log: every record of the ``mettri`` loggers (info and above) with its
context, the newest 1,000 in memory; warnings and errors also go out as ``core.log`` events."""

from __future__ import annotations

import logging
from collections import deque
from typing import Callable

from pycore.clock import Clock
from pycore.logs.protocol import CoreLog, LogEntry, LogList, StorageFailed

KEEP = 1000
LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40}
ROOT = "mettri"


class LogBook(logging.Handler):
    def __init__(self, clock: Clock, emit: Callable) -> None:
        super().__init__(level=logging.INFO)
        self.clock = clock
        self.emit_event = emit
        self.entries: deque[LogEntry] = deque(maxlen=KEEP)
        self.total = 0
        logger = logging.getLogger(ROOT)
        # One book per logger: a restarted core (tests build many) replaces the old one.
        for old in [h for h in logger.handlers if isinstance(h, LogBook)]:
            logger.removeHandler(old)
        logger.addHandler(self)
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)

    def emit(self, record: logging.LogRecord) -> None:  # logging.Handler's hook
        try:
            level = "error" if record.levelno >= 40 else "warning" if record.levelno >= 30 else "info"
            context = {k: v for k, v in (getattr(record, "context", None) or {}).items()
                       if isinstance(v, (str, int, float, bool)) or v is None}
            message = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                message += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
            entry = LogEntry(ts=self.clock.now(), level=level, kind=record.name.removeprefix(ROOT + ".") or "core",
                             message=message[:2000], context=context)
            self.entries.append(entry)
            self.total += 1
            if level in ("warning", "error"):
                self.emit_event(CoreLog(**entry.model_dump()))
        except Exception:  # a log line must never break what was being logged
            self.handleError(record)

    def list(self, level: str, limit: int) -> LogList:
        floor = LEVELS[level]
        kept = [e for e in self.entries if LEVELS[e.level] >= floor][-limit:]
        return LogList(entries=kept, dropped=self.total - len(self.entries))

    def storage_failed(self, command: str, exc: Exception, retryable: bool) -> None:
        logging.getLogger(ROOT + ".storage").warning("storage error in %s: %s", command, exc,
                                                      extra={"context": {"command": command, "retryable": retryable}})
        self.emit_event(StorageFailed(command=command, message=str(exc)[:500], retryable=retryable, ts=self.clock.now()))
