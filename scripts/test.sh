#!/usr/bin/env bash
# Installs everything the tests need (PyPI, Debian, npm) and runs the test suite.
#   scripts/test.sh              the default suite (what CI runs)
#   scripts/test.sh -m slow      the slow suites
#   scripts/test.sh <pytest args>
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh
"$PY" -m pip install -q -e '.[test]'
bash scripts/install-system-deps.sh
if [ -f scripts/install-anvil.sh ]; then bash scripts/install-anvil.sh || echo "anvil not installed: anvil tests will skip"; fi
"$PY" -m faultproof.contracts.compiler >/dev/null 2>&1 || true
if [ $# -eq 0 ]; then set -- -m "not slow"; fi
exec "$PY" -m pytest "$@"
