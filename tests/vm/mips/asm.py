"""A tiny MIPS32 encoder and a VM builder for tests (hand-assembled programs, no toolchain)."""

from __future__ import annotations

import struct

from faultproof.vm.mips import encode
from faultproof.vm.mips.constants import CPU_NEXT_PC, CPU_PC
from faultproof.vm.mips.vm import MipsVM

CODE = 0x00400000


# The tests name fields in assembly order (rd first for R-type, rt before rs for I-type) and give
# jump targets as byte addresses; the bit layouts themselves live in faultproof.vm.mips.encode.


def r_type(funct: int, rd: int = 0, rs: int = 0, rt: int = 0, shamt: int = 0, op: int = 0) -> int:
    return encode.r_type(funct, rs=rs, rt=rt, rd=rd, shamt=shamt, op=op)


def i_type(op: int, rt: int, rs: int, imm: int) -> int:
    return encode.i_type(op, rs=rs, rt=rt, imm=imm)


def j_type(op: int, target: int) -> int:
    return encode.j_type(op, target >> 2)


SYSCALL = encode.SYSCALL
NOP = 0


def li(reg: int, value: int) -> list[int]:
    """lui + ori: load a 32-bit constant."""
    value &= 0xFFFFFFFF
    return [i_type(0x0F, reg, 0, value >> 16), i_type(0x0D, reg, reg, value & 0xFFFF)]


def make_vm(program: list[int], regs: dict[int, int] | None = None, base: int = CODE, **kw: object) -> MipsVM:
    """A VM with ``program`` at ``base``, pc at its start and the given registers."""
    vm = MipsVM(**kw)  # type: ignore[arg-type]
    vm.memory.write(base, b"".join(struct.pack(">I", w) for w in program))
    vm.cpu[CPU_PC] = base
    vm.cpu[CPU_NEXT_PC] = base + 4
    for r, v in (regs or {}).items():
        vm.regs[r] = v & 0xFFFFFFFF
    return vm


def reg(vm: MipsVM, r: int) -> int:
    return int(vm.regs[r])
