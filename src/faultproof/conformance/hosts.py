"""Hosts for the bundled guests that read preimages, so their preimage steps are checked too."""

from __future__ import annotations

from faultproof.crypto import keccak256
from faultproof.preimage.host import LocalHost
from faultproof.preimage.keys import keccak256_key
from faultproof.preimage.store import BootInfo, MemoryStore

# The bundled ``preimage`` guest reads local key 1 as a keccak256 hash and asks for its preimage.
SAMPLE_PREIMAGE = b"faultproof sample preimage: " + bytes(range(256)) * 3


def preimage_guest_host(data: bytes = SAMPLE_PREIMAGE) -> LocalHost:
    """A host whose local key 1 is keccak256(data) and whose store holds ``data``."""
    digest = keccak256(data)
    store = MemoryStore()
    store.put(keccak256_key(data), data)
    return LocalHost(store=store, boot_info=BootInfo({1: digest}))
