"""One contract for every Storage implementation: MemoryStorage on CPython, and
IndexedDBStorage too when this suite runs inside Pyodide in the browser
(tests/e2e/test_core_in_pyodide.py), so the two cannot drift apart."""

from __future__ import annotations

import asyncio
import json
import random
import sys
import uuid

import pytest

from pycore.storage.base import BLOB_PART, Range, StorageError, WriteOp, blob_deletes, blob_parts
from pycore.storage.ranges import in_time_order
from pycore.storage.memory import MemoryStorage

IMPLEMENTATIONS = ["memory"] + (["indexeddb"] if sys.platform == "emscripten" else [])


def make(kind: str):
    if kind == "memory":
        return MemoryStorage()
    import js  # only inside Pyodide, where the diagnostics page provides the shim class

    from pycore.host import IndexedDBStorage

    return IndexedDBStorage(js.mettriDiagnostics.IdbShim.new(f"mettri-contract-{uuid.uuid4().hex}"))


@pytest.fixture(params=IMPLEMENTATIONS)
def db(request):
    storage = make(request.param)
    asyncio.run(storage.open())
    yield storage
    asyncio.run(storage.close())


def msg(chat: str, i: int, ts: float) -> dict:
    return {"key": f"{chat}|{i}", "chat": chat, "id": str(i), "seq": i, "ts": ts, "text": f"m{i} ação"}


def run(coro):
    return asyncio.run(coro)


def test_put_get_round_trip_keeps_unicode(db):
    run(db.put("messages", msg("a", 1, 10.0)))
    assert run(db.get("messages", "a|1"))["text"] == "m1 ação"
    assert run(db.get("messages", "a|404")) is None


def test_put_overwrites_by_key_never_duplicates(db):
    for _ in range(5):
        run(db.put_many("messages", [msg("a", 1, 10.0), msg("a", 2, 11.0)]))
    assert run(db.count("messages")) == 2


def test_compound_index_range_and_order(db):
    run(db.put_many("messages", [msg("b", i, 100.0 - i) for i in range(10)] + [msg("a", 99, 5.0)]))
    rows = run(db.query("messages", index="by_chat_ts_seq", range=in_time_order("b", 0, 1e12)))
    assert [r["ts"] for r in rows] == sorted(r["ts"] for r in rows)
    assert {r["chat"] for r in rows} == {"b"} and len(rows) == 10
    newest = run(db.query("messages", index="by_chat_ts_seq", range=in_time_order("b", 0, 1e12), reverse=True, limit=3))
    assert [r["ts"] for r in newest] == [100.0, 99.0, 98.0]


def test_a_chats_time_range_includes_both_ends_and_keeps_one_minutes_messages_in_the_order_stored(db):
    # One minute's messages sort by seq: "9" (seq 9) was stored before "10" (seq 10), though its key
    # sorts after as text. The range's end is included, though each key there is [chat, until, seq].
    run(db.put_many("messages", [msg("c", 10, 120.0), msg("c", 9, 120.0), msg("c", 5, 60.0), msg("c", 4, 59.0),
                                 msg("c", 11, 121.0), msg("d", 1, 120.0)]))
    rows = run(db.query("messages", index="by_chat_ts_seq", range=in_time_order("c", 60.0, 120.0)))
    assert [r["id"] for r in rows] == ["5", "9", "10"]
    assert run(db.count("messages", index="by_chat_ts_seq", range=in_time_order("c"))) == 5


def test_seq_index_lower_bound_for_incremental_readers(db):
    run(db.put_many("messages", [msg("a", i, float(i)) for i in range(1, 21)]))
    rows = run(db.query("messages", index="by_seq", range=Range(lower=16)))
    assert [r["seq"] for r in rows] == [16, 17, 18, 19, 20]
    assert run(db.count("messages", index="by_seq", range=Range(lower=16))) == 5


def test_records_without_the_indexed_field_are_not_in_the_index(db):
    rec = msg("a", 1, 1.0)
    del rec["ts"]
    run(db.put("messages", rec))
    assert run(db.count("messages", index="by_ts")) == 0
    assert run(db.count("messages")) == 1


