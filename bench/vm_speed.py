"""How fast the fault proof VMs run, hash and witness, next to qemu-user on the same ELFs.

Three tables:

* **speed**: steps/s per VM type (mips32, riscv64, riscv64c) on the compute-heavy C guest and,
  where built, the Go guests (go-hello, go-alloc), next to the wall time of
  ``qemu-mips`` / ``qemu-riscv64`` running the same ELF. The first load + 1,000 steps in the process
  (numba loading or compiling the executor) is timed on its own and not in steps/s.
* **state hash**: memory Merkle root after a lot of touched memory, first hash and re-hash after a
  few dirty pages. Besides wall time, the hash is run once on one numba thread and its CPU time
  shown: the work itself, which divided by the thread count is what idle cores would take. Two sources: pages written straight through ``Memory.write`` (``--hash-mb``
  MiB of random bytes, the worst case: every leaf differs from zero) and the heap-heavy guests
  run to exit (whatever they touch, printed next to the figure).
* **witness**: run the compute guest to a late step (``--witness-step``), then one
  ``step(proof=True)``; run time and witness time apart. The witness time includes the pre-state
  hash, i.e. hashing every page the run touched: the compute guest touches a few pages, so the
  mips32 go-alloc guest is also witnessed late in its run (``--heavy-step``, 74 MiB touched).

The machine is shared and may be busy: every figure is the best of ``--repeat`` runs, and the
CPU time of this process is shown next to wall time (wall / CPU far above 1 for a one-thread
part means the core was not ours). Targets (issues #6, #2): >= 20 M steps/s on one core; state
hash after 100 MB <= 0.25 s (Go Cannon 3.34 s, cannon-rs 274 ms).

    python bench/vm_speed.py            # full run (a few minutes)
    python bench/vm_speed.py --quick    # smaller runs, fewer repeats (under a minute warm)
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np
from rich.console import Console
from rich.table import Table

from faultproof.guests import GO_GUEST_NAMES, GO_TARGETS, GuestBuildError, guest_elf
from faultproof.vm import get_isa
from faultproof.vm.interface import FPVM
from faultproof.vm.memory import Memory

ISAS = ("mips32", "riscv64", "riscv64c")
QEMU = {"mips32": "qemu-mips", "riscv64": "qemu-riscv64", "riscv64c": "qemu-riscv64"}
GO_PROGRAMS = {isa: GO_GUEST_NAMES for isa in GO_TARGETS}
"""Go guests the build supports per ISA (see faultproof.guests.GO_GUEST_NAMES / GO_TARGETS)."""
HEAP_PROGRAMS = ("heap", "go-alloc")


@dataclass
class Timing:
    wall: float
    cpu: float


def timed(fn: Callable[[], object], repeat: int) -> tuple[Timing, object]:
    """Best wall time of ``repeat`` calls (with that call's CPU time) and the last result."""
    best: Timing | None = None
    result: object = None
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        result = fn()
        t = Timing(time.perf_counter() - w0, time.process_time() - c0)
        if best is None or t.wall < best.wall:
            best = t
    assert best is not None
    return best, result


def load(isa: str, program: str) -> FPVM:
    return get_isa(isa).load_elf(guest_elf(program, isa), stdout=io.BytesIO(), stderr=io.BytesIO())


def elf_or_none(program: str, isa: str) -> Path | None:
    try:
        return guest_elf(program, isa)
    except GuestBuildError:
        return None


# -- speed ------------------------------------------------------------------------------------------


def warm_up(isa: str) -> float:
    """Seconds for the first load + 1,000 steps in this process (numba cache load or compile)."""
    start = time.perf_counter()
    vm = load(isa, "compute")
    vm.run(1000)
    vm.state_hash()
    return time.perf_counter() - start


def run_speed(
    isa: str, program: str, max_steps: int | None, repeat: int
) -> tuple[int, Timing, int]:
    """(steps, best timing, exit code or -1) running ``program`` from its initial state."""
    laps: list[Timing] = []
    steps = code = -1
    for _ in range(repeat):
        vm = load(isa, program)
        c0, w0 = time.process_time(), time.perf_counter()
        steps = vm.run(max_steps)
        laps.append(Timing(time.perf_counter() - w0, time.process_time() - c0))
        code = vm.exit_code if vm.exited else -1
    return steps, min(laps, key=lambda t: t.wall), code


def run_qemu(isa: str, elf: Path, repeat: int) -> tuple[Timing, int] | None:
    """Best wall time (and child CPU time) of qemu-user running ``elf``; None without qemu."""
    exe = shutil.which(QEMU[isa], path=f"{os.environ.get('PATH', '')}:/usr/bin")
    if exe is None:
        return None
    best: Timing | None = None
    code = -1
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        w0 = time.perf_counter()
        proc = subprocess.run(
            [exe, str(elf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        wall = time.perf_counter() - w0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        code = proc.returncode
        if best is None or wall < best.wall:
            best = Timing(wall, cpu)
    assert best is not None
    return best, code


def speed_table(isas: list[str], max_steps: int | None, repeat: int, qemu: bool) -> Table:
    table = Table(title="VM speed (steps/s on the VM's own wall and CPU time)")
    for col in ("VM", "program", "steps", "exit", "wall s", "M steps/s", "M steps/s (CPU)"):
        table.add_column(col, justify="right" if col not in ("VM", "program") else "left")
    table.add_column("qemu wall s", justify="right")
    table.add_column("qemu CPU s", justify="right")
    table.add_column("warm-up s", justify="right")
    for isa in isas:
        warm = warm_up(isa)
        programs = ["compute", *GO_PROGRAMS.get(isa, ())]
        for i, program in enumerate(programs):
            elf = elf_or_none(program, isa)
            if elf is None:
                table.add_row(isa, program, "not built", *[""] * 8)
                continue
            steps, t, code = run_speed(isa, program, max_steps, repeat)
            q = run_qemu(isa, elf, repeat) if qemu and (max_steps is None) else None
            table.add_row(
                isa,
                program,
                f"{steps:,}",
                str(code) if code >= 0 else "-",
                f"{t.wall:.2f}",
                f"{steps / t.wall / 1e6:.1f}",
                f"{steps / max(t.cpu, 1e-9) / 1e6:.1f}",
                "-"
                if q is None
                else f"{q[0].wall:.3f}" + ("" if q[1] == code else f" (exit {q[1]})"),
                "-" if q is None else f"{q[0].cpu:.3f}",
                f"{warm:.2f}" if i == 0 else "",
            )
    return table


# -- state hash -------------------------------------------------------------------------------------


def one_thread_cpu(fn: Callable[[], object]) -> float:
    """CPU seconds of ``fn`` on one numba thread: the work itself, without the time idle pool
    threads spend spinning (which a multi-threaded CPU time includes) or waiting for a busy core."""
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        c0 = time.process_time()
        fn()
        return time.process_time() - c0
    finally:
        numba.set_num_threads(threads)


def hash_rows_direct(mib: int, dirty_pages: int, repeat: int) -> list[tuple[str, ...]]:
    """Root of ``mib`` MiB of random pages written through Memory.write, then after a few writes."""
    rng = np.random.default_rng(1)
    data = rng.integers(0, 256, mib << 20, dtype=np.uint8).tobytes()
    rows: list[tuple[str, ...]] = []
    for bits in (32, 64):
        first: list[Timing] = []
        again: list[Timing] = []
        for _ in range(repeat):
            mem = Memory(bits)
            mem.write(0x0100_0000, data)
            t, _ = timed(mem.merkle_root, 1)
            first.append(t)
            for i in range(dirty_pages):
                mem.write(0x0100_0000 + ((i * 7919) % (mib * 256)) * 4096 + 64, b"dirty")
            t, _ = timed(mem.merkle_root, 1)
            again.append(t)
        mem = Memory(bits)
        mem.write(0x0100_0000, data)
        work = one_thread_cpu(mem.merkle_root)
        f, a = min(first, key=lambda t: t.wall), min(again, key=lambda t: t.wall)
        rows.append(
            (
                f"Memory.write, {mib} MiB random, {bits}-bit",
                f"{mem.page_count:,}",
                f"{f.wall:.3f}",
                f"{work:.3f}",
                f"{work / numba.get_num_threads():.3f}",
                f"{a.wall * 1e3:.2f} ms",
                str(dirty_pages),
            )
        )
    return rows


def hash_rows_guests(dirty_pages: int) -> list[tuple[str, ...]]:
    """Root after running each heap-heavy mips32 guest to exit (first hash includes every page)."""
    rows: list[tuple[str, ...]] = []
    for program in HEAP_PROGRAMS:
        if elf_or_none(program, "mips32") is None:
            continue
        vm = load("mips32", program)
        vm.run()
        mem: Memory = vm.memory  # type: ignore[attr-defined]
        work = one_thread_cpu(mem.copy().merkle_root)
        t, _ = timed(mem.merkle_root, 1)
        pages = [p for p, _ in mem.iter_pages()]
        for i in range(dirty_pages):
            mem.write((pages[(i * 7919) % len(pages)] << 12) + 64, b"dirty")
        a, _ = timed(vm.state_hash, 1)
        rows.append(
            (
                f"mips32 {program} guest run to exit",
                f"{mem.page_count:,} ({mem.page_count * 4096 / 2**20:.0f} MiB)",
                f"{t.wall:.3f}",
                f"{work:.3f}",
                f"{work / numba.get_num_threads():.3f}",
                f"{a.wall * 1e3:.2f} ms",
                str(dirty_pages),
            )
        )
    return rows


def warm_up_hash() -> float:
    """Seconds to load (or compile) every Merkle kernel: a rebuild and an in-place path update."""
    start = time.perf_counter()
    for bits in (32, 64):
        mem = Memory(bits)
        for i in range(40):
            mem.set_page(i * 3, bytes([i + 1]) * 4096)
        mem.merkle_root()
        mem.write(0x40, b"x")
        mem.merkle_root()
        mem.merkle_proof(0x40)
    return time.perf_counter() - start


def hash_table(mib: int, dirty_pages: int, repeat: int, guests: bool) -> Table:
    warm = warm_up_hash()
    table = Table(
        title=f"State hash (memory Merkle root, {numba.get_num_threads()} threads; "
        f"kernel load/compile {warm:.2f} s, not included)"
    )
    table.add_column("memory")
    table.add_column("pages", justify="right")
    table.add_column("first hash s (wall)", justify="right")
    table.add_column("work: 1-thread CPU s", justify="right")
    table.add_column("work / threads s", justify="right")
    table.add_column("re-hash (state hash)", justify="right")
    table.add_column("dirty pages", justify="right")
    for row in hash_rows_direct(mib, dirty_pages, repeat):
        table.add_row(*row)
    if guests:
        for row in hash_rows_guests(dirty_pages):
            table.add_row(*row)
    return table


# -- witness ----------------------------------------------------------------------------------------


def witness_table(isas: list[str], at_step: int, heavy_step: int | None) -> Table:
    table = Table(title="Step witness at a late step: the run to it, then one step(proof=True)")
    for col in (
        "VM",
        "program",
        "step",
        "pages",
        "run to step s",
        "witness s",
        "total s",
        "proof bytes",
    ):
        table.add_column(col, justify="left" if col in ("VM", "program") else "right")
    warm_up_hash()  # kernel load/compile is not part of a witness
    cases = [(isa, "compute", at_step) for isa in isas]
    if heavy_step and "mips32" in isas and elf_or_none("go-alloc", "mips32") is not None:
        cases.append(("mips32", "go-alloc", heavy_step))
    for isa, program, step in cases:
        vm = load(isa, program)
        t0 = time.perf_counter()
        vm.run(step)
        t1 = time.perf_counter()
        if vm.exited:
            table.add_row(isa, program, f"{step:,}", "", f"exited at {vm.step_count:,}", "", "", "")
            continue
        w = vm.step(proof=True)
        t2 = time.perf_counter()
        assert w is not None
        pages = vm.memory.page_count  # type: ignore[attr-defined]
        table.add_row(
            isa,
            program,
            f"{step:,}",
            f"{pages:,}",
            f"{t1 - t0:.2f}",
            f"{t2 - t1:.4f}",
            f"{t2 - t0:.2f}",
            str(len(w.proof)),
        )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="cap runs at 20M steps, 1 repeat, 32 MiB hash, witness at 1M",
    )
    parser.add_argument(
        "--isa", action="append", choices=ISAS, help="VM type (repeatable; default all)"
    )
    parser.add_argument(
        "--repeat", type=int, default=None, help="runs per figure, best kept (default 3, quick 1)"
    )
    parser.add_argument(
        "--max-steps", type=int, default=None, help="cap each speed run (qemu is then skipped)"
    )
    parser.add_argument(
        "--hash-mb", type=int, default=None, help="MiB written for the direct hash (default 100)"
    )
    parser.add_argument(
        "--dirty-pages", type=int, default=8, help="pages written before the re-hash"
    )
    parser.add_argument(
        "--witness-step", type=int, default=None, help="step to witness (default 10M)"
    )
    parser.add_argument(
        "--heavy-step",
        type=int,
        default=50_000_000,
        help="also witness the mips32 go-alloc guest at this step (74 MiB touched; 0 = skip)",
    )
    parser.add_argument("--no-qemu", action="store_true", help="skip the qemu-user runs")
    parser.add_argument(
        "--only", choices=("speed", "hash", "witness"), action="append", help="tables to print"
    )
    args = parser.parse_args()

    isas = args.isa or list(ISAS)
    repeat = args.repeat or (1 if args.quick else 3)
    max_steps = args.max_steps or (20_000_000 if args.quick else None)
    mib = args.hash_mb or (32 if args.quick else 100)
    at_step = args.witness_step or (1_000_000 if args.quick else 10_000_000)
    only = set(args.only or ("speed", "hash", "witness"))

    console = Console(width=max(Console().width, 150))
    load1, load5, _ = os.getloadavg()
    console.print(
        f"{os.cpu_count()} CPUs, numba {numba.__version__} with {numba.get_num_threads()} threads, "
        f"load average {load1:.1f} / {load5:.1f} (1 / 5 min) at start"
    )
    if "speed" in only:
        console.print(speed_table(isas, max_steps, repeat, not args.no_qemu))
    if "hash" in only:
        console.print(hash_table(mib, args.dirty_pages, repeat, guests=not args.quick))
    if "witness" in only:
        console.print(witness_table(isas, at_step, None if args.quick else args.heavy_step))


if __name__ == "__main__":
    main()
