"""The FTS5 index: one in-memory SQLite database, derived from Storage.

Layout
* ``docs``: one row per message (metadata + text). Its rowid encodes time:
  ``rowid = int(ts) * SLOTS + n``, so rowid order is time order even when old
  history is captured after newer messages. FTS5 walks a term's hits in rowid
  order for free, which makes "newest N hits" cheap (ranking: see engine.py).
* ``chats``: chat keys numbered once; ``docs.chat`` holds the number.
* ``fts``: an external-content FTS5 table over the ``docs_fts`` view: the text,
  and a ``tags`` column with the chat as a token (``c17``). A filter on a few
  chats then runs inside FTS5 (``tags : ("c17" OR "c40")``), which skips
  straight to those chats' hits instead of checking every hit of a common word
  against ``docs`` (100k messages, 78 chats: 2.8 ms instead of 4.2 on CPython;
  a single chat: a few of its hits instead of all hits of the word).
  The user's words are always confined to the ``text`` column.
* ``meta``: version and the change sequence the index covers (travels with snapshots).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
import weakref
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

TOKENIZER = "unicode61 remove_diacritics 2"
PREFIXES = "2 3"
# Bump when the layout or tokenizer changes: older snapshots are then rebuilt.
INDEX_VERSION = f"mettri-search-4|{TOKENIZER}|prefix {PREFIXES}"
SLOTS = 1_000_000  # rowids per second of timestamp
DAY_ROWS = 86400 * SLOTS
MAX_TS = 4e12  # keeps int(ts) * SLOTS inside SQLite's 64-bit rowid, even for millisecond timestamps
# Up to this many chats, a chat filter is applied inside FTS5 (an OR of chat
# tokens); beyond, the filter matches much of the history anyway, and checking
# hits against docs.chat stops early, while a long OR costs FTS5 per hit
# (measured at 100k messages: 78 chats 2.8 vs 4.2 ms, 134 chats 5.5 vs 4.2 ms).
FTS_CHATS = 100
# A prefix longer than FTS5's own prefix indexes (PREFIXES) makes FTS5 merge the whole doclist of
# every word it starts, before it can hand out the newest hit: 30-50 ms for "entreg" at 1M messages
# on CPython, paid again for the count. Spelled out as an OR of those words (FTS5's vocabulary, up to
# PREFIX_WORDS of them) the newest hits come lazily again: ~5 ms (scripts/bench_scale.py).
PREFIX_INDEXED = 3
PREFIX_WORDS = 16
SIMILAR_BUDGET = 20_000  # hits whose bm25 a similar-messages query computes, at most (but for its rarest term)

SCHEMA = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE chats(n INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
CREATE TABLE docs(
    rowid INTEGER PRIMARY KEY,  -- int(ts) * SLOTS + n: the timestamp is not stored again
    chat INTEGER NOT NULL,  -- chats.n
    mid TEXT NOT NULL,  -- the key without its "<chat>|" prefix (see split_key)
    direction TEXT NOT NULL,
    type TEXT NOT NULL,
    author TEXT,
    text TEXT NOT NULL
);
CREATE INDEX docs_mid ON docs(mid);
CREATE INDEX docs_chat ON docs(chat);  -- (chat, rowid): a chat's messages newest-first without sorting
CREATE INDEX docs_type ON docs(type);
CREATE VIEW docs_fts AS SELECT rowid AS id, text, 'c' || chat AS tags FROM docs;
CREATE VIRTUAL TABLE fts USING fts5(
    text, tags, content='docs_fts', content_rowid='id',
    tokenize='{TOKENIZER}', prefix='{PREFIXES}'
);
"""


class IndexError_(Exception):
    """The database is not a usable index (corrupt, other version)."""


