"""The build, as the README promises it: every pinned file is checked against its sha256 and a
tampered one is refused; a second build needs no network (a copy of the repository is built
with `scripts/build.py --offline` in a network namespace with no interfaces); what it ships is
complete (every file the manifest, the pages and the modules name) and holds no remote code;
and the store zip holds exactly dist/."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import vendor  # noqa: E402

from tests.build import bytecode  # noqa: E402

PYTHON = ROOT / ".venv" / "bin" / "python"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- pins -----------------------------------------------------------------------------------------
def pinned_files() -> list[tuple[str, str]]:
    """(path in the vendor cache, pinned sha256) for every file of scripts/vendor.lock.json."""
    lock = vendor.load_lock()
    return [(lock["runtime"]["file"], lock["runtime"]["sha256"])] + [
        (f"wheels/{w['file']}", w["sha256"]) for w in lock["wheels"]
    ]


def test_every_pinned_file_matches_its_sha256():
    lock = vendor.load_lock()
    for spec in [lock["runtime"], *lock["wheels"]]:
        assert re.fullmatch(r"[0-9a-f]{64}", spec["sha256"]), spec
        assert spec["version"] in spec["file"], spec  # the pin names one version
    got = vendor.ensure(offline=True)  # verifies every pin against the cache
    assert set(got["wheels"]) == {w["name"] for w in lock["wheels"]}
    for rel, expected in pinned_files():
        assert sha256(vendor.CACHE / rel) == expected, rel


def cache_of_links(tmp: Path) -> Path:
    """A vendor cache in ``tmp`` whose files are links to the real, verified ones."""
    cache = tmp / "vendor"
    (cache / "wheels").mkdir(parents=True)
    for rel, _ in pinned_files():
        (cache / rel).symlink_to(vendor.CACHE / rel)
    runtime = vendor.load_lock()["runtime"]
    (cache / f"pyodide-{runtime['version']}").symlink_to(vendor.CACHE / f"pyodide-{runtime['version']}")
    return cache


@pytest.mark.parametrize("which", ["runtime", "wheel"])
def test_a_tampered_pinned_file_is_refused(tmp_path, monkeypatch, which):
    cache = cache_of_links(tmp_path)
    monkeypatch.setattr(vendor, "CACHE", cache)
    vendor.ensure(offline=True)  # the links to the real files pass
    rel = pinned_files()[0 if which == "runtime" else -1][0]
    target = cache / rel
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit flipped
    target.unlink()
    target.write_bytes(bytes(data))
    with pytest.raises(vendor.VendorError) as err:
        vendor.ensure(offline=True)
    message = str(err.value)
    assert Path(rel).name in message and "does not match its pin" in message, message


def test_offline_build_refuses_a_missing_pinned_file_instead_of_downloading(tmp_path, monkeypatch):
    cache = cache_of_links(tmp_path)
    rel = pinned_files()[-1][0]
    (cache / rel).unlink()
    monkeypatch.setattr(vendor, "CACHE", cache)
    with pytest.raises(vendor.VendorError) as err:
        vendor.ensure(offline=True)
    assert Path(rel).name in str(err.value) and "--offline" in str(err.value)
    assert not (cache / rel).exists()


# -- an offline rebuild in a copy -------------------------------------------------------------------
def no_network_prefix() -> tuple[list[str], dict]:
    """Run without any network: a new network namespace (only a loopback that is down) when the
    kernel allows it; otherwise proxies to a closed port and the package tools told to stay offline."""
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True) if shutil.which("unshare") else None
    if probe is not None and probe.returncode == 0:
        return ["unshare", "-rn"], {}
    dead = "http://127.0.0.1:9"
    return [], {"http_proxy": dead, "https_proxy": dead, "HTTP_PROXY": dead, "HTTPS_PROXY": dead,
                "PIP_NO_INDEX": "1", "npm_config_offline": "true"}


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> dict:
    """The repository's files (as git knows them: tracked or new, not ignored) copied to a temporary
    directory with the verified vendor cache, then built with --offline and no network."""
    copy = tmp_path_factory.mktemp("clone") / "mettri"
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, files):
        src = ROOT / rel
        if src.is_file():  # a file deleted in the work tree is still in the index
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, copy / rel)
    (copy / ".cache").mkdir()
    (copy / ".cache" / "vendor").symlink_to(vendor.CACHE)
    (copy / "scripts" / "bundler" / "node_modules").symlink_to(ROOT / "scripts" / "bundler" / "node_modules")  # as set up
    prefix, env = no_network_prefix()
    run = subprocess.run([*prefix, str(PYTHON), "scripts/build.py", "--offline"], cwd=copy, capture_output=True,
                         text=True, timeout=600, env={**os.environ, **env})
    version = json.loads((copy / "manifest.json").read_text())["version"]
    return {"root": copy, "run": run, "dist": copy / "dist", "zip": copy / "build" / f"mettri-{version}.zip",
            "isolated": bool(prefix)}


def test_offline_rebuild_of_a_copy_needs_no_network(rebuilt):
    run = rebuilt["run"]
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "dist/ ready" in run.stdout
    assert (rebuilt["dist"] / "manifest.json").read_bytes() == (ROOT / "manifest.json").read_bytes()


# -- what dist/ holds -------------------------------------------------------------------------------
def manifest_paths(manifest: dict) -> set[str]:
    paths = {manifest["background"]["service_worker"], manifest["side_panel"]["default_path"], manifest["options_page"]}
    for script in manifest["content_scripts"]:
        paths.update(script.get("js", []))
        paths.update(script.get("css", []))
    paths.update(manifest["icons"].values())
    paths.update(manifest["action"]["default_icon"].values())
    paths.add(f"_locales/{manifest['default_locale']}/messages.json")
    return paths


def page_references(page: Path) -> list[str]:
    html = page.read_text(encoding="utf-8")
    return re.findall(r"<(?:script|link|img)\b[^>]*?\b(?:src|href)=\"([^\"]+)\"", html)


def module_imports(script: Path) -> list[str]:
    text = script.read_text(encoding="utf-8")
    return re.findall(r"^\s*(?:import\s+(?:[\w$*{}\s,]+?\s+from\s+)?|export\s+[\w$*{}\s,]+?\s+from\s+)[\"']([^\"']+)[\"']",
                      text, re.M)


def resolve(dist: Path, base: Path, ref: str) -> Path:
    return dist / ref.lstrip("/") if ref.startswith("/") else (base.parent / ref)


def test_dist_is_complete(rebuilt):
    dist = rebuilt["dist"]
    manifest = json.loads((dist / "manifest.json").read_text())
    missing = sorted(p for p in manifest_paths(manifest) if not (dist / p).is_file())
    assert not missing, f"named by manifest.json, not in dist/: {missing}"

    for msg in re.findall(r"__MSG_(\w+)__", json.dumps(manifest)):
        for locale in ("pt_BR", "en"):
            assert msg in json.loads((dist / "_locales" / locale / "messages.json").read_text()), (locale, msg)

    # Every page (side panel, options, diagnostics, the offscreen document) and what it loads.
    pages = sorted((dist / "extension").rglob("*.html"))
    assert {p.relative_to(dist).as_posix() for p in pages} >= {
        manifest["side_panel"]["default_path"], manifest["options_page"], "extension/offscreen/offscreen.html",
        "extension/pages/diagnostics/diagnostics.html"}
    broken = [(p.name, ref) for p in pages for ref in page_references(p) if not resolve(dist, p, ref).is_file()]
    assert not broken, broken
    scripts = sorted((dist / "extension").rglob("*.js"))
    broken = [(s.relative_to(dist).as_posix(), ref) for s in scripts for ref in module_imports(s)
              if not resolve(dist, s, ref).is_file()]
    assert not broken, broken
    # Pages load their bundles (scripts/build.py): each page's module entries and their shared
    # chunks, beside every module as written (an extension context may import one on its own).
    shipped = {s.relative_to(dist).as_posix() for s in scripts}
    entries = {resolve(dist, p, ref).relative_to(dist).as_posix() for p in pages
               for ref in re.findall(r"<script\b[^>]*\btype=\"module\"[^>]*\bsrc=\"([^\"]+)\"", p.read_text())}
    assert "extension/pages/sidepanel/sidepanel.js" in entries and "extension/pages/sidepanel/first-paint.js" in entries
    chunks = {s for s in shipped if s.startswith("extension/pages/chunks/")}
    assert chunks and {s.relative_to(ROOT).as_posix() for s in (ROOT / "extension").rglob("*.js")} | chunks == shipped
    for entry in entries - {"extension/offscreen/main.js"}:  # a page's bundle imports only its chunks and the runtime
        for ref in module_imports(dist / entry):
            assert ref.startswith("../chunks/") or ref.startswith("/vendor/"), (entry, ref)

    # The Python side: the runtime files as pinned, every wheel our lock file names with its sha256,
    # and the core wheel with every module of pycore/.
    lock = vendor.load_lock()
    pyo = dist / "vendor" / "pyodide"
    extracted = vendor.CACHE / f"pyodide-{lock['runtime']['version']}"
    for name in lock["runtime"]["files"]:
        if name != "pyodide-lock.json":
            assert sha256(pyo / name) == sha256(extracted / name), name
    ours = json.loads((pyo / "mettri-lock.json").read_text())["packages"]
    for name, entry in ours.items():
        assert sha256(pyo / entry["file_name"]) == entry["sha256"], name
    # Shipped: each binary dependency on its own and mettri-core holding the core with every pure
    # dependency, all as bytecode compiled at build time (scripts/wheels.py). What they were made
    # from is the pinned wheels: every file of each (but its record of files) is shipped unchanged,
    # but a module, shipped as bytecode compiled from exactly its source.
    core = [w for w in lock["wheels"] if w["group"] == "core"]
    binary = {w["name"] for w in core if not w["file"].endswith("-none-any.whl")}
    assert binary | {"mettri-core"} == set(ours)
    for spec in core:
        source = vendor.CACHE / "wheels" / spec["file"]
        assert sha256(source) == spec["sha256"], spec["name"]
        target = ours[spec["name"] if spec["name"] in binary else "mettri-core"]["file_name"]
        with zipfile.ZipFile(source) as src, zipfile.ZipFile(pyo / target) as out:
            shipped_names = set(out.namelist())
            for n in src.namelist():
                if n.endswith("/RECORD") or ".dist-info/" in n and spec["name"] not in binary:
                    continue  # pure dependencies' metadata moves under bundled/ in mettri-core
                if n.endswith(".py") and ".dist-info/" not in n:
                    assert n not in shipped_names and bytecode.compiled_from(out.read(n + "c"), src.read(n)), (spec["name"], n)
                    continue
                assert n in shipped_names, (spec["name"], n)
                assert src.read(n) == out.read(n), (spec["name"], n)
    root = rebuilt["root"]
    with zipfile.ZipFile(pyo / ours["mettri-core"]["file_name"]) as wheel:
        shipped = {n for n in wheel.namelist() if n.startswith("pycore/")}
        sources = sorted(p.relative_to(root).as_posix() for p in (root / "pycore").rglob("*.py"))
        assert sources and not [n for n in shipped if n.endswith(".py")]
        stale = [n for n in sources if n + "c" not in shipped or not bytecode.compiled_from(wheel.read(n + "c"), (root / n).read_bytes())]
        assert not stale, stale


# -- no remote code ---------------------------------------------------------------------------------
ALLOWED_URLS = {"https://web.whatsapp.com", "http://www.w3.org/2000/svg"}
EVAL = re.compile(r"\beval\s*\(|\bnew\s+Function\s*\(|\bFunction\s*\(\s*[\"'`]|\bset(?:Timeout|Interval)\s*\(\s*[\"'`]"
                  r"|\bimportScripts\s*\(")
REMOTE_IMPORT = re.compile(r"""(?:\bimport\s*\(|\bfrom)\s*[\"'`]\s*(?:https?:)?//|<script\b[^>]*\bsrc\s*=\s*["']?\s*(?:https?:)?//""",
                           re.I)
URL = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^\s"'`)<>]*""", re.I)


