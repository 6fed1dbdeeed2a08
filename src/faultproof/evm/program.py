"""Run the EVM block program (guest/evm/) natively or in a VM and read what it printed.

The program's only outputs are its exit code and ``evm: <key> <value...>`` lines on stdout
(guest/evm/README.md, "Output"); `parse_output` turns them into a `ProgramResult` so the CLI and
tests compare fields instead of grepping text. Boot info follows the README's local keys.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from typing import Any

from faultproof.errors import FaultproofError
from faultproof.preimage.protocol import OracleHost
from faultproof.preimage.store import BootInfo

VM_CHOICES = ("native", "mips32", "riscv64", "riscv64c")
"""Where the program can run: as a host process, or inside one of the VMs."""

CUSTOM_CHAIN_ID = 2**64 - 1
"""Boot ident 5 sentinel: the real chain ID and the mode are in ident 6 (op-program's custom
chain indicator)."""

MODE_VERIFY_BLOCK = 0
MODE_STATE_TEST = 1

VM_STEP_CHUNK = 1 << 22
"""Steps between progress updates (and checks of the step limit) in a VM run."""


class ProgramError(FaultproofError):
    """The program could not be built or run (not a verdict: the run itself failed)."""


def boot_info(
    parent_hash: bytes, claimed_hash: bytes, chain_id: int, mode: int | None = None
) -> BootInfo:
    """The local keys of one run: ident 2 parent hash, 3 claimed hash, 5 chain ID; with a
    ``mode``, ident 5 is the custom-chain sentinel and ident 6 is ``u64be(chain ID) ‖ mode``."""
    if len(parent_hash) != 32 or len(claimed_hash) != 32:
        raise ProgramError("parent and claimed block hashes must be 32 bytes")
    if not 0 <= chain_id < CUSTOM_CHAIN_ID:
        raise ProgramError(f"chain ID {chain_id} is out of range")
    locals_ = {2: bytes(parent_hash), 3: bytes(claimed_hash)}
    if mode is None:
        locals_[5] = chain_id.to_bytes(8, "big")
    else:
        locals_[5] = CUSTOM_CHAIN_ID.to_bytes(8, "big")
        locals_[6] = chain_id.to_bytes(8, "big") + bytes([mode])
    return BootInfo(locals_)


@dataclass
class TxLine:
    """One ``evm: tx`` line: ``ok`` with its attributes, or ``invalid`` with the reason."""

    index: int
    ok: bool
    attrs: dict[str, str] = field(default_factory=dict)
    reason: str = ""


@dataclass
class ProgramResult:
    """What one run of the program produced.

    ``fields`` holds every ``evm: computed <field> <value>`` (and ``block``: "N 0xhash");
    ``mismatches`` the (field, computed, claimed) triples; ``steps`` is None for native runs;
    ``hints`` / ``preimages`` are what the host counted (or the program's stats line).
    """

    exit_code: int
    lines: list[str]
    fields: dict[str, str] = field(default_factory=dict)
    mismatches: list[tuple[str, str, str]] = field(default_factory=list)
    txs: list[TxLine] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)
    verdict: str | None = None
    errors: list[str] = field(default_factory=list)
    steps: int | None = None
    seconds: float = 0.0
    hints: int = 0
    preimages: int = 0
    stderr: str = ""

    @property
    def valid(self) -> bool:
        return self.exit_code == 0 and self.verdict == "valid"


def parse_output(exit_code: int, stdout: bytes) -> ProgramResult:
    """Parse the program's stdout (non-``evm:`` lines are kept in ``lines`` but not parsed)."""
    text = stdout.decode("utf-8", errors="replace")
    result = ProgramResult(exit_code=exit_code, lines=text.splitlines())
    for line in result.lines:
        if not line.startswith("evm: "):
            continue
        key, _, rest = line[5:].strip().partition(" ")
        words = rest.split()
        if key == "computed" and words:
            result.fields[words[0]] = " ".join(words[1:])
        elif key == "block":
            result.fields["block"] = rest
        elif key == "mismatch" and words:
            kv = _pairs(words[1:])
            result.mismatches.append((words[0], kv.get("computed", ""), kv.get("claimed", "")))
        elif key == "tx" and len(words) >= 2 and words[0].isdigit():
            ok = words[1] == "ok"
            result.txs.append(
                TxLine(
                    int(words[0]),
                    ok,
                    _pairs(words[2:]) if ok else {},
                    "" if ok else " ".join(words[2:]),
                )
            )
        elif key == "stats":
            for name, value in _pairs(words).items():
                if value.isdigit():
                    result.stats[name] = int(value)
        elif key == "verdict" and words:
            result.verdict = words[0]
        elif key == "error":
            result.errors.append(rest)
    return result


def _pairs(words: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for word in words:
        name, sep, value = word.partition("=")
        if sep:
            out[name] = value
    return out


def program_elf(vm: str) -> str:
    """The built program for ``vm`` (``native`` -> the host build); `ProgramError` if it does
    not build."""
    from faultproof.guests import GuestBuildError, guest_elf

    if vm not in VM_CHOICES:
        raise ProgramError(f"unknown --vm {vm!r}; expected one of {', '.join(VM_CHOICES)}")
    try:
        return str(guest_elf("evm", "host" if vm == "native" else vm))
    except GuestBuildError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ProgramError(f"the evm program does not build for {vm}: {first}") from exc


def run_program(
    host: OracleHost,
    vm: str = "native",
    *,
    progress: bool | None = None,
    timeout: float | None = None,
    max_steps: int | None = None,
) -> ProgramResult:
    """Run the program once against ``host`` (which holds the boot info) and parse its output.

    Natively it runs as a process with fds 3-6 served by ``host``; in a VM, ``host`` answers the
    VM's oracle syscalls. ``progress`` shows a live line on stderr during VM runs (None: only
    on a terminal). Host errors (e.g. a preimage the host cannot find) propagate.
    """
    elf = program_elf(vm)
    hints0, pre0 = _counts(host)
    start = time.monotonic()
    steps: int | None = None
    stderr_text = ""
    if vm == "native":
        from faultproof.preimage.native import run_native

        code, stdout = run_native([elf], host, timeout=timeout)
    else:
        code, stdout, stderr_text, steps = _run_in_vm(elf, vm, host, progress, max_steps)
    result = parse_output(code, stdout)
    result.seconds = time.monotonic() - start
    result.steps = steps
    result.stderr = stderr_text
    hints1, pre1 = _counts(host)
    result.hints = hints1 - hints0 if hints1 or hints0 else result.stats.get("hints", 0)
    result.preimages = pre1 - pre0 if pre1 or pre0 else result.stats.get("preimages", 0)
    return result


def _counts(host: Any) -> tuple[int, int]:
    return int(getattr(host, "hint_count", 0)), int(getattr(host, "request_count", 0))


def _run_in_vm(
    elf: str, vm_name: str, host: OracleHost, progress: bool | None, max_steps: int | None
) -> tuple[int, bytes, str, int]:
    from faultproof.vm import get_isa
    from faultproof.vm.elf import parse_elf
    from faultproof.vm.meta import Metadata
    from faultproof.vm.progress import RunProgress

    stdout, stderr = io.BytesIO(), io.BytesIO()
    vm = get_isa(vm_name).load_elf(elf, host=host, stdout=stdout, stderr=stderr)
    symbols = None
    if progress or progress is None:
        with open(elf, "rb") as f:
            symbols = Metadata.from_elf(parse_elf(f.read()))
    with RunProgress(progress, symbols) as line:
        while not vm.exited:
            chunk = VM_STEP_CHUNK
            if max_steps is not None:
                left = max_steps - vm.step_count
                if left <= 0:
                    raise ProgramError(
                        f"the evm program did not exit within {max_steps:,} {vm_name} steps"
                    )
                chunk = min(chunk, left)
            vm.run(max_steps=chunk)
            line.update(vm)
    return (
        vm.exit_code,
        stdout.getvalue(),
        stderr.getvalue().decode("utf-8", "replace"),
        int(vm.step_count),
    )
