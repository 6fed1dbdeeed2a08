"""OP deposit transactions (type 0x7E) rebuilt from an L2 node's JSON, as the rollup host needs
them to serve the transaction trie of every L2 block (each starts with the L1 info deposit)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from faultproof.crypto import keccak256
from faultproof.evm.header import checked_raw_transaction, raw_transaction
from faultproof.rollup.execution import DepositTx


def _json(dep: DepositTx) -> dict[str, object]:
    """op-geth's transaction object fields for a deposit (what faultproof.rollup serves)."""
    return {
        "type": "0x7e",
        "hash": "0x" + dep.hash.hex(),
        "sourceHash": "0x" + dep.source_hash.hex(),
        "from": "0x" + dep.from_.hex(),
        "to": None if dep.to is None else "0x" + dep.to.hex(),
        "mint": hex(dep.mint),
        "value": hex(dep.value),
        "gas": hex(dep.gas),
        "isSystemTx": dep.is_system_tx,
        "input": "0x" + dep.data.hex(),
        "v": "0x0",
        "r": "0x0",
        "s": "0x0",
    }


@given(
    source=st.binary(min_size=32, max_size=32),
    sender=st.binary(min_size=20, max_size=20),
    to=st.none() | st.binary(min_size=20, max_size=20),
    mint=st.integers(0, 2**256 - 1),
    value=st.integers(0, 2**256 - 1),
    gas=st.integers(0, 2**64 - 1),
    system=st.booleans(),
    data=st.binary(max_size=200),
)
def test_deposit_json_rebuilds_the_exact_encoding(
    source: bytes,
    sender: bytes,
    to: bytes | None,
    mint: int,
    value: int,
    gas: int,
    system: bool,
    data: bytes,
) -> None:
    dep = DepositTx(source, sender, to, mint, value, gas, system, data)
    tx = _json(dep)
    assert raw_transaction(tx) == dep.encode()
    assert keccak256(checked_raw_transaction(tx)) == dep.hash


def test_a_deposit_without_mint_field_is_mint_zero() -> None:
    dep = DepositTx(b"\x01" * 32, b"\x02" * 20, b"\x03" * 20, 0, 5, 100_000, False, b"")
    tx = _json(dep)
    del tx["mint"]
    assert raw_transaction(tx) == dep.encode()