def own_code(base: Path) -> list[Path]:
    return sorted(p for p in base.rglob("*") if p.suffix in (".js", ".mjs", ".html") and "vendor" not in p.parts)


def test_no_remote_code(rebuilt):
    dist = rebuilt["dist"]
    manifest = json.loads((dist / "manifest.json").read_text())
    csp = manifest["content_security_policy"]["extension_pages"]
    assert re.fullmatch(r"script-src 'self' 'wasm-unsafe-eval'; object-src 'self'", csp), csp  # no eval, no hosts
    assert "externally_connectable" not in manifest and "sandbox" not in manifest
    assert manifest["host_permissions"] == ["https://web.whatsapp.com/*"]
    # The language model's endpoint is asked for at run time, for its one origin (options page).
    assert manifest["optional_host_permissions"] == ["https://*/*", "http://localhost/*", "http://127.0.0.1/*"]

    files = own_code(ROOT / "extension") + own_code(dist)
    assert len(files) > 40
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        found += [(path.as_posix(), m.group(0)) for m in EVAL.finditer(text)]
        found += [(path.as_posix(), m.group(0)) for m in REMOTE_IMPORT.finditer(text)]
        found += [(path.as_posix(), m.group(0)) for m in URL.finditer(text)
                  if not any(m.group(0).startswith(u) for u in ALLOWED_URLS)]
    assert not found, found
    # Pinned third-party code (Pyodide) loads no script from elsewhere; its Emscripten glue holds
    # eval(), which the CSP above leaves unreachable, and its packages all come from our lock file.
    for path in sorted((dist / "vendor").rglob("*.mjs")):
        assert not REMOTE_IMPORT.search(path.read_text(encoding="utf-8")), path