def test_a_query_for_some_fields_gives_those_of_each_record_in_the_same_order(db):
    run(db.put_many("messages", [{**msg("a", i, 100.0 - i), "direction": "in" if i % 2 else "out",
                                  "quoted": {"text": "x", "ts": 1.0}} for i in range(6)]))
    whole = run(db.query("messages", index="by_ts", range=Range(lower=96.0), reverse=True, limit=3))
    some = run(db.query("messages", index="by_ts", range=Range(lower=96.0), reverse=True, limit=3,
                        fields=("direction", "ts", "quoted", "absent")))
    assert some == [{"direction": r["direction"], "ts": r["ts"], "quoted": r["quoted"]} for r in whole]
    assert [r["ts"] for r in some] == [100.0, 99.0, 98.0]
    assert run(db.query("messages", fields=())) == [{}] * 6
    assert run(db.get("messages", "a|1"))["text"] == "m1 ação"  # the stored record keeps every field

def test_batch_is_all_or_nothing(db):
    run(db.put("messages", msg("a", 1, 1.0)))
    bad = [WriteOp(op="put", store="messages", record=msg("a", 2, 2.0)), WriteOp(op="put", store="messages", record={"no": "key"})]
    with pytest.raises(StorageError):
        run(db.apply(bad))
    assert run(db.get("messages", "a|2")) is None
    assert run(db.count("messages")) == 1


def test_delete_and_clear(db):
    run(db.put_many("messages", [msg("a", i, float(i)) for i in range(4)]))
    run(db.delete_many("messages", ["a|0", "a|1"]))
    assert run(db.count("messages")) == 2
    run(db.apply([WriteOp(op="clear", store="messages")]))
    assert run(db.count("messages")) == 0


def test_delete_by_key_range_removes_one_chat_in_one_op(db):
    run(db.put_many("messages", [msg("a", i, float(i)) for i in range(5)] + [msg("ab", 1, 1.0), msg("b", 1, 1.0)]))
    run(db.apply([WriteOp(op="delete", store="messages", range=Range(lower="a|", upper="a}")),
                  WriteOp(op="put", store="meta", record={"key": "k", "value": 1})]))
    assert sorted(r["key"] for r in run(db.query("messages"))) == ["ab|1", "b|1"]
    assert run(db.get("meta", "k"))["value"] == 1


def test_unknown_store_is_a_clear_error(db):
    with pytest.raises(StorageError):
        run(db.put("nope", {"key": 1}))


def test_memory_closed_database_and_full_disk_are_reported():
    db = MemoryStorage()
    run(db.open())
    run(db.put("meta", {"key": "k", "value": 1}))
    db.fail_writes = StorageError("QuotaExceededError: disk full")
    with pytest.raises(StorageError, match="disk full"):
        run(db.put("meta", {"key": "k", "value": 2}))
    db.fail_writes = None
    assert run(db.get("meta", "k"))["value"] == 1  # nothing already stored was lost
    run(db.close())
    with pytest.raises(StorageError, match="closed"):
        run(db.get("meta", "k"))


def test_a_closed_connection_loses_nothing(db):
    run(db.put("messages", msg("a", 1, 1.0)))
    run(db.close())
    if isinstance(db, MemoryStorage):
        with pytest.raises(StorageError):
            run(db.put("messages", msg("a", 2, 2.0)))
        run(db.open())  # what the core does after reporting the error
    # IndexedDB's shim reopens a closed connection by itself on the next call.
    run(db.put("messages", msg("a", 2, 2.0)))
    assert run(db.count("messages")) == 2


# -- blobs (the search index's snapshot) ----------------------------------------------------------

BLOB_STORE, BLOB_KEY = "search_snapshot", "t"


def put_file_blob(db, tmp_path, size: int) -> bytes:
    data = random.Random(size).randbytes(size)
    src = tmp_path / "src.db"
    src.write_bytes(data)
    run(db.put_blob_file(BLOB_STORE, BLOB_KEY, {"seq": 7}, str(src)))
    return data


def read_file_blob(db, tmp_path) -> tuple[dict | None, bytes, bytes]:
    """The head, the bytes the file got and the bytes ``each`` was shown, in order."""
    seen = bytearray()
    out = tmp_path / "out.db"
    head = run(db.get_blob_file(BLOB_STORE, BLOB_KEY, str(out), lambda view: seen.extend(view)))
    return head, (out.read_bytes() if head is not None else b""), bytes(seen)


def test_a_blob_in_parts_comes_back_whole_into_a_file(db, tmp_path):
    data = put_file_blob(db, tmp_path, 2 * BLOB_PART + 12_345)
    head, got, seen = read_file_blob(db, tmp_path)
    assert head["seq"] == 7 and head["parts"] == 3 and head["size"] == len(data)
    assert got == data and seen == data
    assert not db.read_early(BLOB_STORE, BLOB_KEY)
    run(db.delete_blob(BLOB_STORE, BLOB_KEY))
    assert read_file_blob(db, tmp_path)[0] is None


