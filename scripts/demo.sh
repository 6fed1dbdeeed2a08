#!/usr/bin/env bash
# Installs faultproof and runs the end-to-end demo on the embedded chain.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q -e .
exec faultproof demo "$@"
