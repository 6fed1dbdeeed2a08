"""A synthetic L1 and the L2 chain derived from it, for the rollup fault proof program's tests.

L1 blocks are built here (Cancun headers, batcher transactions signed on the L1 chain id,
receipts with the portal's ``TransactionDeposited`` logs) and served two ways: to the Python
derivation reference (`faultproof.rollup.derivation.Deriver`, through an `L1Reader` stand-in
that decodes the same bytes with the reference's own functions) and to the C program as a
preimage store (headers, every transaction- and receipt-trie node). The L2 chain is whatever
the reference derives; batches are written as a sequencer would, each on top of the
reference's current safe head, so tests can aim a batch at "the next block" without knowing
hashes in advance.

``new_chain(batch_format="frames")`` builds a chain whose config carries batches in OP's frames
(docs/ROLLUP.md §4.2): `Chain.post` then writes one channel (channel ids counted 1, 2, …), and
the reference reads raw batcher calldata through its channel assembler.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ethereum.forks.cancun.state import State

from faultproof import guests
from faultproof.crypto import keccak256
from faultproof.evm import rlp
from faultproof.evm.mpt import derivable_list_trie
from faultproof.evm.reference import (
    UnsignedTx,
    reference_router,
    secret_address,
    sign_tx,
    state_nodes,
    tx_bytes,
)
from faultproof.preimage.host import LocalHost
from faultproof.preimage.keys import keccak256_key
from faultproof.preimage.native import run_native
from faultproof.preimage.store import BootInfo, MemoryStore
from faultproof.rollup.batch import Batch, batcher_calldata, decode_batches
from faultproof.rollup.config import BlockId, Genesis, RollupConfig
from faultproof.rollup.derivation import Deriver
from faultproof.rollup.execution import (
    TRANSACTION_DEPOSITED,
    DepositTx,
    L1Info,
    L2Block,
    blob_base_fee,
    deposit_from_log,
    genesis_block,
    output_root,
)
from faultproof.rollup.frames import Frame, batch_stream, encode_frames
from faultproof.rollup.genesis import genesis_alloc
from faultproof.rollup.l1 import L1Reader
from faultproof.rollup.node import L2Node

L1_CHAIN_ID = 31337
L2_CHAIN_ID = 901
L1_BLOCK_TIME = 4
T0 = 1_700_000_000
BATCHER_KEY = 0xBA7C4E5
USER_KEY = 0x5E12
STRANGER_KEY = 0x57A2
BATCHER = secret_address(BATCHER_KEY)
USER = secret_address(USER_KEY)
PORTAL = bytes.fromhex("5e" * 20)
INBOX = bytes.fromhex("ff00000000000000000000000000000000000901")
EMPTY_ROOT = keccak256(b"\x80")
EMPTY_OMMERS = keccak256(rlp.encode([]))


def pad32(value: bytes) -> bytes:
    return b"\x00" * (32 - len(value)) + value


@dataclass(frozen=True)
class Deposit:
    """A portal deposit as its L1 log says (``ok`` False: the L1 receipt failed)."""

    from_: bytes
    to: bytes | None
    mint: int
    value: int
    gas: int
    data: bytes = b""
    ok: bool = True
    malformed: bool = False
    """Cut the log's last data word off (its opaque length then runs past the data)."""

    def log(self) -> tuple[list[bytes], bytes]:
        opaque = (
            self.mint.to_bytes(32, "big")
            + self.value.to_bytes(32, "big")
            + self.gas.to_bytes(8, "big")
            + (b"\x01" if self.to is None else b"\x00")
            + self.data
        )
        padded = opaque + b"\x00" * (-len(opaque) % 32)
        data = (32).to_bytes(32, "big") + len(opaque).to_bytes(32, "big") + padded
        if self.malformed:
            data = data[:-32]
        topics = [TRANSACTION_DEPOSITED, pad32(self.from_), pad32(self.to or b""), b"\x00" * 32]
        return topics, data


@dataclass
class L1Block:
    number: int
    parent_hash: bytes
    timestamp: int
    txs: list[bytes]
    receipts: list[bytes]
    excess_blob_gas: int
    batches: list[Batch]
    deposits: list[DepositTx]
    header: bytes = b""
    hash: bytes = b""
    batcher_calldata: list[bytes] = field(default_factory=list)
    """Calldata of the batcher's transactions to the inbox, in order (any format)."""

    def info(self) -> L1Info:
        return L1Info(
            number=self.number,
            hash=self.hash,
            timestamp=self.timestamp,
            base_fee=7 + self.number,
            blob_base_fee=blob_base_fee(self.excess_blob_gas),
            mix_hash=keccak256(b"mix" + bytes([self.number])),
            parent_beacon_root=keccak256(b"beacon" + bytes([self.number])),
            parent_hash=self.parent_hash,
        )


