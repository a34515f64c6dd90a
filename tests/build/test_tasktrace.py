"""scripts/tasktrace.py: bench_capture's account of the WhatsApp tab's long tasks, on a made-up
trace whose answer is known (the page's thread among others, calls nested in calls)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import tasktrace  # noqa: E402

PAGE = "https://web.whatsapp.com"
EXT = "chrome-extension://abc/"


def task(ts_ms: float, ms: float, tid: int = 7, pid: int = 42) -> dict:
    return {"name": "RunTask", "ph": "X", "pid": pid, "tid": tid, "ts": ts_ms * 1000, "dur": ms * 1000}


def call(ts_ms: float, ms: float, url: str, tid: int = 7, pid: int = 42) -> dict:
    return {"name": "FunctionCall", "ph": "X", "pid": pid, "tid": tid, "ts": ts_ms * 1000, "dur": ms * 1000,
            "args": {"data": {"url": url}}}


def trace(*events: dict) -> list[dict]:
    return [
        {"name": "TracingStartedInBrowser", "ph": "I", "pid": 1, "tid": 1, "ts": 0,
         "args": {"data": {"frames": [{"url": "chrome-extension://abc/offscreen.html", "processId": 50},
                                      {"url": PAGE + "/", "processId": 42}]}}},
        {"name": "thread_name", "ph": "M", "pid": 42, "tid": 7, "args": {"name": "CrRendererMain"}},
        {"name": "thread_name", "ph": "M", "pid": 42, "tid": 9, "args": {"name": "Compositor"}},
        {"name": "thread_name", "ph": "M", "pid": 50, "tid": 3, "args": {"name": "CrRendererMain"}},
        *events,
    ]


def test_a_long_task_is_counted_as_the_extensions_only_when_its_calls_took_it_over():
    events = trace(
        # 60 ms, 12 ms of it the content script's (a 5 ms call nested inside a 12 ms one): 48 without
        task(0, 60), call(1, 30, PAGE + "/app.js"), call(40, 12, EXT + "content/capture.js"),
        call(41, 5, EXT + "content/read-dom.js"),
        # 70 ms, 2 ms of it the extension's: long whatever the extension did
        task(100, 70), call(100, 60, PAGE + "/app.js"), call(165, 2, EXT + "content/content.js"),
        # under the limit: not listed
        task(200, 40), call(200, 35, EXT + "content/capture.js"),
        # another thread and another process: not the page's main thread
        task(300, 90, tid=9), call(300, 80, EXT + "content/capture.js", tid=9),
        task(400, 90, pid=50, tid=3), call(400, 80, EXT + "offscreen/main.js", pid=50, tid=3),
    )
    got = tasktrace.long_tasks(events, PAGE, EXT)
    assert got == {"tasks": 3, "over_limit": 2, "longest_ms": 70.0, "extension_ms_in_longest": 2.0,
                   "extension_ms_in_long_tasks_max": 12.0, "over_limit_because_of_extension": 1}


def test_without_the_extension_no_share_is_counted():
    events = trace(task(0, 60), call(1, 30, PAGE + "/app.js"), call(40, 12, EXT + "content/capture.js"))
    got = tasktrace.long_tasks(events, PAGE, None)
    assert got["over_limit"] == 1 and got["extension_ms_in_long_tasks_max"] == 0
    assert got["over_limit_because_of_extension"] == 0


def test_a_call_that_began_before_the_task_counts_only_inside_it():
    events = trace(task(10, 55), call(0, 20, EXT + "content/capture.js"))
    assert tasktrace.long_tasks(events, PAGE, EXT)["extension_ms_in_longest"] == 10.0
