"""The core's own tests, run inside Pyodide (Python 3.14) in the browser, so the
host's CPython 3.11 and the browser's Python cannot silently diverge. The storage
contract tests also run against the real IndexedDB adapter there."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests import browser

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def _test_wheels() -> list[Path]:
    lock = json.loads((ROOT / "scripts" / "vendor.lock.json").read_text())
    wheels = ROOT / ".cache" / "vendor" / "wheels"
    return [wheels / w["file"] for w in lock["wheels"] if w["group"] == "test"]


def _test_files() -> dict[str, str]:
    """The core's tests and what they read: the chat-export generator and fixtures, the replica's corpus."""
    files = {"tests/__init__.py": "", "tests/replica/__init__.py": ""}
    paths = sorted((ROOT / "tests" / "core").glob("*.py")) + sorted((ROOT / "tests" / "chat_export").glob("*.py"))
    paths += [ROOT / "tests" / "replica" / "corpus.py"]
    for path in paths:
        files[str(path.relative_to(ROOT))] = path.read_text()
    return files


def _fixtures() -> dict[str, str]:
    """Binary-safe fixture files (base64), written next to the tests."""
    folder = ROOT / "tests" / "chat_export" / "fixtures"
    return {str(p.relative_to(ROOT)): base64.b64encode(p.read_bytes()).decode() for p in sorted(folder.iterdir()) if p.is_file()}


def _collect_on_cpython() -> subprocess.Popen:
    """Start collecting the ids of every core test this CPython has (the browser must pass each of
    them); it runs while the browser works."""
    return subprocess.Popen([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "tests/core"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _collected(proc: subprocess.Popen) -> set[str]:
    out, err = proc.communicate(timeout=300)
    ids = {line.strip() for line in out.splitlines() if "::" in line}
    assert ids, out[-2000:] + err[-2000:]
    return ids


def test_core_suite_passes_inside_pyodide(ext):
    context, ext_id = ext
    collecting = _collect_on_cpython()
    page = browser.open_page(context, ext_id, "extension/pages/diagnostics/diagnostics.html")
    wheels = {p.name: base64.b64encode(p.read_bytes()).decode() for p in _test_wheels()}
    result = page.evaluate(
        """async ([wheels, files, fixtures]) => {
            const py = await mettriDiagnostics.getRuntime();
            const dec = (b64) => Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            py.FS.mkdirTree("/tmp/wheels");
            for (const [name, b64] of Object.entries(wheels)) py.FS.writeFile("/tmp/wheels/" + name, dec(b64));
            for (const [path, text] of Object.entries(files)) {
                py.FS.mkdirTree("/home/pyodide/" + path.split("/").slice(0, -1).join("/"));
                py.FS.writeFile("/home/pyodide/" + path, text);
            }
            for (const [path, b64] of Object.entries(fixtures)) {
                py.FS.mkdirTree("/home/pyodide/" + path.split("/").slice(0, -1).join("/"));
                py.FS.writeFile("/home/pyodide/" + path, dec(b64));
            }
            return await py.runPythonAsync(`
import glob, io, os, sys, zipfile, site, contextlib
target = site.getsitepackages()[0]
for whl in glob.glob("/tmp/wheels/*.whl"):
    zipfile.ZipFile(whl).extractall(target)
os.chdir("/home/pyodide")
sys.path.insert(0, "/home/pyodide")
import pytest
buf = io.StringIO()
with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
    code = pytest.main(["-v", "-p", "no:cacheprovider", "-o", "addopts=", "tests/core"])
str(int(code)) + chr(10) + buf.getvalue()
`);
        }""",
        [wheels, _test_files(), _fixtures()],
    )
    # The runtime as the extension loads it (extension/offscreen/runtime.js): the core installed as
    # bytecode alone, and pydantic never looked for plugins, though the suite built its models.
    shipped = page.evaluate("""async () => JSON.parse((await mettriDiagnostics.getRuntime()).runPython(`
import json, os, pycore.app, pydantic.plugin._loader as plugins
json.dumps([pycore.app.__spec__.origin, os.environ.get("PYDANTIC_DISABLE_PLUGINS"), plugins._plugins is None])
`))""")
    page.close()
    code, _, output = result.partition("\n")
    assert code == "0", output[-4000:]
    summary = output.strip().splitlines()[-1]
    assert "failed" not in summary and "error" not in summary and "skipped" not in summary, summary
    # pytest -v: "<node id> PASSED [ 12%]"; parametrized ids may hold spaces.
    passed = set(re.findall(r"^(tests/core/.+?::.+?) PASSED(?: +\[ *\d+%\])?$", output, re.M))
    # Every test CPython collects passed inside Pyodide too, and the IndexedDB contract tests
    # (which only exist in the browser) ran there: the full count, not "some".
    missing = _collected(collecting) - passed
    assert not missing, sorted(missing)[:20]
    idb = {t for t in passed if t.startswith("tests/core/test_storage_contract.py::") and t.endswith("[indexeddb]")}
    assert len(idb) >= 8, sorted(idb)
    assert shipped[0].endswith("/site-packages/pycore/app.pyc") and shipped[1:] == ["__all__", True], shipped
    assert int(re.search(r"(\d+) passed", summary).group(1)) == len(passed), summary