class SyntheticL1(L1Reader):
    """The reference's view of the synthetic L1 (the four methods `Deriver` calls)."""

    def __init__(self, config: RollupConfig, blocks: list[L1Block]) -> None:
        self.config = config
        self.blocks = blocks

    def latest_number(self) -> int:
        return len(self.blocks) - 1

    def info(self, number: int) -> L1Info:
        return self.blocks[number].info()

    def batches(self, number: int) -> list[Batch]:
        return list(self.blocks[number].batches)

    def batcher_calldata(self, number: int) -> list[bytes]:
        return list(self.blocks[number].batcher_calldata)

    def deposits(self, number: int) -> list[DepositTx]:
        return list(self.blocks[number].deposits)


@dataclass
class BatcherTx:
    """One L1 transaction to the inbox: calldata and who signs it."""

    calldata: bytes
    key: int = BATCHER_KEY
    to: bytes = INBOX


TxMaker = Callable[["Chain"], list[BatcherTx]]


@dataclass
class Chain:
    """The L1 built so far, the reference's L2 node and its deriver."""

    config: RollupConfig
    genesis: L2Block
    genesis_state: State
    l1: list[L1Block] = field(default_factory=list)
    node: L2Node | None = None
    deriver: Deriver | None = None
    nonces: dict[int, int] = field(default_factory=dict)
    channels: int = 0
    """Channel ids handed out by `post` in the frames format (ids 1, 2, … as 16 bytes)."""

    @property
    def head(self) -> L2Block:
        assert self.node is not None
        return self.node.head

    def next_batch(self, txs: Sequence[bytes] = (), **changes: object) -> Batch:
        """The batch a sequencer would post for the block after the reference's safe head."""
        head = self.head
        ts = head.timestamp + self.config.block_time
        epoch = head.l1_origin.number
        if epoch + 1 < len(self.l1) and self.l1[epoch + 1].timestamp <= ts:
            epoch += 1
        fields: dict[str, object] = {
            "parent_hash": head.hash,
            "epoch_number": epoch,
            "epoch_hash": self.l1[epoch].hash,
            "timestamp": ts,
            "txs": tuple(txs),
        }
        fields.update(changes)
        return Batch(**fields)  # type: ignore[arg-type]

    def user_tx(self, key: int = USER_KEY, **changes: object) -> bytes:
        """A signed L2 transfer (EIP-1559) with the sender's next nonce."""
        nonce = self.nonces.get(key, 0)
        fields: dict[str, object] = {
            "tx_type": 2,
            "nonce": nonce,
            "gas_limit": 21_000,
            "to": b"\x77" * 20,
            "value": 1000,
            "max_fee_per_gas": 10**10,
            "max_priority_fee_per_gas": 3,
        }
        fields.update(changes)
        self.nonces[key] = int(fields["nonce"]) + 1  # type: ignore[call-overload]
        return tx_bytes(sign_tx(UnsignedTx(**fields), key, L2_CHAIN_ID))  # type: ignore[arg-type]

    def add_l1(
        self, inbox: Sequence[BatcherTx] = (), deposits: Sequence[Deposit] = (),
        excess_blob_gas: int = 0, derive: bool = True,
    ) -> L1Block:
        """Append an L1 block, then let the reference derive everything it can."""
        number = len(self.l1)
        parent = self.l1[-1].hash if self.l1 else b"\x00" * 32
        block = L1Block(number, parent, T0 + L1_BLOCK_TIME * number, [], [], excess_blob_gas,
                        [], [])
        for i, item in enumerate(inbox):
            signed = sign_tx(
                UnsignedTx(tx_type=2, nonce=number * 16 + i, gas_limit=1_000_000, to=item.to,
                           data=item.calldata, max_fee_per_gas=100, max_priority_fee_per_gas=1),
                item.key, L1_CHAIN_ID,
            )
            block.txs.append(tx_bytes(signed))
            if item.to == INBOX and secret_address(item.key) == BATCHER:
                block.batcher_calldata.append(item.calldata)
                if self.config.batch_format == "rlp-list":
                    block.batches.extend(decode_batches(item.calldata) or [])
        logs: list[tuple[list[bytes], bytes]] = []
        cumulative = 0
        for dep in deposits:
            topics, data = dep.log()
            cumulative += 50_000
            log: list[rlp.Encodable] = [PORTAL, list(topics), data]
            receipt: list[rlp.Encodable] = [1 if dep.ok else 0, cumulative, b"\x00" * 256, [log]]
            block.receipts.append(b"\x02" + rlp.encode(receipt))
            logs.append((topics, data))
        header_fields: list[rlp.Encodable] = [
            parent, EMPTY_OMMERS, b"\x00" * 20, keccak256(b"l1 state" + bytes([number])),
            derivable_list_trie(block.txs).root, derivable_list_trie(block.receipts).root,
            b"\x00" * 256, 0, number, 30_000_000, cumulative, block.timestamp, b"",
            keccak256(b"mix" + bytes([number])), b"\x00" * 8, 7 + number, EMPTY_ROOT, 0,
            excess_blob_gas, keccak256(b"beacon" + bytes([number])),
        ]
        block.header = rlp.encode(header_fields)
        block.hash = keccak256(block.header)
        for index, (dep, (topics, data)) in enumerate(zip(deposits, logs, strict=True)):
            if dep.ok and not dep.malformed:
                block.deposits.append(deposit_from_log(topics, data, block.hash, index))
        self.l1.append(block)
        if self.deriver is None:
            self.node = L2Node(self.config, self.genesis, self.genesis_state)
            self.deriver = Deriver(self.config, SyntheticL1(self.config, self.l1), self.node)
        if derive:
            self.deriver.run()
        return block

    def post(self, *batches: Batch, **kw: object) -> L1Block:
        """An L1 block with the batcher transaction(s) carrying ``batches`` in the config's
        format: one rlp-list transaction, or one channel of frames (`next_channel_id`)."""
        calldata = batcher_calldata(self.config, batches, self.next_channel_id())
        return self.add_l1([BatcherTx(c) for c in calldata], **kw)  # type: ignore[arg-type]

    def next_channel_id(self) -> bytes:
        """A fresh channel id: a counter, so runs are reproducible."""
        self.channels += 1
        return self.channels.to_bytes(16, "big")

    # -- the program's side
    def store(self, into: MemoryStore | None = None) -> MemoryStore:
        """Every preimage the program may read (added to ``into`` when given)."""
        store = into if into is not None else MemoryStore()

        def put(value: bytes) -> None:
            store.put(keccak256_key(value), value)

        for block in self.l1:
            put(block.header)
            for node in derivable_list_trie(block.txs).nodes.values():
                put(node)
            for node in derivable_list_trie(block.receipts).nodes.values():
                put(node)
        put(self.genesis.header_rlp)
        _, nodes = state_nodes(self.genesis_state)
        for node in nodes:
            put(node)
        for account in genesis_alloc(funded()).values():
            if account.code:
                put(account.code)
        put(self.output_preimage(self.genesis, self.genesis_state))
        # the reference's L2 blocks, so that a later block can be the agreed one
        assert self.node is not None
        for l2block in self.node.blocks:
            put(l2block.header_rlp)
            for node in derivable_list_trie(list(l2block.txs)).nodes.values():
                put(node)
            put(self.output_preimage(l2block, self.node.states[l2block.hash]))
        for node in self.node.nodes.values():
            put(node)
        for code in self.node.code.values():
            if code:
                put(code)
        return store

    @staticmethod
    def output_preimage(block: L2Block, state: State) -> bytes:
        from faultproof.rollup.execution import message_passer_root

        return (
            b"\x00" * 32 + bytes(block.header.state_root) + message_passer_root(state) + block.hash
        )

    def output(self, number: int) -> bytes:
        assert self.node is not None
        block = self.node.block(number)
        return output_root(block, self.node.states[block.hash])


