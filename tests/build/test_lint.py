"""The architecture is checked by tools, not by review: ruff (no reaching into another object's
private members, pyflakes, bugbear) and import-linter (the JS host and the composition root over
the features, features independent of each other but for their protocol modules, the kernel
below). Both run here, and a planted violation of each must fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_ruff_finds_nothing():
    out = run([str(BIN / "ruff"), "check", "pycore", "scripts", "tests"], ROOT)
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_import_contracts_are_kept():
    out = run([str(BIN / "lint-imports")], ROOT)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr


def test_planted_violations_fail(tmp_path):
    shutil.copytree(ROOT / "pycore", tmp_path / "pycore", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    # A feature that reaches into another feature's service and its private state.
    (tmp_path / "pycore" / "search" / "leak.py").write_text(
        "from pycore.sending.gate import SendGate\n\n\n"
        "def peek(gate: SendGate) -> object:\n"
        "    return gate._private_state\n"
    )
    lint = run([str(BIN / "lint-imports")], tmp_path)
    assert lint.returncode != 0 and "pycore.search.leak -> pycore.sending.gate" in lint.stdout, lint.stdout[-2000:]
    ruff = run([str(BIN / "ruff"), "check", "pycore/search/leak.py"], tmp_path)
    assert ruff.returncode != 0 and "SLF001" in ruff.stdout, ruff.stdout
