"""Chat-export import, archive and erase in Chromium with the built extension (issue 15).

- A chat the capture already saw in part (the replica, WhatsApp Web's newest rows) is imported
  from its export through the side panel's Importar tab at 400 px: every message exactly once,
  the old ones searchable; the views pass axe and show no undefined/null/NaN.
- An import cancelled from the panel after its first batch stops there, and resumed ends with
  every message once.
- The whole archive of this profile restored into an empty profile (another browser) is the same
  data; one person erased there is gone from the stores and from search, also after a relaunch.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from tests import browser
from tests.e2e.a11y import assert_accessible, assert_readable
from tests.chat_export import generate
from tests.conftest import wait_for
from tests.e2e.reading import all_stored, call, open_active
from tests.replica import corpus as replica_corpus

pytestmark = pytest.mark.e2e

PANEL = "extension/pages/sidepanel/sidepanel.html"
DATA = "extension/pages/data/data.html"
CHAT_INDEX = 4  # a one-to-one chat among the replica's first six, which other tests leave to capture
KINDS = {"ptt": "voice", "image": "image", "document": "document", "deleted": "deleted", "text": "text", "system": "system"}


@pytest.fixture(scope="module")
def replica_data():
    return replica_corpus.generate(seed=1, chats=60, messages=3000)  # what the replica page loads by default


def panel_page(context, ext_id):
    page = context.new_page()
    page.set_viewport_size({"width": 400, "height": 900})
    page.goto(f"chrome-extension://{ext_id}/{PANEL}")
    assert browser.wait_core_ready(page)["stage"] == "ready"
    page.locator('.tabs [data-view="import"]').click()
    return page


def pick(page, tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    page.locator("#import-file").set_input_files(str(path))


def judge_once(truth: list[dict], records: list[dict]) -> None:
    """Every replica message stored once: captured ones by their id, imported ones by (minute, side, kind, text)."""
    assert len(records) == len(truth), (len(records), len(truth))
    ids = Counter(r["id"] for r in records)
    assert max(ids.values()) == 1
    captured = {r["id"] for r in records if not r["id"].startswith("exp-")}
    assert captured <= {m["id"] for m in truth}

    def sig(ts, out, kind, text):
        media = kind in ("voice", "image", "document", "unknown")
        return int(ts // 60), out, "media" if media else kind, " ".join(text.split()) if kind == "text" else ""

    want = Counter(sig(m["ts"], m["from_me"], KINDS[m["type"]], m.get("text", "")) for m in truth if m["id"] not in captured)
    got = Counter(sig(r["ts"], r["direction"] == "out", r["type"], r["text"]) for r in records if r["id"].startswith("exp-"))
    # System notices are worded by the phone: compare them by their minute only.
    norm = lambda c: Counter((m, o, k, "" if k == "system" else t) for (m, o, k, t), n in c.items() for _ in range(n))  # noqa: E731
    assert norm(got) == norm(want), (norm(got) - norm(want), norm(want) - norm(got))


def test_an_export_of_a_partly_captured_chat_is_stored_once_and_searchable(routed, core_page, replica_data, tmp_path):
    context, ext_id = routed
    wa, _ = open_active(context, "gen=2025&lang=pt-BR")
    chat = wa.evaluate("i => __replica.chats()[i]", CHAT_INDEX)
    assert chat["kind"] == "user", chat
    truth = [m for m in replica_data["messages"] if m["chat"] == chat["id"]]
    assert truth == wa.evaluate("id => __replica.messages(id)", chat["id"])
    wa.evaluate("id => __replica.openChat(id)", chat["id"])
    rendered = wa.evaluate("() => document.querySelectorAll('#main [data-id]').length")
    assert 30 <= rendered < len(truth)
    wait_for(lambda: len(all_stored(core_page, chat["id"])) >= rendered, timeout=60, message="the open chat captured")
    captured = len(all_stored(core_page, chat["id"]))

    tz = wa.evaluate("() => -new Date().getTimezoneOffset()")
    export = generate.render(replica_data, next(c for c in replica_data["chats"] if c["id"] == chat["id"]),
                             generate.STYLES["android_pt"], tz_minutes=tz, faithful=True)
    panel = panel_page(context, ext_id)
    pick(panel, tmp_path, export.file_name, export.data)
    first = panel.locator('#import-chat input[type="radio"]').first
    first.wait_for(timeout=60_000)
    assert first.get_attribute("data-chat") == chat["id"] and first.is_checked()
    names = panel.locator("#import-authors select").evaluate_all("els => els.map(e => [e.dataset.name, e.value])")
    assert dict(names) == {chat["name"]: "contact", replica_data["me"]["name"]: "me"}
    assert_accessible(panel, what="the proposal")
    assert_readable(panel)

    panel.locator("#import-preview").click()
    counts = panel.locator("#import-counts")
    counts.wait_for(timeout=60_000)
    added = int(counts.get_attribute("data-add"))
    assert 0 < added < len(truth) and int(counts.get_attribute("data-stored")) >= captured - 1
    assert_accessible(panel, what="the preview")
    assert_readable(panel)
    panel.locator("#import-start").click()
    panel.wait_for_selector('#import-job-title[data-state="done"]', timeout=60_000)
    assert_accessible(panel, what="the finished import")
    assert_readable(panel)
    assert panel.locator("#import-progress").get_attribute("aria-valuenow") == str(len(truth))

    judge_once(truth, all_stored(core_page, chat["id"]))
    old = next(m for m in truth[:-rendered] if m["type"] == "text" and len(m.get("text", "")) > 25)
    found = wait_for(lambda: [h for h in call(core_page, "search.messages", {"q": old["text"], "filters": {"chats": [chat["id"]]}})["hits"]
                              if h["ts"] == old["ts"] // 60 * 60], timeout=60, message="the old message searchable")
    assert len(found) == 1 and found[0]["key"].startswith(chat["id"] + "|exp-")
    # On the person's CRM timeline: the import (file, new messages) and the oldest message, from the file.
    items = wait_for(lambda: [i for i in call(core_page, "crm.timeline", {"chat": chat["id"], "limit": 100})["items"]
                              if i["kind"] in ("history_import", "first_message")] or None, message="the CRM timeline")
    imported = [i for i in items if i["kind"] == "history_import"]
    assert [i["summary"]["pt_BR"] for i in imported] == [f"Conversa importada de {export.file_name} (mensagens novas: {added})"]
    oldest_captured = min(m["ts"] for m in truth[-rendered:])
    wait_for(lambda: any(i["kind"] == "first_message" and i["ts"] < oldest_captured
                         for i in call(core_page, "crm.timeline", {"chat": chat["id"], "limit": 100})["items"]),
             message="the timeline's first message to come from the export (older than anything captured)")
    panel.close()


def _dump_archive(data: bytes) -> dict:
    """The parts of an archive, in a form two archives of the same data compare equal in."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    out = {}
    for name, info in json.loads(zf.read("manifest.json"))["parts"].items():
        stores = json.loads(zf.read(info["file"]))["stores"]
        for store, records in stores.items():
            if store == "messages":
                records = [{k: v for k, v in r.items() if k != "seq"} for r in records]
            if store == "audit":
                records = [r for r in records if r["action"] != "privacy.restore"]
            if store == "meta":  # when retention last pruned is bookkeeping of each start, not the data
                records = [{**r, "value": {"retention_days": r["value"]["retention_days"]}} if r["key"] == "privacy.settings" else r
                           for r in records]
            out[f"{name}/{store}"] = sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in records)
    return out