def funded() -> dict[bytes, int]:
    return {USER: 10**21, secret_address(STRANGER_KEY): 10**21}


def new_chain(batch_format: str = "rlp-list", channel_timeout: int = 8) -> Chain:
    """L1 block 0 and the L2 genesis over it; the config names both (and how batches are
    carried, docs/ROLLUP.md §4)."""
    placeholder = BlockId(0, b"\x00" * 32)
    l1_genesis = L1Block(0, b"\x00" * 32, T0, [], [], 0, [], [])
    header_fields: list[rlp.Encodable] = [
        b"\x00" * 32, EMPTY_OMMERS, b"\x00" * 20, keccak256(b"l1 state\x00"), EMPTY_ROOT,
        EMPTY_ROOT, b"\x00" * 256, 0, 0, 30_000_000, 0, T0, b"", keccak256(b"mix\x00"),
        b"\x00" * 8, 7, EMPTY_ROOT, 0, 0, keccak256(b"beacon\x00"),
    ]
    l1_genesis.header = rlp.encode(header_fields)
    l1_genesis.hash = keccak256(l1_genesis.header)
    config = RollupConfig(
        genesis=Genesis(BlockId(0, l1_genesis.hash), placeholder, T0),
        batcher_address=BATCHER,
        deposit_contract_address=PORTAL,
        l1_chain_id=L1_CHAIN_ID,
        l2_chain_id=L2_CHAIN_ID,
        batch_format=batch_format,
        channel_timeout=channel_timeout,
    )
    config.check()
    genesis, state = genesis_block(config, genesis_alloc(funded()), l1_genesis.info().mix_hash)
    config = config.with_genesis_l2(0, genesis.hash)
    chain = Chain(config, genesis, state)
    chain.l1.append(l1_genesis)
    chain.node = L2Node(config, genesis, state)
    chain.deriver = Deriver(config, SyntheticL1(config, chain.l1), chain.node)
    return chain


