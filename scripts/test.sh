#!/usr/bin/env bash
# The whole test suite from a fresh clone: set up, build the extension, run pytest
# (core unit tests on CPython, the replica's tests, end-to-end tests in Chromium with
# the built extension, and the core's tests inside Pyodide). Extra args go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
.venv/bin/python scripts/build.py
exec .venv/bin/python -m pytest "$@"
