#!/usr/bin/env bash
# Install the anvil dev node (npm package @foundry-rs/anvil) into a project-local folder.
#
# Why npm: it ships a prebuilt, version-pinned anvil binary without curl|bash installers.
# The folder (.tools/ by default) carries its own .gitignore so nothing in it is committed.
# faultproof.chain.anvil finds the binary there (or via $FAULTPROOF_ANVIL, or on $PATH).
set -euo pipefail

VERSION="${ANVIL_VERSION:-1.7.1}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${FAULTPROOF_TOOLS_DIR:-$ROOT/.tools}"

if ! command -v npm >/dev/null 2>&1; then
  echo "install-anvil: npm not found; install Node.js (e.g. apt-get install nodejs npm)" >&2
  exit 1
fi

mkdir -p "$DEST"
printf '*\n' > "$DEST/.gitignore"
if [ ! -f "$DEST/package.json" ]; then
  printf '{ "name": "faultproof-tools", "private": true }\n' > "$DEST/package.json"
fi
npm install --prefix "$DEST" --no-audit --no-fund "@foundry-rs/anvil@${VERSION}"

BIN="$DEST/node_modules/.bin/anvil"
if [ ! -x "$BIN" ]; then
  echo "install-anvil: npm finished but $BIN is missing" >&2
  exit 1
fi
"$BIN" --version
echo "anvil installed at $BIN"