def test_a_blob_with_a_part_lost_is_an_error_not_a_short_file(db, tmp_path):
    put_file_blob(db, tmp_path, 2 * BLOB_PART + 10)
    run(db.apply([WriteOp(op="delete", store=BLOB_STORE, key=f"{BLOB_KEY}#00001")]))
    with pytest.raises(StorageError, match="smaller|missing"):
        read_file_blob(db, tmp_path)


def test_a_blob_written_in_part_keeps_its_other_parts_and_loses_those_past_its_end(db, tmp_path):
    """The search snapshot writes only the parts that changed (the others hold their bytes already)."""
    data = bytearray(put_file_blob(db, tmp_path, 3 * BLOB_PART + 100))
    data[BLOB_PART + 5] ^= 1  # part 1 changes
    src = tmp_path / "src.db"
    src.write_bytes(data)
    run(db.put_blob_file(BLOB_STORE, BLOB_KEY, {"seq": 8}, str(src), [1]))
    head, got, _ = read_file_blob(db, tmp_path)
    assert head["seq"] == 8 and head["parts"] == 4 and got == data
    shorter = bytes(data[:BLOB_PART + 7])  # two parts now, the second shorter: written; the rest deleted
    src.write_bytes(shorter)
    run(db.put_blob_file(BLOB_STORE, BLOB_KEY, {"seq": 9}, str(src), [1]))
    head, got, _ = read_file_blob(db, tmp_path)
    assert head["parts"] == 2 and got == shorter
    keys = [r["key"] for r in run(db.query(BLOB_STORE)) if r["key"].startswith(BLOB_KEY)]
    assert keys == [BLOB_KEY, f"{BLOB_KEY}#00000", f"{BLOB_KEY}#00001"]


def test_a_blob_and_the_writes_beside_it_are_made_together_or_not_at_all(db, tmp_path):
    """The search snapshot writes its parts and deletes its page log in one transaction."""
    data = put_file_blob(db, tmp_path, BLOB_PART + 10)
    run(db.put_blob(BLOB_STORE, "t~log", {"seq": 7}, b"pages"))
    newer = bytes(reversed(data))
    (tmp_path / "src.db").write_bytes(newer)
    broken = [WriteOp(op="put", store="messages", record={"no": "key"})]
    with pytest.raises(StorageError):
        run(db.put_blob_file(BLOB_STORE, BLOB_KEY, {"seq": 8}, str(tmp_path / "src.db"), None, blob_deletes(BLOB_STORE, "t~log") + broken))
    head, got, _ = read_file_blob(db, tmp_path)
    assert head["seq"] == 7 and got == data and run(db.get(BLOB_STORE, "t~log"))["seq"] == 7  # none of it
    run(db.put_blob_file(BLOB_STORE, BLOB_KEY, {"seq": 8}, str(tmp_path / "src.db"), None, blob_deletes(BLOB_STORE, "t~log")))
    head, got, _ = read_file_blob(db, tmp_path)
    assert head["seq"] == 8 and got == newer
    assert [r["key"] for r in run(db.query(BLOB_STORE)) if r["key"].startswith("t~")] == []


def read_early(db) -> None:
    """What the core's worker does at its start (extension/offscreen/core-worker.js)."""
    import js

    db._shim.readEarly(js.JSON.parse(json.dumps([{"store": BLOB_STORE, "key": BLOB_KEY, "parts": blob_parts(BLOB_KEY).model_dump()}])))


if sys.platform == "emscripten":  # the worker's early read is IndexedDB's

    def test_a_blob_read_early_is_taken_once_and_is_the_same_blob():
        db = make("indexeddb")
        run(db.open())
        import tempfile
        from pathlib import Path

        tmp_path = Path(tempfile.mkdtemp())
        data = put_file_blob(db, tmp_path, BLOB_PART + 99)
        read_early(db)
        head, got, seen = read_file_blob(db, tmp_path)
        assert db.read_early(BLOB_STORE, BLOB_KEY) and head["size"] == len(data) and got == data and seen == data
        # taken once: the next read asks IndexedDB again, and sees what was written since
        newer = put_file_blob(db, tmp_path, BLOB_PART // 2)
        assert read_file_blob(db, tmp_path)[1] == newer
        # a damaged blob read early is not used: the usual read reports it
        put_file_blob(db, tmp_path, 2 * BLOB_PART + 1)
        run(db.apply([WriteOp(op="delete", store=BLOB_STORE, key=f"{BLOB_KEY}#00000")]))
        read_early(db)
        with pytest.raises(StorageError):
            read_file_blob(db, tmp_path)
        run(db.close())
