#!/usr/bin/env bash
# Installs everything the build, the demo and the tests need on a fresh Debian
# machine of this project's kind: Chromium (Debian), a Python venv (PyPI), and
# Node packages for the WhatsApp Web replica (npm). Idempotent and quiet when done.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -x /usr/lib/chromium/chromium ] || need_apt+=(chromium)
[ -f /usr/lib/chromium/locales/pt-BR.pak ] || need_apt+=(chromium-l10n) # the UI in pt-BR (chrome.i18n)
fc-list 2>/dev/null | grep -qi "Noto Color Emoji" || need_apt+=(fonts-noto-color-emoji)
command -v node >/dev/null || need_apt+=(nodejs npm)
if ((${#need_apt[@]})); then
  echo "setup: apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  python3 -m venv .venv
fi
stamp=.venv/.mettri-deps
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing Python packages"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test]"
  echo "$want" > "$stamp"
fi
[ -d tests/chat_export/node_modules/whatsapp-chat-parser ] || (cd tests/chat_export && npm ci --silent --no-audit --no-fund) # differential test of the chat-export parser
[ -f tests/a11y/node_modules/axe-core/axe.min.js ] || (cd tests/a11y && npm ci --silent --no-audit --no-fund) # axe-core for the e2e accessibility checks (tests/axe.py)
# TypeScript's checker over extension/ (tests/build/test_typecheck.py), pinned in its own lock file.
[ scripts/typecheck/node_modules/.package-lock.json -nt scripts/typecheck/package-lock.json ] || (cd scripts/typecheck && npm ci --no-audit --no-fund --loglevel=error)
# esbuild, which scripts/build.py runs to bundle each extension page's modules, pinned in its own lock file.
[ scripts/bundler/node_modules/.package-lock.json -nt scripts/bundler/package-lock.json ] || (cd scripts/bundler && npm ci --no-audit --no-fund --loglevel=error)
