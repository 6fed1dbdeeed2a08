"""MIPS32 golden vector: the upstream `test_step_debug_succeeds` step (spec §1.5).

Every field value is a fact of that vector; the memory is just two words (the `syscall` at pc
and 0xffffffff at 0xff00), so our own sparse Merkle helper rebuilds both proofs and the root.
"""

from __future__ import annotations

from eth_abi.abi import encode
from step_helpers import MipsState, SparseMemory, preimage_key_keccak

from faultproof.chain.embedded import EmbeddedChain
from faultproof.contracts.step import call_step

PREIMAGE = bytes.fromhex("1234567898765432")
EXPECTED = bytes.fromhex("03dacdac4e61d89774a305dd0828063706ad878bb6353c0c2cd787d1e5cddd67")
PC = 0xF1F85FF4
_REGISTER_HEX = (
    "45e66538 9becadf1 00000fa3 c64fbd7f 00000005 0000ff00 00000001 5b3d9716 "
    "6d1aec28 829f3dd4 3d8cf1f9 358e4103 b16d09d4 66e2c7c0 48ea3ba1 aef3141e "
    "70027058 1aa0b75b 50e34fc9 26bb2d83 bb3938f8 506d442d 5e545ba3 a5d21451 "
    "5c11955d 8ad50cfb 04a6a0e4 84a2a29f 1d688138 c1883f28 9a45a6d5 d9c37ebe"
)
REGISTERS = [int(x, 16) for x in _REGISTER_HEX.split()]


def golden_pre_state() -> tuple[MipsState, SparseMemory]:
    mem = SparseMemory(27)
    mem.write_u32_be(PC, 0x0000000C)  # syscall
    mem.write_u32_be(0xFF00, 0xFFFFFFFF)
    state = MipsState(
        mem_root=mem.root(), preimage_key=preimage_key_keccak(PREIMAGE), preimage_offset=8,
        pc=PC, next_pc=PC + 4, lo=0x2AD7BDA1, hi=0xE5ACEA10, heap=0x49E0BFD0,
        step=0x1F5B0412FFD341C0, registers=list(REGISTERS),
    )
    return state, mem


def load_part(chain: EmbeddedChain, oracle: str, offset: int, preimage: bytes) -> None:
    data = bytes.fromhex("e1592611")  # loadKeccak256PreimagePart(uint256,bytes)
    rcpt = chain.transact(oracle, data + encode(["uint256", "bytes"], [offset, preimage]))
    assert rcpt.success, rcpt


def test_golden_vector(chain: EmbeddedChain, oracle: str, mips: str) -> None:
    load_part(chain, oracle, 8, PREIMAGE)
    state, mem = golden_pre_state()
    proof = mem.proof(PC) + mem.proof(0xFF00)
    assert len(proof) == 1792
    rcpt = call_step(chain, mips, state.pack(), proof)
    assert rcpt.success, rcpt
    assert rcpt.return_data == EXPECTED
    # the LOG0 carries the packed post-state, which hashes to the returned value
    post = rcpt.logs[-1].data
    assert len(post) == 226
    assert post[89] == 0 and int.from_bytes(post[64:68], "big") == 9
