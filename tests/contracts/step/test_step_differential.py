"""Differential tests: the off-chain VMs' step witnesses, replayed on the step contracts.

Each step of a small program runs in the Python VM with ``step(proof=True)``; its witness goes to
the contract (after loading any preimage part into the oracle, as op-challenger does), and the
returned post-state hash must equal the VM's state hash after the step.
"""

from __future__ import annotations

import pytest
from eth_abi.abi import encode
from step_helpers import i_type, r_type

from faultproof.chain.embedded import EmbeddedChain
from faultproof.contracts.step import call_step
from faultproof.crypto import keccak256

mips_vm = pytest.importorskip("faultproof.vm.mips.vm")

PREIMAGE = b"faultproof differential preimage!"
KEY_ADDR, READ_ADDR, DATA = 0x20100, 0x20201, 0x20000
T0, T1, T2, T3, T4, T5, T6, T7, V0, A0, A1, A2 = 8, 9, 10, 11, 12, 13, 14, 15, 2, 4, 5, 6
NOP = 0


class _Host:
    def __init__(self) -> None:
        self.key = b"\x02" + keccak256(PREIMAGE)[1:]

    def get_preimage(self, key: bytes) -> bytes:
        assert key == self.key
        return PREIMAGE

    def hint(self, hint: bytes) -> None:
        pass


def mips_program() -> list[int]:
    p = [
        i_type(0x0F, 0, T0, 0x0002),  # lui t0, 2
        i_type(0x0D, 0, T1, 0x1234),  # ori t1, zero, 0x1234
        i_type(0x09, T1, T2, 0xFFFB),  # addiu t2, t1, -5
        i_type(0x2B, T0, T2, 4),  # sw t2, 4(t0)
        i_type(0x20, T0, T3, 6),  # lb t3, 6(t0)
        i_type(0x29, T0, T1, 9),  # sh t1, 9(t0)
        i_type(0x23, T0, T4, 8),  # lw t4, 8(t0)
        i_type(0x22, T0, T4, 5),  # lwl t4, 5(t0)
        i_type(0x2E, T0, T1, 2),  # swr t1, 2(t0)
        r_type(0x18, T1, T2),  # mult t1, t2
        r_type(0x12, 0, 0, T5),  # mflo t5
        r_type(0x1A, T2, T3),  # div t2, t3
        r_type(0x10, 0, 0, T6),  # mfhi t6
        r_type(0x02, T1, T2, T7, op=0x1C),  # mul t7, t1, t2
        i_type(0x04, T4, T4, 2),  # beq t4, t4, +2
        i_type(0x09, 0, T6, 7),  # (delay slot) addiu t6, zero, 7
        i_type(0x09, 0, T6, 9),  # skipped
        # write the 32-byte key at KEY_ADDR to fd 6, <= 4 bytes per call
        i_type(0x09, 0, A0, 6),
        i_type(0x0F, 0, A1, 0x0002),
        i_type(0x0D, A1, A1, 0x0100),
        i_type(0x09, 0, A2, 32),
        i_type(0x09, 0, V0, 4004),  # L:
        0x0000000C,
        r_type(0x21, A1, V0, A1),  # addu a1, a1, v0
        r_type(0x23, A2, V0, A2),  # subu a2, a2, v0
        i_type(0x05, A2, 0, 0xFFFB),  # bne a2, zero, L
        NOP,
        # read 8 + 7 bytes of the stream into READ_ADDR (unaligned start)
        i_type(0x09, 0, A0, 5),
        i_type(0x0F, 0, A1, 0x0002),
        i_type(0x0D, A1, A1, 0x0201),
        i_type(0x09, 0, T7, 5),
        i_type(0x09, 0, A2, 3),
        i_type(0x09, 0, V0, 4003),  # R:
        0x0000000C,
        r_type(0x21, A1, V0, A1),
        i_type(0x09, T7, T7, 0xFFFF),
        i_type(0x05, T7, 0, 0xFFFA),  # bne t7, zero, R
        i_type(0x09, 0, A2, 4),  # (delay slot) a2 = 4
        i_type(0x09, 0, V0, 4090),  # mmap(0, 5000)
        i_type(0x09, 0, A0, 0),
        i_type(0x09, 0, A1, 5000),
        0x0000000C,
        i_type(0x09, 0, V0, 4246),  # exit_group(3)
        i_type(0x09, 0, A0, 3),
        0x0000000C,
    ]
    return p


