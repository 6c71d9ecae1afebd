#!/usr/bin/env bash
# Install everything the tests need on a fresh Debian machine, then run them all.
#   bash tests/run.sh            # the whole suite: unit, doctests, Bolt server, app, browser
#   bash tests/run.sh -k stores  # extra arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

# The project with its test extras: pytest, hypothesis, ruff, playwright and
# arcadedb-embedded (the real Bolt server the store tests start, with its own Java runtime).
python3 -m pip install -q --disable-pip-version-check -e '.[test]'

python3 -m ruff check .
python3 -m ruff format --check .
python3 -m pytest "$@"
