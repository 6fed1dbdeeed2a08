#!/usr/bin/env bash
# Installs faultproof and the anvil L1 node (npm), then runs the end-to-end demo:
#   scripts/demo.sh                  the rollup story on a local anvil (docs/ROLLUP.md)
#   scripts/demo.sh --type riscv64   the same on the RISC-V VM
#   scripts/demo.sh --hashchain      the small hashchain example on the embedded chain
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh
"$PY" -m pip install -q -e .
if ! "$PY" -c 'import sys; from faultproof.chain.anvil import find_anvil; sys.exit(0 if find_anvil() else 1)' >/dev/null 2>&1; then
  if ! command -v npm >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq npm >/dev/null
  fi
  bash scripts/install-anvil.sh >/dev/null
fi
exec "$PY" -m faultproof.cli demo "$@"
