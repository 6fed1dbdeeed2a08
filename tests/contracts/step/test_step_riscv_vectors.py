"""The project's riscv64/riscv64c golden step witnesses (tests/vectors/riscv) verified on chain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from eth_abi.abi import encode

from faultproof.chain.embedded import EmbeddedChain
from faultproof.contracts.step import call_step
from faultproof.crypto import keccak256

VECTORS = Path(__file__).parents[2] / "vectors" / "riscv" / "steps.json"


def _cases() -> list[tuple[str, int, dict[str, Any]]]:
    if not VECTORS.is_file():
        return []
    data = json.loads(VECTORS.read_text())
    return [(isa, i, v) for isa in ("riscv64", "riscv64c") for i, v in enumerate(data[isa])]


def _hex(s: str) -> bytes:
    return bytes.fromhex(s[2:] if s.startswith("0x") else s)


@pytest.mark.skipif(not VECTORS.is_file(), reason="no riscv vectors in this checkout")
@pytest.mark.parametrize("isa,index,vec", _cases(), ids=[f"{c[0]}-{c[1]}" for c in _cases()])
def test_vector(chain: EmbeddedChain, oracle: str, riscv: str, riscv_c: str, isa: str,
                index: int, vec: dict[str, Any]) -> None:
    if "oracle-key" in vec:
        key, value = _hex(vec["oracle-key"]), _hex(vec["oracle-value"])
        if key != b"\x02" + keccak256(value[8:])[1:]:
            pytest.skip("synthetic preimage key (not the keccak of the value): the real "
                        "PreimageOracle cannot serve it")
        call = keccak256(b"loadKeccak256PreimagePart(uint256,bytes)")[:4]
        rcpt = chain.transact(oracle, call + encode(
            ["uint256", "bytes"], [int(vec["oracle-offset"]), value[8:]]))
        assert rcpt.success
    vm = riscv if isa == "riscv64" else riscv_c
    rcpt = call_step(chain, vm, _hex(vec["state-data"]), _hex(vec["proof-data"]))
    assert rcpt.success, rcpt.revert_data.hex()
    assert rcpt.return_data == _hex(vec["post"])