FETCH = """async (id) => {
    const files = await import(chrome.runtime.getURL("extension/pages/data/files.js"));
    const info = await MettriApi.privacy.export({}, {timeoutMs: 600000});
    const blob = await files.fetchPrepared(info);
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = ""; for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
}"""


IMPORT = """async ([b64, name, chat]) => {
    const files = await import(chrome.runtime.getURL("extension/pages/data/files.js"));
    const file = new File([await (await fetch("data:application/octet-stream;base64," + b64)).blob()], name);
    const upload_id = await files.upload(file, "chat_export");
    const read = await MettriApi.history_import.read({upload_id});
    const plan = {upload_id, chat, chat_title: read.summary.chat_name, authors: read.summary.authors, utc_offset_min: 0};
    plan.authors = plan.authors.map((a) => ({name: a.name, role: a.role}));
    return [chat, (await MettriApi.history_import.start(plan)).id];
}"""


# Which of Mettri's stores (every record and key, blobs read as bytes) and chrome.storage.local hold
# any of these strings: {store: [strings]}.
HELD_ANYWHERE = """async (needles) => {
  const db = await new Promise((ok, no) => { const r = indexedDB.open("mettri"); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  const latin = new TextDecoder("latin1");
  const texts = async (v, out) => {
    if (v instanceof Blob) out.push(latin.decode(await v.arrayBuffer()));
    else if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) out.push(latin.decode(v));
    else if (v && typeof v === "object") for (const x of Object.values(v)) await texts(x, out);
    else out.push(String(v));
  };
  const ask = (store, what) => new Promise((ok, no) => { const r = db.transaction(store).objectStore(store)[what](); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  const found = {};
  const look = (name, text) => { for (const n of needles) if (text.includes(n)) (found[name] = found[name] || []).push(n); };
  for (const store of db.objectStoreNames) {
    const out = [JSON.stringify(await ask(store, "getAllKeys"))];
    for (const v of await ask(store, "getAll")) await texts(v, out);
    look(store, out.join(" "));
  }
  db.close();
  look("chrome.storage.local", JSON.stringify(await chrome.storage.local.get(null)));
  return found;
}"""


