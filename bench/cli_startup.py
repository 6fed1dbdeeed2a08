"""How long the ``faultproof`` command takes to start, as a user (or op-challenger) sees it.

op-challenger calls the VM once per proof and users script the commands, so the whole process
counts: interpreter start, imports, numba loading its cached kernels, the work, exit. Each row
runs the installed console script in a fresh process and reports the best wall time and the
CPU time (user + system of the child) of ``--repeat`` runs. The numba cache is warmed by one
untimed run of each command first.

Targets (issue 13): ``--version`` <= 0.3 s and a 1,000-step ``run`` <= 0.6 s with a warm cache.
These are figures to read, not assertions: the machine is shared.

    python bench/cli_startup.py              # every row, 5 repeats
    python bench/cli_startup.py --repeat 3 --isa mips32
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"--version": 0.3, "run 1000": 0.6}


def _command() -> list[str]:
    exe = shutil.which("faultproof")
    return [exe] if exe else [sys.executable, "-m", "faultproof.cli"]


def _timed(argv: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one child process (fails loudly if the command fails)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.decode(errors='replace')}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--isa", default="mips32", help="VM type of the load-elf and run rows")
    args = ap.parse_args()

    from faultproof.guests import guest_elf

    elf = guest_elf("compute", args.isa)
    fp = _command()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        rows: list[tuple[str, list[str]]] = [
            ("--version", [*fp, "--version"]),
            ("--help", [*fp, "--help"]),
            ("list", [*fp, "list"]),
            (
                "load-elf",
                [*fp, "load-elf", "--type", args.isa, "--path", str(elf), "--out", "s.bin.gz"],
            ),
            (
                "run 1000",
                [*fp, "run", "--input", "s.bin.gz", "--stop-at", "=1000", "--output", "o.bin.gz"],
            ),
            ("witness", [*fp, "witness", "--input", "s.bin.gz"]),
        ]
        for _, argv in rows:  # warm the numba cache and create s.bin.gz
            _timed(argv, d)
        print(f"faultproof start-up, {args.isa}, best of {args.repeat} ({os.cpu_count()} cores)")
        print(f"{'command':<12s} {'wall s':>8s} {'cpu s':>8s} {'target':>8s}")
        for name, argv in rows:
            runs = [_timed(argv, d) for _ in range(args.repeat)]
            wall = min(w for w, _ in runs)
            cpu = min(c for _, c in runs)
            target = TARGETS.get(name)
            mark = f"{target:.1f}" if target is not None else "-"
            print(f"{name:<12s} {wall:8.2f} {cpu:8.2f} {mark:>8s}")


if __name__ == "__main__":
    main()
