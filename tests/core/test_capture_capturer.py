"""Storing batches: identity dedupe, monotonic updates, persisted seq, health, reading back."""

import asyncio
import random

from pycore.app import Core, Services
from pycore.storage.memory import MemoryStorage
from tests.core.conftest import call

CHAT = {"title": "Maria", "composer_label": "Digite uma mensagem para Maria"}


def node(mid, text="oi", minute=0, **extra):
    pre = f"[10:{minute:02d}, 03/07/2026] Maria: "
    return {"data_id": mid, "pre_plain_text": pre, "text": text, **extra}


def batch(nodes, chat=CHAT, **extra):
    return {"chat": chat, "nodes": nodes, "observed_at": 1.0, "locale": "pt-BR", **extra}


def capture(core, nodes, **kw):
    reply = call(core, "capture.batch", batch(nodes, **kw), source="content")
    assert reply["ok"], reply
    return reply["result"]


def capture_writes(storage) -> int:
    # Only the capture path's stores: background work (search snapshots) may write elsewhere.
    return sum(1 for stores in storage.transactions if stores & {"messages", "capture_state", "meta", "chats"})


def listed(core, chat, **args):
    reply = call(core, "messages.list", {"chat": chat, **args})
    assert reply["ok"], reply
    return reply["result"]


def test_1000_rerenders_store_one_record(core, storage, events):
    first = capture(core, [node("3B6637D11A63081B8712")])
    assert (first["new"], first["chat"], first["seq_from"], first["seq_to"]) == (1, "title:Maria", 1, 1)
    writes = capture_writes(storage)
    for _ in range(1000):
        res = capture(core, [node("3B6637D11A63081B8712")])
        assert (res["new"], res["updated"], res["unchanged"]) == (0, 0, 1)
    assert capture_writes(storage) == writes  # unchanged re-renders write nothing
    assert len(listed(core, "title:Maria")["messages"]) == 1
    assert len(events.of("messages.captured")) == 1


def test_identical_texts_same_minute_are_two_messages(core):
    res = capture(core, [node("3B6637D11A63081B8712", "ok"), node("3B6637D11A63081B8799", "ok")])
    assert res["new"] == 2
    assert [m["text"] for m in listed(core, "title:Maria")["messages"]] == ["ok", "ok"]


def test_one_apply_per_batch(core, storage):
    writes = capture_writes(storage)
    capture(core, [node(f"3B6637D11A63081B87{i:02d}", minute=i) for i in range(50)])
    assert capture_writes(storage) == writes + 1


def test_status_moves_forward_only_and_bumps_seq(core, events):
    mid = "true_5511987654321@c.us_3EB0AA11"
    chat = "5511987654321@c.us"
    capture(core, [node(mid, icons=["msg-check"])])
    res = capture(core, [node(mid, labels=[" Read "])])
    assert res["updated"] == 1 and res["seq_to"] == 2
    res = capture(core, [node(mid, icons=["msg-dblcheck"])])  # a stale re-render
    assert res["unchanged"] == 1
    [msg] = listed(core, chat)["messages"]
    assert (msg["status"], msg["seq"]) == ("read", 2)
    assert events.of("messages.captured")[-1] == {"chat": chat, "new": [], "updated": [f"{chat}|3EB0AA11"],
                                                   "seq_from": 2, "seq_to": 2}


def test_deletion_updates_and_clears_text(core):
    mid = "false_5511987654321@c.us_3EB0BB"
    capture(core, [node(mid, "segredo")])
    res = capture(core, [node(mid, "This message was deleted", labels=["This message was deleted"])])
    assert res["updated"] == 1
    [msg] = listed(core, "5511987654321@c.us")["messages"]
    assert (msg["type"], msg["text"]) == ("deleted", "")
    assert capture(core, [node(mid, "segredo")])["unchanged"] == 1  # stays deleted


def test_truncated_rerender_does_not_shorten_text(core):
    mid = "false_1@c.us_3EB0CC"
    capture(core, [node(mid, "a long message, fully expanded")])
    assert capture(core, [node(mid, "a long message…")])["unchanged"] == 1
    assert capture(core, [node(mid, "an edited message")])["updated"] == 1


def test_seq_survives_restart(core, clock, storage, events):
    capture(core, [node("3B6637D11A63081B8712"), node("3B6637D11A63081B8713")])
    again = Core(Services(clock=clock, rng=random.Random(1), storage=storage, emit=events))
    asyncio.run(again.start())
    res = capture(again, [node("3B6637D11A63081B8714")])
    assert (res["seq_from"], res["seq_to"]) == (3, 3)
    assert capture(again, [node("3B6637D11A63081B8712")])["unchanged"] == 1  # known from storage, not memory


