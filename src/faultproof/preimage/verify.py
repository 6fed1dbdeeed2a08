"""Checking a value against its key: on insert (hash keys, KZG for blobs) and on read.

Type 2 and 4 keys commit to their value, so (key, value) alone proves it. Blob keys commit to an
evaluation point, so a `BlobVerifier` must check a KZG opening (or the whole blob against its
commitment). Trusted entries get a keccak checksum of ``key ‖ value`` so that storage corruption is
still caught on read.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Protocol

from faultproof.crypto import keccak256
from faultproof.preimage.errors import CorruptPreimage, PreimageMismatch, UnverifiablePreimage
from faultproof.preimage.keys import KeyType, keccak256_key, key_type, sha256_key


def verify_preimage(key: bytes, value: bytes) -> None:
    """Check that ``value`` is the preimage of ``key`` from the two alone.

    Raises `PreimageMismatch` if it is not, `UnverifiablePreimage` for key types whose value cannot
    be checked this way (local, generic, blob, precompile).
    """
    kind = key_type(key)
    if kind is KeyType.KECCAK256:
        expected = keccak256_key(value)
    elif kind is KeyType.SHA256:
        expected = sha256_key(value)
    elif kind is KeyType.LOCAL:
        raise UnverifiablePreimage(
            f"local key 0x{key.hex()} cannot be stored: local data comes from BootInfo"
        )
    elif kind is KeyType.GENERIC:
        raise UnverifiablePreimage(f"generic (type 3) key 0x{key.hex()} has no defined derivation")
    else:
        raise UnverifiablePreimage(
            f"{kind.name.lower()} key 0x{key.hex()} does not commit to its value; use "
            f"put_{kind.name.lower()}() or put_trusted()"
        )
    if expected != key:
        raise PreimageMismatch(
            f"value of {len(value)} bytes hashes to 0x{expected.hex()}, not to key 0x{key.hex()}"
        )


def checksum(key: bytes, value: bytes) -> bytes:
    """The integrity checksum kept next to every stored value."""
    return keccak256(key + value)


def check_on_read(key: bytes, value: bytes, stored_checksum: bytes) -> None:
    """Re-hash hash-keyed values, compare the checksum for the rest; raise `CorruptPreimage`."""
    kind = key[0]
    if kind == KeyType.KECCAK256:
        ok = keccak256_key(value) == key
    elif kind == KeyType.SHA256:
        ok = sha256_key(value) == key
    else:
        ok = checksum(key, value) == stored_checksum
    if not ok:
        raise CorruptPreimage(
            f"stored value for key 0x{key.hex()} ({len(value)} bytes) no longer matches its key; "
            "the store is corrupt: delete the entry and fetch it again"
        )


class BlobVerifier(Protocol):
    """KZG checks for blob preimages (type 5 keys commit to the point, not to the value)."""

    def verify(self, commitment: bytes, z: bytes, y: bytes, proof: bytes) -> bool:
        """The blob committed to by ``commitment`` evaluates to ``y`` at ``z``."""
        ...

    def verify_blob(self, commitment: bytes, blob: bytes) -> bool:
        """``commitment`` is the KZG commitment of the whole ``blob`` (so every element is right)."""
        ...


class KzgBlobVerifier:
    """`BlobVerifier` backed by ckzg (the same check as the point-evaluation precompile 0x0A).

    The trusted setup defaults to the mainnet setup file shipped with eth-account.
    """

    def __init__(self, trusted_setup: str | os.PathLike[str] | None = None) -> None:
        self._path = Path(trusted_setup) if trusted_setup is not None else _default_setup()
        self._setup: Any = None
        self._lock = threading.Lock()

    def _loaded(self) -> Any:
        with self._lock:
            if self._setup is None:
                import ckzg

                self._setup = ckzg.load_trusted_setup(str(self._path), 0)
            return self._setup

    def verify(self, commitment: bytes, z: bytes, y: bytes, proof: bytes) -> bool:
        import ckzg

        try:
            return bool(ckzg.verify_kzg_proof(commitment, z, y, proof, self._loaded()))
        except RuntimeError:  # ckzg raises on non-canonical field elements / bad points
            return False

    def verify_blob(self, commitment: bytes, blob: bytes) -> bool:
        import ckzg

        try:
            return bytes(ckzg.blob_to_kzg_commitment(blob, self._loaded())) == commitment
        except RuntimeError:
            return False


def _default_setup() -> Path:
    import eth_account

    path = Path(eth_account.__file__).parent / "typed_transactions/blob_transactions"
    return path / "kzg_trusted_setup.txt"
