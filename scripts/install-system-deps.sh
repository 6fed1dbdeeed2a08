#!/usr/bin/env bash
# Debian packages the test suite uses: qemu-user (whole-program differential tests), golang-go
# (Go guest programs), npm (to install the anvil node from @foundry-rs/anvil) and chromium
# (the monitor's web page is tested in headless Chromium).
# Idempotent; skips what is already installed.
set -euo pipefail
need=()
command -v qemu-mips >/dev/null 2>&1 || need+=(qemu-user)
command -v go >/dev/null 2>&1 || [ -x /usr/lib/go/bin/go ] || need+=(golang-go)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
echo "system deps: qemu-mips=$(command -v qemu-mips || echo missing) go=$(command -v go || echo missing) npm=$(command -v npm || echo missing) chromium=$(command -v chromium || echo missing)"
