"""RISCV64.vy per-instruction-family tests with hand-built witnesses, plus revert codes (§4.6)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from eth_abi.abi import encode
from step_helpers import (
    RiscvState,
    SparseMemory,
    localize,
    preimage_key_keccak,
    riscv_calldata,
    rv_b,
    rv_i,
    rv_j,
    rv_r,
    rv_s,
    rv_u,
    step_calldata,
)

from faultproof.chain.embedded import EmbeddedChain
from faultproof.chain.receipt import Receipt
from faultproof.contracts.step import STEP_SELECTOR, riscv64_artifact
from faultproof.crypto import keccak256

PC = 0x1000
M64 = (1 << 64) - 1
DATA = 0x20000


def code(c: int) -> bytes:
    return c.to_bytes(32, "big")


def make(instr: int, regs: dict[int, int] | None = None, **fields: Any) -> tuple[RiscvState, SparseMemory]:
    mem = SparseMemory(59)
    pc = fields.pop("pc", PC)
    mem.write(pc, instr.to_bytes(4, "little"))
    st = RiscvState(pc=pc, step=41, heap=0x10000000, **fields)
    for r, v in (regs or {}).items():
        st.registers[r] = v & M64
    st.mem_root = mem.root()
    return st, mem


def advanced(st: RiscvState, rd: int | None = None, val: int = 0, **fields: Any) -> RiscvState:
    out = st.clone(step=st.step + 1, pc=(st.pc + 4) & M64)
    if rd:
        out.registers[rd] = val & M64
    for k, v in fields.items():
        setattr(out, k, v)
    return out


def data_proofs(mem: SparseMemory, addr: int, size: int, write: bytes | None = None) -> list[bytes]:
    """Proofs 1 (and 2 when straddling); for a store, proof 2 is taken after the left write."""
    left, right = addr & ~31, (addr + size - 1) & ~31 & M64
    proofs = [mem.proof(left)]
    if right != left:
        after = mem.copy()
        if write is not None:
            in_left = 32 - (addr & 31)
            after.write(addr, write[:in_left])
        proofs.append(after.proof(right))
    return proofs


def run(chain: EmbeddedChain, vm: str, st: RiscvState, mem: SparseMemory,
        extra: Sequence[bytes] = (), sender: str | None = None,
        ctx: bytes = b"\x00" * 32) -> Receipt:
    proofs = [mem.proof(st.pc & ~31), *extra]
    return chain.call(vm, riscv_calldata(st.pack(), proofs, ctx), sender=sender)


def expect_ok(chain: EmbeddedChain, vm: str, st: RiscvState, mem: SparseMemory,
              want: RiscvState, extra: Sequence[bytes] = ()) -> None:
    rcpt = run(chain, vm, st, mem, extra)
    assert rcpt.success, rcpt.revert_data.hex()
    assert rcpt.logs[-1].data == want.pack()
    assert rcpt.return_data == want.hash()


def expect_revert(chain: EmbeddedChain, vm: str, st: RiscvState, mem: SparseMemory, c: int,
                  extra: Sequence[bytes] = ()) -> None:
    rcpt = run(chain, vm, st, mem, extra)
    assert not rcpt.success and rcpt.revert_data == code(c), rcpt.revert_data.hex()


def s64(x: int) -> int:
    return x & M64


def test_abi_matches_riscv_sol(chain: EmbeddedChain, riscv: str, oracle: str) -> None:
    fns = {e["name"]: e for e in riscv64_artifact().abi if e.get("type") == "function"}
    sig = "step(" + ",".join(i["type"] for i in fns["step"]["inputs"]) + ")"
    assert keccak256(sig.encode())[:4] == STEP_SELECTOR
    rcpt = chain.call(riscv, keccak256(b"oracle()")[:4])
    assert rcpt.return_data[12:].hex() == oracle[2:].lower()


OP, OPIMM, OP32, OPIMM32 = 0x33, 0x13, 0x3B, 0x1B
A, B = 0x8000000000000005, 0xFFFFFFFFFFFFFFFD  # INT64_MIN+5, -3
ALU = [
    ("add", rv_r(OP, 3, 0, 1, 2, 0), A + B),
    ("sub", rv_r(OP, 3, 0, 1, 2, 0x20), A - B),
    ("sll", rv_r(OP, 3, 1, 1, 2, 0), A << (B & 63)),
    ("sll ignores funct7", rv_r(OP, 3, 1, 1, 2, 0x20), A << (B & 63)),
    ("slt", rv_r(OP, 3, 2, 1, 2, 0), 1),
    ("sltu", rv_r(OP, 3, 3, 1, 2, 0), 1),
    ("xor", rv_r(OP, 3, 4, 1, 2, 0), A ^ B),
    ("srl", rv_r(OP, 3, 5, 1, 2, 0), A >> 61),
    ("sra", rv_r(OP, 3, 5, 1, 2, 0x20), ((A - (1 << 64)) >> 61)),
    ("or", rv_r(OP, 3, 6, 1, 2, 0), A | B),
    ("and", rv_r(OP, 3, 7, 1, 2, 0), A & B),
    ("mul", rv_r(OP, 3, 0, 1, 2, 1), A * B),
    ("mulh", rv_r(OP, 3, 1, 1, 2, 1), ((A - (1 << 64)) * -3) >> 64),
    ("mulhsu", rv_r(OP, 3, 2, 1, 2, 1), ((A - (1 << 64)) * B) >> 64),
    ("mulhu", rv_r(OP, 3, 3, 1, 2, 1), (A * B) >> 64),
    ("div", rv_r(OP, 3, 4, 1, 2, 1), ((1 << 63) - 5) // 3),
    ("divu", rv_r(OP, 3, 5, 1, 2, 1), A // B),
    ("rem", rv_r(OP, 3, 6, 1, 2, 1), -(((1 << 63) - 5) % 3)),
    ("remu", rv_r(OP, 3, 7, 1, 2, 1), A % B),
    ("addi", rv_i(OPIMM, 3, 0, 1, -6), A - 6),
    ("slli", rv_i(OPIMM, 3, 1, 1, 4), A << 4),
    ("slti", rv_i(OPIMM, 3, 2, 1, 0), 1),
    ("sltiu", rv_i(OPIMM, 3, 3, 1, -1), 1),
    ("xori", rv_i(OPIMM, 3, 4, 1, -1), ~A),
    ("srli", rv_i(OPIMM, 3, 5, 1, 63), 1),
    ("srai", rv_i(OPIMM, 3, 5, 1, 0x400 | 62), -2),
    ("ori", rv_i(OPIMM, 3, 6, 1, 0x7F0), A | 0x7F0),
    ("andi", rv_i(OPIMM, 3, 7, 1, -2), A & ~1),
    ("addiw", rv_i(OPIMM32, 3, 0, 1, 0x7FF), 5 + 0x7FF),
    ("slliw", rv_i(OPIMM32, 3, 1, 1, 31), -(1 << 31)),
    ("srliw", rv_i(OPIMM32, 3, 5, 2, 4), 0x0FFFFFFF),
    ("sraiw", rv_i(OPIMM32, 3, 5, 2, 0x400 | 1), -2),
    ("addw", rv_r(OP32, 3, 0, 1, 2, 0), 2),
    ("subw", rv_r(OP32, 3, 0, 1, 2, 0x20), 8),
    ("sllw", rv_r(OP32, 3, 1, 1, 2, 0), (5 << 29) - (1 << 32)),
    ("srlw", rv_r(OP32, 3, 5, 2, 1, 0), 0x07FFFFFF),
    ("sraw", rv_r(OP32, 3, 5, 2, 1, 0x20), -1),
    ("mulw", rv_r(OP32, 3, 0, 1, 2, 1), -15),
    ("divw", rv_r(OP32, 3, 4, 1, 2, 1), -1),
    ("divuw", rv_r(OP32, 3, 5, 2, 1, 1), 0x33333332),
    ("remw", rv_r(OP32, 3, 6, 1, 2, 1), 2),
    ("remuw", rv_r(OP32, 3, 7, 2, 1, 1), 3),
    ("lui", rv_u(0x37, 3, 0x80000), -(1 << 31)),
    ("auipc", rv_u(0x17, 3, 0xFFFFF), PC - 0x1000),
    ("csr reads 0", rv_i(0x73, 3, 2, 0, 0xC00), 0),
]


@pytest.mark.parametrize("name,instr,expect", ALU, ids=[c[0] for c in ALU])
def test_alu(chain: EmbeddedChain, riscv: str, name: str, instr: int, expect: int) -> None:
    st, mem = make(instr, {1: A, 2: B, 3: 0x99})
    expect_ok(chain, riscv, st, mem, advanced(st, 3, expect))


DIV_EDGE = [
    ("div by 0", rv_r(OP, 3, 4, 1, 2, 1), 5, 0, M64),
    ("divu by 0", rv_r(OP, 3, 5, 1, 2, 1), 5, 0, M64),
    ("rem by 0", rv_r(OP, 3, 6, 1, 2, 1), 5, 0, 5),
    ("remu by 0", rv_r(OP, 3, 7, 1, 2, 1), 5, 0, 5),
    ("div overflow", rv_r(OP, 3, 4, 1, 2, 1), 1 << 63, M64, 1 << 63),
    ("rem overflow", rv_r(OP, 3, 6, 1, 2, 1), 1 << 63, M64, 0),
    ("divw by low-32 zero", rv_r(OP32, 3, 4, 1, 2, 1), 5, 1 << 32, M64),
    ("remw by 0 sext", rv_r(OP32, 3, 6, 1, 2, 1), 0x80000000, 0, s64(-(1 << 31))),
    ("divw overflow", rv_r(OP32, 3, 4, 1, 2, 1), 0x80000000, M64, s64(-(1 << 31))),
    ("remw overflow", rv_r(OP32, 3, 6, 1, 2, 1), 0x80000000, M64, 0),
    ("remuw by 0", rv_r(OP32, 3, 7, 1, 2, 1), 0xFFFFFFFF, 0, M64),
]


@pytest.mark.parametrize("name,instr,a,b,expect", DIV_EDGE, ids=[c[0] for c in DIV_EDGE])
def test_division_edges(chain: EmbeddedChain, riscv: str, name: str, instr: int, a: int, b: int,
                        expect: int) -> None:
    st, mem = make(instr, {1: a, 2: b})
    expect_ok(chain, riscv, st, mem, advanced(st, 3, expect))


LOADS = [  # funct3, offset from DATA, expected
    ("lb", 0, 0x1D, s64(-0x78)), ("lbu", 4, 0x1D, 0x88), ("lh", 1, 0, 0x5678),
    ("lw", 2, 0, 0x12345678), ("ld", 3, 0, 0x0011223312345678), ("lhu", 5, 0x1E, 0x0099),
    ("lwu straddles", 6, 0x1D, 0x33009988),
]


@pytest.mark.parametrize("name,funct3,off,expect", LOADS, ids=[c[0] for c in LOADS])
def test_loads(chain: EmbeddedChain, riscv: str, name: str, funct3: int, off: int,
               expect: int) -> None:
    st, mem = make(rv_i(0x03, 5, funct3, 1, off), {1: DATA})
    mem.write(DATA, (0x0011223312345678).to_bytes(8, "little"))
    mem.write(DATA + 0x1D, bytes([0x88, 0x99, 0x00, 0x33, 0x44, 0x55]))
    st.mem_root = mem.root()
    expect_ok(chain, riscv, st, mem, advanced(st, 5, expect), data_proofs(mem, DATA + off, 8))


def test_load_straddles_two_leaves(chain: EmbeddedChain, riscv: str) -> None:
    st, mem = make(rv_i(0x03, 5, 3, 1, 0x1C), {1: DATA})  # ld at leaf offset 28
    raw = bytes([1, 2, 3, 4, 5, 6, 7, 0x88])
    mem.write(DATA + 0x1C, raw)
    st.mem_root = mem.root()
    want = advanced(st, 5, int.from_bytes(raw, "little"))
    expect_ok(chain, riscv, st, mem, want, data_proofs(mem, DATA + 0x1C, 8))
    # without proof 2 the contract cannot prove the right leaf
    expect_revert(chain, riscv, st, mem, 0xBADF00D1, data_proofs(mem, DATA + 0x1C, 8)[:1])


@pytest.mark.parametrize("funct3,off", [(0, 3), (1, 0x1F), (2, 0x1E), (3, 0x1B), (3, 0)])
def test_stores(chain: EmbeddedChain, riscv: str, funct3: int, off: int) -> None:
    size = 1 << funct3
    val = 0xF1E2D3C4B5A69788
    st, mem = make(rv_s(0x23, funct3, 1, 2, off), {1: DATA, 2: val})
    mem.write(DATA, bytes(range(0x40, 0x80)))
    st.mem_root = mem.root()
    written = (val & ((1 << (8 * size)) - 1)).to_bytes(size, "little")
    post = mem.copy()
    post.write(DATA + off, written)
    expect_ok(chain, riscv, st, mem, advanced(st, mem_root=post.root()),
              data_proofs(mem, DATA + off, size, written))


def test_store_straddle_second_proof_must_follow_first_write(chain: EmbeddedChain,
                                                             riscv: str) -> None:
    st, mem = make(rv_s(0x23, 3, 1, 2, 0x1C), {1: DATA, 2: M64})
    stale = [mem.proof(DATA), mem.proof(DATA + 32)]  # both against the pre-state root
    expect_revert(chain, riscv, st, mem, 0xBADF00D1, stale)


def test_branches_and_jumps(chain: EmbeddedChain, riscv: str) -> None:
    st, mem = make(rv_b(1, 1, 2, -16), {1: 1, 2: 2})  # bne taken backwards
    expect_ok(chain, riscv, st, mem, st.clone(step=42, pc=PC - 16))
    st, mem = make(rv_b(4, 1, 2, 64), {1: 1, 2: 2})  # blt taken
    expect_ok(chain, riscv, st, mem, st.clone(step=42, pc=PC + 64))
    st, mem = make(rv_b(7, 1, 2, 64), {1: 1, 2: 2})  # bgeu not taken
    expect_ok(chain, riscv, st, mem, advanced(st))
    st, mem = make(rv_b(2, 1, 2, 64), {1: 1, 2: 1})  # funct3 2: never taken
    expect_ok(chain, riscv, st, mem, advanced(st))
    st, mem = make(rv_b(0, 1, 2, 6), {1: 1, 2: 1})  # taken, target misaligned
    expect_revert(chain, riscv, st, mem, 0xBAD10AD0)
    st, mem = make(rv_j(1, 0x800))
    want = st.clone(step=42, pc=PC + 0x800)
    want.registers[1] = PC + 4
    expect_ok(chain, riscv, st, mem, want)
    st, mem = make(rv_i(0x67, 1, 0, 1, 5), {1: 0x3003})  # jalr clears bit 0
    want = st.clone(step=42, pc=0x3008)
    want.registers[1] = PC + 4
    expect_ok(chain, riscv, st, mem, want)
    st, mem = make(rv_i(0x67, 1, 0, 1, 2), {1: 0x3000})
    expect_revert(chain, riscv, st, mem, 0xBAD10AD0)


def amo(op: int, funct3: int, rd: int = 3, rs1: int = 1, rs2: int = 2) -> int:
    return rv_r(0x2F, rd, funct3, rs1, rs2, op << 2)


def test_lr_sc(chain: EmbeddedChain, riscv: str) -> None:
    st, mem = make(amo(2, 2), {1: DATA})
    mem.write(DATA, (0x80000001).to_bytes(4, "little"))
    st.mem_root = mem.root()
    expect_ok(chain, riscv, st, mem, advanced(st, 3, s64(-0x7FFFFFFF), load_reservation=DATA),
              [mem.proof(DATA)])
    st, mem = make(amo(3, 3), {1: DATA, 2: 0x1122334455667788}, load_reservation=DATA)
    post = mem.copy()
    post.write(DATA, (0x1122334455667788).to_bytes(8, "little"))
    expect_ok(chain, riscv, st, mem, advanced(st, 3, 0, mem_root=post.root(),
                                              load_reservation=0), [mem.proof(DATA)])
    st, mem = make(amo(3, 3), {1: DATA, 2: 7}, load_reservation=DATA + 8)  # fails, no proof
    expect_ok(chain, riscv, st, mem, advanced(st, 3, 1, load_reservation=0))


@pytest.mark.parametrize("op,funct3,old,operand,new", [
    (0x00, 2, 0xFFFFFFFF, 2, 1),  # amoadd.w
    (0x01, 3, 5, 9, 9),  # amoswap.d
    (0x10, 2, 0x80000000, 1, 0x80000000),  # amomin.w signed
    (0x1C, 2, 0x80000000, 1, 0x80000000),  # amomaxu.w
    (0x18, 3, 1 << 63, 1, 1),  # amominu.d
])
def test_amo(chain: EmbeddedChain, riscv: str, op: int, funct3: int, old: int, operand: int,
             new: int) -> None:
    size = 1 << funct3
    st, mem = make(amo(op, funct3), {1: DATA + 8, 2: operand})
    mem.write(DATA + 8, old.to_bytes(size, "little"))
    st.mem_root = mem.root()
    post = mem.copy()
    post.write(DATA + 8, new.to_bytes(size, "little"))
    sign = 1 << (8 * size - 1)
    rd = s64((old ^ sign) - sign)
    expect_ok(chain, riscv, st, mem, advanced(st, 3, rd, mem_root=post.root()),
              [mem.proof(DATA)])


@pytest.mark.parametrize("instr,regs,c", [
    (amo(0, 1), {1: DATA}, 0xBADA70),
    (amo(0, 2), {1: DATA + 2}, 0xBAD10AD0),
    (rv_i(0x03, 3, 7, 1, 0), {}, 0xBADC0DE),
    (rv_s(0x23, 4, 1, 2, 0), {}, 0xBAD512E8),
    (rv_r(OP, 3, 0, 1, 2, 0x10), {}, 0xBADC0DE),
    (rv_i(OPIMM, 3, 5, 1, 0x200), {}, 0xBADC0DE),
    (rv_i(OPIMM32, 3, 1, 1, 0x20), {}, 0xBADC0DE),
    (rv_r(OP32, 3, 2, 1, 2, 0), {}, 0xBADC0DE),
    (0x43, {}, 0xF001C0DE),  # fmadd
    (0x0001, {}, 0xF001C0DE),  # a compressed encoding
])
def test_revert_codes(chain: EmbeddedChain, riscv: str, instr: int, regs: dict[int, int],
                      c: int) -> None:
    st, mem = make(instr, regs)
    expect_revert(chain, riscv, st, mem, c, [mem.proof(DATA)])


def test_amo_unknown_op(chain: EmbeddedChain, riscv: str) -> None:
    st, mem = make(amo(0x05, 2), {1: DATA})
    expect_revert(chain, riscv, st, mem, 0xF001A70, [mem.proof(DATA)])


@pytest.mark.parametrize("instr", [rv_i(0x73, 0, 0, 0, 1), 0x0000000F, rv_i(0x07, 3, 2, 1, 0)])
def test_no_ops(chain: EmbeddedChain, riscv: str, instr: int) -> None:
    st, mem = make(instr, {3: 7})  # ebreak, fence, flw: nothing but pc+4
    expect_ok(chain, riscv, st, mem, advanced(st))


# --- syscalls ---
ECALL = 0x00000073


def sys(num: int, *args: int, **fields: Any) -> tuple[RiscvState, SparseMemory]:
    regs = {17: num, 11: 0x55}
    regs.update({10 + i: v for i, v in enumerate(args)})
    return make(ECALL, regs, **fields)


def ret(st: RiscvState, a0: int, a1: int, **fields: Any) -> RiscvState:
    want = advanced(st, **fields)
    want.registers[10] = a0 & M64
    want.registers[11] = a1
    return want


@pytest.mark.parametrize("args,expect", [
    ((214,), (1 << 30, 0, {})),
    ((220,), (1, 0, {})),
    ((56, 1, 2), (M64, 13, {})),
    ((222, 0, 5000, 3, 0x22, M64), (0x10000000, 0, {"heap": 0x10002000})),
    ((222, 0x7000, 5000, 3, 0x22, M64), (0x7000, 0, {})),
    ((222, 0, 5000, 3, 0x02, M64), (M64, 0x4D, {})),
    ((222, 0, 5000, 3, 0x22, 3), (M64, 0x4D, {})),
    ((25, 6, 1), (0, 0, {})),
    ((25, 6, 3), (1, 0, {})),
    ((25, 9, 3), (M64, 0x4D, {})),
    ((25, 1, 4), (M64, 0x16, {})),
    ((63, 0, DATA, 8), (0, 0, {})),
    ((63, 3, DATA, 8), (8, 0, {})),
    ((63, 4, DATA, 8), (M64, 0x4D, {})),
    ((64, 2, DATA, 8), (8, 0, {})),
    ((64, 0, DATA, 8), (M64, 0x4D, {})),
    ((124,), (0, 0, {})),
])
def test_syscalls(chain: EmbeddedChain, riscv: str, args: tuple[int, ...],
                  expect: tuple[int, int, dict[str, int]]) -> None:
    st, mem = sys(*args)
    expect_ok(chain, riscv, st, mem, ret(st, expect[0], expect[1], **expect[2]))


@pytest.mark.parametrize("num", [93, 94])
def test_exit(chain: EmbeddedChain, riscv: str, num: int) -> None:
    st, mem = sys(num, 0x101)
    want = advanced(st, exited=1, exit_code=1)
    rcpt = run(chain, riscv, st, mem)
    assert rcpt.success and rcpt.return_data == want.hash() and rcpt.return_data[0] == 1
    # an exited state steps to itself without any proof
    rcpt = chain.call(riscv, riscv_calldata(want.pack(), []))
    assert rcpt.success and rcpt.return_data == want.hash()


@pytest.mark.parametrize("num,res,words", [(113, 0, (1337, 42)), (163, 7, (1024, 1024))])
def test_struct_writing_syscalls(chain: EmbeddedChain, riscv: str, num: int, res: int,
                                 words: tuple[int, int]) -> None:
    addr = DATA + 0x18  # the 16-byte struct straddles two leaves
    st, mem = sys(num, res, addr)
    raw = words[0].to_bytes(8, "little") + words[1].to_bytes(8, "little")
    post = mem.copy()
    post.write(addr, raw)
    expect_ok(chain, riscv, st, mem, ret(st, 0, 0, mem_root=post.root()),
              data_proofs(mem, addr, 16, raw))


@pytest.mark.parametrize("num,c", [(163, 0xF0012), (261, 0xF001CA11), (422, 0xF001CA11),
                                   (101, 0xF001CA11)])
def test_syscall_reverts(chain: EmbeddedChain, riscv: str, num: int, c: int) -> None:
    st, mem = sys(num, 3, DATA)
    expect_revert(chain, riscv, st, mem, c, [mem.proof(DATA)])


def test_preimage_key_write(chain: EmbeddedChain, riscv: str) -> None:
    key = bytes(range(1, 33))
    st, mem = sys(64, 6, DATA + 30, 8, preimage_key=key, preimage_offset=3)
    mem.write(DATA + 30, b"\xaa\xbb")
    st.mem_root = mem.root()
    expect_ok(chain, riscv, st, mem, ret(st, 2, 0, preimage_key=key[2:] + b"\xaa\xbb",
                                         preimage_offset=0), [mem.proof(DATA)])


def test_preimage_read(chain: EmbeddedChain, riscv: str, oracle: str) -> None:
    data = bytes(range(100, 140))
    call = keccak256(b"loadKeccak256PreimagePart(uint256,bytes)")[:4]
    assert chain.transact(oracle, call + encode(["uint256", "bytes"], [2, data])).success
    st, mem = sys(63, 5, DATA + 4, 100, preimage_key=preimage_key_keccak(data), preimage_offset=2)
    stream = len(data).to_bytes(8, "big") + data
    post = mem.copy()
    post.write(DATA + 4, stream[2:2 + 28])
    expect_ok(chain, riscv, st, mem, ret(st, 28, 0, preimage_offset=30, mem_root=post.root()),
              [mem.proof(DATA)])
    # a missing part: the oracle call fails -> 0xbadf00d0
    st2, mem2 = sys(63, 5, DATA, 4, preimage_key=preimage_key_keccak(data), preimage_offset=3)
    expect_revert(chain, riscv, st2, mem2, 0xBADF00D0, [mem2.proof(DATA)])


def test_preimage_read_local(chain: EmbeddedChain, riscv: str, oracle: str) -> None:
    game, ctx = chain.accounts[5], bytes.fromhex("cd" * 32)
    call = keccak256(b"loadLocalData(uint256,bytes32,bytes32,uint256,uint256)")[:4]
    word = bytes.fromhex("0102030405060708") + bytes(24)
    rcpt = chain.transact(oracle, call + encode(
        ["uint256", "bytes32", "bytes32", "uint256", "uint256"], [2, ctx, word, 8, 0]),
        sender=game)
    raw_key = bytes([1]) + bytes(23) + (2).to_bytes(8, "big")
    assert rcpt.success and rcpt.return_data == localize(raw_key, game, ctx)
    st, mem = sys(63, 5, DATA, 32, preimage_key=raw_key)
    post = mem.copy()
    post.write(DATA, (8).to_bytes(8, "big") + word[:8])
    want = ret(st, 16, 0, preimage_offset=16, mem_root=post.root())
    rcpt = run(chain, riscv, st, mem, [mem.proof(DATA)], sender=game, ctx=ctx)
    assert rcpt.success and rcpt.return_data == want.hash()


# --- layout ---
def test_strict_layout(chain: EmbeddedChain, riscv: str) -> None:
    st, mem = make(rv_i(OPIMM, 3, 0, 0, 1))
    good = riscv_calldata(st.pack(), [mem.proof(PC)])
    assert chain.call(riscv, good).success
    for bad, name in (
        (step_calldata(st.pack() + b"\x00", mem.proof(PC)), "InvalidStateDataLength"),  # 363 B
        (step_calldata(st.pack()[:-2], mem.proof(PC)), "InvalidStateDataLength"),  # 360 B
        (step_calldata(st.pack(), mem.proof(PC)[:-32]), "InvalidProofLength"),  # not k*1920
    ):
        rcpt = chain.call(riscv, bad)
        assert not rcpt.success and rcpt.error_name == name
    # an offset pointing at garbage is not valid ABI: Vyper's decoder rejects it, no data
    rcpt = chain.call(riscv, STEP_SELECTOR + (0x80).to_bytes(32, "big") + good[36:])
    assert not rcpt.success and rcpt.revert_data == b""
    expect_revert(chain, riscv, st.clone(mem_root=keccak256(b"x")), mem, 0xBADF00D1)


def test_fetch_straddling_leaf_reverts(chain: EmbeddedChain, riscv: str) -> None:
    st, mem = make(0x13, pc=PC + 30)
    expect_revert(chain, riscv, st, mem, 0xBAD22220)


# --- RISCV64C (C extension) ---
def make_c(parcels: bytes, pc: int = PC, regs: dict[int, int] | None = None
           ) -> tuple[RiscvState, SparseMemory]:
    mem = SparseMemory(59)
    mem.write(pc, parcels)
    st = RiscvState(pc=pc, step=41)
    for r, v in (regs or {}).items():
        st.registers[r] = v
    st.mem_root = mem.root()
    return st, mem


def test_c_parcel_advances_pc_by_two(chain: EmbeddedChain, riscv_c: str) -> None:
    st, mem = make_c((0x4515).to_bytes(2, "little"))  # c.li a0, 5
    want = st.clone(step=42, pc=PC + 2)
    want.registers[10] = 5
    expect_ok(chain, riscv_c, st, mem, want)


def test_c_jal_links_pc_plus_4_and_allows_2_aligned_targets(chain: EmbeddedChain,
                                                              riscv_c: str) -> None:
    st, mem = make_c(rv_j(1, 6).to_bytes(4, "little"))
    want = st.clone(step=42, pc=PC + 6)
    want.registers[1] = PC + 4
    expect_ok(chain, riscv_c, st, mem, want)


@pytest.mark.parametrize("parcels,pc,c", [
    (b"\x00\x00", PC, 0xBADC0DE),  # the all-zero parcel is illegal
    (b"\x01\x00", PC + 1, 0xBAD10AD0),  # odd pc
])
def test_c_reverts(chain: EmbeddedChain, riscv_c: str, parcels: bytes, pc: int, c: int) -> None:
    st, mem = make_c(parcels, pc=pc)
    expect_revert(chain, riscv_c, st, mem, c)


def test_c_straddling_fetch_needs_second_fetch_proof(chain: EmbeddedChain, riscv_c: str) -> None:
    pc = PC + 30
    st, mem = make_c(rv_i(OPIMM, 3, 0, 0, 9).to_bytes(4, "little"), pc=pc)
    want = st.clone(step=42, pc=pc + 4)
    want.registers[3] = 9
    expect_ok(chain, riscv_c, st, mem, want, [mem.proof(PC + 32)])
    expect_revert(chain, riscv_c, st, mem, 0xBADF00D1)
