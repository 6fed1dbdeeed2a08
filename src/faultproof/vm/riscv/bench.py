"""Steps per second on a compute-heavy guest: ``python -m faultproof.vm.riscv.bench [isa ...]``."""

from __future__ import annotations

import io
import sys
import time

from faultproof.guests import guest_elf
from faultproof.vm.riscv.loader import load_elf


def measure(isa: str, program: str = "compute") -> tuple[int, float]:
    """(steps, seconds) for running ``program`` to exit, after a short warm-up (JIT load)."""
    vm = load_elf(guest_elf(program, isa), stdout=io.BytesIO(), compressed=isa == "riscv64c")
    vm.run(1000)
    start = time.perf_counter()
    steps = vm.run()
    return steps, time.perf_counter() - start


def main(argv: list[str]) -> None:
    for isa in argv or ["riscv64", "riscv64c"]:
        steps, secs = measure(isa)
        print(f"{isa}: {steps} steps in {secs:.2f} s = {steps / secs / 1e6:.1f} M steps/s")


if __name__ == "__main__":
    main(sys.argv[1:])