def test_checks_would_see_remote_code(tmp_path):
    """The patterns above find what they are meant to find (a planted copy of each kind)."""
    planted = {
        "a.js": 'const f = new Function("return 1");',
        "b.js": 'await import("https://cdn.example.com/x.js");',
        "c.js": 'import { x } from "//cdn.example.com/x.js";',
        "d.html": '<script src="https://cdn.example.com/x.js"></script>',
        "e.js": 'setTimeout("alert(1)", 5); eval(code);',
        "f.js": 'fetch("https://api.example.com/v1")',
    }
    for name, text in planted.items():
        (tmp_path / name).write_text(text)
        assert EVAL.search(text) or REMOTE_IMPORT.search(text) or URL.search(text), name
    assert len(own_code(tmp_path)) == len(planted)


# -- the store zip ----------------------------------------------------------------------------------
def test_store_zip_holds_exactly_dist(rebuilt):
    dist = rebuilt["dist"]
    files = {p.relative_to(dist).as_posix(): p for p in dist.rglob("*") if p.is_file()}
    with zipfile.ZipFile(rebuilt["zip"]) as z:
        names = [n for n in z.namelist() if not n.endswith("/")]
        assert sorted(names) == sorted(files)
        different = [n for n in names if z.read(n) != files[n].read_bytes()]
    assert not different, different
    assert "manifest.json" in names  # at the zip's root, as the store wants it
