"""The CRM's texts (notes, custom field values) in their own small FTS5 index.

Kept apart from the messages index: it is rebuilt from the CRM at start (tens of thousands of
short texts, well under a second) instead of travelling in the messages snapshot, and it is
replaced per record when the CRM says a record changed. Same tokenizer and query rules as
messages, so "orcamento" finds "Orçamento" in a note as in a message.
"""

from __future__ import annotations

import sqlite3
from typing import Iterable, Sequence

from pycore.search.index import PREFIXES, TOKENIZER
from pycore.search.protocol import RecordDocument
from pycore.search.text import Query, fts_expression, snippet

SCHEMA = f"""
CREATE TABLE docs(
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    label TEXT,
    title TEXT NOT NULL,
    ts REAL,
    text TEXT NOT NULL
);
CREATE INDEX docs_record ON docs(record);
CREATE VIRTUAL TABLE fts USING fts5(text, content='docs', content_rowid='rowid', tokenize='{TOKENIZER}', prefix='{PREFIXES}');
"""
# Ranking every hit of a common word costs bm25 for each; like the messages index, only the newest
# hits are ranked (rowids follow indexing order, and a full load indexes oldest first).
WINDOW = 500
FILTERED_WINDOW = 5000


class RecordIndex:
    def __init__(self) -> None:
        self.conn = sqlite3.connect(":memory:")
        self.conn.executescript(SCHEMA)

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM docs").fetchone()[0]

    def replace(self, records: Iterable[str] | None, docs: Sequence[RecordDocument]) -> None:
        """Drop the documents of ``records`` (None: all) and index ``docs``, in one transaction.
        A full load gives ``docs`` oldest first, so rowid order is (roughly) time order."""
        with self.conn:
            cur = self.conn.cursor()
            if records is None:
                cur.execute("DELETE FROM docs")
                cur.execute("INSERT INTO fts(fts) VALUES('delete-all')")
            else:
                for key in set(records):
                    for rowid, text in cur.execute("SELECT rowid, text FROM docs WHERE record=?", (key,)).fetchall():
                        cur.execute("INSERT INTO fts(fts, rowid, text) VALUES('delete', ?, ?)", (rowid, text))
                    cur.execute("DELETE FROM docs WHERE record=?", (key,))
            for d in docs:
                rowid = cur.execute(
                    "INSERT INTO docs(id, record, kind, ref, label, title, ts, text) VALUES(?,?,?,?,?,?,?,?)",
                    (d.id, d.record, d.kind, d.ref, d.label, d.title, d.ts, d.text),
                ).lastrowid
                cur.execute("INSERT INTO fts(rowid, text) VALUES(?, ?)", (rowid, d.text))

    def search(self, query: Query, records: set[str] | None, limit: int, offset: int) -> tuple[list[dict], int]:
        """Hits ranked by relevance (bm25) among the newest matches, then newest first; ``records``
        narrows to those records. The total counts every match (of the filter: of the window read)."""
        if query.empty or (records is not None and not records):
            return [], 0
        expr = fts_expression(query)
        window = WINDOW if records is None else FILTERED_WINDOW
        rows = self.conn.execute(
            "SELECT d.id, d.record, d.kind, d.ref, d.label, d.title, d.ts, d.text, bm25(fts) FROM fts f"
            " JOIN docs d ON d.rowid = f.rowid WHERE fts MATCH ? ORDER BY f.rowid DESC LIMIT ?",
            (expr, window),
        ).fetchall()
        total = len(rows)
        if records is not None:
            rows = [r for r in rows if r[1] in records]
            total = len(rows)
        elif total == window:
            total = self.conn.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (expr,)).fetchone()[0]
        rows.sort(key=lambda r: (round(r[8], 6), -(r[6] or 0.0), r[0]))
        hits = [
            {"id": r[0], "record": r[1], "kind": r[2], "ref": r[3], "label": r[4], "title": r[5], "ts": r[6],
             "snippet": snippet(r[7], query)}
            for r in rows[offset:offset + limit]
        ]
        return hits, total
