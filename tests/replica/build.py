"""Build the replica: `npm ci` when node_modules is missing, then esbuild into build/.

Idempotent: a stamp file holds a hash of every input; when nothing changed the build is a
no-op that takes a few milliseconds. Usable as a script (`python tests/replica/build.py`)
or via `ensure_built()` (site.py calls it).
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
OUT = HERE / "build"
STAMP = OUT / ".stamp"
STATIC = ("index.html", "app.css")


def _inputs_hash() -> str:
    h = hashlib.sha256()
    for p in sorted(SRC.rglob("*")) + [HERE / "package-lock.json", Path(__file__)]:
        if p.is_file():
            h.update(p.relative_to(HERE).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def ensure_built(force: bool = False) -> Path:
    """Return the build directory, (re)building only when an input changed."""
    digest = _inputs_hash()
    if not force and STAMP.exists() and STAMP.read_text() == digest and (OUT / "app.js").exists():
        return OUT
    if not (HERE / "node_modules" / ".bin" / "esbuild").exists():
        # its report goes to stderr: a benchmark's stdout is its JSON alone
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, stdout=sys.stderr)
    OUT.mkdir(exist_ok=True)
    subprocess.run(
        [str(HERE / "node_modules" / ".bin" / "esbuild"), str(SRC / "main.js"), "--bundle", "--format=iife",
         "--target=chrome120", "--define:process.env.NODE_ENV=\"production\"", "--log-level=warning",
         f"--outfile={OUT / 'app.js'}"],
        cwd=HERE, check=True,
    )
    for name in STATIC:
        shutil.copyfile(SRC / name, OUT / name)
    STAMP.write_text(digest)
    return OUT


if __name__ == "__main__":
    ensure_built(force="--force" in sys.argv)
    print(OUT)
