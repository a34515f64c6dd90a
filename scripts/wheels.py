"""The Python the extension loads, packed for a fast start (issue 16).

Two wheels instead of seven: the binary ``pydantic-core`` as published, and one ``mettri-core``
wheel holding the core and every pure-Python dependency (pydantic, typing-extensions,
annotated-types, typing-inspection), each with its own ``.dist-info``. Every module ships as
CPython 3.14 bytecode compiled by the very Pyodide runtime the extension ships (run in Node,
scripts/pyc/), so the browser imports without compiling: measured, it halves the import of
pydantic and the core. The bytecode replaces the source (half the files to install at start).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXED = (1980, 1, 1, 0, 0, 0)


def is_pure(wheel: Path) -> bool:
    return wheel.name.endswith("-none-any.whl")


def compile_bytecode(runtime: Path, wheels: list[Path], out: Path) -> dict[str, Path]:
    """Each wheel with its modules as bytecode (``mod.pyc`` in place of ``mod.py``), written to ``out``."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "in").mkdir()
        for w in wheels:
            shutil.copy2(w, Path(tmp) / "in" / w.name)
        cmd = ["node", str(HERE / "pyc" / "compile_wheels.mjs"), str(runtime), tmp]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"build: compiling bytecode in Pyodide failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
        out.mkdir(parents=True, exist_ok=True)
        done = {}
        for w in wheels:
            compiled = Path(tmp) / "out" / w.name
            if not compiled.exists():
                raise SystemExit(f"build: no compiled copy of {w.name}")
            shutil.copy2(compiled, out / w.name)
            done[w.name] = out / w.name
    return done


def merge(wheels: list[Path], dest: Path) -> None:
    """One wheel holding every file of ``wheels`` (all pure Python; the last one names it);
    fixed timestamps, sorted. Pyodide installs a wheel by its one .dist-info directory, so the
    others' metadata (their licences) moves inside it, under ``bundled/``."""
    seen: dict[str, str] = {}
    entries: list[tuple[str, bytes]] = []
    own = next(n.split("/")[0] for n in zipfile.ZipFile(wheels[-1]).namelist() if n.split("/")[0].endswith(".dist-info"))
    for w in wheels:
        with zipfile.ZipFile(w) as z:
            for name in z.namelist():
                if name.endswith("/"):
                    continue
                top = name.split("/")[0]
                if top.endswith(".dist-info") and top != own:
                    name = f"{own}/bundled/{name}"
                if name in seen:
                    raise SystemExit(f"build: {name} is in both {seen[name]} and {w.name}")
                seen[name] = w.name
                entries.append((name, z.read(name if not name.startswith(f"{own}/bundled/") else name.split("/bundled/", 1)[1])))
    with zipfile.ZipFile(dest, "w") as z:
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, FIXED)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
