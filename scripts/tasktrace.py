"""Where a tab's long tasks went: a CDP trace of its main thread, with the extension's share.

The Long Tasks API counts the tasks over 50 ms but cannot say whose they are: a content script's
MutationObserver callbacks run inside the task that made the page's changes. The trace can: each
task's script calls carry their script's URL, so the time the extension's scripts took inside a
task is known, and with it whether the task would have stayed under 50 ms without them (issue 16,
target 4: no task over 50 ms because of Mettri).

What the trace cannot tell apart, and this does not claim: the page's own work made slower by
the extension (the browser recording mutations for its observers, garbage collection of what its
scripts allocated, the CPU the core takes on another thread). Those show as the page's own time.
"""

from __future__ import annotations

import base64
import json

LONG_TASK_MS = 50.0
CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline"]


def start(cdp) -> dict:
    """Start tracing the page behind ``cdp``; returns the dict the trace's end is noted in."""
    done: dict = {}
    cdp.on("Tracing.tracingComplete", lambda params: done.update(params))
    cdp.send("Tracing.start", {"transferMode": "ReturnAsStream",
                               "traceConfig": {"includedCategories": CATEGORIES}})
    return done


def stop(cdp, page, done: dict) -> list[dict]:
    """End the trace and read its events (the page's own timer turns Playwright's event loop)."""
    cdp.send("Tracing.end")
    while "stream" not in done:
        page.wait_for_timeout(50)  # the stream's handle comes as an event, not a reply
    chunks = []
    while True:
        part = cdp.send("IO.read", {"handle": done["stream"], "size": 1 << 20})
        chunks.append(base64.b64decode(part["data"]) if part.get("base64Encoded") else part["data"].encode())
        if part.get("eof"):
            break
    cdp.send("IO.close", {"handle": done["stream"]})
    trace = json.loads(b"".join(chunks))
    return trace["traceEvents"] if isinstance(trace, dict) else trace


def main_thread(events: list[dict], origin: str) -> tuple[int, int]:
    """(pid, tid) of the renderer main thread that ran the page at ``origin``."""
    frames = (f for e in events if e.get("name") == "TracingStartedInBrowser"
              for f in e.get("args", {}).get("data", {}).get("frames", []))
    pid = next((f["processId"] for f in frames if str(f.get("url", "")).startswith(origin) and "processId" in f), None)
    if pid is None:  # older traces: the process whose script calls name the page's origin
        pid = next(e["pid"] for e in events if e.get("name") == "FunctionCall"
                   and str(e.get("args", {}).get("data", {}).get("url", "")).startswith(origin))
    for e in events:
        if e.get("ph") == "M" and e.get("name") == "thread_name" and e["pid"] == pid \
                and e.get("args", {}).get("name") == "CrRendererMain":
            return pid, e["tid"]
    raise ValueError(f"no main thread for {origin} in the trace")


def _union_ms(spans: list[tuple[float, float]]) -> float:
    """The time covered by the spans (µs in, ms out): a call nested in another counts once."""
    total, end = 0.0, float("-inf")
    for a, b in sorted(spans):
        if b <= end:
            continue
        total += b - max(a, end)
        end = b
    return total / 1000


def long_tasks(events: list[dict], origin: str, script_prefix: str | None, limit_ms: float = LONG_TASK_MS) -> dict:
    """The tasks over ``limit_ms`` on the main thread of the page at ``origin``, each with the time
    its calls into scripts under ``script_prefix`` took (None: no extension, none counted)."""
    pid, tid = main_thread(events, origin)
    mine = [e for e in events if e.get("pid") == pid and e.get("tid") == tid and e.get("ph") == "X"]
    tasks = sorted((e for e in mine if e["name"] == "RunTask"), key=lambda e: e["ts"])
    calls = sorted(((e["ts"], e["ts"] + e.get("dur", 0)) for e in mine if e["name"] == "FunctionCall"
                    and script_prefix and str(e.get("args", {}).get("data", {}).get("url", "")).startswith(script_prefix)))
    out = []
    for t in tasks:
        ms = t.get("dur", 0) / 1000
        if ms <= limit_ms:
            continue
        a, b = t["ts"], t["ts"] + t.get("dur", 0)
        share = _union_ms([(max(x, a), min(y, b)) for x, y in calls if x < b and y > a])
        out.append({"ms": round(ms, 1), "extension_ms": round(share, 2)})
    return {
        "tasks": len(tasks),
        "over_limit": len(out),
        "longest_ms": max((t["ms"] for t in out), default=0),
        "extension_ms_in_longest": max(out, key=lambda t: t["ms"])["extension_ms"] if out else 0,
        "extension_ms_in_long_tasks_max": max((t["extension_ms"] for t in out), default=0),
        # the tasks over the limit that its scripts' share took over it
        "over_limit_because_of_extension": sum(1 for t in out if t["ms"] - t["extension_ms"] <= limit_ms),
    }