# -- running the program -------------------------------------------------------------------


@dataclass
class Run:
    exit_code: int
    stdout: str
    blocks: list[tuple[int, bytes, str, str]]
    """(number, hash, the rest of the `rollup: block` line, kind) per derived block."""
    computed: bytes | None

    def tx_lines(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.startswith("evm: tx ")]


_BLOCK = re.compile(r"^rollup: block (\d+) 0x([0-9a-f]{64}) (.*kind=(\S+))$")
_OUTPUT = re.compile(r"^rollup: output block=\d+ hash=0x[0-9a-f]+ computed=0x([0-9a-f]{64})")


def parse_run(exit_code: int, stdout: bytes) -> Run:
    text = stdout.decode("utf-8", "replace")
    blocks = []
    computed = None
    for line in text.splitlines():
        m = _BLOCK.match(line)
        if m:
            blocks.append((int(m.group(1)), bytes.fromhex(m.group(2)), m.group(3), m.group(4)))
        o = _OUTPUT.match(line)
        if o:
            computed = bytes.fromhex(o.group(1))
    return Run(exit_code, text, blocks, computed)


def program(chain: Chain, target: str = "host") -> Path:
    return guests.rollup_program_elf(json.dumps(chain.config.to_json()).encode(), target)


def boot(
    chain: Chain, claimed_output: bytes, claimed_block: int, l1_head: int = -1, agreed_block: int = 0
) -> BootInfo:
    assert chain.node is not None
    agreed = chain.output(agreed_block)
    return BootInfo({
        1: chain.l1[l1_head].hash,
        2: agreed,
        3: claimed_output,
        4: claimed_block.to_bytes(8, "big"),
        5: L2_CHAIN_ID.to_bytes(8, "big"),
    })


def host(chain: Chain, boot_info: BootInfo) -> LocalHost:
    store = chain.store()
    return LocalHost(store=store, boot_info=boot_info, router=reference_router(store))


def run(
    chain: Chain, claimed_output: bytes, claimed_block: int, l1_head: int = -1, agreed_block: int = 0
) -> Run:
    """The native program on ``chain``'s L1 (up to ``l1_head``) from the agreed L2 block."""
    elf = program(chain)
    info = boot(chain, claimed_output, claimed_block, l1_head, agreed_block)
    code, out = run_native([str(elf)], host(chain, info), timeout=120)
    return parse_run(code, out)


# -- frames scenarios shared with the program's tests ---------------------------------------


def frames_tx(*frames: Frame) -> BatcherTx:
    """A batcher transaction carrying ``frames`` (frames format, §4.2)."""
    return BatcherTx(encode_frames(frames))


def spanning_channel_chain(channel_timeout: int = 10, lead: int = 16) -> tuple[Chain, int, int]:
    """A frames chain where a channel opens before the L1 origin of an L2 block and closes
    after it, carrying the batch of the next L2 block: (chain, that block's number = the agreed
    block to start from, the L1 block where the channel opened).

    The channel's frame 0 holds only the zlib header (a channel's batches need not be known
    when it opens); L1 blocks without batches follow until the sequencing window makes
    deposits-only blocks whose origin passes the opening block; then frame 1 brings the raw
    DEFLATE of the next block's batch stream and closes the channel. Deriving from the agreed
    block sees frame 0 only because reading starts at ``origin - channel_timeout``."""
    chain = new_chain(batch_format="frames", channel_timeout=channel_timeout)
    for i in range(lead):  # ``lead`` L1 blocks of ordinary one-frame channels first
        chain.post(chain.next_batch([chain.user_tx()] if i % 3 == 0 else []))
    channel = b"\xc4" * 16
    opened = chain.add_l1([frames_tx(Frame(channel, 0, b"\x78\x01", False))]).number
    while chain.head.l1_origin.number <= opened:
        chain.add_l1()
        assert len(chain.l1) <= opened + channel_timeout, "the channel would time out"
    agreed = chain.head.number
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = deflate.compress(batch_stream([chain.next_batch([chain.user_tx()])])) + deflate.flush()
    chain.add_l1([frames_tx(Frame(channel, 1, raw, True))])
    assert chain.deriver is not None and agreed + 1 in chain.deriver.log.accepted
    return chain, agreed, opened
