"""Run inside Pyodide by compile_wheels.mjs: every wheel in /work/in is copied to /work/out with each
module's bytecode in place of its source (``mod.py`` becomes ``mod.pyc``, which Python imports
sourceless). The bytecode is unchecked-hash (PEP 552), so the header still names the source it was
compiled from (tests/build/test_dist.py checks it against the pinned wheels). Sources are left out
because installing a wheel writes each of its files: half the files made the core's install at
start about 70 ms shorter (issue 16, target 1); a traceback keeps its file names and line numbers.
Entries keep a fixed timestamp, so the same input gives the same wheel."""

import importlib.util
import os
import sys
import zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

SITE = f"/lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages/"
FIXED = (1980, 1, 1, 0, 0, 0)


def entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, FIXED)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def compile_wheel(src: str, dst: str) -> int:
    count = 0
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        record_name = next(n for n in zin.namelist() if n.endswith(".dist-info/RECORD"))
        added = []
        dropped = set()
        for name in zin.namelist():
            data = zin.read(name)
            if name == record_name:
                continue
            if name.endswith(".py") and ".dist-info/" not in name:
                code = compile(data, SITE + name, "exec", dont_inherit=True)
                pyc = _code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False)
                zout.writestr(entry(name + "c"), pyc)
                dropped.add(name)
                added.append(name + "c")
                count += 1
            else:
                zout.writestr(entry(name), data)
        record = zin.read(record_name).decode().rstrip("\n").split("\n")
        record = [r for r in record if r.split(",")[0] not in dropped | {record_name}]
        record += [f"{n},," for n in added] + [f"{record_name},,"]
        zout.writestr(entry(record_name), "\n".join(record) + "\n")
    return count


os.makedirs("/work/out", exist_ok=True)
for name in sorted(os.listdir("/work/in")):
    if name.endswith(".whl"):
        n = compile_wheel(f"/work/in/{name}", f"/work/out/{name}")
        print(f"{name}: {n} modules compiled")
