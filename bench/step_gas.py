"""Gas per single step of the Vyper step contracts (MIPS32, RISCV64, RISCV64C), by instruction class, as a rich table.

Each row is one hand-built witness (`faultproof.contracts.step.witness`) sent as a transaction to
MIPS32.vy or RISCV64.vy on the embedded chain (pyrevm, Cancun). "tx gas" is what a block explorer
shows (21,000 intrinsic + calldata + execution); "exec gas" drops the intrinsic part and the
calldata cost, which is what forge's per-test snapshots of MIPS.sol / RISCV.sol roughly measure.
Upstream anchors (spec digests): MIPS.sol ~120-160k for ALU/store, ~235k preimage read;
RISCV.sol 172k (ALU) to 383k (AMO), 357k preimage read.

    python bench/step_gas.py
"""

from __future__ import annotations

from collections.abc import Callable

from eth_abi.abi import encode
from rich.console import Console
from rich.table import Table

from faultproof.chain import EmbeddedChain
from faultproof.contracts.compiler import load_contract
from faultproof.contracts.step import (
    deploy_mips32,
    deploy_riscv64,
    deploy_riscv64c,
    mips32_artifact,
    riscv64_artifact,
    riscv64c_artifact,
)
from faultproof.contracts.step.witness import (
    MipsState,
    RiscvState,
    SparseMemory,
    i_type,
    mips_proofs,
    preimage_key_keccak,
    r_type,
    riscv_calldata,
    rv_b,
    rv_i,
    rv_r,
    rv_s,
    step_calldata,
)
from faultproof.crypto import keccak256

PC, DATA = 0x1000, 0x20000
PREIMAGE = b"benchmark preimage, long enough for a full 32-byte part"


def calldata_gas(data: bytes) -> int:
    return sum(16 if b else 4 for b in data)


def mips_case(insn: int, regs: dict[int, int], data_addr: int | None = None,
              **fields: object) -> bytes:
    mem = SparseMemory(27)
    mem.write_u32_be(PC, insn)
    if data_addr is not None:
        mem.write_u32_be(data_addr & ~3, 0x11223344)
    st = MipsState(pc=PC, next_pc=PC + 4, **fields)  # type: ignore[arg-type]
    for r, v in regs.items():
        st.registers[r] = v
    st.mem_root = mem.root()
    return step_calldata(st.pack(), mips_proofs(mem, PC, data_addr))


def riscv_case(instr: int, regs: dict[int, int], data: list[int] = (),  # type: ignore[assignment]
               straddle_store: bytes | None = None, **fields: object) -> bytes:
    mem = SparseMemory(59)
    mem.write(PC, instr.to_bytes(4, "little"))
    for a in data:
        mem.write(a, b"\x5a" * 8)
    st = RiscvState(pc=PC, **fields)  # type: ignore[arg-type]
    for r, v in regs.items():
        st.registers[r] = v
    st.mem_root = mem.root()
    proofs = [mem.proof(PC)]
    if straddle_store is not None:
        addr = data[0]
        proofs.append(mem.proof(addr & ~31))
        after = mem.copy()
        after.write(addr, straddle_store[: 32 - (addr & 31)])
        proofs.append(after.proof((addr & ~31) + 32))
    else:
        proofs += [mem.proof(a & ~31) for a in data]
    return riscv_calldata(st.pack(), proofs)


def mips_cases() -> dict[str, bytes]:
    key = preimage_key_keccak(PREIMAGE)
    return {
        "ALU (addu)": mips_case(r_type(0x21, 1, 2, 3), {1: 5, 2: 7}),
        "ALU (mult)": mips_case(r_type(0x18, 1, 2), {1: 5, 2: 7}),
        "load (lw)": mips_case(i_type(0x23, 1, 2, 0), {1: DATA}, DATA),
        "store (sw)": mips_case(i_type(0x2B, 1, 2, 0), {1: DATA, 2: 9}, DATA),
        "store (sc)": mips_case(i_type(0x38, 1, 2, 0), {1: DATA, 2: 9}, DATA),
        "branch (beq taken)": mips_case(i_type(0x04, 1, 1, 4), {}),
        "jump (jal)": mips_case(0x0C000400, {}),
        "syscall (mmap)": mips_case(0x0C, {2: 4090, 5: 4096}, heap=0x05000000),
        "syscall (key write)": mips_case(0x0C, {2: 4004, 4: 6, 5: DATA, 6: 4}, DATA),
        "preimage read": mips_case(0x0C, {2: 4003, 4: 5, 5: DATA, 6: 4}, DATA,
                                   preimage_key=key, preimage_offset=8),
    }


