"""Build the loadable extension into dist/ and a versioned zip for the Chrome Web Store.

    python scripts/build.py            # fetch/verify pins (cached), build the core wheel, assemble dist/
    python scripts/build.py --offline  # same, but never touch the network

Steps: verify every pinned file (scripts/vendor.py), check generated files are
current, build the core wheel with `python -m build`, copy manifest + extension/
+ Pyodide + wheels into dist/, bundle each extension page's modules (esbuild, pinned
in scripts/bundler/), write our own Pyodide lock file listing exactly the bundled
wheels (so loadPackage resolves dependencies offline), and zip.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

import gen_protocol  # noqa: E402
import vendor  # noqa: E402
import wheels  # noqa: E402

DIST = ROOT / "dist"
BUILD = ROOT / "build"
CORE_PACKAGE = "mettri-core"
ESBUILD = ROOT / "scripts" / "bundler" / "node_modules" / ".bin" / "esbuild"
PAGES = "extension/pages"
MODULE_SCRIPT = re.compile(r"<script\b[^>]*\btype=\"module\"[^>]*\bsrc=\"([^\"]+)\"")


def build_core_wheel() -> Path:
    out = ROOT / ".cache" / "core-wheel"
    shutil.rmtree(out, ignore_errors=True)
    # --no-isolation: use the setuptools already installed, so a rebuild needs no network.
    cmd = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"build: the core wheel failed to build:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    shutil.rmtree(ROOT / "build" / "lib", ignore_errors=True)
    shutil.rmtree(ROOT / "build" / "bdist.linux-x86_64", ignore_errors=True)
    for egg in ROOT.glob("*.egg-info"):
        shutil.rmtree(egg, ignore_errors=True)
    wheels = list(out.glob("mettri_core-*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"build: expected one core wheel in {out}, found {wheels}")
    return wheels[0]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def lock_entry(name: str, version: str, file: Path, imports: list[str], depends: list[str]) -> dict:
    return {
        "name": name,
        "version": version,
        "file_name": file.name,
        "install_dir": "site",
        "sha256": sha256(file),
        "package_type": "package",
        "imports": imports,
        "depends": depends,
        "unvendored_tests": False,
        "tool": {},
    }


def write_lock(runtime_dir: Path, entries: list[dict], dest: Path) -> None:
    info = json.loads((runtime_dir / "pyodide-lock.json").read_text())["info"]
    lock = {"info": info, "packages": {e["name"]: e for e in entries}}
    dest.write_text(json.dumps(lock, indent=1, sort_keys=True))


def assemble(got: dict, core_wheel: Path) -> None:
    version = json.loads((ROOT / "manifest.json").read_text())["version"]
    shutil.rmtree(DIST, ignore_errors=True)
    DIST.mkdir()
    shutil.copy2(ROOT / "manifest.json", DIST / "manifest.json")
    shutil.copytree(ROOT / "extension", DIST / "extension", ignore=shutil.ignore_patterns("_locales", "*.md", "*.d.ts"))
    shutil.copytree(ROOT / "extension" / "_locales", DIST / "_locales")
    bundle_pages()

    pyo = DIST / "vendor" / "pyodide"
    pyo.mkdir(parents=True)
    for f in got["lock"]["runtime"]["files"]:
        if f != "pyodide-lock.json":  # replaced by ours: the stock one names wheels we do not ship
            shutil.copy2(got["runtime"] / f, pyo / f)
    # Two wheels (scripts/wheels.py): the binary pydantic-core, and mettri-core holding the core with
    # every pure dependency; both with bytecode compiled by this Pyodide.
    specs = [s for s in got["lock"]["wheels"] if s["group"] == "core"]
    sources = [got["wheels"][s["name"]] for s in specs] + [core_wheel]
    compiled = wheels.compile_bytecode(got["runtime"], sources, ROOT / ".cache" / "compiled-wheels")
    binary = [s for s in specs if not wheels.is_pure(got["wheels"][s["name"]])]
    pure = [s for s in specs if wheels.is_pure(got["wheels"][s["name"]])]
    entries = []
    for spec in binary:
        path = compiled[got["wheels"][spec["name"]].name]
        shutil.copy2(path, pyo / path.name)
        # Its pure dependencies travel inside mettri-core, which loads it.
        entries.append(lock_entry(spec["name"], spec["version"], path, spec["imports"], []))
    merged = pyo / core_wheel.name
    wheels.merge([compiled[got["wheels"][s["name"]].name] for s in pure] + [compiled[core_wheel.name]], merged)
    core_version = core_wheel.name.split("-")[1]
    imports = ["pycore"] + [i for s in pure for i in s["imports"]]
    entries.append(lock_entry(CORE_PACKAGE, core_version, merged, imports, [s["name"] for s in binary]))
    write_lock(got["runtime"], entries, pyo / "mettri-lock.json")

    BUILD.mkdir(exist_ok=True)
    zip_path = BUILD / f"mettri-{version}.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(DIST.rglob("*")):
            if path.is_file():
                z.write(path, path.relative_to(DIST).as_posix())
    size = sum(p.stat().st_size for p in DIST.rglob("*") if p.is_file())
    print(f"build: dist/ ready ({size / 1e6:.1f} MB), {zip_path.relative_to(ROOT)} ({zip_path.stat().st_size / 1e6:.1f} MB)")


def page_entries() -> dict[Path, list[Path]]:
    """Each extension page and the module scripts it loads (its entry points), as source paths."""
    pages = {}
    for page in sorted((ROOT / PAGES).rglob("*.html")):
        found = MODULE_SCRIPT.findall(page.read_text(encoding="utf-8"))
        if found:
            pages[page] = [(page.parent / src).resolve() for src in found]
    return pages


def bundle_pages() -> None:
    """Each page's module graph becomes its entry files plus the chunks they share (`pages/chunks/`),
    so one module keeps one instance in a page (first-paint.js and sidepanel.js share theirs). A
    page's modules used to be fetched one import level at a time: the side panel's 35 held its
    DOMContentLoaded, and the cached card drawn after it, near 300 ms. Pages are bundled one by one
    (what two pages share is copied into each: a page fetches fewer files). The modules stay in
    dist/ as written beside the bundles (an extension context may import one of them on its own)."""
    if not ESBUILD.is_file():
        raise SystemExit("build: esbuild is missing (scripts/bundler/node_modules); run ./scripts/setup.sh")
    for scripts in page_entries().values():
        cmd = [str(ESBUILD), *map(str, scripts), "--bundle", "--splitting", "--format=esm", "--target=chrome120",
               "--charset=utf8", "--log-level=warning", "--external:/vendor/*", f"--outbase={ROOT / PAGES}",
               f"--outdir={DIST / PAGES}", "--chunk-names=chunks/[name]-[hash]"]
        subprocess.run(cmd, check=True, cwd=ROOT)


def main() -> None:
    ap = argparse.ArgumentParser(description="Build the Mettri extension.")
    ap.add_argument("--offline", action="store_true", help="never download; fail if a pinned file is missing")
    args = ap.parse_args()
    stale = gen_protocol.stale()
    if stale:
        raise SystemExit(f"build: generated files are stale: {', '.join(stale)}; run python scripts/gen_protocol.py")
    got = vendor.ensure(offline=args.offline)
    assemble(got, build_core_wheel())


if __name__ == "__main__":
    main()
