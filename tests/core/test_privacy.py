"""Export everything and put it back; one person's data out and erased (search and a relaunch
included); everything erased with a typed confirmation; retention of audit and consent."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import random
import zipfile

import pytest

from pycore.app import Core, Services
from pycore.clock import FakeClock
from pycore.storage.memory import MemoryStorage
from tests.chat_export import generate as g
from tests.core.conftest import Recorder
from tests.core.history_import_support import ask, capture, ok, plan, stored, upload

ANA = "5511987366946@c.us"  # the corpus's first one-to-one chat (Lúcia Caetano) stands for "the person"
ANA_LID = "209876543210123@lid"
DERIVED = {"search_snapshot", "imports"}  # rebuilt, or transient: not part of the archive


@pytest.fixture(scope="module")
def corpus():
    return g.make_corpus(messages=900, chats=10)


_seeds = iter(range(100, 10_000))


def new_core(storage=None, clock=None) -> Core:
    """A core with its own random seed: two cores on one fake clock must not mint the same ids."""
    return Core(Services(clock=clock or FakeClock(), rng=random.Random(next(_seeds)), storage=storage or MemoryStorage(),
                         emit=Recorder()))


async def download(core, info: dict) -> bytes:
    out = b""
    for i in range(info["chunks"]):
        piece = await ok(core, "transfer.get", {"id": info["id"], "index": i})
        out += base64.b64decode(piece["data"])
    return out


async def populate(core, corpus) -> dict:
    """Data in every part: captured and imported messages, contacts (a merge), a group, outbox,
    a campaign, consent, audit, settings, a suggestion."""
    person = g.pick_chat(corpus, "user")
    assert person["id"] == ANA
    group = g.pick_chat(corpus, "group")
    other = g.pick_chat(corpus, "user", index=1)
    for chat in (person, other):
        msgs = [m for m in corpus["messages"] if m["chat"] == chat["id"]]
        await capture(core, corpus, chat, msgs[-40:])
        export = g.render(corpus, chat, g.STYLES["android_pt"], faithful=True)
        up = await upload(core, export.data, export.file_name)
        read = await ok(core, "history_import.read", {"upload_id": up})
        await ok(core, "history_import.start", plan(up, chat["id"], read))
        await core.drain()
    # the person also writes in a group: their messages there carry their id
    gmsgs = [{"id": f"G{i:05d}", "ts": 1_781_300_000 + i * 60, "type": "text", "from_me": False, "chat": group["id"],
              "text": f"mensagem no grupo {i} de Lúcia" if i % 2 == 0 else f"outra pessoa {i}"} for i in range(6)]
    nodes = [{"data_id": f"false_{group['id']}_{m['id']}_{ANA if i % 2 == 0 else '5511000000001@c.us'}",
              "pre_plain_text": f"[10:{i:02d}, 13/06/2026] {'Lúcia Caetano' if i % 2 == 0 else 'Outra'}: ", "text": m["text"]}
             for i, m in enumerate(gmsgs)]
    await ok(core, "capture.batch", {"chat": {"title": group["name"]}, "nodes": nodes, "observed_at": 1.0, "locale": "pt-BR",
                                     "utc_offset_min": -180}, source="content")
    await ok(core, "contacts.upsert_rows", {"rows": [
        {"title": person["name"], "jid": ANA}, {"title": person["name"] + " (LID)", "jid": ANA_LID},
        {"title": other["name"], "jid": other["id"]}]}, source="content")
    await ok(core, "contacts.merge", {"primary": ANA, "secondary": ANA_LID})
    await ok(core, "send.request", {"chat": ANA, "text": "Seu pedido chegou, Lúcia", "needs_approval": True})
    await ok(core, "send.request", {"chat": other["id"], "text": "Oi, tudo certo?", "needs_approval": True})
    await ok(core, "campaign.create", {"name": "Promo", "template": "Promoção de inverno!",
                                       "recipients": [{"chat": ANA}, {"chat": other["id"]}]})
    await ok(core, "optout.set", {"chat": ANA, "opted_out": True, "note": "pediu por telefone"})
    await ok(core, "sending.settings.set", {"values": {"per_minute": 12}})
    await ok(core, "suggestion.offer", {"chat": ANA, "text": "Posso ajudar, Lúcia?"})
    # the newer DOM knew a customer by name only and a reminder was written meanwhile; the older DOM's
    # ids then proved her number: identity linked the name to it (a restore must keep that link)
    from tests.core.test_identity import CUSTOMER, NAME, ids, node as row

    def batch(nodes):
        return {"chat": {"title": NAME}, "nodes": nodes, "observed_at": 1.0, "locale": "pt-BR"}

    titled = (await ok(core, "capture.batch", batch([row(i, f"m{n}", n) for n, i in enumerate(ids(4))]), source="content"))["chat"]
    await ok(core, "crm.reminder.add", {"chat": titled, "text": "confirmar entrega", "due_at": 1_790_000_000.0})
    linked = await ok(core, "capture.batch", batch([row(i, f"m{n}", n, chat=CUSTOMER) for n, i in enumerate(ids(5))]),
                      source="content")
    assert (titled, linked["chat"]) == (f"title:{NAME}", CUSTOMER)
    # the CRM: a tag both share, a card, a note and a reminder each
    vip = (await ok(core, "crm.tag.create", {"label": "VIP", "color": "#1e88e5"}))["id"]
    for chat, note in ((ANA, "Lúcia prefere entrega à tarde"), (other["id"], "cliente desde 2024")):
        card = await ok(core, "crm.card", {"chat": chat})
        await ok(core, "crm.record.update", {"chat": chat, "version": card["row"]["version"], "tags": [vip]})
        await ok(core, "crm.note.add", {"chat": chat, "text": note})
        await ok(core, "crm.reminder.add", {"chat": chat, "text": "ligar para " + chat[:4], "due_at": 1_790_000_000.0})
    await core.drain()
    return {"person": person, "group": group, "other": other}


async def everything(storage) -> dict:
    from pycore.storage.schema import STORES

    out = {}
    for name in STORES:
        if name in DERIVED:
            continue
        rows = await storage.query(name)
        if name == "messages":
            rows = [{k: v for k, v in r.items() if k != "seq"} for r in rows]  # a fresh sequence on restore
        if name == "meta":
            rows = [r for r in rows if r["key"] not in ("schema_version", "messages.seq", "debug.clock")]
        out[name] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))
    return out


def test_the_archive_round_trips_into_an_empty_profile(corpus):
    async def scenario():
        core = new_core()
        await core.start()
        await populate(core, corpus)
        before = await everything(core.storage)
        assert all(before[s] for s in ("messages", "chats", "contacts", "outbox", "campaigns", "audit", "consent", "optouts",
                                        "meta", "capture_state", "aliases", "crm_records", "crm_notes", "crm_reminders", "crm_defs")), \
            {s: len(v) for s, v in before.items()}
        info = await ok(core, "privacy.export")
        assert info["name"].startswith("mettri-backup-") and info["name"].endswith(".zip")
        data = await download(core, info)
        zf = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(zf.read("manifest.json"))
        assert (manifest["format"], manifest["version"]) == ("mettri-archive", 1)
        assert set(manifest["parts"]) == {"messages", "contacts", "sending", "audit", "consent", "settings", "crm"}
        assert zf.read("contacts.csv").decode("utf-8-sig").splitlines()[0].startswith("chat,name,phone")

        fresh = new_core()
        await fresh.start()
        up = await upload(fresh, data, info["name"], purpose="archive")
        reply = await ok(fresh, "privacy.restore", {"upload_id": up})
        assert reply["problem"] is None and reply["result"]["restart_core"]
        restarted = new_core(fresh.storage)  # the page restarts the core after a restore
        await restarted.start()
        await restarted.drain()
        after = await everything(restarted.storage)
        restore_line = [r for r in after["audit"] if r["action"] == "privacy.restore"]
        assert len(restore_line) == 1
        after["audit"] = [r for r in after["audit"] if r["action"] != "privacy.restore"]
        assert after == before
        # searchable again, and the restored store keeps taking captures after the restored sequence
        hits = (await ok(restarted, "search.messages", {"q": "mensagem no grupo"}))["hits"]
        assert len(hits) == 3

        # a second restore into the now full profile is refused, and nothing changes
        again = await upload(restarted, data, info["name"], purpose="archive")
        refused = await ok(restarted, "privacy.restore", {"upload_id": again})
        assert refused["problem"]["code"] == "not_empty" and "perfil vazio" in refused["problem"]["message_pt"]
        unchanged = await everything(restarted.storage)
        assert {k: v for k, v in unchanged.items() if k != "audit"} == {k: v for k, v in after.items() if k != "audit"}

    asyncio.run(scenario())


@pytest.mark.parametrize("mangle, code", [
    (lambda z: b"not a zip at all", "not_an_archive"),
    (lambda z: _rezip(z, {"manifest.json": lambda m: {**m, "version": 99}}), "newer_version"),
    (lambda z: _rezip(z, {"manifest.json": lambda m: {**m, "format": "other"}}), "not_an_archive"),
    (lambda z: _rezip(z, {"manifest.json": lambda m: {**m, "parts": {**m["parts"], "crm2": m["parts"]["audit"]}}}), "unknown_part"),
    (lambda z: _rezip(z, {"parts/contacts.json": lambda p: {**p, "stores": {"contacts": p["stores"]["contacts"][:-1]}}}), "damaged"),
    (lambda z: _rezip(z, {"parts/audit.json": lambda p: {**p, "stores": {"audit": [{"id": "x"}]}},
                          "manifest.json": lambda m: {**m, "parts": {**m["parts"], "audit": {**m["parts"]["audit"], "records": {"audit": 1}}}}}),
     "damaged"),
])
def test_a_bad_archive_is_refused_whole(corpus, mangle, code):
    async def scenario():
        core = new_core()
        await core.start()
        await populate(core, corpus)
        data = await download(core, await ok(core, "privacy.export"))
        fresh = new_core()
        await fresh.start()
        up = await upload(fresh, mangle(data), "backup.zip", purpose="archive")
        reply = await ok(fresh, "privacy.restore", {"upload_id": up})
        assert reply["problem"]["code"] == code and reply["result"] is None
        assert reply["problem"]["message_pt"] != reply["problem"]["message_en"]
        for store in ("messages", "chats", "contacts", "audit", "outbox"):
            assert await fresh.storage.count(store) == 0, store

    asyncio.run(scenario())


def _rezip(data: bytes, changes: dict) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for name in src.namelist():
            body = src.read(name)
            if name in changes:
                body = json.dumps(changes[name](json.loads(body))).encode()
            out.writestr(name, body)
    return buf.getvalue()


def test_one_person_exported_then_erased_everywhere_and_a_relaunch_brings_nothing_back(corpus):
    async def scenario():
        storage, clock = MemoryStorage(), FakeClock()
        core = new_core(storage, clock)
        await core.start()
        chats = await populate(core, corpus)
        await ok(core, "search.reindex", {})
        ana_text = "Lúcia"  # her name is in her messages, the outbox, the suggestion and the group
        assert (await ok(core, "search.messages", {"q": "mensagem no grupo"}))["total"] == 3
        summary = await ok(core, "privacy.person", {"chat": ANA})
        assert summary["title"] == chats["person"]["name"] and set(summary["chats"]) >= {ANA, ANA_LID}
        held = {p["part"]: p["records"] for p in summary["parts"]}
        assert held["messages"] > 100 and held["contacts"] == 2 and held["sending"] >= 2 and held["consent"] >= 2
        assert held["settings"] == 1 and held["imports"] == 1 and held["audit"] >= 1
        assert held["crm"] >= 3  # her card, note and reminder

        doc = json.loads(await download(core, await ok(core, "privacy.person_export", {"chat": ANA})))
        assert doc["format"] == "mettri-person" and doc["person"]["title"] == chats["person"]["name"]
        msgs = doc["parts"]["messages"]["stores"]["messages"]
        assert {m["chat"] for m in msgs} == {ANA, chats["group"]["id"]}
        assert len([m for m in msgs if m["chat"] == chats["group"]["id"]]) == 3  # only her own group messages
        assert doc["parts"]["sending"]["stores"]["campaigns"][0]["recipients"] == [{"chat": ANA, "vars": {}}]
        assert "roles" not in json.dumps(doc["parts"]["imports"])

        other_before = await stored(core, chats["other"]["id"])
        erased = await ok(core, "privacy.erase_person", {"chat": ANA, "confirm": True})
        assert sum(p["records"] for p in erased["parts"]) > 100

        async def nothing_left(c):
            assert await stored(c, ANA) == [] and await c.storage.get("chats", ANA) is None
            assert await c.storage.get("contacts", ANA) is None and await c.storage.get("contacts", ANA_LID) is None
            dump = json.dumps(await everything(c.storage), ensure_ascii=False)
            assert "Lúcia" not in dump and "pediu por telefone" not in dump, [l for l in dump.split("{") if "Lúcia" in l][:3]
            for q in (ana_text, "mensagem no grupo", "comprovante"):
                hits = (await ok(c, "search.messages", {"q": q, "filters": {"chats": [ANA]}}))["hits"]
                assert hits == [], q
            assert (await ok(c, "search.messages", {"q": "mensagem no grupo"}))["total"] == 0
            assert (await ok(c, "search.messages", {"q": "outra pessoa"}))["total"] == 3
            assert [h for h in (await ok(c, "search.contacts", {"q": "Lúcia"}))["hits"]] == []
            # kept: she said stop, so a bare entry keeps her from being messaged again
            assert await c.storage.get("optouts", ANA) == {"chat": ANA, "opted_out": True,
                                                             "since": (await c.storage.get("optouts", ANA))["since"], "source": ""}
            sent = await ask(c, "send.request", {"chat": ANA, "text": "Oi de novo"})
            assert sent["ok"] and sent["result"]["decision"]["code"] == "opted_out"
            audit = await c.storage.query("audit")
            tomb = [r for r in audit if r["action"] == "privacy.erase_person"]
            assert len(tomb) == 1 and tomb[0]["chat"] is None and tomb[0]["preview"] == ""
            assert not [r for r in audit if r["chat"] == ANA and r["action"] != "send.request"]
            assert await stored(c, chats["other"]["id"]) == other_before  # someone else's data is untouched
            theirs = await ok(c, "crm.card", {"chat": chats["other"]["id"]})
            assert [n["text"] for n in theirs["notes"]] == ["cliente desde 2024"] and len(theirs["reminders"]) == 1
            assert (await ok(c, "crm.card", {"chat": ANA}))["notes"] == []

        await nothing_left(core)
        # the saved search snapshot (what a relaunch starts from) holds none of her messages
        from pycore.search import snapshot

        index, _ = await snapshot.load(storage)
        left = index.conn.execute("SELECT count(*) FROM docs d JOIN chats c ON c.n = d.chat WHERE c.key = ?", (ANA,)).fetchone()
        assert left == (0,) and index.count() == await storage.count("messages")
        relaunched = new_core(storage, clock)
        await relaunched.start()
        await relaunched.drain()
        await nothing_left(relaunched)

    asyncio.run(scenario())


def test_an_erase_reads_her_chats_and_the_groups_not_everyone_elses_messages(corpus):
    """A busy account holds a million messages: erasing one person reads her chats and looks through
    the groups for her messages once; another person's chat is never read (the CRM's first and last
    message of a chat are derived again for hers and the group she wrote in only)."""
    async def scenario():
        storage, clock = MemoryStorage(), FakeClock()
        core = new_core(storage, clock)
        await core.start()
        chats = await populate(core, corpus)
        quiet = "120363000000000001@g.us"  # a group she never wrote in
        await ok(core, "messages.import", {"records": [
            {"chat": quiet, "id": f"Q{i}", "ts": 1_781_300_000 + i, "direction": "in", "type": "text", "text": f"grupo calado {i}",
             "author": "Outra", "chat_title": "Grupo calado", "is_group": True} for i in range(5)]})
        await core.drain()
        group, other = chats["group"]["id"], chats["other"]["id"]
        before = (await ok(core, "crm.card", {"chat": other}))["row"]
        read: list[str | None] = []
        query = storage.query

        async def counted(store, index=None, range=None, **kw):
            if store == "messages":
                read.append(range.lower[0] if index in ("by_chat_seq", "by_chat_ts_seq") and range else None)
            return await query(store, index=index, range=range, **kw)

        store = core.features.store
        changed_after = store.changed_after

        async def reread(after, limit):  # nothing new is stored meanwhile: anything it gives is read again
            got = await changed_after(after, limit)
            read.extend([None] * bool(got))
            return got

        storage.query, store.changed_after = counted, reread
        await ok(core, "privacy.erase_person", {"chat": ANA, "confirm": True})
        await core.drain()
        assert None not in read, "every message read again"
        assert other not in read
        assert read.count(quiet) == 1  # looked through once for her messages
        assert set(read) == {ANA, ANA_LID, group, quiet}
        # what is derived from the chats she was not in did not change
        assert (await ok(core, "crm.card", {"chat": other}))["row"] == before

    asyncio.run(scenario())


def test_an_interrupted_erase_is_finished_at_the_next_start(corpus):
    async def scenario():
        storage, clock = MemoryStorage(), FakeClock()
        core = new_core(storage, clock)
        await core.start()
        await populate(core, corpus)
        await ok(core, "search.reindex", {})
        search = core.features.search

        async def crash(**kw):
            raise RuntimeError("the offscreen document closed")

        search.forget = crash  # dies after the stores were erased, before search forgot
        reply = await ask(core, "privacy.erase_person", {"chat": ANA, "confirm": True})
        assert reply["error"]["code"] == "internal_error"
        assert await storage.get("meta", "privacy.erasing") is not None
        relaunched = new_core(storage, clock)
        await relaunched.start()
        assert await storage.get("meta", "privacy.erasing") is None
        assert (await ok(relaunched, "search.messages", {"q": "mensagem no grupo"}))["total"] == 0
        assert [r for r in await storage.query("audit") if r["action"] == "privacy.erase_person"]

    asyncio.run(scenario())


def test_erasing_everything_needs_the_typed_words(corpus):
    async def scenario():
        core = new_core()
        await core.start()
        await populate(core, corpus)
        refused = await ask(core, "privacy.erase_all", {"confirm": "apagar"})
        assert refused["error"]["code"] == "invalid_args" and "APAGAR TUDO" in refused["error"]["details"][0]["message_pt"]
        assert await core.storage.count("messages") > 0
        done = await ok(core, "privacy.erase_all", {"confirm": "apagar  tudo"})
        assert done["restart_core"]
        for store in ("messages", "chats", "contacts", "outbox", "campaigns", "consent", "capture_state", "imports"):
            assert await core.storage.count(store) == 0, store
        assert [r["action"] for r in await core.storage.query("audit")] == ["privacy.erase_all"]
        assert await core.storage.query("optouts") == [{"chat": ANA, "opted_out": True, "since": (await core.storage.get("optouts", ANA))["since"], "source": ""}]
        assert all(r["chat"] is None and r["norm"] == "" for r in await core.storage.query("sends"))
        assert await core.storage.get("meta", "sending.settings") is not None  # settings are not personal data
        assert (await ok(core, "search.status"))["indexed"] == 0
        # and an archive can now be restored into it
        assert (await ok(core, "chats.list"))["chats"] == []

    asyncio.run(scenario())


def test_retention_prunes_old_audit_and_consent_but_keeps_what_an_optout_rests_on():
    async def scenario():
        clock = FakeClock()
        core = new_core(clock=clock)
        await core.start()
        assert (await ok(core, "privacy.settings"))["retention_days"] == 730
        await ok(core, "optout.set", {"chat": "5511900000001@c.us", "opted_out": True, "note": "parou"})
        await ok(core, "optout.set", {"chat": "5511900000002@c.us", "opted_out": True, "note": "parou"})
        await ok(core, "optout.set", {"chat": "5511900000002@c.us", "opted_out": False, "note": "voltou"})
        clock.advance(400 * 86400)
        await ok(core, "optout.set", {"chat": "5511900000003@c.us", "opted_out": True, "note": "recente"})
        assert len(await core.storage.query("consent")) == 4 and len(await core.storage.query("audit")) == 4
        unchanged = await ok(core, "privacy.set_retention", {"retention_days": 730})
        assert unchanged["last_pruned"] == 0
        pruned = await ok(core, "privacy.set_retention", {"retention_days": 365})
        assert pruned["last_pruned"] == 5 and pruned["retention_days"] == 365  # 3 audit lines, 2 consent events
        left = {(e["chat"][-6:], e["kind"]) for e in await core.storage.query("consent")}
        assert left == {("1@c.us", "opt_out"), ("3@c.us", "opt_out")}  # 1 still rests on its old opt-out
        assert len(await core.storage.query("audit")) == 1
        too_short = await ask(core, "privacy.set_retention", {"retention_days": 7})
        assert too_short["error"]["code"] == "invalid_args"
        # captures check once a day whether something is due
        assert not core.features.privacy.prune_due()
        clock.advance(86400)
        assert core.features.privacy.prune_due() and not core.features.privacy.prune_due()

    asyncio.run(scenario())