def test_mips_vm_witnesses_replay_on_chain(chain: EmbeddedChain, mips: str, oracle: str) -> None:
    from faultproof.vm.mips.constants import CPU_NEXT_PC, CPU_PC

    vm = mips_vm.MipsVM(host=_Host())
    base = 0x1000
    for i, insn in enumerate(mips_program()):
        vm.memory.write_u32_be(base + 4 * i, insn)
    vm.memory.write(KEY_ADDR, _Host().key)
    vm.cpu[CPU_PC] = base
    vm.cpu[CPU_NEXT_PC] = base + 4
    load = keccak256(b"loadKeccak256PreimagePart(uint256,bytes)")[:4]
    steps = 0
    while not vm.exited:
        w = vm.step(proof=True)
        assert w is not None
        if w.preimage_key is not None:
            assert w.preimage_value is not None and w.preimage_offset is not None
            rcpt = chain.transact(oracle, load + encode(
                ["uint256", "bytes"], [w.preimage_offset, w.preimage_value[8:]]))
            assert rcpt.success
        rcpt = call_step(chain, mips, w.state, w.proof)
        assert rcpt.success, (steps, hex(vm.pc), rcpt.revert_data)
        assert rcpt.return_data == vm.state_hash(), f"step {steps} at pc {w.state[68:72].hex()}"
        steps += 1
        assert steps < 500
    assert vm.exit_code == 3 and steps > 60
    # and one more step on the exited state is a fixed point
    final = vm.encode_witness()
    assert call_step(chain, mips, final, b"").return_data == vm.state_hash()


def riscv_program() -> list[int]:
    from step_helpers import rv_b, rv_i, rv_j, rv_r, rv_s, rv_u

    x5, x6, x7, a0, a1, a2, a7 = 5, 6, 7, 10, 11, 12, 17
    amo = 0x2F
    return [
        rv_u(0x37, x5, 0x20),  # lui x5, 0x20 -> 0x20000
        rv_i(0x13, x6, 0, 0, -7),  # addi x6, x0, -7
        rv_s(0x23, 3, x5, x6, 28),  # sd x6, 28(x5): straddles two leaves
        rv_i(0x03, x7, 3, x5, 28),  # ld x7, 28(x5)
        rv_i(0x03, 8, 2, x5, 30),  # lw x8, 30(x5)
        rv_i(0x03, 9, 5, x5, 31),  # lhu x9, 31(x5)
        rv_r(0x33, 9, 0, x6, x6, 1),  # mul
        rv_r(0x33, 9, 1, x6, x7, 1),  # mulh
        rv_r(0x3B, 10, 4, x6, 9, 1),  # divw
        rv_r(0x33, 10, 7, x6, 0, 1),  # remu by zero
        rv_i(0x1B, 10, 5, x6, 0x400 | 3),  # sraiw
        rv_r(amo, 11, 3, x5, 0, 2 << 2),  # lr.d x11, (x5)
        rv_r(amo, 12, 3, x5, x6, 3 << 2),  # sc.d x12, x6, (x5)
        rv_r(amo, 13, 2, x5, x6, 0),  # amoadd.w x13, x6, (x5)
        rv_r(amo, 13, 3, x5, x6, 0x1C << 2),  # amomaxu.d
        rv_b(0, 0, 0, 8),  # beq x0, x0, +8
        rv_i(0x13, 14, 0, 0, 1),  # skipped
        rv_j(1, 8),  # jal ra, +8
        rv_i(0x13, 14, 0, 0, 2),  # skipped
        rv_i(0x73, 15, 2, 0, 0xC01),  # rdtime x15 -> 0
        0x0000000F,  # fence
        # write the key (32-byte aligned: one call), read the preimage twice, then time, exit
        rv_i(0x13, a7, 0, 0, 64), rv_i(0x13, a0, 0, 0, 6), rv_i(0x13, a1, 0, x5, 0x100),
        rv_i(0x13, a2, 0, 0, 32), 0x00000073,
        rv_i(0x13, a7, 0, 0, 63), rv_i(0x13, a0, 0, 0, 5), rv_i(0x13, a1, 0, x5, 0x205),
        rv_i(0x13, a2, 0, 0, 64), 0x00000073,
        rv_i(0x13, a7, 0, 0, 63), rv_i(0x13, a1, 0, x5, 0x220), 0x00000073,
        rv_i(0x13, a7, 0, 0, 113), rv_i(0x13, a1, 0, x5, 0x3F8), 0x00000073,
        rv_i(0x13, a7, 0, 0, 93), rv_i(0x13, a0, 0, 0, 2), 0x00000073,
    ]


