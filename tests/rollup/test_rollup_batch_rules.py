"""docs/ROLLUP.md §4 (batch encoding) and §5 (batch rules, in order) on hand-made cases, and the
sequencer's choice of L1 origin (advance when the next L1 block is due, respect the drift)."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from ethereum_types.numeric import U256

from faultproof.evm import rlp
from faultproof.rollup.batch import Batch, decode_batches, encode_batches
from faultproof.rollup.config import BlockId, Genesis, RollupConfig
from faultproof.rollup.derivation import Verdict, check_batch
from faultproof.rollup.execution import L1Info, L2Block, genesis_block
from faultproof.rollup.genesis import genesis_alloc
from faultproof.rollup.l1 import L1Error
from faultproof.rollup.node import L2Node
from faultproof.rollup.sequencer import Sequencer

CONFIG = RollupConfig(
    genesis=Genesis(BlockId(10, b"\x0a" * 32), BlockId(0, b"\x00" * 32), 1000),
    batcher_address=b"\xba" * 20,
    deposit_contract_address=b"\xdc" * 20,
)
EPOCH = L1Info(10, b"\x0a" * 32, 1000, 1, 1, b"\x00" * 32, b"\x00" * 32)
NEXT = L1Info(11, b"\x0b" * 32, 1012, 1, 1, b"\x00" * 32, b"\x00" * 32, EPOCH.hash)


@pytest.fixture(scope="module")
def safe() -> L2Block:
    return genesis_block(CONFIG, genesis_alloc({}))[0]


def _batch(safe: L2Block, **kw: object) -> Batch:
    base = Batch(safe.hash, 10, EPOCH.hash, safe.timestamp + 2, ())
    return replace(base, **kw)  # type: ignore[arg-type]


def test_batches_round_trip_and_bad_calldata_is_ignored(safe: L2Block) -> None:
    batches = [_batch(safe), _batch(safe, txs=(b"\x02\xc0", b"\xc1\x80"))]
    data = encode_batches(batches)
    assert decode_batches(data) == batches
    assert decode_batches(b"\x01" + data[1:]) is None
    assert decode_batches(data + b"\x00") is None
    assert decode_batches(b"") is None
    short_hash = b"\x00" + rlp.encode([[b"\x01" * 31, 10, EPOCH.hash, 1002, []]])
    assert decode_batches(short_hash) is None
    padded_number = b"\x00" + rlp.encode([[safe.hash, b"\x00\x0a", EPOCH.hash, 1002, []]])
    assert decode_batches(padded_number) is None


@pytest.mark.parametrize(
    ("changes", "inclusion", "next_epoch", "verdict", "reason"),
    [
        ({}, 11, None, Verdict.ACCEPT, ""),
        ({"timestamp": 1004}, 11, None, Verdict.FUTURE, "future timestamp"),
        ({"timestamp": 1000}, 11, None, Verdict.DROP, "timestamp before the next block's"),
        ({"parent_hash": b"\x01" * 32}, 11, None, Verdict.DROP, "parent hash is not the safe head"),
        ({}, 19, None, Verdict.DROP, "included after the sequencing window"),
        ({"epoch_number": 9}, 11, None, Verdict.DROP, "epoch before the safe head's"),
        ({"epoch_number": 11, "epoch_hash": NEXT.hash}, 11, None, Verdict.UNDECIDED,
         "next epoch not read yet"),
        ({"epoch_number": 12}, 11, NEXT, Verdict.DROP, "epoch more than one ahead"),
        ({"epoch_hash": b"\x0c" * 32}, 11, None, Verdict.DROP, "epoch hash does not match L1"),
        ({"epoch_number": 11, "epoch_hash": NEXT.hash}, 12, NEXT, Verdict.DROP,
         "timestamp before its L1 origin's"),
        ({"txs": (b"",)}, 11, None, Verdict.DROP, "empty transaction"),
        ({"txs": (b"\x7e\xc0",)}, 11, None, Verdict.DROP, "transaction of type 0x7e"),
        ({"txs": (b"\x03\xc0",)}, 11, None, Verdict.DROP, "transaction of type 0x03"),
    ],
)
def test_batch_rules_in_order(
    safe: L2Block, changes: dict[str, object], inclusion: int, next_epoch: L1Info | None,
    verdict: Verdict, reason: str,
) -> None:
    got, origin, why = check_batch(CONFIG, _batch(safe, **changes), inclusion, safe, EPOCH,
                                   next_epoch)
    assert (got, why) == (verdict, reason)
    assert (origin is not None) == (verdict is Verdict.ACCEPT)


def test_sequencer_drift_rules(safe: L2Block) -> None:
    config = replace(CONFIG, max_sequencer_drift=10)
    late = replace(safe, header=replace(safe.header, timestamp=U256(1010)))
    for changes, next_epoch, verdict, reason in [
        ({"txs": (b"\x02\xc0",)}, None, Verdict.DROP, "past the sequencer drift with transactions"),
        ({}, None, Verdict.UNDECIDED, "past the drift, next epoch not read yet"),
        ({}, replace(NEXT, timestamp=1011), Verdict.DROP,
         "past the drift and should have advanced the epoch"),
        ({}, replace(NEXT, timestamp=1013), Verdict.ACCEPT, ""),
    ]:
        batch = Batch(late.hash, 10, EPOCH.hash, 1012, ())
        got, _, why = check_batch(config, replace(batch, **changes), 11, late, EPOCH, next_epoch)  # type: ignore[arg-type]
        assert (got, why) == (verdict, reason)


class FakeL1:
    """Just what the sequencer reads: `info` by number, deposits (none)."""

    def __init__(self, blocks: list[L1Info]) -> None:
        self.blocks = {b.number: b for b in blocks}

    def info(self, number: int) -> L1Info:
        if number not in self.blocks:
            raise L1Error(f"no L1 block {number}")
        return self.blocks[number]

    def deposits(self, number: int) -> list[object]:
        return []


def test_sequencer_advances_its_origin_when_the_next_l1_block_is_due() -> None:
    config = replace(CONFIG, max_sequencer_drift=6)
    genesis, state = genesis_block(config, genesis_alloc({}))
    node = L2Node(config, genesis, state)
    seq = Sequencer(config, node, FakeL1([EPOCH, replace(NEXT, timestamp=1006)]))  # type: ignore[arg-type]
    origins = [seq.build_next() for _ in range(3)]
    assert [b.l1_origin.number for b in origins if b] == [10, 10, 11]
    assert [b.seq for b in origins if b] == [1, 2, 0]  # genesis is seq 0 of epoch 10
    # no L1 block 12: the origin stays at 11 until the drift (1006 + 6) runs out
    more = [seq.build_next() for _ in range(4)]
    assert [b.timestamp for b in more if b] == [1008, 1010, 1012]
    assert more[-1] is None


def test_sequencer_thread_builds_as_the_clock_passes() -> None:
    genesis, state = genesis_block(CONFIG, genesis_alloc({}))
    node = L2Node(CONFIG, genesis, state)
    seq = Sequencer(CONFIG, node, FakeL1([EPOCH]))  # type: ignore[arg-type]
    seq.start(clock=lambda: 1006.5)
    try:
        deadline = time.monotonic() + 20
        while node.head.number < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        seq.stop()
    assert [b.timestamp for b in node.blocks] == [1000, 1002, 1004, 1006]
