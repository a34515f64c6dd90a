"""Fetch, verify and cache everything the extension loads into Pyodide.

Pins live in scripts/vendor.lock.json (version + sha256 for each file). Files are
cached in .cache/vendor/; a second build needs no network. A file whose sha256
does not match its pin stops the build with a message naming it.

    python scripts/vendor.py            # fetch what is missing, verify all
    python scripts/vendor.py --offline  # verify only; fail if anything is missing
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "scripts" / "vendor.lock.json"
CACHE = ROOT / ".cache" / "vendor"


class VendorError(SystemExit):
    def __init__(self, message: str):
        super().__init__(f"vendor: {message}")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_lock() -> dict:
    return json.loads(LOCK.read_text())


def verify(path: Path, expected: str) -> None:
    if not path.exists():
        raise VendorError(f"missing file {path.name} (expected in {path.parent})")
    actual = sha256(path)
    if actual != expected:
        raise VendorError(
            f"{path.name} does not match its pin: sha256 {actual} != {expected} (pinned in {LOCK.name}). "
            f"The file is corrupt or was tampered with; delete {path} to fetch it again."
        )


def _run(cmd: list[str], what: str) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise VendorError(f"could not fetch {what}: {' '.join(cmd[:3])}... failed:\n{result.stderr[-2000:]}")


def _npm_pack(spec: dict, offline: bool) -> Path:
    """The npm tarball ``spec`` names, fetched into the cache if missing, checked against its pin."""
    tgz = CACHE / spec["file"]
    if not tgz.exists():
        if offline:
            raise VendorError(f"missing file {spec['file']} and --offline was given")
        CACHE.mkdir(parents=True, exist_ok=True)
        _run(["npm", "pack", f"{spec['name']}@{spec['version']}", "--pack-destination", str(CACHE), "--silent"], spec["file"])
    verify(tgz, spec["sha256"])
    return tgz


def fetch_runtime(spec: dict, offline: bool) -> Path:
    tgz = _npm_pack(spec, offline)
    out = CACHE / f"pyodide-{spec['version']}"
    stamp = out / ".verified"
    if not stamp.exists() or stamp.read_text() != spec["sha256"]:
        shutil.rmtree(out, ignore_errors=True)
        with tempfile.TemporaryDirectory() as tmp, tarfile.open(tgz) as tar:
            tar.extractall(tmp, filter="data")
            out.mkdir(parents=True)
            for name in spec["files"]:
                src = Path(tmp) / "package" / name
                if not src.exists():
                    raise VendorError(f"{spec['file']} has no {name}")
                shutil.copy2(src, out / name)
        stamp.write_text(spec["sha256"])
    return out


def fetch_wheel(spec: dict, tag: dict, offline: bool) -> Path:
    path = CACHE / "wheels" / spec["file"]
    if not path.exists():
        if offline:
            raise VendorError(f"missing file {spec['file']} and --offline was given")
        path.parent.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q",
               "--python-version", tag["python_version"], "-d", str(path.parent)]
        if "wasm32" in spec["file"]:
            cmd += ["--implementation", tag["implementation"], "--abi", tag["abi"], "--platform", tag["platform"]]
        _run(cmd + [f"{spec['name']}=={spec['version']}"], spec["file"])
    verify(path, spec["sha256"])
    return path


def fetch_bench(name: str, offline: bool = False) -> Path:
    """A benchmark-only npm package (the lock's "bench" list), verified and unpacked in the cache.

    Never part of ``ensure()``: nothing here is copied into dist/.
    """
    spec = next(s for s in load_lock().get("bench", []) if s["name"] == name)
    tgz = _npm_pack(spec, offline)
    out = CACHE / f"{spec['name']}-{spec['version']}"
    if not (out / ".verified").exists() or (out / ".verified").read_text() != spec["sha256"]:
        shutil.rmtree(out, ignore_errors=True)
        with tarfile.open(tgz) as tar:
            for rel in spec["files"]:
                member = tar.extractfile(f"package/{rel}")
                if member is None:
                    raise VendorError(f"{spec['file']} has no {rel}")
                (out / rel).parent.mkdir(parents=True, exist_ok=True)
                (out / rel).write_bytes(member.read())
        (out / ".verified").write_text(spec["sha256"])
    return out


def ensure(offline: bool = False) -> dict:
    """Return {"runtime": dir, "wheels": {name: path}} after verifying every pin."""
    lock = load_lock()
    runtime = fetch_runtime(lock["runtime"], offline)
    wheels = {w["name"]: fetch_wheel(w, lock["python_tag"], offline) for w in lock["wheels"]}
    return {"runtime": runtime, "wheels": wheels, "lock": lock}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--offline", action="store_true", help="verify the cache only, never download")
    args = ap.parse_args()
    got = ensure(offline=args.offline)
    print(f"vendor: {len(got['wheels'])} wheels and pyodide {got['lock']['runtime']['version']} verified in {CACHE}")


if __name__ == "__main__":
    main()