def test_riscv_vm_witnesses_replay_on_chain(chain: EmbeddedChain, riscv: str,
                                            oracle: str) -> None:
    rv = pytest.importorskip("faultproof.vm.riscv.vm")
    from faultproof.vm.riscv.constants import S_PC

    vm = rv.RiscvVM(host=_Host())
    base = 0x1000
    for i, instr in enumerate(riscv_program()):
        vm.memory.write(base + 4 * i, instr.to_bytes(4, "little"))
    vm.memory.write(0x20100, _Host().key)
    vm.st[S_PC] = base
    load = keccak256(b"loadKeccak256PreimagePart(uint256,bytes)")[:4]
    steps = 0
    while not vm.exited:
        w = vm.step(proof=True)
        assert w is not None
        if w.preimage_key is not None:
            assert w.preimage_value is not None and w.preimage_offset is not None
            rcpt = chain.transact(oracle, load + encode(
                ["uint256", "bytes"], [w.preimage_offset, w.preimage_value[8:]]))
            assert rcpt.success
        rcpt = call_step(chain, riscv, w.state, w.proof)
        assert rcpt.success, (steps, hex(vm.pc), rcpt.revert_data.hex())
        assert rcpt.return_data == vm.state_hash(), f"step {steps} at pc {w.state[72:80].hex()}"
        steps += 1
        assert steps < 200
    assert vm.exit_code == 2 and steps == len(riscv_program()) - 2


C_LI_A0_5, C_ADDI_A0_3, C_NOP = 0x4515, 0x050D, 0x0001
C_MV_A1_A0, C_ADD_A1_A0 = 0x85AA, 0x95AA


def riscv_c_program() -> bytes:
    """Mixed 16/32-bit code with a 32-bit load whose fetch straddles a leaf (pc % 32 == 30)."""
    from step_helpers import rv_i, rv_j, rv_s, rv_u

    def h(x: int) -> bytes:
        return x.to_bytes(2, "little")

    def w(x: int) -> bytes:
        return x.to_bytes(4, "little")

    code = h(C_LI_A0_5) + h(C_ADDI_A0_3) + w(rv_u(0x37, 5, 0x20))
    code += h(C_NOP) * ((0x1E - len(code)) // 2)
    assert len(code) == 0x1E
    code += w(rv_i(0x03, 7, 3, 5, 28))  # ld x7, 28(x5): fetch and data both straddle
    code += h(C_MV_A1_A0) + h(C_ADD_A1_A0)
    code += w(rv_s(0x23, 3, 5, 11, 60))  # sd x11, 60(x5): straddling store
    code += w(rv_j(1, 6))  # jal ra, +6 (2-aligned target)
    code += h(C_NOP)  # skipped
    code += w(rv_i(0x13, 17, 0, 0, 93)) + w(rv_i(0x13, 10, 0, 7, 0)) + w(0x73)
    return code


def test_riscv_c_expansions_match_intent() -> None:
    rvc = pytest.importorskip("faultproof.vm.riscv.compressed")
    from step_helpers import rv_i, rv_r

    assert int(rvc.expand(C_LI_A0_5)) == rv_i(0x13, 10, 0, 0, 5)
    assert int(rvc.expand(C_ADDI_A0_3)) == rv_i(0x13, 10, 0, 10, 3)
    assert int(rvc.expand(C_MV_A1_A0)) == rv_r(0x33, 11, 0, 0, 10, 0)
    assert int(rvc.expand(C_ADD_A1_A0)) == rv_r(0x33, 11, 0, 11, 10, 0)


def test_riscv_c_vm_witnesses_replay_on_chain(chain: EmbeddedChain, riscv_c: str) -> None:
    rv = pytest.importorskip("faultproof.vm.riscv.vm")
    from faultproof.vm.riscv.constants import S_PC

    vm = rv.RiscvVM(compressed=True, host=_Host())
    vm.memory.write(0x1000, riscv_c_program())
    vm.memory.write(0x20000 + 28, bytes(range(1, 9)))
    vm.st[S_PC] = 0x1000
    steps = 0
    while not vm.exited:
        w = vm.step(proof=True)
        assert w is not None
        rcpt = call_step(chain, riscv_c, w.state, w.proof)
        assert rcpt.success, (steps, hex(vm.pc), rcpt.revert_data.hex())
        assert rcpt.return_data == vm.state_hash(), f"step {steps} at pc {w.state[72:80].hex()}"
        steps += 1
        assert steps < 100
    assert vm.exit_code == 0x01 and steps == 3 + 11 + 1 + 2 + 1 + 1 + 3
