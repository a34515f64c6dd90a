"""TypeScript's checker over extension/ (tsc --noEmit --checkJs, pinned in scripts/typecheck/).

Every page, content script, the worker and the offscreen document are checked against the
generated protocol types (extension/shared/protocol/*.d.ts): calling a command that does not
exist, passing or reading a field the protocol does not have, or treating an optional value as
always there fails here. A planted misuse in a copy of the sources proves the check bites.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TYPECHECK = ROOT / "scripts" / "typecheck"
TSC = TYPECHECK / "node_modules" / ".bin" / "tsc"


def tsc(*args: str, cwd: Path = TYPECHECK) -> subprocess.CompletedProcess:
    assert TSC.exists(), "TypeScript is not installed: run scripts/setup.sh (npm ci in scripts/typecheck)"
    return subprocess.run([str(TSC), *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def errors(run: subprocess.CompletedProcess) -> list[str]:
    return [line for line in (run.stdout + run.stderr).splitlines() if re.search(r"error TS\d+", line)]


def test_pinned_typescript_is_the_one_running():
    pinned = json.loads((TYPECHECK / "package.json").read_text())["devDependencies"]["typescript"]
    locked = json.loads((TYPECHECK / "package-lock.json").read_text())["packages"]["node_modules/typescript"]
    assert locked["version"] == pinned and locked["integrity"].startswith("sha512-")
    assert tsc("--version").stdout.strip() == f"Version {pinned}"


def test_extension_passes_the_checker():
    run = tsc("-p", "tsconfig.json")
    assert run.returncode == 0 and not errors(run), "\n".join(errors(run)) or run.stdout + run.stderr


def test_generated_declarations_pass_the_checker_on_their_own():
    # tsconfig.json skips declaration files (third-party ones are not ours): check ours here.
    run = tsc("-p", "tsconfig.protocol.json")
    assert run.returncode == 0 and not errors(run), "\n".join(errors(run)) or run.stdout + run.stderr


def test_every_script_opts_in_to_the_checker():
    missing = [str(p.relative_to(ROOT)) for p in sorted((ROOT / "extension").rglob("*.js"))
               if not p.read_text(encoding="utf-8").startswith("// @ts-check")]
    assert not missing, missing


PLANTED = """// @ts-check
// Planted by tests/build/test_typecheck.py: protocol misuse the checker must refuse.
export async function planted() {
  await MettriApi.chats.archive({ chat: "5511987654321@c.us" }); // no such command
  const { chats } = await MettriApi.chats.list({ limit: 5 });
  const unread = chats.map((chat) => chat.unread_count); // ChatRecord has `unread`
  await MettriApi.messages.list({ chat: chats[0].key, newest: true }); // the argument is newest_first
  const { ceilings } = await MettriApi.sending.settings.get();
  const bound = ceilings[0].max; // a ceiling is {field, bound, side}
  MettriCore.onEvent((e) => void (e.event === "outbox.changd")); // no such event
  document.body.replaceChildren(unread.length ? document.createElement("p") : null); // drawn as "null"
  return bound;
}
"""


def test_planted_protocol_misuse_fails_the_checker(tmp_path):
    shutil.copytree(ROOT / "extension", tmp_path / "extension", ignore=shutil.ignore_patterns("_locales", "icons"))
    config = {"extends": str(TYPECHECK / "tsconfig.json"), "include": ["extension/**/*.js", "extension/**/*.d.ts"]}
    (tmp_path / "tsconfig.json").write_text(json.dumps(config))
    clean = tsc("-p", str(tmp_path / "tsconfig.json"), cwd=tmp_path)
    assert clean.returncode == 0, clean.stdout  # the copy alone passes: what follows is the plant's doing

    (tmp_path / "extension" / "pages" / "planted.js").write_text(PLANTED)
    run = tsc("-p", str(tmp_path / "tsconfig.json"), cwd=tmp_path)
    found = errors(run)
    print("\n".join(found))  # the planted-violation output, for the record (pytest -s)
    assert run.returncode != 0
    assert all(line.startswith("extension/pages/planted.js(") for line in found), found
    expected = [
        (4, "TS2339", "Property 'archive' does not exist"),
        (6, "TS2339", "Property 'unread_count' does not exist on type 'ChatRecord'"),
        (7, "TS2353", "'newest' does not exist in type 'ListMessages'"),
        (9, "TS2339", "Property 'max' does not exist on type 'Ceiling'"),
        (10, "TS2367", "This comparison appears to be unintentional"),
        (11, "TS2345", "Argument of type 'HTMLParagraphElement | null' is not assignable"),
    ]
    for line, code, text in expected:
        assert any(f"planted.js({line}," in f and code in f and text in f for f in found), (line, code, text, found)
    assert len(found) == len(expected), found
