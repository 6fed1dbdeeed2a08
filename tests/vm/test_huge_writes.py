"""A guest write that names gigabytes must not make the off-chain VM build a gigabyte buffer.

On chain such a write is a no-op that returns the count (Cannon §4.3, Asterisc §5); off chain the
bytes are only logged, so both VMs stream them in chunks and skip the copy when nobody listens.
"""

from __future__ import annotations

import io
import tracemalloc
from typing import BinaryIO, cast

from tests.vm.mips.asm import SYSCALL, li, make_vm
from tests.vm.riscv.harness import run_words

from faultproof.vm.mips.vm import MipsVM
from faultproof.vm.riscv.vm import RiscvVM


class CountingSink(io.RawIOBase):
    """Counts bytes and the biggest single write, keeps nothing."""

    def __init__(self) -> None:
        self.total = 0
        self.biggest = 0

    def writable(self) -> bool:
        return True

    def write(self, b: object) -> int:
        n = len(b)  # type: ignore[arg-type]
        self.total += n
        self.biggest = max(self.biggest, n)
        return n


def _mips_write(count: int, stdout: object) -> MipsVM:
    prog = [*li(2, 4004), *li(4, 1), *li(5, 0x10000000), *li(6, count), SYSCALL, 0]
    vm = make_vm(prog, stdout=stdout)
    vm.memory.write(0x10000000, b"hello")
    vm.run(max_steps=len(prog) - 1)
    return vm


def test_mips_write_of_a_gigabyte_streams_in_chunks() -> None:
    sink = CountingSink()
    tracemalloc.start()
    vm = _mips_write(1 << 30, sink)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert vm.regs[2] == 1 << 30 and sink.total == 1 << 30
    assert sink.biggest <= 1 << 20 and peak < 64 << 20


def test_mips_huge_write_with_no_listener_is_free() -> None:
    vm = _mips_write(0xFFFFFFF0, None)
    assert vm.regs[2] == 0xFFFFFFF0 and vm.memory.page_count <= 4


def test_riscv_write_of_an_enormous_count_is_bounded() -> None:
    vm = RiscvVM(stdout=None)
    vm.regs[17] = 64  # write
    vm.regs[10] = 1
    vm.regs[11] = 0x200000
    vm.regs[12] = (1 << 63) + 5
    run_words(vm, [0x00000073])  # ecall
    assert int(vm.regs[10]) & ((1 << 64) - 1) == (1 << 63) + 5
    sink = CountingSink()
    vm = RiscvVM(stdout=cast(BinaryIO, sink))
    vm.regs[17], vm.regs[10], vm.regs[11], vm.regs[12] = 64, 1, 0x200000, 1 << 28
    run_words(vm, [0x00000073])
    assert sink.total == 1 << 28 and sink.biggest <= 1 << 20
