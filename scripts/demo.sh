#!/usr/bin/env bash
# Build the extension and run it on the WhatsApp Web replica: a scripted tour in
# Chromium (a window when there is a display, headless otherwise), screenshots in
# build/screenshots/, and how to load dist/ into your own Chrome.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
.venv/bin/python scripts/build.py
exec .venv/bin/python scripts/demo.py "$@"