def test_malformed_nodes_are_counted_not_fatal(core):
    res = capture(core, [{"data_id": "???"}, {}, {"testid": "conv-msg-"}, node("3B6637D11A63081B8712")])
    assert (res["new"], res["unknown"]) == (1, 3)
    health = call(core, "capture.health", {"chat": "title:Maria"})["result"]["chats"][0]
    assert (health["nodes_seen"], health["nodes_unknown"], health["nodes_clean"], health["clean_share"]) == (4, 3, 1, 0.25)


def test_batch_bounds_cut_long_text_and_one_bad_row_never_sinks_its_batch(core):
    too_many = call(core, "capture.batch", batch([node("3B6637D11A63081B8712")] * 501), source="content")
    assert too_many["error"]["code"] == "invalid_args"
    emoji = "😀" * 70_000  # cut at WhatsApp's 65,536 characters, on a code point, never inside the emoji
    too_long = capture(core, [node("3B6637D11A63081B8712", emoji)])
    assert too_long["new"] == 1
    stored = listed(core, too_long["chat"])["messages"][0]["text"]
    assert stored == "😀" * 65_536
    mixed = capture(core, [{"icons": "tail-in"}, node("3B6637D11A63081B8713", "chegou"), {"text": 7}])
    assert (mixed["new"], mixed["rejected"], mixed["unknown"]) == (1, [0, 2], 2)
    assert call(core, "capture.batch", batch([]), source="page")["error"]["code"] == "forbidden"


def test_a_rows_long_lists_and_strings_are_cut_not_refused_and_its_bad_neighbour_alone_is_left_out():
    from pycore.capture.protocol import MAX_ATTR, MAX_LIST, CaptureBatch
    long_row = node("3B6637D11A63081B8714", "a" * 10, texts=[f"linha {i}" for i in range(100)] + ["x" * 600],
                    labels=["r" * 700], day_labels=["HOJE", "ONTEM", "03/07/2026", "02/07/2026", "01/07/2026"],
                    quoted_author="q" * 900)
    sent = batch([long_row, {"text": 7}, node("3B6637D11A63081B8715", "oi")])
    parsed = CaptureBatch.model_validate(sent)
    assert parsed.rejected == [1]
    row = parsed.nodes[0]
    assert row.texts == [f"linha {i}" for i in range(MAX_LIST)]
    assert row.labels == ["r" * MAX_ATTR] and row.quoted_author == "q" * MAX_ATTR
    assert row.day_labels == ["HOJE", "ONTEM", "03/07/2026"]
    assert len(sent["nodes"][0]["texts"]) == 101  # what was sent is left as it was
    one = CaptureBatch.model_validate(batch([long_row]))  # alone, the batch's own path cuts it the same
    assert one.rejected == [] and one.nodes[0] == row


def test_watermark_and_media_time_from_neighbour(core, clock):
    capture(core, [node("3B6637D11A63081B8701", minute=5), {"data_id": "3B6637D11A63081B8702", "has_media": True},
                   node("3B6637D11A63081B8703", minute=9)])
    capture(core, [node("3B6637D11A63081B8700", minute=1)])  # scrolled up: older history
    h = call(core, "capture.health", {})["result"]["chats"][0]
    assert (h["count"], h["oldest_id"], h["newest_id"], h["last_capture"]) == (
        4, "3B6637D11A63081B8700", "3B6637D11A63081B8703", clock.now()
    )
    msgs = {m["id"]: m for m in listed(core, "title:Maria")["messages"]}
    assert msgs["3B6637D11A63081B8702"]["ts"] == msgs["3B6637D11A63081B8701"]["ts"]
    assert msgs["3B6637D11A63081B8702"]["type"] == "image"


