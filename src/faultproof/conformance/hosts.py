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


def rollup_guest_host(blocks: int = 3) -> LocalHost:
    """A host for the bundled ``rollup`` guest: an honest claim about a short demo chain.

    The guest reads local keys 2-4 (loaded on chain with ``loadLocalData``) and keccak256
    preimages of outputs, the tape and every batch, so its steps cover both oracle paths.
    """
    from faultproof.demo.rollup import HashchainRollup, demo_batches

    rollup = HashchainRollup(demo_batches(blocks))
    return rollup.host(rollup.output_root(1), rollup.output_root(blocks), blocks)