def remove_file(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def scratch_file() -> str:
    """A new empty file for an index's database (the in-memory file system's /tmp under Pyodide)."""
    fd, path = tempfile.mkstemp(prefix="mettri-search-", suffix=".db")
    os.close(fd)
    return path


def _connect(path: str) -> sqlite3.Connection:
    """A connection to the database at ``path`` (":memory:": one in memory), set up as the index wants."""
    return _set_up(sqlite3.connect(path))


def _set_up(conn: sqlite3.Connection) -> sqlite3.Connection:
    # Nothing needs the file to survive a crash (the snapshot in storage does): no journal file, no
    # syncs; the journal in memory still rolls a failed batch back. What is deleted is overwritten
    # (secure_delete): an erased message's text must not stay in the pages the snapshot stores.
    for pragma in ("journal_mode=MEMORY", "synchronous=OFF", "temp_store=MEMORY", "secure_delete=ON"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


def _close_and_remove(conn: sqlite3.Connection, path: str) -> None:
    conn.close()
    remove_file(path)


@dataclass(frozen=True)
class Filters:
    """Already-resolved filters: chat keys, rowid bounds, direction, raw types."""

    chats: tuple[str, ...] | None = None  # None: any chat; (): no chat matches
    lo: int | None = None
    hi: int | None = None
    direction: str | None = None
    types: tuple[str, ...] | None = None


def split_key(key: str, chat: str) -> str:
    """Keys are "<chat>|<id>"; storing only the id keeps the snapshot smaller. Other shapes are kept whole."""
    head = chat + "|"
    return key[len(head):] if key.startswith(head) else "\x01" + key


def join_key(chat: str, mid: str) -> str:
    return mid[1:] if mid.startswith("\x01") else f"{chat}|{mid}"


def _when(rec: dict[str, Any]) -> float:
    ts = rec.get("ts")
    return (rec.get("first_seen") or 0.0) if ts is None else ts


def rowid_bound(ts: float | None, upper: bool) -> int | None:
    if ts is None:
        return None
    return int(min(max(ts, 0.0), MAX_TS)) * SLOTS + (SLOTS - 1 if upper else 0)


class Index:
    def __init__(self, conn: sqlite3.Connection | None = None, *, path: str | None = None) -> None:
        """An empty index in memory (no ``conn``), or in a new database file at ``path``, which becomes
        the index's own; or the index already on ``conn``."""
        self._days: dict[int, int] | None = None  # documents per day (for estimates), built on first use
        self._chat_ns: dict[str, int] | None = None  # chat key -> chats.n, loaded on first use
        self._vocab = False  # temp.vocab created on this connection
        self.path: str | None = None  # the database file, for an index kept in one
        if conn is None:
            self._days, self._chat_ns = {}, {}
            conn = _connect(path if path is not None else ":memory:")
            conn.executescript(SCHEMA)
            conn.execute("INSERT INTO meta VALUES('version', ?), ('seq', '0')", (INDEX_VERSION,))
            conn.commit()
            if path is not None:
                self.own(conn, path)
        self.conn = conn

    @classmethod
    def new(cls) -> "Index":
        """An empty index where it costs least: under Pyodide in a file of the in-memory file system
        (outside the wasm heap, and saved from there without a copy), elsewhere in memory."""
        if sys.platform != "emscripten":
            return cls()
        return cls(path=scratch_file())  # empty: SQLite takes it as a new database

    def own(self, conn: sqlite3.Connection, path: str) -> None:
        """The database file at ``path`` becomes this index's: closed and removed when the index goes."""
        weakref.finalize(self, _close_and_remove, conn, path)
        self.path = path

    # -- snapshot -----------------------------------------------------------
    def serialize(self) -> bytes:
        self.conn.commit()
        return self.conn.serialize()

    @classmethod
    def deserialize(cls, data: bytes) -> "Index":
        """Load a serialized index into memory; raise IndexError_ if it is not this version's index."""
        conn = sqlite3.connect(":memory:")
        try:
            conn.deserialize(data)
            _set_up(conn)  # the database deserialized is a new one: set up after it
        except sqlite3.Error as exc:
            conn.close()
            raise IndexError_(f"unreadable index: {exc}") from exc
        return cls._checked(conn)

    @classmethod
    def open(cls, path: str) -> "Index":
        """The index in a database file (a snapshot written there part by part), which becomes the
        index's own: removed when the index goes. SQLite reads its pages as queries need them; under
        Pyodide the file lives in the in-memory file system, outside the wasm heap, so a start copies
        nothing into SQLite (a whole-database copy cost 0.5 s and 345 MB of heap at a million messages).
        Raise IndexError_ (the file removed) if it is not this version's index."""
        try:
            conn = _connect(path)
        except sqlite3.Error as exc:
            remove_file(path)
            raise IndexError_(f"unreadable index: {exc}") from exc
        try:
            index = cls._checked(conn)
        except IndexError_:
            remove_file(path)
            raise
        index.own(conn, path)
        return index

    @classmethod
    def _checked(cls, conn: sqlite3.Connection) -> "Index":
        """The index on ``conn`` if it is this version's and readable; else IndexError_ (conn closed)."""
        try:
            version = conn.execute("SELECT value FROM meta WHERE key='version'").fetchone()
            if version is None or version[0] != INDEX_VERSION:
                raise IndexError_(f"index version {version and version[0]!r} != {INDEX_VERSION!r}")
            conn.execute("SELECT count(*) FROM docs").fetchone()
            conn.execute("SELECT rowid FROM fts WHERE fts MATCH '\"x\"' LIMIT 1").fetchall()
        except sqlite3.Error as exc:
            conn.close()
            raise IndexError_(f"unreadable index: {exc}") from exc
        except IndexError_:
            conn.close()
            raise
        return cls(conn)

    # -- bookkeeping ----------------------------------------------------------
    @property
    def seq(self) -> int:
        return int(self.conn.execute("SELECT value FROM meta WHERE key='seq'").fetchone()[0])

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM docs").fetchone()[0]

    def _chats(self) -> dict[str, int]:
        if self._chat_ns is None:
            self._chat_ns = dict(self.conn.execute("SELECT key, n FROM chats").fetchall())
        return self._chat_ns

    def _chat_number(self, cur: sqlite3.Cursor, key: str) -> int:
        n = self._chats().get(key)
        if n is None:
            n = cur.execute("INSERT INTO chats(key) VALUES(?)", (key,)).lastrowid
            self._chat_ns[key] = n
        return n

    def chat_numbers(self, keys: Sequence[str]) -> list[int]:
        """The numbers of the chats among ``keys`` that the index has seen."""
        known = self._chats()
        return sorted(known[k] for k in set(keys) if k in known)

    # -- writes ---------------------------------------------------------------
    def upsert(self, records: Iterable[dict[str, Any]], seq: int) -> int:
        """Index a batch of MessageRecord dicts (replacing older versions) in one transaction.

        In bulk: one query per chat finds what is indexed already, one query the rowids taken in
        the batch's seconds, and the inserts go through executemany (a call into SQLite per record
        and statement cost most of the time under Pyodide)."""
        batch = list({rec["key"]: rec for rec in records}.values())  # the last version of a key wins
        try:
            with self.conn:
                cur = self.conn.cursor()
                rows = [(self._chat_number(cur, rec["chat"]), split_key(rec["key"], rec["chat"]), rec) for rec in batch]
                wanted = [(chat, mid) for chat, mid, _ in rows]
                # the same message stored under another key before (an imported copy, or a chat key
                # identity linked to this one) leaves the index with it
                for chat, _, rec in rows:
                    if rec.get("replaces"):
                        old_chat = rec["replaces"].rpartition("|")[0]
                        known = chat if old_chat == rec["chat"] else self._chats().get(old_chat)
                        if known is not None:
                            wanted.append((known, split_key(rec["replaces"], old_chat)))
                old = self._indexed(cur, wanted)
                if old:
                    cur.executemany("INSERT INTO fts(fts, rowid, text, tags) VALUES('delete', ?, ?, ?)",
                                    [(rowid, text, f"c{chat}") for rowid, text, chat in old])
                    cur.executemany("DELETE FROM docs WHERE rowid=?", [(rowid,) for rowid, _, _ in old])
                    for rowid, _, _ in old:
                        self._count_day(rowid, -1)
                seconds = [int(min(max(_when(rec), 0.0), MAX_TS)) for _, _, rec in rows]
                taken = {}
                if seconds:
                    taken = dict(cur.execute("SELECT rowid / ?, max(rowid) FROM docs WHERE rowid >= ? AND rowid < ? GROUP BY 1",
                                             (SLOTS, min(seconds) * SLOTS, (max(seconds) + 1) * SLOTS)).fetchall())
                docs, fts = [], []
                for (chat, mid, rec), second in zip(rows, seconds):
                    top = taken.get(second)
                    rowid = second * SLOTS if top is None else top + 1
                    taken[second] = rowid
                    text = rec.get("text") or ""
                    docs.append((rowid, chat, mid, rec.get("direction", "in"), rec.get("type", "text"), rec.get("author"), text))
                    fts.append((rowid, text, f"c{chat}"))
                    self._count_day(rowid, 1)
                cur.executemany("INSERT INTO docs VALUES(?,?,?,?,?,?,?)", docs)
                cur.executemany("INSERT INTO fts(rowid, text, tags) VALUES(?, ?, ?)", fts)
                cur.execute("UPDATE meta SET value=? WHERE key='seq'", (str(seq),))
        except BaseException:
            self._chat_ns = self._days = None  # rolled back: reload both from the database when next needed
            raise
        return len(rows)

    @staticmethod
    def _indexed(cur: sqlite3.Cursor, pairs: list[tuple[int, str]]) -> list[tuple[int, str, int]]:
        """(rowid, text, chat) of the documents among (chat, mid) pairs, a few hundred per query."""
        by_chat: dict[int, list[str]] = {}
        for chat, mid in pairs:
            by_chat.setdefault(chat, []).append(mid)
        found = []
        for chat, mids in by_chat.items():
            for i in range(0, len(mids), 500):
                part = mids[i:i + 500]
                found += cur.execute(f"SELECT rowid, text, chat FROM docs INDEXED BY docs_mid WHERE mid IN ({','.join('?' * len(part))})"
                                     " AND chat=?", [*part, chat]).fetchall()
        return found

    def delete(self, keys: Iterable[str] = (), chats: Iterable[str] = ()) -> int:
        """Drop the documents of message ``keys`` and of whole ``chats``; how many were dropped. A
        chat left without documents is dropped too: its key (a person's number) would stay in the
        database, and so in the snapshot, after their messages were erased."""
        before = self.count()
        try:
            with self.conn:
                cur = self.conn.cursor()
                known = self._chats()
                touched: set[int] = set()
                for key in keys:
                    chat, _, _ = key.rpartition("|")
                    if chat in known:
                        self._remove(cur, known[chat], split_key(key, chat))
                        touched.add(known[chat])
                for chat in chats:
                    n = known.get(chat)
                    if n is None:
                        continue
                    rows = cur.execute("SELECT rowid, text FROM docs WHERE chat=?", (n,)).fetchall()
                    for rowid, text in rows:
                        cur.execute("INSERT INTO fts(fts, rowid, text, tags) VALUES('delete', ?, ?, ?)", (rowid, text, f"c{n}"))
                        self._count_day(rowid, -1)
                    cur.execute("DELETE FROM docs WHERE chat=?", (n,))
                    touched.add(n)
                empty = [n for n in touched if cur.execute("SELECT 1 FROM docs WHERE chat=? LIMIT 1", (n,)).fetchone() is None]
                cur.executemany("DELETE FROM chats WHERE n=?", [(n,) for n in empty])
        except BaseException:
            self._chat_ns = self._days = None
            raise
        if empty:
            self._chat_ns = None  # reloaded when next needed
        return before - self.count()

    def purge(self) -> None:
        """Merge the full-text index into one segment, without what was deleted from it. FTS5 keeps a
        deleted message's words in its segments (and writes them again as its delete marker) until
        a merge drops both, and the snapshot stores those pages: after an erase its words would stay
        in storage. The merge reads and writes the whole full-text index (1.3 s at a million messages
        on CPython); with secure_delete the pages it frees are zeroed."""
        with self.conn:
            self.conn.execute("INSERT INTO fts(fts) VALUES('optimize')")

    def _remove(self, cur: sqlite3.Cursor, chat: int, mid: str) -> None:
        old = cur.execute("SELECT rowid, text FROM docs INDEXED BY docs_mid WHERE mid=? AND chat=?", (mid, chat)).fetchone()
        if old is not None:
            # External content: FTS5 needs the old values to remove their tokens.
            cur.execute("INSERT INTO fts(fts, rowid, text, tags) VALUES('delete', ?, ?, ?)", (*old, f"c{chat}"))
            cur.execute("DELETE FROM docs WHERE rowid=?", (old[0],))
            self._count_day(old[0], -1)

    # -- reads ----------------------------------------------------------------
    def _select(self, match: str | None, f: Filters, columns: str, limit: int) -> tuple[str, list[Any]]:
        """SELECT of the newest ``limit`` hits of a text (and/or filter) query.

        ``match`` is an FTS5 expression over the user's words; it is confined to
        the ``text`` column here. ``columns`` may name ``{rowid}`` and ``{score}``;
        time bounds are rowid bounds.
        """
        clauses: list[str] = []
        args: list[Any] = []
        chats = None if f.chats is None else self.chat_numbers(f.chats)
        if chats is not None and not chats:
            clauses.append("0")
        in_fts = match is not None and chats is not None and 0 < len(chats) <= FTS_CHATS
        joins_docs = f.direction is not None or f.types is not None or (chats is not None and not in_fts)
        if match is not None:
            expr = f"text : ({match})"
            if in_fts:
                expr += " AND tags : (" + " OR ".join(f'"c{n}"' for n in chats) + ")"
            source = "fts f JOIN docs d ON d.rowid = f.rowid" if joins_docs else "fts f"
            col, score = "f.rowid", "-bm25(fts, 1.0, 0.0)"  # the tags column never weighs in relevance
            clauses.append("fts MATCH ?")
            args.append(expr)
        else:
            source, col, score = "docs d", "d.rowid", "0.0"
        for op, bound in ((">=", f.lo), ("<=", f.hi)):
            if bound is not None:
                clauses.append(f"{col} {op} ?")
                args.append(bound)
        if chats and not in_fts:
            clauses.append(f"d.chat IN ({','.join('?' * len(chats))})")
            args.extend(chats)
        if f.direction is not None:
            clauses.append("d.direction = ?")
            args.append(f.direction)
        if f.types is not None:
            clauses.append(f"d.type IN ({','.join('?' * len(f.types)) or 'NULL'})")
            args.extend(f.types)
        where = " AND ".join(clauses) or "1"
        sql = f"SELECT {columns.format(rowid=col, score=score)} FROM {source} WHERE {where} ORDER BY {col} DESC LIMIT ?"
        return sql, [*args, limit]

    def newest(self, match: str | None, f: Filters, limit: int, *, rank: bool = False) -> list[tuple[int, float]]:
        """The newest ``limit`` hits as (rowid, -bm25): bm25 is only computed for those rows."""
        sql, args = self._select(match, f, "{rowid}, {score}" if rank else "{rowid}, 0.0", limit)
        return self.conn.execute(sql, args).fetchall()

    def count_upto(self, match: str | None, f: Filters, cap: int) -> tuple[int, int | None]:
        """How many hits, counting no further than ``cap``; and the oldest rowid counted."""
        sql, args = self._select(match, f, "{rowid} AS r", cap)
        n, oldest = self.conn.execute(f"SELECT count(*), min(r) FROM ({sql})", args).fetchone()
        return n, oldest

    def _count_day(self, rowid: int, delta: int) -> None:
        if self._days is not None:
            day = rowid // DAY_ROWS
            self._days[day] = self._days.get(day, 0) + delta

    def day_counts(self) -> dict[int, int]:
        """Documents per day (rowid // DAY_ROWS), counted once and then kept up to date."""
        if self._days is None:
            self._days = dict(self.conn.execute(f"SELECT rowid / {DAY_ROWS}, count(*) FROM docs GROUP BY 1").fetchall())
        return self._days

    def know_days(self, pairs: Any) -> None:
        """Documents per day as a snapshot carried them ([[day, n], ...]); counted again when needed if
        they are not in that shape (they only shape an estimate)."""
        if isinstance(pairs, list) and all(isinstance(p, list) and len(p) == 2 and all(type(v) is int for v in p) for p in pairs):
            self._days = dict(pairs)

    def share_since(self, rowid: int, f: Filters) -> float:
        """Fraction of the documents in the filter's time range that are newer than ``rowid``, at day precision."""
        days = self.day_counts()
        lo = (f.lo or 0) // DAY_ROWS
        hi = (f.hi if f.hi is not None else 2**63 - 1) // DAY_ROWS
        start = rowid // DAY_ROWS
        whole = part = 0
        for day, n in days.items():
            if lo <= day <= hi:
                whole += n
                if day >= start:
                    part += n
        return part / whole if whole else 1.0

    def _vocabulary(self) -> None:
        if not self._vocab:  # FTS5's vocabulary: a temp table, never in a snapshot
            self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, fts, 'row')")
            self._vocab = True

    def prefix_words(self, prefix: str) -> list[str] | None:
        """The indexed words that start with ``prefix`` (a folded word), or None when FTS5 expands it
        as fast itself (a prefix it indexes) or there are more than PREFIX_WORDS of them."""
        if len(prefix) <= PREFIX_INDEXED:
            return None
        self._vocabulary()
        found = [r[0] for r in self.conn.execute("SELECT term FROM temp.vocab WHERE term >= ? AND term < ? LIMIT ?",
                                                 (prefix, prefix + "\U0010ffff", PREFIX_WORDS + 1))]
        return found if 0 < len(found) <= PREFIX_WORDS else None

    def doc_counts(self, terms: Sequence[str]) -> dict[str, int]:
        """How many messages hold each term (FTS5's vocabulary; a temp table, never in a snapshot)."""
        self._vocabulary()
        marks = ",".join("?" * len(terms))
        return dict(self.conn.execute(f"SELECT term, doc FROM temp.vocab WHERE term IN ({marks})", list(terms)).fetchall())

    def similar(self, terms: Sequence[str], direction: str, limit: int, before: int | None = None,
                budget: int = SIMILAR_BUDGET) -> list[tuple[int, float]]:
        """The ``limit`` messages of ``direction`` most relevant to any of ``terms`` (bm25, best first), as
        (rowid, -bm25); ``before``: only rows older than this rowid. Terms are folded words, quoted here.
        bm25 is computed for every hit, so the commonest terms are left out while the rarer ones
        already bring ``budget`` hits (they weigh little in bm25 anyway)."""
        counts = self.doc_counts(terms) if terms else {}
        kept: list[str] = []
        total = 0
        for t in sorted((t for t in terms if counts.get(t)), key=lambda t: counts[t]):
            if kept and total + counts[t] > budget:
                break
            kept.append(t)
            total += counts[t]
        terms = kept
        if not terms:
            return []
        expr = "text : (" + " OR ".join('"' + t.replace('"', "") + '"' for t in terms) + ")"
        sql = ("SELECT f.rowid, -bm25(fts, 1.0, 0.0) AS s FROM fts f JOIN docs d ON d.rowid = f.rowid"
               " WHERE fts MATCH ? AND d.direction = ?" + (" AND f.rowid < ?" if before is not None else "") +
               " ORDER BY s DESC LIMIT ?")
        args: list[Any] = [expr, direction, *([before] if before is not None else []), limit]
        return self.conn.execute(sql, args).fetchall()

    def following(self, rowid: int, limit: int) -> list[dict[str, Any]]:
        """The messages of ``rowid``'s chat that come after it, oldest first (ts rebuilt from the rowid)."""
        row = self.conn.execute("SELECT chat FROM docs WHERE rowid = ?", (rowid,)).fetchone()
        if row is None:
            return []
        cur = self.conn.execute("SELECT rowid, direction, type, text FROM docs INDEXED BY docs_chat"
                                " WHERE chat = ? AND rowid > ? ORDER BY rowid LIMIT ?", (row[0], rowid, limit))
        return [{"rowid": r[0], "ts": float(r[0] // SLOTS), "direction": r[1], "type": r[2], "text": r[3]} for r in cur]

    def plan(self, match: str | None, f: Filters) -> list[str]:
        sql, args = self._select(match, f, "{rowid}", 10)
        return [r[-1] for r in self.conn.execute("EXPLAIN QUERY PLAN " + sql, args)]

    def rows(self, rowids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Stored fields of the given rows, by rowid (key and ts rebuilt)."""
        if not rowids:
            return {}
        marks = ",".join("?" * len(rowids))
        cur = self.conn.execute(
            f"SELECT d.rowid, c.key, d.mid, d.direction, d.type, d.author, d.text FROM docs d JOIN chats c ON c.n = d.chat"
            f" WHERE d.rowid IN ({marks})", list(rowids)
        )
        return {
            r[0]: {"key": join_key(r[1], r[2]), "chat": r[1], "ts": float(r[0] // SLOTS), "direction": r[3],
                   "type": r[4], "author": r[5], "text": r[6]}
            for r in cur
        }