def import_file(page, export, chat: str) -> tuple[str, str]:
    key, job = page.evaluate(IMPORT, [base64.b64encode(export.data).decode(), export.file_name, chat])
    wait_for(lambda: any(j["id"] == job and j["state"] == "done" for j in call(page, "history_import.jobs")["jobs"]),
             timeout=60, message=f"{export.file_name} imported")
    return key, job


def test_the_archive_restores_into_an_empty_profile_and_an_erased_person_stays_erased(routed, core_page, playwright, tmp_path):
    export = generate.big_export(300, seed=77)  # someone whose data is then asked for and erased
    key, _ = import_file(core_page, export, "5511912345000@c.us")
    target = {"key": key}
    source = base64.b64decode(core_page.evaluate(FETCH))
    (tmp_path / "backup.zip").write_bytes(source)

    profile = tmp_path / "empty-profile"
    other, ext_id = browser.launch(playwright, profile)
    try:
        page = browser.open_page(other, ext_id, DATA)
        assert browser.wait_core_ready(page)["stage"] == "ready"
        page.locator("#privacy-restore").set_input_files(str(tmp_path / "backup.zip"))
        wait_for(lambda: "Mettri vai reiniciar" in (page.locator("#privacy-backup-status").text_content() or ""),
                 timeout=120, message="the backup restored")
        page.reload()
        assert browser.wait_core_ready(page)["stage"] == "ready"
        restored = base64.b64decode(page.evaluate(FETCH))
        assert _dump_archive(restored) == _dump_archive(source)
        text = next(m["text"] for m in call(page, "messages.list", {"chat": target["key"], "limit": 200})["messages"]
                    if m["type"] == "text" and len(m["text"]) > 20)
        query = {"q": text, "filters": {"chats": [target["key"]]}}
        assert wait_for(lambda: call(page, "search.messages", query)["total"], timeout=60, message="restored and indexed")

        # someone else writes after the restore: her messages are not the newest, and the store outgrows her erase
        import_file(page, generate.big_export(400, seed=78), "5511912345001@c.us")  # more than she had: a stale snapshot would look current
        page.reload()
        assert browser.wait_core_ready(page)["stage"] == "ready"
        page.locator(f'#privacy-person option[value="{target["key"]}"]').wait_for(state="attached", timeout=30_000)
        page.locator("#privacy-person").select_option(target["key"])
        held = page.evaluate(HELD_ANYWHERE, ["5511912345000", text])
        assert {"messages", "search_snapshot"} <= held.keys(), held  # what the erase must take out
        page.locator("#privacy-erase-person").click()
        assert_accessible(page, what="the data page with the erase question")
        assert_readable(page)
        # every text the status line shows, as it shows it: the erase says it is under way (seconds at a million)
        page.evaluate("""() => { const line = document.querySelector('#privacy-person-status'); window.__statuses = [];
            new MutationObserver(() => window.__statuses.push(line.textContent)).observe(line, {childList: true, characterData: true, subtree: true}); }""")
        page.locator("#privacy-erase-yes").click()
        wait_for(lambda: "apagados" in (page.locator("#privacy-person-status").text_content() or ""), timeout=60,
                 message="the person erased")
        shown = page.evaluate("() => window.__statuses")
        assert shown[0].startswith("Apagando os dados de ") and shown[0].endswith("…") and "apagados" in shown[-1], shown
        assert call(page, "search.messages", query)["total"] == 0
        assert call(page, "messages.list", {"chat": target["key"]})["messages"] == []
        # nothing stored holds her number or her words: the search snapshot kept both before
        assert page.evaluate(HELD_ANYWHERE, ["5511912345000", text]) == {}
    finally:
        other.close()

    other, ext_id = browser.launch(playwright, profile)  # a relaunch: the index comes back from its snapshot
    try:
        page = browser.open_page(other, ext_id, DATA)
        assert browser.wait_core_ready(page)["stage"] == "ready"
        assert call(page, "search.status")["started_from"] == "snapshot"
        assert call(page, "search.messages", query)["total"] == 0
        assert call(page, "messages.list", {"chat": target["key"]})["messages"] == []
        assert call(page, "privacy.person", {"chat": target["key"]})["parts"][0]["records"] == 0
        # The retention's bounds as pt-BR writes numbers.
        assert page.locator('label[for="privacy-retention"]').inner_text() == "Prazo em dias (30 a 3.650)"
    finally:
        other.close()


