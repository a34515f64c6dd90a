"""The generated JS client (scripts/gen_protocol.py, gen_client.py): current, complete, and the
only place the extension's scripts learn command names and protocol constants from."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import gen_client  # noqa: E402
import gen_protocol  # noqa: E402

GENERATED = {ROOT / "extension/shared/protocol.js", ROOT / "extension/shared/selectors.js"}


@pytest.fixture(scope="module")
def protocol():
    return gen_protocol._load()


@pytest.fixture(scope="module")
def client(protocol):
    return gen_client.Client(protocol)


def test_generated_files_are_current():
    assert gen_protocol.stale() == [], "run: python scripts/gen_protocol.py"


def test_staleness_covers_every_generated_file_and_leftovers(tmp_path, monkeypatch):
    types = tmp_path / "protocol"
    shutil.copytree(gen_protocol.TYPES, types)
    monkeypatch.setattr(gen_protocol, "TYPES", types)
    assert gen_protocol.stale() == []
    (types / "gone.d.ts").write_text("// a feature that was removed\n")
    (types / "capture.d.ts").write_text((types / "capture.d.ts").read_text() + "// edited by hand\n")
    stale = {Path(p).name for p in _stale_names(gen_protocol.stale())}
    assert stale == {"gone.d.ts", "capture.d.ts"}
    outputs = gen_protocol.outputs()
    assert {p.name for p in outputs if p.parent == types} == {f.name for f in gen_protocol.TYPES.glob("*.d.ts")} - {"gone.d.ts"}
    assert {ROOT / "docs/protocol.md", *GENERATED} <= set(outputs)


def _stale_names(paths: list[str]) -> list[str]:
    return [p.rsplit("/", 1)[-1] for p in paths]


@pytest.mark.parametrize(
    "module, feature",
    [
        ("pycore.protocol.capture", "capture"),  # today's layout
        ("pycore.capture.protocol", "capture"),  # a feature slice owning its protocol
        ("pycore.sending.campaigns.protocol", "sending"),
        ("pycore.protocol.base", "base"),
        ("pycore.protocol", "base"),
    ],
)
def test_feature_is_the_package_that_owns_the_model(module, feature):
    assert gen_client.feature_of(module) == feature


def test_every_command_and_event_is_typed_and_callable(protocol, client):
    runtime = (ROOT / "extension/shared/protocol.js").read_text()
    types = "".join(p.read_text() for p in gen_protocol.TYPES.glob("*.d.ts"))
    for name, cls in protocol.COMMANDS.items():
        assert f'command("{name}")' in runtime, name
        assert f'"{name}": {{ args: ' in types, name
        assert f'sources: {" | ".join(json.dumps(s) for s in sorted(cls.sources))} }}' in types, name
    for name in protocol.EVENTS:
        assert re.search(rf'^    "{re.escape(name)}": Mettri\.\w+\.\w+;$', types, re.M), name


NODE_CHECK = """
const calls = [];
globalThis.MettriCore = {
  call: async (type, ...params) => (calls.push(["call", type, ...params]), { type }),
  request: async (type, ...params) => (calls.push(["request", type, ...params]), { ok: true, result: { type } }),
};
require(process.argv[2]);
const api = MettriApi, p = MettriProtocol;
(async () => {
  const result = await api.capture.batch({ chat: { title: "Ana" }, nodes: [], observed_at: 1 });
  const reply = await api.sending.settings.get.request({}, { timeoutMs: 5 });
  const frozen = [api, api.sending, api.sending.settings, p, p.commands, p.capture.bounds.RawMessageNode.text,
                  p.sending.EntryState].every(Object.isFrozen);
  console.log(JSON.stringify({ result, reply, calls, frozen, command: api.debug.clock.advance.command,
    request: p.request("i1", "core.ping", { echo: "x" }), error: p.errorReply(null, "not_ready", "no reply") }));
})();
"""


def test_the_client_calls_the_transport_with_the_wire_name(tmp_path):
    node = shutil.which("node")
    assert node, "node is needed (scripts/setup.sh installs it)"
    script = tmp_path / "check.js"
    script.write_text(NODE_CHECK)
    out = subprocess.run([node, str(script), str(ROOT / "extension/shared/protocol.js")],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    got = json.loads(out)
    assert got["result"] == {"type": "capture.batch"} and got["reply"] == {"ok": True, "result": {"type": "sending.settings.get"}}
    assert got["calls"] == [
        ["call", "capture.batch", {"chat": {"title": "Ana"}, "nodes": [], "observed_at": 1}],
        ["request", "sending.settings.get", {}, {"timeoutMs": 5}],
    ]
    assert got["frozen"] is True and got["command"] == "debug.clock.advance"
    assert got["request"] == {"id": "i1", "type": "core.ping", "args": {"echo": "x"}}
    assert got["error"] == {"id": None, "ok": False, "error": {"code": "not_ready", "message": "no reply", "details": []}}


def _code_strings(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string literal outside comments; template literals count as strings."""
    out, i, line, n = [], 0, 1, len(source)
    while i < n:
        c = source[i]
        if c == "\n":
            line += 1
        if source.startswith("//", i):
            i = source.find("\n", i)
            i = n if i < 0 else i
            continue
        if source.startswith("/*", i):
            end = source.find("*/", i + 2)
            line += source.count("\n", i, end)
            i = end + 2
            continue
        if c in "\"'`":
            j, buf = i + 1, []
            while j < n and source[j] != c:
                if source[j] == "\\":
                    buf.append(source[j : j + 2])
                    j += 2
                    continue
                buf.append(source[j])
                j += 1
            out.append((line, "".join(buf)))
            line += "".join(buf).count("\n")
            i = j + 1
            continue
        i += 1
    return out


