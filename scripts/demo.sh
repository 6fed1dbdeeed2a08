#!/usr/bin/env bash
# Installs faultproof and runs the end-to-end demo on the embedded chain.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh
"$PY" -m pip install -q -e .
exec "$PY" -m faultproof.cli demo "$@"