def riscv_c_cases() -> dict[str, bytes]:
    """The C contract on the same 32-bit cases, plus 16-bit parcels."""
    cases = riscv_cases()
    cases["ALU (c.addi, 16-bit)"] = riscv_case(0x050D, {10: 5})
    cases["fetch straddling a leaf"] = riscv_c_straddle()
    return cases


def riscv_c_straddle() -> bytes:
    mem = SparseMemory(59)
    pc = PC + 30
    mem.write(pc, rv_i(0x13, 3, 0, 0, 9).to_bytes(4, "little"))
    st = RiscvState(pc=pc, mem_root=mem.root())
    return riscv_calldata(st.pack(), [mem.proof(PC), mem.proof(PC + 32)])


def riscv_cases() -> dict[str, bytes]:
    key = preimage_key_keccak(PREIMAGE)
    return {
        "ALU (add)": riscv_case(rv_r(0x33, 3, 0, 1, 2, 0), {1: 5, 2: 7}),
        "ALU (mulh)": riscv_case(rv_r(0x33, 3, 1, 1, 2, 1), {1: 5, 2: 7}),
        "load (ld)": riscv_case(rv_i(0x03, 3, 3, 1, 0), {1: DATA}, [DATA]),
        "load (ld, straddling)": riscv_case(rv_i(0x03, 3, 3, 1, 0), {1: DATA + 28},
                                            [DATA + 28, DATA + 32]),
        "store (sd)": riscv_case(rv_s(0x23, 3, 1, 2, 0), {1: DATA, 2: 9}, [DATA]),
        "store (sd, straddling)": riscv_case(rv_s(0x23, 3, 1, 2, 0), {1: DATA + 28, 2: 9},
                                             [DATA + 28], straddle_store=(9).to_bytes(8, "little")),
        "AMO (amoadd.d)": riscv_case(rv_r(0x2F, 3, 3, 1, 2, 0), {1: DATA, 2: 9}, [DATA]),
        "branch (beq taken)": riscv_case(rv_b(0, 1, 1, 16), {}),
        "syscall (brk)": riscv_case(0x73, {17: 214}),
        "syscall (key write)": riscv_case(0x73, {17: 64, 10: 6, 11: DATA, 12: 32}, [DATA]),
        "preimage read": riscv_case(0x73, {17: 63, 10: 5, 11: DATA, 12: 32}, [DATA],
                                    preimage_key=key, preimage_offset=8),
    }


def measure(chain: EmbeddedChain, vm: str, cases: dict[str, bytes],
            table: Table, label: str) -> None:
    for name, data in cases.items():
        rcpt = chain.transact(vm, data)
        if not rcpt.success:
            raise RuntimeError(f"{label} {name}: step reverted {rcpt.revert_data.hex()}")
        exec_gas = rcpt.gas_used - 21_000 - calldata_gas(data)
        table.add_row(label, name, f"{rcpt.gas_used:,}", f"{exec_gas:,}", f"{len(data):,}")


def main() -> None:
    chain = EmbeddedChain()
    oracle_art = load_contract("oracle/PreimageOracle.vy")
    oracle = chain.deploy(oracle_art, 0, 0)
    load = keccak256(b"loadKeccak256PreimagePart(uint256,bytes)")[:4]
    assert chain.transact(oracle, load + encode(["uint256", "bytes"], [8, PREIMAGE])).success
    mips = deploy_mips32(chain, oracle)
    riscv = deploy_riscv64(chain, oracle)
    riscv_c = deploy_riscv64c(chain, oracle)

    sizes = Table(title="Step contracts: code size (EIP-170 limit 24,576 bytes)")
    for col in ("contract", "runtime bytes", "margin"):
        sizes.add_column(col, justify="right" if col != "contract" else "left")
    arts = (("MIPS32.vy", mips32_artifact()), ("RISCV64.vy", riscv64_artifact()),
            ("RISCV64C.vy", riscv64c_artifact()))
    for name, art in arts:
        sizes.add_row(name, f"{art.runtime_size:,}", f"{art.size_margin:,}")

    table = Table(title="Gas per step by instruction class (pyrevm, Cancun)")
    for col in ("contract", "class", "tx gas", "exec gas", "calldata bytes"):
        table.add_column(col, justify="left" if col in ("contract", "class") else "right")
    runs: list[tuple[str, str, Callable[[], dict[str, bytes]]]] = [
        ("MIPS32", mips, mips_cases), ("RISCV64", riscv, riscv_cases),
        ("RISCV64C", riscv_c, riscv_c_cases)]
    for label, vm, cases in runs:
        measure(chain, vm, cases(), table, label)
    console = Console()
    console.print(sizes)
    console.print(table)


if __name__ == "__main__":
    main()
