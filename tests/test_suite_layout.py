"""Every folder of tests is collected by the README's test command. pytest skips folders whose
names match ``norecursedirs``, and its default list holds "build": tests/build (the lint, type and
build checks) went uncollected that way, passing whenever run by name."""

from __future__ import annotations

import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_folder_with_tests_is_collected(pytestconfig):
    skipped = pytestconfig.getini("norecursedirs")  # the list in force: pyproject's, else pytest's default
    folders = {p.parent for p in (ROOT / "tests").rglob("test_*.py") if "node_modules" not in p.parts}
    assert ROOT / "tests" / "build" in folders
    hidden = sorted(str(f.relative_to(ROOT)) for f in folders
                    if any(fnmatch.fnmatch(part, pattern) for part in f.relative_to(ROOT).parts for pattern in skipped))
    assert hidden == [], f"never collected (norecursedirs {skipped})"
