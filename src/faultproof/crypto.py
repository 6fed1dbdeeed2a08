"""Hash functions used across the protocol (keccak256 everywhere, sha256 for preimage keys)."""

import hashlib

from Crypto.Hash import keccak as _keccak


def keccak256(data: bytes) -> bytes:
    """Ethereum's keccak256 (the original Keccak padding, not SHA3-256)."""
    return _keccak.new(digest_bits=256, data=data).digest()


def sha256(data: bytes) -> bytes:
    """SHA-256, used by type-4 preimage keys."""
    return hashlib.sha256(data).digest()