# After the archive test: it exports all the shared profile holds, and these 20,000 messages
# would make it several times slower.
def test_an_import_cancelled_in_the_panel_stops_and_resumes_to_every_message_once(routed, core_page, tmp_path):
    context, ext_id = routed
    export = generate.big_export(20_000, seed=515)
    panel = panel_page(context, ext_id)
    pick(panel, tmp_path, export.file_name, export.data)
    panel.locator("#import-preview").wait_for(timeout=60_000)
    chat = panel.locator('#import-chat input[type="radio"]:checked').get_attribute("data-chat")
    panel.locator("#import-preview").click()
    panel.locator("#import-start").click()
    bar = panel.locator("#import-progress")
    wait_for(lambda: int(bar.get_attribute("aria-valuenow") or 0) > 0, timeout=60, message="a first batch written")
    panel.locator("#import-cancel").click()
    panel.wait_for_selector('#import-job-title[data-state="paused"]', timeout=60_000)
    [job] = [j for j in call(core_page, "history_import.jobs")["jobs"] if j["chat"] == chat]
    assert job["state"] == "paused" and 0 < job["done"] < 20_000 and job["done"] % 5000 == 0
    assert len(all_stored(core_page, chat)) == job["added"] == job["done"]  # nothing half-written
    assert_accessible(panel, what="a paused import")
    assert_readable(panel)
    panel.locator("#import-resume").click()
    panel.wait_for_selector('#import-job-title[data-state="done"]', timeout=120_000)
    stored = all_stored(core_page, chat)
    assert len(stored) == 20_000 and len({r["key"] for r in stored}) == 20_000
    panel.close()
