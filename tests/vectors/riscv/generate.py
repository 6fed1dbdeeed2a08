"""Regenerate ``steps.json``: step witnesses of small hand-assembled programs.

Origin: produced by faultproof's own riscv64/riscv64c VM (not by Asterisc) and checked with
``faultproof.vm.riscv.verify``. They pin the witness encoding and proof order against regressions
and give the on-chain step contracts (RISCV64, RISCV64C) fixed inputs with known post-state hashes.

    python tests/vectors/riscv/generate.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from faultproof.vm.riscv.vm import RiscvVM

OUT = Path(__file__).with_name("steps.json")
CODE = 0x10000
KEY = bytes([2]) + bytes(range(1, 32))


class Host:
    def get_preimage(self, key: bytes) -> bytes:
        return b"vector preimage " * 3

    def hint(self, hint: bytes) -> None:
        pass


def program_rv64() -> tuple[bytes, dict[int, int], dict[int, bytes]]:
    """addi; sd straddling; ld straddling; lr.d; sc.d; amoadd.w; key write; preimage read; exit."""
    words = [
        0x00108093,  # addi x1, x1, 1
        0x0020B023 | (0 << 7),  # sd x2, 0(x1)   (x1 = 0x30001d -> straddles)
        0x0000B183,  # ld x3, 0(x1)
        0x1003B22F,  # lr.d x4, (x7)
        0x1863B2AF,  # sc.d x5, x6, (x7)
        0x0063A32F,  # amoadd.w x6, x6, (x7)
        0x00000073,  # ecall: write(6, 0x300100, 32)  (set up by registers below)
        0x00000073,  # ecall again after registers are changed by the test driver
    ]
    code = b"".join(w.to_bytes(4, "little") for w in words)
    regs = {1: 0x30001C, 2: 0x1122334455667788, 6: 5, 7: 0x300040}
    return code, regs, {0x300100: KEY}


def record(vm: RiscvVM, n: int) -> list[dict[str, Any]]:
    out = []
    for _ in range(n):
        w = vm.step(proof=True)
        assert w is not None
        doc: dict[str, Any] = {
            "step": w.step,
            "pre": "0x" + w.state_hash.hex(),
            "post": "0x" + vm.state_hash().hex(),
            "state-data": "0x" + w.state.hex(),
            "proof-data": "0x" + w.proof.hex(),
        }
        if w.preimage_key is not None:
            doc["oracle-key"] = "0x" + w.preimage_key.hex()
            doc["oracle-value"] = "0x" + (w.preimage_value or b"").hex()
            doc["oracle-offset"] = w.preimage_offset
        out.append(doc)
    return out


def generate() -> dict[str, Any]:
    code, regs, data = program_rv64()
    vm = RiscvVM(host=Host())
    vm.memory.write(CODE, code)
    for addr, blob in data.items():
        vm.memory.write(addr, blob)
    for r, v in regs.items():
        vm.set_register(r, v)
    vm.st[0] = CODE
    steps = record(vm, 6)
    for r, v in ((17, 64), (10, 6), (11, 0x300100), (12, 32)):  # write(6, key, 32)
        vm.set_register(r, v)
    steps += record(vm, 1)
    for r, v in ((17, 63), (10, 5), (11, 0x300203), (12, 64)):  # read(5, 0x300203, 64)
        vm.set_register(r, v)
    steps += record(vm, 1)

    # riscv64c: c.addi x1,1 ; 32-bit addi straddling a leaf (pc % 32 == 30) ; c.sd
    vmc = RiscvVM(compressed=True)
    c_code = (0x0085).to_bytes(2, "little")  # c.addi x1, 1
    vmc.memory.write(CODE + 28, c_code)
    vmc.memory.write(CODE + 30, (0x00108093).to_bytes(4, "little"))  # addi, straddles at pc 30
    vmc.memory.write(CODE + 34, (0xE004).to_bytes(2, "little"))  # c.sd x9, 0(x8)
    vmc.set_register(8, 0x300010)
    vmc.set_register(9, 0xAABBCCDD)
    vmc.st[0] = CODE + 28
    c_steps = record(vmc, 3)
    return {
        "origin": "faultproof riscv64/riscv64c VM; see generate.py (not Asterisc output)",
        "riscv64": steps,
        "riscv64c": c_steps,
    }


if __name__ == "__main__":
    OUT.write_text(json.dumps(generate(), indent=1) + "\n")
    print(f"wrote {OUT}")
