"""The core's own tests, run inside Pyodide (Python 3.14) in the browser, so the
host's CPython 3.11 and the browser's Python cannot silently diverge. The storage
contract tests also run against the real IndexedDB adapter there."""

from __future__ import annotations

import base64
import json
import re
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
    files = {"tests/__init__.py": ""}
    for path in sorted((ROOT / "tests" / "core").glob("*.py")):
        files[f"tests/core/{path.name}"] = path.read_text()
    return files


def test_core_suite_passes_inside_pyodide(ext):
    context, ext_id = ext
    page = browser.open_page(context, ext_id, "extension/pages/diagnostics/diagnostics.html")
    wheels = {p.name: base64.b64encode(p.read_bytes()).decode() for p in _test_wheels()}
    result = page.evaluate(
        """async ([wheels, files]) => {
            const py = await mettriDiagnostics.getRuntime();
            const dec = (b64) => Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            py.FS.mkdirTree("/tmp/wheels");
            for (const [name, b64] of Object.entries(wheels)) py.FS.writeFile("/tmp/wheels/" + name, dec(b64));
            for (const [path, text] of Object.entries(files)) {
                py.FS.mkdirTree("/home/pyodide/" + path.split("/").slice(0, -1).join("/"));
                py.FS.writeFile("/home/pyodide/" + path, text);
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
        [wheels, _test_files()],
    )
    page.close()
    code, _, output = result.partition("\n")
    assert code == "0", output[-4000:]
    summary = output.strip().splitlines()[-1]
    passed = int(re.search(r"(\d+) passed", summary).group(1))
    assert "failed" not in summary and "error" not in summary, summary
    # The IndexedDB contract tests only exist in the browser: they must have run there.
    idb = re.findall(r"test_storage_contract.py::\S+\[indexeddb\] PASSED", output)
    assert len(idb) >= 8, output[-4000:]
    assert passed >= 20, summary