def test_scripts_copy_no_command_name_and_no_protocol_literal(protocol, client):
    """Command names come from MettriApi, Literal values and bounds from MettriProtocol: a script that
    writes one out by hand has a copy that can drift from pycore. (Event names are written out:
    tsc checks each against Mettri.EventName.)"""
    commands = set(protocol.COMMANDS) - set(protocol.EVENTS)
    literals = {tuple(sorted(v)): f"{f.name}.{name}" for f in client.features.values()
                for name, v in f.literals.items() if len(v) > 1}
    found = []
    for path in sorted((ROOT / "extension").rglob("*.js")):
        if path in GENERATED:
            continue
        source = path.read_text(encoding="utf-8")
        for line, text in _code_strings(source):
            if text in commands:
                found.append(f"{path.relative_to(ROOT)}:{line}: command name {text!r}")
        for m in re.finditer(r"\[\s*((?:\"[^\"]*\"\s*,\s*)+\"[^\"]*\")\s*,?\s*\]", source):
            values = tuple(sorted(json.loads(f"[{m.group(1)}]")))
            if values in literals:
                found.append(f"{path.relative_to(ROOT)}: a copy of MettriProtocol.{literals[values]}")
    assert not found, "\n".join(found)


def test_the_lint_finds_what_it_looks_for(protocol, client, tmp_path, monkeypatch):
    planted = tmp_path / "extension" / "planted.js"
    planted.parent.mkdir()
    planted.write_text('// "capture.batch" in a comment is fine\nconst STAGES = ["runtime", "packages", "core"];\n'
                       'request("capture.batch", {});\n')
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    with pytest.raises(AssertionError) as failed:
        test_scripts_copy_no_command_name_and_no_protocol_literal(protocol, client)
    assert "planted.js:3: command name 'capture.batch'" in str(failed.value)
    assert "planted.js: a copy of MettriProtocol.system.BootStageName" in str(failed.value)
    assert "planted.js:1" not in str(failed.value)


