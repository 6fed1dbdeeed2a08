"""The demo rollup ("hashchain rollup"), the Python twin of ``guest/programs/rollup.c``.

``state_n = keccak(state_{n-1} || batch_n)``, ``output_n = keccak(uint256(n) || state_n || tape_root)``
with ``tape_root = keccak(batch hashes)``. The guest is the fault proof program; this model is what
proposers and challengers use to compute output roots and to fill the preimage store the guest reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from faultproof.crypto import keccak256
from faultproof.preimage.host import LocalHost
from faultproof.preimage.keys import keccak256_key
from faultproof.preimage.store import BootInfo, MemoryStore

# Local data idents (dispute-game-and-oracle.md §1.4).
LOCAL_L1_HEAD = 1
LOCAL_STARTING_OUTPUT = 2
LOCAL_DISPUTED_OUTPUT = 3
LOCAL_DISPUTED_BLOCK = 4
LOCAL_CHAIN_ID = 5


@dataclass
class HashchainRollup:
    """A chain over a fixed list of batches; block 0 is genesis with the given state."""

    batches: list[bytes]
    genesis_state: bytes = bytes(32)
    _states: list[bytes] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.batch_hashes = [keccak256(b) for b in self.batches]
        self.tape = b"".join(self.batch_hashes)
        self.tape_root = keccak256(self.tape)
        states = [self.genesis_state]
        for batch in self.batches:
            states.append(keccak256(states[-1] + batch))
        self._states = states

    @property
    def head(self) -> int:
        return len(self.batches)

    def safe_head(self) -> int:
        """Every batch of the demo is final: the safe head is the head."""
        return self.head

    def state(self, block: int) -> bytes:
        return self._states[min(block, self.head)]

    def output_preimage(self, block: int) -> bytes:
        """Blocks past the head have no batch yet: the chain stays at its head (as the program)."""
        block = min(block, self.head)
        return block.to_bytes(32, "big") + self.state(block) + self.tape_root

    def output_root(self, block: int) -> bytes:
        return keccak256(self.output_preimage(block))

    def store(self, store: MemoryStore | None = None) -> MemoryStore:
        """Every preimage the program may ask for: outputs, the tape and each batch."""
        store = store if store is not None else MemoryStore()
        for block in range(self.head + 1):
            pre = self.output_preimage(block)
            store.put(keccak256_key(pre), pre)
        store.put(keccak256_key(self.tape), self.tape)
        for batch in self.batches:
            store.put(keccak256_key(batch), batch)
        return store

    def host(
        self,
        starting_output: bytes,
        disputed_output: bytes,
        disputed_block: int,
        store: MemoryStore | None = None,
    ) -> LocalHost:
        """A host for one execution subgame, with its local inputs as boot info."""
        boot = BootInfo(
            {
                LOCAL_STARTING_OUTPUT: starting_output,
                LOCAL_DISPUTED_OUTPUT: disputed_output,
                LOCAL_DISPUTED_BLOCK: disputed_block.to_bytes(8, "big"),
            }
        )
        return LocalHost(store=store if store is not None else self.store(), boot_info=boot)


def demo_batches(count: int, seed: bytes = b"faultproof-demo") -> list[bytes]:
    """Deterministic batches of varying size, so runs are reproducible."""
    out = []
    for i in range(count):
        h = keccak256(seed + i.to_bytes(4, "big"))
        out.append(h * (1 + h[0] % 4))
    return out
