"""Python side of the rollup's L1 contracts: the Portal's artifact, deployer and encoders.

The portal (`Portal.vy`, README.md here) takes OptimismPortal2's ABI, so its arguments are the
same tuples op-node and the OP SDK build. This module builds them:

    portal = deploy_portal(chain, system.factory.address, respected_game_type=255,
                           proof_maturity_delay=7 * 86400, finality_delay=302400)
    wd = WithdrawalTransaction(nonce, sender, target, value, gas_limit, data)
    proof = OutputRootProof(state_root, passer_storage_root, block_hash)
    portal.transact("proveWithdrawalTransaction", wd.as_tuple(), game_index, proof.as_tuple(),
                    withdrawal_proof_from_get_proof(l2.eth_getProof(...), wd.hash()))

Proofs are lists of trie nodes as ``eth_getProof`` returns them (hash-referenced nodes from
the root down; inline nodes stay inside their parent), which is what the on-chain verifier
(`secure_trie.vy`) walks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_abi.abi import encode as abi_encode

from faultproof.chain.base import Chain
from faultproof.contracts.binding import Contract
from faultproof.contracts.compiler import Artifact, compile_contract
from faultproof.crypto import keccak256
from faultproof.errors import FaultproofError
from faultproof.evm import mpt, rlp

HERE = Path(__file__).resolve().parent

CONTRACTS = ("Portal",)
MOCKS = ("TrieHarness", "PortalProbe", "DepositBurst")

#: OptimismPortal2's `l2Sender` outside a withdrawal.
DEFAULT_L2_SENDER = "0x000000000000000000000000000000000000dead"
#: L1 -> L2 alias offset for contract senders.
ALIAS_OFFSET = 0x1111000000000000000000000000000000001111
#: Where the L2ToL1MessagePasser lives on L2 (its storage root is in the output root).
MESSAGE_PASSER = "0x4200000000000000000000000000000000000016"
#: `TransactionDeposited(address,address,uint256,bytes)` topic and the deposit selector.
DEPOSIT_EVENT_TOPIC = keccak256(b"TransactionDeposited(address,address,uint256,bytes)")
DEPOSIT_SELECTOR = keccak256(b"depositTransaction(address,uint256,uint64,bool,bytes)")[:4]
#: Portal limits (ROLLUP.md section 2).
MAX_DEPOSIT_DATA = 120_000
MAX_WITHDRAWAL_DATA = 16_384
RECEIVE_DEFAULT_GAS_LIMIT = 100_000


class PortalError(FaultproofError):
    """A portal argument cannot be built (bad proof JSON, a slot that is not the withdrawal's)."""


def artifact(name: str) -> Artifact:
    """Compiled artifact (cached) of the portal or a test mock of this package."""
    if name in CONTRACTS:
        return compile_contract(HERE / f"{name}.vy")
    if name in MOCKS:
        return compile_contract(HERE / "mocks" / f"{name}.vy")
    raise PortalError(f"unknown rollup contract {name!r}; known: {CONTRACTS + MOCKS}")


def deploy_portal(
    chain: Chain,
    factory: str,
    registry: str | None = None,
    respected_game_type: int | None = None,
    proof_maturity_delay: int = 7 * 24 * 3600,
    finality_delay: int = 302_400,
    guardian: str | None = None,
    *,
    sender: str | None = None,
) -> Contract:
    """Deploy a Portal reading games from `factory`.

    With a `registry` (an AnchorStateRegistry) its blacklist also blocks finalization, and the
    respected game type defaults to the registry's. Delays are in seconds (defaults: OP
    mainnet's 7 days and 3.5 days); the guardian defaults to the sender.
    """
    if respected_game_type is None:
        if registry is None:
            raise PortalError("deploy_portal needs respected_game_type when no registry is given")
        reg = chain.at(registry, [_VIEW_RESPECTED])
        respected_game_type = int(reg.call("respectedGameType"))
    sender = sender or chain.default_sender
    return chain.deploy_contract(
        artifact("Portal"), factory, registry or "0x" + "00" * 20, respected_game_type,
        proof_maturity_delay, finality_delay, guardian or sender, sender=sender,
    )


_VIEW_RESPECTED: dict[str, Any] = {
    "type": "function", "name": "respectedGameType", "stateMutability": "view",
    "inputs": [], "outputs": [{"name": "", "type": "uint32"}],
}


# ---- deposits ---------------------------------------------------------------------------


def alias(address: str | bytes) -> bytes:
    """`AddressAliasHelper.applyL1ToL2Alias`: the L2 sender of a deposit from an L1 contract."""
    raw = bytes.fromhex(address[2:]) if isinstance(address, str) else address
    return ((int.from_bytes(raw, "big") + ALIAS_OFFSET) % 2**160).to_bytes(20, "big")


def opaque_data(mint: int, value: int, gas_limit: int, is_creation: bool, data: bytes) -> bytes:
    """The deposit event's payload: mint ‖ value ‖ gasLimit(u64) ‖ isCreation(u8) ‖ data."""
    return (mint.to_bytes(32, "big") + value.to_bytes(32, "big") + gas_limit.to_bytes(8, "big")
            + bytes([1 if is_creation else 0]) + data)


@dataclass(frozen=True)
class DecodedDeposit:
    """A `TransactionDeposited` log read with op-node's rules (spec digest section 6.9)."""

    sender: bytes
    to: bytes | None
    mint: int
    value: int
    gas_limit: int
    is_creation: bool
    data: bytes


def decode_deposit_log(topics: Sequence[bytes], data: bytes) -> DecodedDeposit:
    """Decode a deposit log exactly as op-node's `UnmarshalDepositLogEvent`; `PortalError` on
    anything it would call malformed."""
    if len(topics) != 4 or topics[0] != DEPOSIT_EVENT_TOPIC:
        raise PortalError("not a TransactionDeposited log (topic count or topic 0)")
    if int.from_bytes(topics[3], "big") != 0:
        raise PortalError("deposit version is not 0")
    if len(data) < 64 or len(data) % 32:
        raise PortalError("deposit log data is not whole 32-byte words")
    if int.from_bytes(data[:32], "big") != 32:
        raise PortalError("deposit log data offset is not 32")
    length = int.from_bytes(data[32:64], "big")
    if length > len(data) - 64 or length + 32 <= len(data) - 64:
        raise PortalError("deposit opaque data length does not match its padding")
    opaque = data[64:64 + length]
    if len(opaque) < 73:
        raise PortalError("deposit opaque data is shorter than 73 bytes")
    is_creation = opaque[72] != 0
    return DecodedDeposit(
        sender=topics[1][12:], to=None if is_creation else topics[2][12:],
        mint=int.from_bytes(opaque[:32], "big"), value=int.from_bytes(opaque[32:64], "big"),
        gas_limit=int.from_bytes(opaque[64:72], "big"), is_creation=is_creation,
        data=opaque[73:],
    )


# ---- withdrawals --------------------------------------------------------------------------


@dataclass(frozen=True)
class WithdrawalTransaction:
    """OP's `Types.WithdrawalTransaction` as the L2ToL1MessagePasser recorded it."""

    nonce: int
    sender: str
    target: str
    value: int
    gas_limit: int
    data: bytes = b""

    def as_tuple(self) -> tuple[int, str, str, int, int, bytes]:
        """The ABI tuple the portal's functions take."""
        return (self.nonce, self.sender, self.target, self.value, self.gas_limit, self.data)

    def hash(self) -> bytes:
        """`Hashing.hashWithdrawal`: keccak256(abi.encode(nonce, sender, target, value,
        gasLimit, data))."""
        return keccak256(abi_encode(
            ["uint256", "address", "address", "uint256", "uint256", "bytes"],
            list(self.as_tuple()),
        ))


@dataclass(frozen=True)
class OutputRootProof:
    """OP's `Types.OutputRootProof`; `root()` is the output root v0 a game claims."""

    state_root: bytes
    message_passer_storage_root: bytes
    latest_blockhash: bytes
    version: bytes = bytes(32)

    def as_tuple(self) -> tuple[bytes, bytes, bytes, bytes]:
        return (self.version, self.state_root, self.message_passer_storage_root,
                self.latest_blockhash)

    def root(self) -> bytes:
        return keccak256(b"".join(self.as_tuple()))


def withdrawal_slot(withdrawal_hash: bytes) -> bytes:
    """Storage slot of `sentMessages[hash]` in the message passer: keccak256(abi.encode(h, 0))."""
    return keccak256(withdrawal_hash + bytes(32))


def message_passer_storage(withdrawal_hashes: Iterable[bytes],
                           extra: Mapping[bytes, int] | None = None) -> mpt.BuiltTrie:
    """Every node of a message passer storage trie holding `withdrawal_hashes` (value 1) plus
    `extra` slots (e.g. `msgNonce` at slot 1), keys as 32-byte slots."""
    items = {withdrawal_slot(h): rlp.encode(1) for h in withdrawal_hashes}
    for slot, value in (extra or {}).items():
        items[slot] = rlp.encode(value)
    return mpt.secure_trie(items)


def trie_proof(built: mpt.BuiltTrie | Mapping[bytes, bytes], root: bytes, path: bytes
               ) -> list[bytes]:
    """The hash-referenced nodes from `root` towards the 32-byte `path` (already hashed for a
    secure trie), as ``eth_getProof`` lists them."""
    nodes = built.nodes if isinstance(built, mpt.BuiltTrie) else built
    want = mpt.nibbles(path)
    out: list[bytes] = []
    ref: rlp.RLPItem = root
    depth = 0
    while True:
        if isinstance(ref, list):
            node = ref
        else:
            if len(ref) != 32 or ref not in nodes:
                return out
            out.append(nodes[ref])
            node = mpt.decode_node(nodes[ref])
        if len(node) == 17:
            if depth >= len(want):
                return out
            ref = node[want[depth]]
            depth += 1
            continue
        sub, is_leaf = mpt.compact_decode(rlp.as_bytes(node[0]))
        if is_leaf or want[depth:depth + len(sub)] != sub:
            return out
        depth += len(sub)
        ref = node[1]


def withdrawal_proof(built: mpt.BuiltTrie, withdrawal_hash: bytes) -> list[bytes]:
    """The storage proof of a withdrawal's `sentMessages` slot in a built message passer trie."""
    return trie_proof(built, built.root, keccak256(withdrawal_slot(withdrawal_hash)))


def _hex_bytes(value: object, what: str) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        text = value[2:] if value.startswith(("0x", "0X")) else value
        try:
            return bytes.fromhex(text if len(text) % 2 == 0 else "0" + text)
        except ValueError:
            pass
    raise PortalError(f"{what} is not hex bytes: {value!r}")


def _quantity(value: object, what: str) -> int:
    if isinstance(value, int):
        return value
    return int.from_bytes(_hex_bytes(value, what), "big")


def withdrawal_proof_from_get_proof(get_proof: Mapping[str, Any], withdrawal_hash: bytes
                                    ) -> list[bytes]:
    """The portal's `withdrawalProof` from an ``eth_getProof(MESSAGE_PASSER, [slot], block)``
    answer (hex JSON or bytes): the storage proof of the withdrawal's slot, checked to be for
    that slot and to hold 1 (a proof the portal would refuse fails here, with a reason)."""
    slot = withdrawal_slot(withdrawal_hash)
    entries = get_proof.get("storageProof")
    if not isinstance(entries, list):
        raise PortalError("eth_getProof answer has no storageProof list")
    for entry in entries:
        key = _hex_bytes(entry.get("key"), "storageProof key").rjust(32, b"\0")
        if key != slot:
            continue
        if _quantity(entry.get("value"), "storageProof value") != 1:
            raise PortalError(f"withdrawal 0x{withdrawal_hash.hex()} is not in the message "
                              "passer at that block (slot value is not 1)")
        raw = entry.get("proof")
        if not isinstance(raw, list):
            raise PortalError("storageProof entry has no proof list")
        return [_hex_bytes(n, "proof node") for n in raw]
    raise PortalError(f"eth_getProof answer has no proof for slot 0x{slot.hex()}")


def output_root_proof_from_get_proof(get_proof: Mapping[str, Any], state_root: bytes,
                                     block_hash: bytes) -> OutputRootProof:
    """The `OutputRootProof` of an L2 block from its state root, hash and the message passer's
    ``eth_getProof`` answer (whose ``storageHash`` is the passer's storage root)."""
    return OutputRootProof(state_root, _hex_bytes(get_proof.get("storageHash"), "storageHash"),
                           block_hash)