def test_whatsapp_tabs_get_exactly_the_events_their_content_script_hears(protocol):
    """MettriProtocol.tab_events (pycore's @event(..., tabs=True)) decides which events reach a
    WhatsApp tab: an event a content script compares against but not listed would never come; one
    listed that no content script names costs WhatsApp's thread for nothing."""
    manifest = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
    files = [ROOT / f for entry in manifest["content_scripts"] for f in entry["js"]]
    heard = set()
    for path in files:
        if path in GENERATED:
            continue
        for _, text in _code_strings(path.read_text(encoding="utf-8")):
            if text in protocol.EVENTS:
                heard.add(text)
    listed = {name for name, cls in protocol.EVENTS.items() if cls.to_tabs}
    assert heard == listed, {"heard, not listed": heard - listed, "listed, not heard": listed - heard}


# Commands no script in extension/ calls today, each with why (issue 10, point 5: wire each or
# delete it). Listed so that a new command without a caller fails here, and so that wiring one
# shortens the list.
NO_CALLER_IN_EXTENSION = {
    "campaign.list": "a list of past campaigns comes with the CRM's bulk campaigns (issue 13)",
    "debug.clock.advance": "development builds only: the tests move the core's clock",
    "messages.import": "the chat-export import page (issue 15); today tests and benchmarks import",
    "search.reindex": "the background indexer catches up by itself; kept for support from DevTools",
    "selectors.override": "support pastes a selector table from DevTools; no page offers it yet",
    "suggestion.offer": "the suggestion engine (pycore/suggest) offers inside the core; tests and support offer by hand",
}

# The CRM's commands the pages call today; erasing only the CRM's part of a person is the privacy
# page's "erase this person" (every part, the CRM's included), so no page calls it alone.
NO_CALLER_CRM = {"crm.record.erase"}


def test_every_command_has_a_caller_in_the_extension_or_is_listed(protocol):
    called = set()
    for path in sorted((ROOT / "extension").rglob("*.js")):
        if path in GENERATED:
            continue
        for m in re.finditer(r"\b(?:api|MettriApi)\.((?:[a-z_]+\.)*[a-z_]+)", path.read_text(encoding="utf-8")):
            called.add(re.sub(r"\.(request|command)$", "", m.group(1)))
    assert called <= set(protocol.COMMANDS), called - set(protocol.COMMANDS)
    assert set(protocol.COMMANDS) - called == set(NO_CALLER_IN_EXTENSION) | NO_CALLER_CRM
    assert all(NO_CALLER_IN_EXTENSION.values())


def test_a_model_read_and_written_gets_two_shapes():
    """Arguments may leave out fields with a default; results always carry every field."""
    from types import SimpleNamespace
    from typing import Literal

    from pydantic import Field

    from pycore.protocol.base import Command, Empty, ErrorInfo, EventEnvelope, Model, Reply, Request

    class Tag(Model):
        name: str = Field(max_length=40)
        color: Literal["red", "blue"] = "red"

    class TagSet(Command):
        """Create or rename a tag."""

        tag: Tag

    TagSet.name, TagSet.result, TagSet.sources = "tags.set", Tag, frozenset({"page"})
    fake = SimpleNamespace(COMMANDS={"tags.set": TagSet}, EVENTS={}, PROTOCOL_VERSION=9,
                           Request=Request, Reply=Reply, EventEnvelope=EventEnvelope, Empty=Empty, ErrorInfo=ErrorInfo)
    files = gen_client.outputs(fake, Path("/x/protocol.js"), Path("/x/types"))
    mine = files[Path("/x/types/tests.d.ts")]
    assert "interface TagInput {\n    /** at most 40 characters */\n    name: string;\n" in mine
    assert '    color?: "red" | "blue";' in mine and '    color: "red" | "blue";' in mine
    assert "interface TagSet {\n    tag: TagInput;\n  }" in mine
    assert '"tags.set": { args: Mettri.tests.TagSet; result: Mettri.tests.Tag; sources: "page" };' in mine
    assert '"TagInput"' not in files[Path("/x/protocol.js")] and '"name": { "maxLength": 40 }' in files[Path("/x/protocol.js")]
