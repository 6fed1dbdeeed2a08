"""MIPS32.vy per-instruction-family tests with hand-built witnesses, plus bad-input rejection.

Each case builds a pre-state and the memory it needs, computes the expected post-state by hand
(from spec §3-§4), and compares the contract's returned hash with the expected state's hash.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from eth_abi.abi import encode
from step_helpers import (
    MipsState,
    SparseMemory,
    i_type,
    j_type,
    localize,
    mips_proofs,
    preimage_key_keccak,
    r_type,
    revert_string,
    step_calldata,
)

from faultproof.chain.embedded import EmbeddedChain
from faultproof.chain.receipt import Receipt
from faultproof.contracts.step import MIPS_ERRORS, STEP_SELECTOR, mips32_artifact
from faultproof.crypto import keccak256

PC = 0x1000
M32 = 0xFFFFFFFF


def make(insn: int, regs: dict[int, int] | None = None, **fields: Any) -> tuple[MipsState, SparseMemory]:
    mem = SparseMemory(27)
    pc = fields.pop("pc", PC)
    mem.write_u32_be(pc, insn)
    st = MipsState(pc=pc, next_pc=fields.pop("next_pc", pc + 4), step=7, heap=0x05000000, **fields)
    for r, v in (regs or {}).items():
        st.registers[r] = v & M32
    st.mem_root = mem.root()
    return st, mem


def advanced(st: MipsState, **fields: Any) -> MipsState:
    """The pre-state after a normal step: step+1, pc <- nextPC, nextPC += 4."""
    out = st.clone(step=st.step + 1, pc=st.next_pc, next_pc=(st.next_pc + 4) & M32)
    for k, v in fields.items():
        setattr(out, k, v)
    return out


def run(chain: EmbeddedChain, mips: str, st: MipsState, mem: SparseMemory,
        data_addr: int | None = None, sender: str | None = None,
        local_context: bytes = b"\x00" * 32) -> Receipt:
    data = step_calldata(st.pack(), mips_proofs(mem, st.pc, data_addr), local_context)
    return chain.call(mips, data, sender=sender)


def expect_ok(chain: EmbeddedChain, mips: str, st: MipsState, mem: SparseMemory,
              want: MipsState, data_addr: int | None = None) -> None:
    rcpt = run(chain, mips, st, mem, data_addr)
    assert rcpt.success, (rcpt.revert_data, revert_string(rcpt.revert_data))
    assert rcpt.return_data == want.hash(), "post-state mismatch"
    assert rcpt.logs[-1].data == want.pack()


def test_abi_matches_mips_sol() -> None:
    abi = mips32_artifact().abi
    names = {e["name"]: e for e in abi if e.get("type") == "function"}
    assert set(names) >= {"step", "oracle", "version"}
    step = names["step"]
    sig = "step(" + ",".join(i["type"] for i in step["inputs"]) + ")"
    assert keccak256(sig.encode())[:4] == STEP_SELECTOR
    assert [o["type"] for o in step["outputs"]] == ["bytes32"]
    mutability = {n: e["stateMutability"] for n, e in names.items()}
    assert mutability == {"step": "nonpayable", "oracle": "view", "version": "view"}
    assert keccak256(b"oracle()")[:4].hex() == "7dc0d1d0"


def test_oracle_view(chain: EmbeddedChain, mips: str, oracle: str) -> None:
    rcpt = chain.call(mips, keccak256(b"oracle()")[:4])
    assert rcpt.success and rcpt.return_data[12:].hex() == oracle[2:].lower()


# --- ALU: (name, insn, regs, fields, expected register updates, expected hi/lo) ---
ALU_CASES: list[tuple[str, int, dict[int, int], dict[int, int]]] = [
    ("add", r_type(0x20, 17, 18, 8), {17: 12, 18: 20}, {8: 32}),
    ("addu wraps", r_type(0x21, 17, 18, 8), {17: M32, 18: 2}, {8: 1}),
    ("sub", r_type(0x22, 17, 18, 8), {17: 12, 18: 20}, {8: (12 - 20) & M32}),
    ("and", r_type(0x24, 1, 2, 3), {1: 0xF0F0, 2: 0xFF00}, {3: 0xF000}),
    ("or", r_type(0x25, 1, 2, 3), {1: 0xF0F0, 2: 0xFF00}, {3: 0xFFF0}),
    ("xor", r_type(0x26, 1, 2, 3), {1: 0xF0F0, 2: 0xFF00}, {3: 0x0FF0}),
    ("nor", r_type(0x27, 1, 2, 3), {1: 0xF0F0, 2: 0xFF00}, {3: ~0xFFF0 & M32}),
    ("slt signed", r_type(0x2A, 1, 2, 3), {1: M32, 2: 1}, {3: 1}),
    ("sltu", r_type(0x2B, 1, 2, 3), {1: M32, 2: 1}, {3: 0}),
    ("sll", r_type(0x00, 0, 2, 3, 4), {2: 0x80000001}, {3: 0x10}),
    ("srl", r_type(0x02, 0, 2, 3, 4), {2: 0x80000010}, {3: 0x08000001}),
    ("sra", r_type(0x03, 0, 2, 3, 4), {2: 0x80000010}, {3: 0xF8000001}),
    ("sra 0", r_type(0x03, 0, 2, 3, 0), {2: 0x80000010}, {3: 0x80000010}),
    ("sllv", r_type(0x04, 1, 2, 3), {1: 33, 2: 3}, {3: 6}),
    ("srlv", r_type(0x06, 1, 2, 3), {1: 31, 2: 0x80000000}, {3: 1}),
    ("srav", r_type(0x07, 1, 2, 3), {1: 31, 2: 0x80000000}, {3: M32}),
    ("addi negative", i_type(0x08, 17, 8, 0xFFFE), {17: 2}, {8: 0}),
    ("addiu", i_type(0x09, 17, 8, 40), {17: 4}, {8: 44}),
    ("slti", i_type(0x0A, 1, 2, 0xFFFF), {1: 0xFFFFFFFE}, {2: 1}),
    ("sltiu sign-extends", i_type(0x0B, 1, 2, 0xFFFF), {1: 5}, {2: 1}),
    ("andi zero-extends", i_type(0x0C, 1, 2, 0x8001), {1: M32}, {2: 0x8001}),
    ("ori", i_type(0x0D, 1, 2, 0x8000), {1: 0x10000}, {2: 0x18000}),
    ("xori", i_type(0x0E, 1, 2, 0xFFFF), {1: 0xFF}, {2: 0xFF00}),
    ("lui", i_type(0x0F, 0, 2, 0x8001), {}, {2: 0x80010000}),
    ("mul", r_type(0x02, 1, 2, 3, op=0x1C), {1: M32, 2: 7}, {3: (-7) & M32}),
    ("clz", r_type(0x20, 1, 0, 3, op=0x1C), {1: 0x00010000}, {3: 15}),
    ("clz zero", r_type(0x20, 1, 0, 3, op=0x1C), {1: 0}, {3: 32}),
    ("clo", r_type(0x21, 1, 0, 3, op=0x1C), {1: 0xFFF00000}, {3: 12}),
    ("movz taken", r_type(0x0A, 1, 2, 3), {1: 9, 2: 0, 3: 5}, {3: 9}),
    ("movz not taken", r_type(0x0A, 1, 2, 3), {1: 9, 2: 1, 3: 5}, {}),
    ("movn taken", r_type(0x0B, 1, 2, 3), {1: 9, 2: 1, 3: 5}, {3: 9}),
    ("sync writes rs to rd", r_type(0x0F, 1, 0, 3), {1: 9}, {3: 9}),
    ("r0 never written", r_type(0x21, 1, 2, 0), {1: 1, 2: 2}, {}),
]


@pytest.mark.parametrize("name,insn,regs,updates", ALU_CASES, ids=[c[0] for c in ALU_CASES])
def test_alu(chain: EmbeddedChain, mips: str, name: str, insn: int, regs: dict[int, int],
             updates: dict[int, int]) -> None:
    st, mem = make(insn, regs)
    want = advanced(st)
    for r, v in updates.items():
        want.registers[r] = v
    expect_ok(chain, mips, st, mem, want)


HILO_CASES = [
    ("mult", r_type(0x18, 1, 2), {1: M32, 2: 3}, {}, ((-3 >> 32) & M32, (-3) & M32)),
    ("multu", r_type(0x19, 1, 2), {1: M32, 2: 3}, {}, (2, 0xFFFFFFFD)),
    ("div", r_type(0x1A, 1, 2), {1: (-7) & M32, 2: 2}, {}, ((-1) & M32, (-3) & M32)),
    ("div overflow", r_type(0x1A, 1, 2), {1: 0x80000000, 2: M32}, {}, (0, 0x80000000)),
    ("divu", r_type(0x1B, 1, 2), {1: 7, 2: 2}, {}, (1, 3)),
    ("mthi", r_type(0x11, 1), {1: 5}, {}, (5, 0x22)),
    ("mtlo", r_type(0x13, 1), {1: 5}, {}, (0x11, 5)),
    ("mfhi", r_type(0x10, 0, 0, 4), {}, {4: 0x11}, (0x11, 0x22)),
    ("mflo", r_type(0x12, 0, 0, 4), {}, {4: 0x22}, (0x11, 0x22)),
    ("mult rd gets 0", r_type(0x18, 1, 2, 4), {1: 2, 2: 3, 4: 9}, {4: 0}, (0, 6)),
]


@pytest.mark.parametrize("name,insn,regs,updates,hilo", HILO_CASES, ids=[c[0] for c in HILO_CASES])
def test_hilo(chain: EmbeddedChain, mips: str, name: str, insn: int, regs: dict[int, int],
              updates: dict[int, int], hilo: tuple[int, int]) -> None:
    st, mem = make(insn, regs, hi=0x11, lo=0x22)
    want = advanced(st, hi=hilo[0], lo=hilo[1])
    for r, v in updates.items():
        want.registers[r] = v
    expect_ok(chain, mips, st, mem, want)


DATA = 0x2000
WORD = 0x11223344
LOAD_CASES = [
    ("lb", 0x20, 1, 0x22), ("lb sign", 0x20, 0, 0x11), ("lbu", 0x24, 3, 0x44),
    ("lh", 0x21, 2, 0x3344), ("lh ignores bit0", 0x21, 3, 0x3344), ("lhu", 0x25, 0, 0x1122),
    ("lw", 0x23, 0, WORD), ("lw unaligned uses word", 0x23, 2, WORD),
    ("lwl k=1", 0x22, 1, 0x223344EE), ("lwr k=1", 0x26, 1, 0xAABB1122),
]


@pytest.mark.parametrize("name,op,off,expect", LOAD_CASES, ids=[c[0] for c in LOAD_CASES])
def test_loads(chain: EmbeddedChain, mips: str, name: str, op: int, off: int, expect: int) -> None:
    st, mem = make(i_type(op, 1, 2, off), {1: DATA, 2: 0xAABBCCEE})
    mem.write_u32_be(DATA, WORD)
    st.mem_root = mem.root()
    want = advanced(st)
    want.registers[2] = expect
    expect_ok(chain, mips, st, mem, want, DATA + off)


def test_load_sign_extends(chain: EmbeddedChain, mips: str) -> None:
    st, mem = make(i_type(0x20, 1, 2, 0), {1: DATA})
    mem.write_u32_be(DATA, 0x80000000)
    st.mem_root = mem.root()
    want = advanced(st)
    want.registers[2] = 0xFFFFFF80
    expect_ok(chain, mips, st, mem, want, DATA)


STORE_CASES = [
    ("sb", 0x28, 2, 0x1122FF44), ("sh", 0x29, 2, 0x1122EEFF), ("sw", 0x2B, 0, 0xAABBEEFF),
    ("swl k=1", 0x2A, 1, 0x11AABBEE), ("swr k=1", 0x2E, 1, 0xEEFF3344),
]


@pytest.mark.parametrize("name,op,off,expect", STORE_CASES, ids=[c[0] for c in STORE_CASES])
def test_stores(chain: EmbeddedChain, mips: str, name: str, op: int, off: int, expect: int) -> None:
    st, mem = make(i_type(op, 1, 2, off), {1: DATA, 2: 0xAABBEEFF})
    mem.write_u32_be(DATA, WORD)
    st.mem_root = mem.root()
    post_mem = mem.copy()
    post_mem.write_u32_be(DATA, expect)
    want = advanced(st, mem_root=post_mem.root())
    expect_ok(chain, mips, st, mem, want, DATA + off)


def test_ll_sc(chain: EmbeddedChain, mips: str) -> None:
    st, mem = make(i_type(0x30, 1, 2, 4), {1: DATA - 4})
    mem.write_u32_be(DATA, WORD)
    st.mem_root = mem.root()
    want = advanced(st)
    want.registers[2] = WORD
    expect_ok(chain, mips, st, mem, want, DATA)

    st, mem = make(i_type(0x38, 1, 2, 0), {1: DATA, 2: 0xCAFEBABE})
    post = mem.copy()
    post.write_u32_be(DATA, 0xCAFEBABE)
    want = advanced(st, mem_root=post.root())
    want.registers[2] = 1
    expect_ok(chain, mips, st, mem, want, DATA)


# --- control flow ---
def test_branches(chain: EmbeddedChain, mips: str) -> None:
    # beq taken: pc <- delay slot, nextPC <- target
    st, mem = make(i_type(0x04, 1, 2, 0x10), {1: 3, 2: 3})
    expect_ok(chain, mips, st, mem, st.clone(step=8, pc=PC + 4, next_pc=PC + 4 + 0x40))
    # bne not taken
    st, mem = make(i_type(0x05, 1, 2, 0x10), {1: 3, 2: 3})
    expect_ok(chain, mips, st, mem, advanced(st))
    # blez on negative, backwards offset
    st, mem = make(i_type(0x06, 1, 0, 0xFFFF), {1: M32})
    expect_ok(chain, mips, st, mem, st.clone(step=8, pc=PC + 4, next_pc=PC))
    # bgtz not taken on negative
    st, mem = make(i_type(0x07, 1, 0, 5), {1: M32})
    expect_ok(chain, mips, st, mem, advanced(st))
    # bgezal links even when not taken
    st, mem = make(i_type(0x01, 1, 0x11, 5), {1: M32})
    want = advanced(st)
    want.registers[31] = PC + 8
    expect_ok(chain, mips, st, mem, want)
    # unknown REGIMM rt (bltzal) is a not-taken branch without link
    st, mem = make(i_type(0x01, 1, 0x10, 5), {1: M32})
    expect_ok(chain, mips, st, mem, advanced(st))


def test_jumps(chain: EmbeddedChain, mips: str) -> None:
    st, mem = make(j_type(0x03, 0x400), pc=0x10001000)
    want = st.clone(step=8, pc=0x10001004, next_pc=0x10001000)
    want.registers[31] = 0x10001008
    expect_ok(chain, mips, st, mem, want)
    st, mem = make(r_type(0x09, 5, 0, 7), {5: 0x4444})  # jalr rd=7
    want = st.clone(step=8, pc=PC + 4, next_pc=0x4444)
    want.registers[7] = PC + 8
    expect_ok(chain, mips, st, mem, want)
    st, mem = make(r_type(0x08, 5), {5: 0x4445})  # jr, target not checked
    expect_ok(chain, mips, st, mem, st.clone(step=8, pc=PC + 4, next_pc=0x4445))


@pytest.mark.parametrize("insn,reason", [
    (i_type(0x04, 0, 0, 1), "branch in delay slot"),
    (j_type(0x02, 0), "jump in delay slot"),
])
def test_delay_slot_faults(chain: EmbeddedChain, mips: str, insn: int, reason: str) -> None:
    st, mem = make(insn, next_pc=0x8000)
    rcpt = run(chain, mips, st, mem)
    assert not rcpt.success and revert_string(rcpt.revert_data) == reason


@pytest.mark.parametrize("insn,reason", [
    (r_type(0x1A, 1, 2), "MIPS: division by zero"),
    (r_type(0x1B, 1, 2), "MIPS: division by zero"),
    (r_type(0x0D), "invalid instruction"),  # break
    (r_type(0x34, 1, 2), "invalid instruction"),  # teq
    (r_type(0x14, 1, 2, 3), "invalid instruction"),  # dsllv
    (i_type(0x11, 0, 0, 0), "invalid instruction"),  # COP1
    (r_type(0x00, 1, 2, 3, op=0x1C), "invalid instruction"),  # madd
])
def test_exceptions(chain: EmbeddedChain, mips: str, insn: int, reason: str) -> None:
    st, mem = make(insn, {1: 5})
    rcpt = run(chain, mips, st, mem)
    assert not rcpt.success and revert_string(rcpt.revert_data) == reason


# --- syscalls ---
def syscall_state(num: int, a0: int = 0, a1: int = 0, a2: int = 0,
                  **fields: Any) -> tuple[MipsState, SparseMemory]:
    return make(0x0000000C, {2: num, 4: a0, 5: a1, 6: a2, 7: 0x77}, **fields)


def with_v(st: MipsState, v0: int, v1: int, **fields: Any) -> MipsState:
    want = advanced(st, **fields)
    want.registers[2] = v0 & M32
    want.registers[7] = v1
    return want


SYSCALL_CASES: list[tuple[str, tuple[int, ...], Callable[[MipsState], MipsState]]] = [
    ("brk", (4045,), lambda s: with_v(s, 0x40000000, 0)),
    ("clone", (4120,), lambda s: with_v(s, 1, 0)),
    ("mmap anon", (4090, 0, 5000), lambda s: with_v(s, 0x05000000, 0, heap=0x05002000)),
    ("mmap hint", (4090, 0x7000, 5000), lambda s: with_v(s, 0x7000, 0)),
    ("mmap over HEAP_END", (4090, 0, 0x5B000001), lambda s: with_v(s, M32, 0x16)),
    ("mmap size overflow", (4090, 0, 0xFFFFF001), lambda s: with_v(s, M32, 0x16)),
    ("fcntl getfl stdout", (4055, 1, 3), lambda s: with_v(s, 1, 0)),
    ("fcntl getfl preimage", (4055, 5, 3), lambda s: with_v(s, 0, 0)),
    ("fcntl getfd", (4055, 6, 1), lambda s: with_v(s, 0, 0)),
    ("fcntl getfd bad fd", (4055, 7, 1), lambda s: with_v(s, M32, 9)),
    ("fcntl other cmd", (4055, 1, 2), lambda s: with_v(s, M32, 0x16)),
    ("read stdin", (4003, 0, 0x100, 4), lambda s: with_v(s, 0, 0)),
    ("read hint ack", (4003, 3, 0x100, 9), lambda s: with_v(s, 9, 0)),
    ("read bad fd", (4003, 1, 0x100, 9), lambda s: with_v(s, M32, 9)),
    ("write stdout", (4004, 1, 0x100, 99), lambda s: with_v(s, 99, 0)),
    ("write hint", (4004, 4, 0x100, 99), lambda s: with_v(s, 99, 0)),
    ("write bad fd", (4004, 5, 0x100, 99), lambda s: with_v(s, M32, 9)),
    ("other syscall", (4162,), lambda s: with_v(s, 0, 0)),
]


@pytest.mark.parametrize("name,args,expect", SYSCALL_CASES, ids=[c[0] for c in SYSCALL_CASES])
def test_syscalls(chain: EmbeddedChain, mips: str, name: str, args: tuple[int, ...],
                  expect: Callable[[MipsState], MipsState]) -> None:
    st, mem = syscall_state(*args)
    expect_ok(chain, mips, st, mem, expect(st))


@pytest.mark.parametrize("code,status", [(0, 0), (1, 1), (0x1FF, 2)])
def test_exit_group(chain: EmbeddedChain, mips: str, code: int, status: int) -> None:
    st, mem = syscall_state(4246, code)
    want = st.clone(step=st.step + 1, exited=1, exit_code=code & 0xFF)
    rcpt = run(chain, mips, st, mem)
    assert rcpt.success and rcpt.return_data == want.hash()
    assert rcpt.return_data[0] == status


def test_preimage_key_write(chain: EmbeddedChain, mips: str) -> None:
    key = bytes(range(1, 33))
    st, mem = syscall_state(4004, 6, DATA + 1, 8, preimage_key=key, preimage_offset=5)
    mem.write_u32_be(DATA, 0xA1B2C3D4)
    st.mem_root = mem.root()
    # only 3 bytes fit in the word after an offset of 1
    new_key = key[3:] + bytes.fromhex("b2c3d4")
    expect_ok(chain, mips, st, mem, with_v(st, 3, 0, preimage_key=new_key, preimage_offset=0),
              DATA + 1)


def test_preimage_read_local_key(chain: EmbeddedChain, mips: str, oracle: str) -> None:
    """A type-1 key is localized with the caller (the game) and the local context (§7.4)."""
    game = chain.accounts[3]
    ctx = bytes.fromhex("ab" * 32)
    word = bytes.fromhex("deadbeefcafe") + bytes(26)
    call = keccak256(b"loadLocalData(uint256,bytes32,bytes32,uint256,uint256)")[:4]
    rcpt = chain.transact(oracle, call + encode(
        ["uint256", "bytes32", "bytes32", "uint256", "uint256"], [7, ctx, word, 6, 8]),
        sender=game)
    assert rcpt.success
    raw_key = bytes([1]) + bytes(23) + (7).to_bytes(8, "big")
    assert rcpt.return_data == localize(raw_key, game, ctx)
    st, mem = syscall_state(4003, 5, DATA + 2, 4, preimage_key=raw_key, preimage_offset=8)
    post = mem.copy()
    post.write(DATA + 2, bytes.fromhex("dead"))
    want = with_v(st, 2, 0, preimage_offset=10, mem_root=post.root())
    rcpt = run(chain, mips, st, mem, DATA, sender=game, local_context=ctx)
    assert rcpt.success, revert_string(rcpt.revert_data)
    assert rcpt.return_data == want.hash()
    # from another caller the localized key differs and the oracle has no such part
    rcpt = run(chain, mips, st, mem, DATA, sender=chain.accounts[4], local_context=ctx)
    assert not rcpt.success and revert_string(rcpt.revert_data) == "pre-image must exist"


def test_preimage_read_length_prefix(chain: EmbeddedChain, mips: str, oracle: str) -> None:
    data = b"hello world"
    call = keccak256(b"loadKeccak256PreimagePart(uint256,bytes)")[:4]
    assert chain.transact(oracle, call + encode(["uint256", "bytes"], [0, data])).success
    st, mem = syscall_state(4003, 5, DATA, 4, preimage_key=preimage_key_keccak(data))
    post = mem.copy()
    post.write(DATA, len(data).to_bytes(8, "big")[:4])
    expect_ok(chain, mips, st, mem, with_v(st, 4, 0, preimage_offset=4, mem_root=post.root()),
              DATA)


# --- bad input ---
def test_exited_state_needs_no_proof(chain: EmbeddedChain, mips: str) -> None:
    st, _ = make(0, exited=1, exit_code=3)
    rcpt = chain.call(mips, step_calldata(st.pack(), b""))
    assert rcpt.success and rcpt.return_data == st.hash() and rcpt.return_data[0] == 2


@pytest.mark.parametrize("exited", [2, 3, 0x80, 0xFF])
def test_invalid_exited_value(chain: EmbeddedChain, mips: str, exited: int) -> None:
    st, mem = make(r_type(0x20, 1, 2, 3))
    raw = bytearray(st.pack())
    raw[89] = exited
    rcpt = chain.call(mips, step_calldata(bytes(raw), mips_proofs(mem, PC, None)))
    assert not rcpt.success and rcpt.revert_data == MIPS_ERRORS["InvalidExitedValue()"]


def test_wrong_memory_root(chain: EmbeddedChain, mips: str) -> None:
    st, mem = make(r_type(0x20, 1, 2, 3))
    st.mem_root = keccak256(b"not the root")
    rcpt = run(chain, mips, st, mem)
    assert not rcpt.success and rcpt.revert_data == MIPS_ERRORS["InvalidMemoryProof()"]


def test_proof_for_wrong_address(chain: EmbeddedChain, mips: str) -> None:
    st, mem = make(i_type(0x23, 1, 2, 0), {1: DATA})
    mem.write_u32_be(DATA, WORD)
    st.mem_root = mem.root()
    rcpt = run(chain, mips, st, mem, DATA + 64)  # proves another leaf
    assert not rcpt.success and rcpt.revert_data == MIPS_ERRORS["InvalidMemoryProof()"]


def test_truncated_proof(chain: EmbeddedChain, mips: str) -> None:
    st, mem = make(i_type(0x23, 1, 2, 0), {1: DATA})
    rcpt = chain.call(mips, step_calldata(st.pack(), mem.proof(PC)))
    assert not rcpt.success
    assert revert_string(rcpt.revert_data) == "check that there is enough calldata"
    rcpt = chain.call(mips, step_calldata(st.pack(), mem.proof(PC)[:-64]))
    assert not rcpt.success and rcpt.error_name == "InvalidProofLength"  # not whole proofs


@pytest.mark.parametrize("length", [0, 192, 225, 227, 256, 257, 300])
def test_wrong_state_length(chain: EmbeddedChain, mips: str, length: int) -> None:
    """Any state other than 226 bytes: InvalidStateDataLength() (MIPS.sol: revert(0, 0) when
    the proof moves off offset 420, else it reads what is there)."""
    st, mem = make(r_type(0x20, 1, 2, 3))
    raw = (st.pack() + bytes(100))[:length]
    rcpt = chain.call(mips, step_calldata(raw, mips_proofs(mem, PC, None)))
    assert not rcpt.success and rcpt.error_name == "InvalidStateDataLength"


def test_non_canonical_offsets(chain: EmbeddedChain, mips: str) -> None:
    st, mem = make(r_type(0x20, 1, 2, 3), {1: 1, 2: 2})
    good = step_calldata(st.pack(), mips_proofs(mem, PC, None))
    assert chain.call(mips, good).success
    # same content, proof placed 32 bytes later (valid ABI, not canonical)
    head = good[:36] + (0x180 + 32).to_bytes(32, "big") + good[68:388]
    bent = head + bytes(32) + good[388:]
    assert not (rcpt := chain.call(mips, bent)).success
    assert rcpt.error_name == "InvalidProofOffset"
    # state data offset not 0x60 and nothing moved: not even valid ABI, Vyper's decoder
    # rejects it with empty data (valid non-canonical encodings: test_step_bad_input.py)
    bent = STEP_SELECTOR + (0x80).to_bytes(32, "big") + good[36:]
    assert not (rcpt := chain.call(mips, bent)).success and rcpt.revert_data == b""


def test_unaligned_pc(chain: EmbeddedChain, mips: str) -> None:
    st, mem = make(r_type(0x20, 1, 2, 3), pc=PC + 2)
    rcpt = run(chain, mips, st, mem)
    assert not rcpt.success and rcpt.revert_data == b""
