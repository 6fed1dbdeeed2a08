"""Withdrawals as the L1 portal proves them (fault-proof-program.md §4, §7.1).

The L2ToL1MessagePasser records ``sentMessages[withdrawalHash] = 1``; the portal checks a
secure-trie proof of that slot against the message passer's storage root, which it gets from
an output root's preimage (the output root proof).
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_abi.abi import encode as abi_encode

from faultproof.crypto import keccak256
from faultproof.rollup.genesis import MESSAGE_PASSER, message_slot
from faultproof.rollup.node import L2Node

MESSAGE_VERSION = 1


@dataclass(frozen=True)
class Withdrawal:
    """OP's ``WithdrawalTransaction``."""

    nonce: int
    sender: bytes
    target: bytes
    value: int
    gas_limit: int
    data: bytes

    @property
    def hash(self) -> bytes:
        """``Hashing.hashWithdrawal``: keccak256(abi.encode(nonce, sender, target, value,
        gasLimit, data))."""
        return keccak256(
            abi_encode(
                ["uint256", "address", "address", "uint256", "uint256", "bytes"],
                [self.nonce, "0x" + self.sender.hex(), "0x" + self.target.hex(), self.value,
                 self.gas_limit, self.data],
            )
        )


def message_nonce(index: int) -> int:
    """The nonce of the ``index``-th withdrawal (version 1 in the top 16 bits)."""
    return (MESSAGE_VERSION << 240) | index


@dataclass(frozen=True)
class WithdrawalProof:
    """What ``proveWithdrawalTransaction`` takes besides the transaction and the game index."""

    output_root: bytes
    state_root: bytes
    message_passer_storage_root: bytes
    block_hash: bytes
    storage_proof: list[bytes]


def prove(node: L2Node, withdrawal: Withdrawal, number: int) -> WithdrawalProof:
    """The output root proof and the storage proof of ``withdrawal`` at L2 block ``number``."""
    out = node.output_at(number)
    block = node.block(number)
    root = out["withdrawalStorageRoot"]
    assert isinstance(root, bytes)
    output = out["outputRoot"]
    assert isinstance(output, bytes)
    proof = node.message_passer_storage_proof(message_slot(withdrawal.hash), number)
    return WithdrawalProof(output, bytes(block.header.state_root), root, block.hash, proof)


__all__ = ["MESSAGE_PASSER", "Withdrawal", "WithdrawalProof", "message_nonce", "prove"]
