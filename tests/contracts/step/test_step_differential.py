"""Differential tests: the off-chain VMs' step witnesses, replayed on the step contracts.

Each step of a small program runs in the Python VM with ``step(proof=True)``; its witness goes to
the contract (after loading any preimage part into the oracle, as op-challenger does), and the
returned post-state hash must equal the VM's state hash after the step.
"""

from __future__ import annotations

import pytest
from eth_abi.abi import encode
from eth_utils import keccak
from step_helpers import i_type, r_type

from faultproof.chain.embedded import EmbeddedChain
from faultproof.contracts.step import call_step

mips_vm = pytest.importorskip("faultproof.vm.mips.vm")

PREIMAGE = b"faultproof differential preimage!"
KEY_ADDR, READ_ADDR, DATA = 0x20100, 0x20201, 0x20000
T0, T1, T2, T3, T4, T5, T6, T7, V0, A0, A1, A2 = 8, 9, 10, 11, 12, 13, 14, 15, 2, 4, 5, 6
NOP = 0


class _Host:
    def __init__(self) -> None:
        self.key = b"\x02" + keccak(PREIMAGE)[1:]

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
    load = keccak(text="loadKeccak256PreimagePart(uint256,bytes)")[:4]
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
