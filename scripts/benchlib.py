"""What the benchmarks share: percentiles, a local file server for in-run baselines, the
before/after layout of the JSON they print, and the check against the committed baseline.

Every benchmark compares in the same run: its figures are ratios to a baseline measured in that
run (absolute times on these shared 2-core machines drift 2x between runs). It prints one JSON
object with ``regressions``: each ratio more than 20 % worse than in
``scripts/baselines/<name>.json`` (``--save-baseline`` rewrites that file from this run).
"""

from __future__ import annotations

import functools
import http.server
import json
import statistics
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINES = ROOT / "scripts" / "baselines"
TOLERANCE = 0.20


# n core.ping round trips from an extension page (MettriCore), each in ms: the in-run baseline of
# the benchmarks that time the core from a page.
PING_LOOP = """async (n) => {
    const out = [];
    for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        const r = await MettriCore.request("core.ping", {echo: "x"});
        if (!r.ok) throw new Error(JSON.stringify(r));
        out.push(performance.now() - t0);
    }
    return out;
}"""

# core.ping round trips from an extension page, one at a time (then paceMs of rest) until done()
# says the work being watched has ended: the slowest waited behind the longest stretch the core's
# thread was held meanwhile. A function's source, put in page scripts where they say __PINGS_WHILE__.
PINGS_WHILE = """async (done, paceMs) => {
    const pings = [];
    while (!done()) {
        const t0 = performance.now();
        await MettriCore.request("core.ping", {});
        pings.push(performance.now() - t0);
        if (paceMs) await new Promise((r) => setTimeout(r, paceMs));
    }
    return pings;
}"""


# A bare loadPyodide() of the build's own runtime files, timed in an extension page: the in-run
# baseline of the benchmarks that time the core's start.
BARE_LOAD = """async () => {
    const base = new URL("/vendor/pyodide/", location.href).href;
    const { loadPyodide } = await import("/vendor/pyodide/pyodide.mjs");
    const t0 = performance.now();
    const py = await loadPyodide({ indexURL: base, lockFileURL: base + "mettri-lock.json" });
    py.runPython("1 + 1");
    return performance.now() - t0;
}"""


def bare_load(context, ext_id: str) -> float:
    """A bare loadPyodide() in an extension tab of this browser, twice: the median (ms)."""
    times = []
    for _ in range(2):
        page = context.new_page()
        page.goto(f"chrome-extension://{ext_id}/manifest.json")
        times.append(page.evaluate(BARE_LOAD))
        page.close()
    return round(statistics.median(times))


def log(*a) -> None:
    print(*a, file=sys.stderr, flush=True)


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return round(s[min(len(s) - 1, int(p / 100 * len(s)))], 2)


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50_ms": pct(values, 50), "p95_ms": pct(values, 95), "p99_ms": pct(values, 99),
            "max_ms": round(max(values), 2), "mean_ms": round(statistics.fmean(values), 2)}


def median(values) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


def spread(values) -> dict | None:
    """How noisy a figure was across rounds: min, median, max."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"min": round(min(values), 3), "median": round(statistics.median(values), 3), "max": round(max(values), 3)}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm",
                      ".mjs": "text/javascript", ".js": "text/javascript"}

    def end_headers(self) -> None:
        # Nothing cached between launches: the extension's own files are not HTTP-cached either.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args) -> None:
        pass


class FileServer:
    """Serves a folder on 127.0.0.1 (a bare page for baselines), in a thread."""

    def __init__(self, folder: Path) -> None:
        handler = functools.partial(_Quiet, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()


def check(name: str, ratios: dict[str, float | None], higher_is_better: frozenset[str] = frozenset()) -> list[dict]:
    """Ratios more than TOLERANCE worse than the committed baseline's (lower is better unless named)."""
    path = BASELINES / f"{name}.json"
    if not path.exists():
        return [{"note": f"no committed baseline ({path.relative_to(ROOT)}): run with --save-baseline"}]
    committed = json.loads(path.read_text())["ratios"]
    out = []
    for key, value in ratios.items():
        base = committed.get(key)
        if value is None or not base:
            continue
        worse = (base - value) / base if key in higher_is_better else (value - base) / base
        if worse > TOLERANCE:
            out.append({"ratio": key, "now": value, "baseline": base, "worse_by": f"{worse:.0%}"})
    return out


def finish(name: str, result: dict, ratios: dict[str, float | None], *, higher_is_better: frozenset[str] = frozenset(),
           save: bool = False) -> None:
    """Print the result with its ratios and regressions; optionally commit this run as the baseline."""
    result["ratios"] = ratios
    result["regressions"] = check(name, ratios, higher_is_better)
    if save:
        BASELINES.mkdir(exist_ok=True)
        (BASELINES / f"{name}.json").write_text(json.dumps({"benchmark": name, "ratios": ratios}, indent=2) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if result["regressions"] and "note" not in result["regressions"][0]:
        log(f"{name}: REGRESSION against scripts/baselines/{name}.json: {result['regressions']}")
