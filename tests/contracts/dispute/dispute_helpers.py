"""Helpers shared by the dispute contract tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

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


