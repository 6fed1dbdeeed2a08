# Sourced by demo.sh and test.sh: sets PY to the Python that runs faultproof.
#
# $FAULTPROOF_PYTHON, else python3 (3.11+). A system Python that is "externally managed" (PEP 668:
# Debian 12, Ubuntu 23.04+ refuse `pip install` into it) gets a project virtualenv in .venv, so the
# two README commands work on a fresh machine without touching the system's packages.

PY="${FAULTPROOF_PYTHON:-python3}"
if ! command -v "$PY" >/dev/null 2>&1; then
  echo "faultproof: $PY not found; install Python 3.11 or newer" >&2
  exit 1
fi
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "faultproof: needs Python 3.11 or newer, $PY is $("$PY" --version 2>&1)" >&2
  exit 1
fi
if "$PY" - <<'PYCODE'
import os, sys, sysconfig
managed = os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED"))
sys.exit(0 if managed and sys.prefix == sys.base_prefix else 1)
PYCODE
then
  if [ ! -x .venv/bin/python ]; then
    echo "faultproof: $PY is externally managed (PEP 668); creating a virtualenv in .venv" >&2
    if ! "$PY" -m venv .venv 2>/dev/null; then
      rm -rf .venv
      SUDO=""
      [ "$(id -u)" = 0 ] || SUDO="sudo"
      $SUDO apt-get update -qq
      ver="$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "python${ver}-venv" >/dev/null
      "$PY" -m venv .venv
    fi
  fi
  PY="$PWD/.venv/bin/python"
  export PATH="$PWD/.venv/bin:$PATH"  # tests and hosts start `faultproof` / `python` by name
fi
"$PY" -m pip --version >/dev/null 2>&1 || "$PY" -m ensurepip --upgrade >/dev/null
