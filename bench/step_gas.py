"""Execution gas of one step of the Vyper step contracts (MIPS32, RISCV64, RISCV64C), per class.

Each witness (`faultproof.contracts.step.witness`) is sent as a transaction to the contract on the
embedded chain (pyrevm, Cancun). Execution gas = transaction gas - 21,000 - calldata cost (EIP-2028:
16 per non-zero byte, 4 per zero byte): what the contract itself spends, independent of how long the
proof is. The class figure is the median over that class's witnesses.

Anchors: the Solidity contracts measured the same way, on the same witnesses, in the same EVM, as
recorded in issue 13 (2026-11): optimism's MIPS.sol 1.2.1-beta.6 and Asterisc's RISCV.sol, built
with solc 0.8.15, optimizer 999,999 runs. Issue 13 gives RISCV.sol figures for ALU and branch only
(RISCV64.vy was already cheaper on load, store, AMO and preimage reads); other cells show "-".
RISCV64C has no upstream (our own C extension); it is set beside RISCV.sol for the shared classes.

    python bench/step_gas.py            # tables
    python bench/step_gas.py --json     # {contract: {class: median exec gas}} and sizes
"""

from __future__ import annotations

import argparse
import json
import statistics
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


#: Issue 13's execution gas of the Solidity contracts (median per class), the goal to meet.
SOLIDITY_ANCHORS: dict[str, dict[str, int]] = {
    "MIPS32": {"ALU": 19_000, "load": 25_200, "store": 30_700, "branch": 18_500,
               "syscall": 17_800, "preimage read": 31_100},
    "RISCV64": {"ALU": 37_600, "branch": 38_500},
}
SOLIDITY_NAME = {"MIPS32": "MIPS.sol", "RISCV64": "RISCV.sol", "RISCV64C": "RISCV.sol"}
CLASS_ORDER = ("ALU", "load", "store", "AMO", "branch", "syscall", "preimage read", "fetch")


def case_class(name: str) -> str:
    """The class a witness counts in: its name's first words ("jump (jal)" is a branch)."""
    if name.startswith("jump"):
        return "branch"
    if name.startswith("fetch"):
        return "fetch"
    for cls in CLASS_ORDER:
        if name.startswith(cls):
            return cls
    raise ValueError(f"witness {name!r} has no class")


def exec_gas(chain: EmbeddedChain, vm: str, label: str, name: str, data: bytes) -> int:
    """Transaction gas minus the 21,000 intrinsic gas and the calldata cost."""
    rcpt = chain.transact(vm, data)
    if not rcpt.success:
        raise RuntimeError(f"{label} {name}: step reverted {rcpt.revert_data.hex()}")
    return rcpt.gas_used - 21_000 - calldata_gas(data)


def measure(chain: EmbeddedChain, vm: str, label: str,
            cases: dict[str, bytes]) -> dict[str, list[tuple[str, int, int]]]:
    """Per class: (witness, execution gas, calldata bytes) for every witness."""
    out: dict[str, list[tuple[str, int, int]]] = {}
    for name, data in cases.items():
        out.setdefault(case_class(name), []).append(
            (name, exec_gas(chain, vm, label, name, data), len(data)))
    return out


def medians(per_class: dict[str, list[tuple[str, int, int]]]) -> dict[str, int]:
    return {cls: int(statistics.median(g for _, g, _ in rows)) for cls, rows in per_class.items()}


def _k(gas: int | None) -> str:
    return "-" if gas is None else f"{gas / 1000:.1f}k"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print medians and sizes as JSON")
    args = parser.parse_args(argv)
    chain = EmbeddedChain()
    oracle_art = load_contract("oracle/PreimageOracle.vy")
    oracle = chain.deploy(oracle_art, 0, 0)
    load = keccak256(b"loadKeccak256PreimagePart(uint256,bytes)")[:4]
    assert chain.transact(oracle, load + encode(["uint256", "bytes"], [8, PREIMAGE])).success
    runs: list[tuple[str, str, Callable[[], dict[str, bytes]]]] = [
        ("MIPS32", deploy_mips32(chain, oracle), mips_cases),
        ("RISCV64", deploy_riscv64(chain, oracle), riscv_cases),
        ("RISCV64C", deploy_riscv64c(chain, oracle), riscv_c_cases)]
    results = {label: measure(chain, vm, label, cases()) for label, vm, cases in runs}
    arts = {"MIPS32": mips32_artifact(), "RISCV64": riscv64_artifact(),
            "RISCV64C": riscv64c_artifact()}
    if args.json:
        print(json.dumps({
            "exec_gas_median": {lbl: medians(r) for lbl, r in results.items()},
            "runtime_bytes": {lbl: a.runtime_size for lbl, a in arts.items()},
        }, indent=1))
        return

    sizes = Table(title="Step contracts: code size (EIP-170 limit 24,576 bytes)")
    for col in ("contract", "runtime bytes", "margin"):
        sizes.add_column(col, justify="right" if col != "contract" else "left")
    for name, art in arts.items():
        sizes.add_row(f"{name}.vy", f"{art.runtime_size:,}", f"{art.size_margin:,}")

    summary = Table(title="Execution gas per step, median per class (tx gas - 21,000 - calldata); "
                          "Solidity: issue 13, 2026-11, MIPS 1.2.1-beta.6 / solc 0.8.15 / "
                          "999,999 runs")
    for col in ("contract", "class", "Vyper", "Solidity", "Vyper - Solidity"):
        summary.add_column(col, justify="left" if col in ("contract", "class") else "right")
    detail = Table(title="Every witness (pyrevm, Cancun)")
    for col in ("contract", "class", "witness", "exec gas", "calldata bytes"):
        detail.add_column(col, justify="left" if col in ("contract", "class", "witness")
                          else "right")
    for label, per_class in results.items():
        med = medians(per_class)
        anchors = SOLIDITY_ANCHORS.get(label, SOLIDITY_ANCHORS["RISCV64"]
                                       if label == "RISCV64C" else {})
        for cls in CLASS_ORDER:
            if cls not in med:
                continue
            sol = anchors.get(cls)
            diff = "-" if sol is None else f"{med[cls] - sol:+,}"
            summary.add_row(label, cls, f"{med[cls]:,}",
                            "-" if sol is None else f"{SOLIDITY_NAME[label]} {_k(sol)}", diff)
            for name, gas, size in per_class[cls]:
                detail.add_row(label, cls, name, f"{gas:,}", f"{size:,}")
    console = Console()
    console.print(sizes)
    console.print(summary)
    console.print(detail)


if __name__ == "__main__":
    main()