def test_paging_newest_and_oldest_first_by_ts_and_seq(core):
    # 12 messages, three per minute, captured out of order
    ids = [f"3B6637D11A63081B87{i:02d}" for i in range(12)]
    capture(core, [node(ids[i], str(i), minute=i // 3) for i in range(6, 12)])
    capture(core, [node(ids[i], str(i), minute=i // 3) for i in range(6)])
    for args, want in [({}, [str(i) for i in range(11, -1, -1)]), ({"newest_first": False}, [str(i) for i in range(12)])]:
        got, cursor = [], {}
        while True:
            page = listed(core, "title:Maria", limit=5, **args, **cursor)
            got += [m["text"] for m in page["messages"]]
            if page["next_cursor_seq"] is None:
                break
            cursor = {"cursor_ts": page["next_cursor_ts"], "cursor_seq": page["next_cursor_seq"]}
        assert got == want
    by_seq = listed(core, "title:Maria", order_by="seq", limit=4, newest_first=False)
    assert [m["text"] for m in by_seq["messages"]] == ["6", "7", "8", "9"]
    nxt = listed(core, "title:Maria", order_by="seq", limit=4, newest_first=False, cursor_seq=by_seq["next_cursor_seq"])
    assert [m["text"] for m in nxt["messages"]] == ["10", "11", "0", "1"]


def test_chats_ordered_by_last_activity(core):
    capture(core, [node("3B6637D11A63081B8701", "antiga", minute=1)], chat={"title": "Ana"})
    capture(core, [node("3B6637D11A63081B8702", "nova", minute=30)], chat={"title": "Bia"})
    capture(core, [{"data_id": "3B6637D11A63081B8703", "labels": ["Figurinha"]}], chat={"title": "Caio"})
    chats = call(core, "chats.list", {})["result"]["chats"]
    assert [(c["title"], c["preview"], c["message_count"]) for c in chats] == [
        ("Bia", "nova", 1), ("Ana", "antiga", 1), ("Caio", None, 1)
    ]


def test_storage_failure_keeps_caches_consistent(core, storage):
    from pycore.storage.base import StorageError

    storage.fail_writes = StorageError("quota")
    assert call(core, "capture.batch", batch([node("3B6637D11A63081B8712")]), source="content")["error"]["code"] == "storage_error"
    storage.fail_writes = None
    res = capture(core, [node("3B6637D11A63081B8712")])
    assert (res["new"], res["seq_from"]) == (1, 1)


def test_health_of_unchanged_batches_is_written_only_for_problems(core, storage, clock):
    capture(core, [node("3B6637D11A63081B8712")])
    writes = capture_writes(storage)
    clock.advance(3600)
    capture(core, [node("3B6637D11A63081B8712")])
    assert capture_writes(storage) == writes
    capture(core, [node("3B6637D11A63081B8712"), {"data_id": "nonsense"}])
    assert capture_writes(storage) == writes + 1
    capture(core, [{"data_id": "nonsense"}])  # within a minute of the last flush
    assert capture_writes(storage) == writes + 1
    stored = asyncio.run(storage.get("capture_state", "title:Maria"))
    assert (stored["nodes_seen"], stored["nodes_unknown"]) == (4, 1)


class YieldingStorage(MemoryStorage):
    """Like IndexedDB: every read suspends, so two batches can interleave."""

    async def get(self, store, key):
        await asyncio.sleep(0)
        return await super().get(store, key)


def test_concurrent_batches_get_distinct_seqs(clock, events):
    async def both():
        core = Core(Services(clock=clock, rng=random.Random(1), storage=YieldingStorage(), emit=events))
        await core.start()
        a = core.handle({"id": "a", "type": "capture.batch", "source": "content",
                         "args": batch([node("3B6637D11A63081B8701"), node("3B6637D11A63081B8702")])})
        b = core.handle({"id": "b", "type": "capture.batch", "source": "content",
                         "args": batch([node("3B6637D11A63081B8702"), node("3B6637D11A63081B8703")])})
        replies = await asyncio.gather(a, b)
        return replies, await core.storage.query("messages")

    (ra, rb), stored = asyncio.run(both())
    assert ra["result"]["new"] + rb["result"]["new"] == 3
    assert sorted(m["seq"] for m in stored) == [1, 2, 3]
    assert rb["result"]["seq_to"] == 3


def test_the_open_chat_is_told_once_per_change(core, events):
    """Pages follow the conversation open in WhatsApp (the CRM card): one event per change,
    after the batch is stored, and a query for a page that opens later."""
    assert call(core, "capture.open_chat")["result"] == {"chat": None, "title": None, "since": None}
    capture(core, [node("3B6637D11A63081B8712")])
    for _ in range(3):  # re-renders of the same chat say nothing new
        capture(core, [node("3B6637D11A63081B8712")])
    bia = {"title": "Bia", "composer_label": "Digite uma mensagem para Bia"}
    capture(core, [node("3B6637D11A63081B8713")], chat=bia)
    capture(core, [node("3B6637D11A63081B8712")])
    opened = events.of("capture.chat_opened")
    assert [(e["chat"], e["title"]) for e in opened] == [("title:Maria", "Maria"), ("title:Bia", "Bia"), ("title:Maria", "Maria")]
    now = call(core, "capture.open_chat")["result"]
    assert (now["chat"], now["title"]) == ("title:Maria", "Maria") and now["since"] == opened[-1]["since"]
    # the event comes after the batch is stored: a page that reacts reads the chat's messages
    names = [e["event"] for e in events.events]
    assert names.index("capture.chat_opened") > names.index("messages.captured")
