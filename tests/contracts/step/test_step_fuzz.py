"""Random single instructions: the off-chain VMs and the step contracts must agree.

Hypothesis draws an instruction from the supported encodings, register values and a data word;
the VM executes one step with a witness, the contract verifies it, and the post-state hashes must
match (or both must fault).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from step_helpers import i_type, r_type, rv_i, rv_r, rv_s

from faultproof.chain.embedded import EmbeddedChain
from faultproof.contracts.step import call_step
from faultproof.crypto import keccak256

mips_vm = pytest.importorskip("faultproof.vm.mips.vm")
DATA = 0x40000
REG = st.integers(1, 31)
U32 = st.one_of(st.integers(0, 0xFFFFFFFF), st.sampled_from([0, 1, 0x7FFFFFFF, 0x80000000,
                                                            0xFFFFFFFF]))
U64 = st.one_of(st.integers(0, 2**64 - 1), st.sampled_from([0, 1, 2**63, 2**64 - 1, 2**31]))

MIPS_SPECIAL = [0x00, 0x02, 0x03, 0x04, 0x06, 0x07, 0x0A, 0x0B, 0x10, 0x11, 0x12, 0x13, 0x18,
                0x19, 0x1A, 0x1B, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B]
MIPS_IMM = [0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F]
MIPS_MEM = [0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x28, 0x29, 0x2A, 0x2B, 0x2E, 0x30, 0x38]


@st.composite
def mips_insn(draw: st.DrawFn) -> tuple[int, bool]:
    kind = draw(st.sampled_from(["special", "imm", "mem", "special2"]))
    rs, rt, rd = draw(REG), draw(REG), draw(REG)
    if kind == "special":
        return r_type(draw(st.sampled_from(MIPS_SPECIAL)), rs, rt, rd, draw(st.integers(0, 31))), False
    if kind == "special2":
        return r_type(draw(st.sampled_from([0x02, 0x20, 0x21])), rs, rt, rd, op=0x1C), False
    if kind == "imm":
        return i_type(draw(st.sampled_from(MIPS_IMM)), rs, rt, draw(st.integers(0, 0xFFFF))), False
    return i_type(draw(st.sampled_from(MIPS_MEM)), rs, rt, draw(st.integers(0, 0xFFFF))), True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(insn=mips_insn(), regs=st.lists(U32, min_size=32, max_size=32), word=U32,
       hi=U32, lo=U32)
def test_mips_random_instruction(chain: EmbeddedChain, mips: str, insn: tuple[int, bool],
                                 regs: list[int], word: int, hi: int, lo: int) -> None:
    from faultproof.vm.mips.constants import CPU_HI, CPU_LO, CPU_NEXT_PC, CPU_PC

    code, is_mem = insn
    vm = mips_vm.MipsVM()
    regs[0] = 0
    if is_mem:  # point the base register near DATA so proofs stay small
        base = (code >> 21) & 31
        if base:
            regs[base] = DATA + (regs[base] & 0xFF)
    vm.set_registers(regs)
    vm.cpu[CPU_PC], vm.cpu[CPU_NEXT_PC], vm.cpu[CPU_HI], vm.cpu[CPU_LO] = 0x1000, 0x1004, hi, lo
    vm.memory.write_u32_be(0x1000, code)
    for off in range(-0x8000, 0x8100, 0x4000):
        vm.memory.write_u32_be((DATA + off) & ~3, word)
    try:
        w = vm.step(proof=True)
    except mips_vm.MipsException:
        return  # a fault off-chain (e.g. division by zero); covered by the unit tests
    assert w is not None
    rcpt = call_step(chain, mips, w.state, w.proof)
    assert rcpt.success, (hex(code), rcpt.revert_data)
    assert rcpt.return_data == vm.state_hash(), hex(code)


RV_OPS = [(0x33, f3, f7) for f3 in range(8) for f7 in (0, 1)] + [(0x33, 0, 0x20), (0x33, 5, 0x20)]
RV_OPS += [(0x3B, f3, 1) for f3 in (0, 4, 5, 6, 7)] + [(0x3B, 0, 0), (0x3B, 0, 0x20), (0x3B, 1, 0),
                                                       (0x3B, 5, 0), (0x3B, 5, 0x20)]


@st.composite
def rv_insn(draw: st.DrawFn) -> tuple[int, bool]:
    kind = draw(st.sampled_from(["op", "imm", "load", "store"]))
    rd, rs1, rs2 = draw(REG), draw(REG), draw(REG)
    if kind == "op":
        op, f3, f7 = draw(st.sampled_from(RV_OPS))
        return rv_r(op, rd, f3, rs1, rs2, f7), False
    if kind == "imm":
        f3 = draw(st.sampled_from([0, 2, 3, 4, 6, 7]))
        return rv_i(draw(st.sampled_from([0x13])), rd, f3, rs1, draw(st.integers(0, 0xFFF))), False
    imm = draw(st.integers(0, 63))
    if kind == "load":
        return rv_i(0x03, rd, draw(st.sampled_from([0, 1, 2, 3, 4, 5, 6])), rs1, imm), True
    return rv_s(0x23, draw(st.integers(0, 3)), rs1, rs2, imm), True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(insn=rv_insn(), regs=st.lists(U64, min_size=32, max_size=32),
       fill=st.binary(min_size=128, max_size=128))
def test_riscv_random_instruction(chain: EmbeddedChain, riscv: str, insn: tuple[int, bool],
                                  regs: list[int], fill: bytes) -> None:
    rv = pytest.importorskip("faultproof.vm.riscv.vm")
    from faultproof.vm.riscv.constants import S_PC

    code, is_mem = insn
    vm = rv.RiscvVM()
    if is_mem:
        regs[(code >> 15) & 31] = DATA + (regs[(code >> 15) & 31] & 0x3F)
    for i in range(1, 32):
        vm.set_register(i, regs[i])
    vm.st[S_PC] = 0x1000
    vm.memory.write(0x1000, code.to_bytes(4, "little"))
    vm.memory.write(DATA, fill)
    w = vm.step(proof=True)
    assert w is not None
    rcpt = call_step(chain, riscv, w.state, w.proof)
    assert rcpt.success, (hex(code), rcpt.revert_data.hex())
    assert rcpt.return_data == vm.state_hash(), hex(code)


class _Host:
    def __init__(self, data: bytes) -> None:

        self.data = data
        self.key = b"\x02" + keccak256(data)[1:]

    def get_preimage(self, key: bytes) -> bytes:
        return self.data

    def hint(self, hint: bytes) -> None:
        pass


def _load_part(chain: EmbeddedChain, oracle: str, offset: int, data: bytes) -> None:
    from eth_abi.abi import encode

    call = keccak256(b"loadKeccak256PreimagePart(uint256,bytes)")[:4]
    assert chain.transact(oracle, call + encode(["uint256", "bytes"], [offset, data])).success


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(min_size=0, max_size=70), pos=st.integers(0, 77), align=st.integers(0, 31),
       count=st.integers(0, 40), fill=st.binary(min_size=32, max_size=32), riscv_vm=st.booleans())
def test_preimage_read_splices(chain: EmbeddedChain, oracle: str, mips: str, riscv: str,
                               data: bytes, pos: int, align: int, count: int, fill: bytes,
                               riscv_vm: bool) -> None:
    """Random stream position, destination alignment and count for read(fd 5)."""
    offset = pos % (len(data) + 8)
    host = _Host(data)
    if riscv_vm:
        rv = pytest.importorskip("faultproof.vm.riscv.vm")
        from faultproof.vm.riscv.constants import S_PC

        vm = rv.RiscvVM(host=host)
        for reg, v in ((17, 63), (10, 5), (11, DATA + align), (12, count)):
            vm.set_register(reg, v)
        vm.st[S_PC] = 0x1000
        vm.memory.write(0x1000, (0x73).to_bytes(4, "little"))
        vm.key[:] = list(host.key)
        from faultproof.vm.riscv.constants import S_PREIMAGE_OFFSET

        vm.st[S_PREIMAGE_OFFSET] = offset
        target = riscv
    else:
        from faultproof.vm.mips.constants import CPU_NEXT_PC, CPU_PC

        vm = mips_vm.MipsVM(host=host)
        regs = [0] * 32
        regs[2], regs[4], regs[5], regs[6] = 4003, 5, DATA + (align & 3), count
        vm.set_registers(regs)
        vm.cpu[CPU_PC], vm.cpu[CPU_NEXT_PC] = 0x1000, 0x1004
        vm.memory.write_u32_be(0x1000, 0x0C)
        vm.preimage_key_array[:] = list(host.key)
        from faultproof.vm.mips.constants import CPU_PREIMAGE_OFFSET

        vm.cpu[CPU_PREIMAGE_OFFSET] = offset
        target = mips
    vm.memory.write(DATA, fill)
    w = vm.step(proof=True)
    assert w is not None
    assert w.preimage_key == host.key and w.preimage_offset == offset
    _load_part(chain, oracle, offset, data)
    rcpt = call_step(chain, target, w.state, w.proof)
    assert rcpt.success, rcpt.revert_data.hex()
    assert rcpt.return_data == vm.state_hash()
