"""Helpers shared by the dispute contract tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import rlp
from eth_abi.abi import encode as abi_encode

from faultproof.chain import ContractReverted
from faultproof.crypto import keccak256


def output_root(block: int, honest: bool = True) -> bytes:
    """A stand-in L2 output root for `block` (the dishonest side posts a different one)."""
    return keccak256(f"{'honest' if honest else 'evil'} output {block}".encode())


def reverts_with(name: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> ContractReverted:
    """Run `fn` and assert it reverts with the named (emulated custom) error."""
    with pytest.raises(ContractReverted) as info:
        fn(*args, **kwargs)
    assert info.value.error_name == name, str(info.value)
    return info.value


def header_rlp(number: int | bytes) -> bytes:
    """An L1/L2-style block header with item 8 = `number` (long list, 256-byte bloom)."""
    fields: list[object] = [
        b"\x11" * 32, b"\x22" * 32, b"\x33" * 20, b"\x44" * 32, b"\x55" * 32, b"\x66" * 32,
        b"\x00" * 256, 0, number, 30_000_000, 21_000, 1_700_000_000, b"extra", b"\x77" * 32,
        b"\x00" * 8, 7,
    ]
    return bytes(rlp.encode(fields))


def proof_for(header: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    return (bytes(32), b"\xaa" * 32, b"\xbb" * 32, keccak256(header))


def root_for(proof: tuple[bytes, bytes, bytes, bytes]) -> bytes:
    return keccak256(abi_encode(["bytes32"] * 4, list(proof)))
