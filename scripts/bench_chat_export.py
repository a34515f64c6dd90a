"""Benchmark of the chat-export parser on CPython (Pyodide runs the same code ~3-5x slower).

    python3 scripts/bench_chat_export.py [--sizes 10000,100000] [--repeat 5]

For each size, one chat of that many messages from the replica's corpus (seed 11), rendered by
tests/chat_export/generate.py in a few formats (Android pt-BR .txt; iOS en 12-hour .zip with
media names; Android es 12-hour UTF-16). Measured per file, best of --repeat runs:
- parse: pycore.chat_export.parse_export on the file's bytes (decode, unzip, every message);
- baseline: the floor any line-based reader pays on the same text: ``bytes.decode`` +
  ``str.splitlines()`` + one compiled header regex ``match`` per line.
The ratio parse/baseline is the figure to compare between runs (absolute times drift on shared
machines); seconds and messages/s are printed too. Prints JSON; asserts nothing; reports a ratio
more than 20 % worse than scripts/baselines/chat_export.json (``--save-baseline`` rewrites it).
"""

from __future__ import annotations

import argparse
import gc
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from benchlib import finish  # noqa: E402
from pycore.chat_export import parse_export  # noqa: E402
from tests.chat_export.generate import STYLES, big_export  # noqa: E402

FORMATS = ("android_pt", "ios_en_us", "android_es_12h_utf16")
_BASELINE_RX = re.compile(r"^\u200e?\[?\d{1,4}[./-]\d{1,2}[./-]\d{1,4},? \d{1,2}[:.]\d{2}")


def style(name: str):
    if name == "android_es_12h_utf16":
        from dataclasses import replace

        return replace(STYLES["android_es_12h"], name=name, container="txt", encoding="utf-16-le")
    return STYLES[name]


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def baseline(text_bytes: bytes, encoding: str) -> int:
    hits = 0
    match = _BASELINE_RX.match
    for line in text_bytes.decode(encoding).splitlines():
        if match(line):
            hits += 1
    return hits


def measure(n: int, fmt: str, repeat: int) -> dict:
    export = big_export(n, style(fmt))
    encoding = {"utf-8": "utf-8", "utf-16-le": "utf-16"}[export.style.encoding]
    raw_text = export.text.encode(export.style.encoding) if encoding == "utf-8" else export.data
    parsed = parse_export(export.data, export.file_name)
    assert len(parsed.messages) == len(export.expected)
    t_parse = best(lambda: parse_export(export.data, export.file_name), repeat)
    t_base = best(lambda: baseline(raw_text, encoding), repeat)
    return {
        "format": fmt, "messages": len(parsed.messages), "bytes": len(export.data),
        "parse_s": round(t_parse, 4), "baseline_s": round(t_base, 4), "ratio": round(t_parse / t_base, 2),
        "messages_per_s": round(len(parsed.messages) / t_parse),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--save-baseline", action="store_true")
    args = ap.parse_args()
    results = [measure(int(n), fmt, args.repeat) for n in args.sizes.split(",") for fmt in FORMATS]
    ratios = {f"{r['format']}_{r['messages']}_parse_over_baseline": r["ratio"] for r in results}
    finish("chat_export", {"benchmark": "chat_export", "python": sys.version.split()[0],
                           "target": "parse <= 1.5 s per 100k messages on CPython", "results": results},
           ratios, save=args.save_baseline)


if __name__ == "__main__":
    main()
