"""The rollup on anvil (L1, Cancun): deposits on L1, L2 transfers and a withdrawal, batches
posted by the batcher, and derivation from L1 alone reproducing the sequencer's chain and
output roots; then bad batches, missing batches and a deposit with too little gas.

L1 deposits go through the real Portal (src/faultproof/contracts/rollup/Portal.vy), deployed
with a placeholder dispute game factory (withdrawals are not proven on L1 here).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from eth_abi.abi import encode as abi_encode
from ethereum.crypto.hash import keccak256

from faultproof.chain.anvil import AnvilNode
from faultproof.chain.testing import anvil_available
from faultproof.contracts.rollup import artifact as portal_artifact
from faultproof.evm import mpt
from faultproof.evm.reference import UnsignedTx, secret_address, sign_tx, tx_bytes
from faultproof.evm.rpc_host import JsonRpc
from faultproof.rollup.batch import Batch, encode_batches
from faultproof.rollup.batcher import Batcher, batch_of, wait_receipt
from faultproof.rollup.config import BlockId, Genesis, RollupConfig
from faultproof.rollup.derivation import derive
from faultproof.rollup.execution import genesis_block, output_root
from faultproof.rollup.genesis import MESSAGE_PASSER, genesis_alloc, message_slot
from faultproof.rollup.l1 import L1Error, L1Reader
from faultproof.rollup.node import L2Node
from faultproof.rollup.sequencer import Sequencer
from faultproof.rollup.stack import L2Stack
from faultproof.rollup.withdrawal import Withdrawal, message_nonce, prove

pytestmark = pytest.mark.anvil


USER_KEY = 0xA11CE
USER = secret_address(USER_KEY)
BATCHER_KEY = 0xBA7C4E5
L1_BLOCK_TIME = 6


@dataclass
class World:
    l1: AnvilNode
    rpc: JsonRpc
    config: RollupConfig
    portal: bytes
    funder: str
    node: L2Node
    sequencer: Sequencer
    batcher: Batcher

    def mine(self, blocks: int = 1) -> None:
        for _ in range(blocks):
            self.rpc.call("evm_mine", [])

    def l1_time(self) -> int:
        return int(self.rpc.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    def l1_head(self) -> bytes:
        return bytes.fromhex(self.rpc.call("eth_getBlockByNumber", ["latest", False])["hash"][2:])

    def deposit(self, to: bytes, value: int, gas: int, data: bytes = b"", mint: int = 0) -> None:
        sel = keccak256(b"depositTransaction(address,uint256,uint64,bool,bytes)")[:4]
        call = sel + abi_encode(
            ["address", "uint256", "uint64", "bool", "bytes"],
            ["0x" + to.hex(), value, gas, False, data],
        )
        tx_hash = self.rpc.call(
            "eth_sendTransaction",
            [
                {
                    "from": self.funder,
                    "to": "0x" + self.portal.hex(),
                    "value": hex(mint),
                    "data": "0x" + call.hex(),
                    "gas": hex(500_000),
                }
            ],
        )
        assert wait_receipt(self.rpc, tx_hash)["status"] == "0x1"

    def l2_send(
        self, nonce: int, to: bytes, value: int, data: bytes = b"", gas: int = 21_000
    ) -> bytes:
        raw = tx_bytes(
            sign_tx(
                UnsignedTx(
                    nonce=nonce,
                    to=to,
                    value=value,
                    data=data,
                    gas_limit=gas,
                    max_fee_per_gas=10**10,
                    max_priority_fee_per_gas=10**8,
                ),
                USER_KEY,
                901,
            )
        )
        return self.node.submit(raw)

    def fresh_node(self) -> L2Node:
        genesis, state = genesis_block(self.config, genesis_alloc({USER: 10**21}))
        return L2Node(self.config, genesis, state)


@pytest.fixture
def world() -> Iterator[World]:
    if not anvil_available():
        pytest.skip("anvil not installed (run scripts/install-anvil.sh)")
    with AnvilNode(hardfork="cancun") as l1:
        rpc = JsonRpc(l1.url)
        rpc.call("anvil_setBlockTimestampInterval", [L1_BLOCK_TIME])
        funder = rpc.call("eth_accounts", [])[0]
        args = abi_encode(
            ["address", "address", "uint32", "uint256", "uint256", "address"],
            ["0x" + "00" * 19 + "01", "0x" + "00" * 20, 0, 60, 60, funder],
        )
        initcode = portal_artifact("Portal").bytecode + args
        tx_hash = rpc.call(
            "eth_sendTransaction",
            [{"from": funder, "data": "0x" + initcode.hex(), "gas": hex(8_000_000)}],
        )
        portal = bytes.fromhex(wait_receipt(rpc, tx_hash)["contractAddress"][2:])  # type: ignore[index]
        batcher_address = secret_address(BATCHER_KEY)
        rpc.call("anvil_setBalance", ["0x" + batcher_address.hex(), hex(10**20)])
        head = rpc.call("eth_getBlockByNumber", ["latest", False])
        config = RollupConfig(
            genesis=Genesis(
                BlockId(int(head["number"], 16), bytes.fromhex(head["hash"][2:])),
                BlockId(0, b"\x00" * 32),
                int(head["timestamp"], 16),
            ),
            batcher_address=batcher_address,
            deposit_contract_address=portal,
        )
        genesis, state = genesis_block(config, genesis_alloc({USER: 10**21}))
        config = config.with_genesis_l2(0, genesis.hash)
        node = L2Node(config, genesis, state)
        sequencer = Sequencer(config, node, L1Reader(rpc, config))
        batcher = Batcher(config, node, rpc, BATCHER_KEY)
        yield World(l1, rpc, config, portal, funder, node, sequencer, batcher)


def _withdraw_call(target: bytes, gas: int) -> bytes:
    sel = keccak256(b"initiateWithdrawal(address,uint256,bytes)")[:4]
    return sel + abi_encode(["address", "uint256", "bytes"], ["0x" + target.hex(), gas, b""])


def test_derivation_reproduces_the_sequencers_chain(world: World) -> None:
    w = world
    other = b"\x77" * 20
    w.deposit(other, 10**18, 100_000, mint=3 * 10**18)
    # too little gas to run initiateWithdrawal: fails on L2, the mint stays
    call = _withdraw_call(other, 10)
    w.deposit(MESSAGE_PASSER, 10**18, 21_000 + 40 * len(call), call, mint=10**18)
    w.mine()
    w.sequencer.catch_up(w.l1_time())
    w.l2_send(0, other, 5)
    w.l2_send(1, MESSAGE_PASSER, 10**17, _withdraw_call(USER, 50_000), gas=200_000)
    w.mine()
    w.sequencer.catch_up(w.l1_time())
    assert not w.sequencer.log.dropped
    w.batcher.post()
    w.mine(2)
    w.sequencer.catch_up(w.l1_time())
    w.batcher.post()
    w.mine()
    top = w.node.head.number
    # deposits: one succeeded with its value, the other failed with its mint kept
    receipts = [
        r
        for b in w.node.blocks
        for r in b.receipts
        if r.deposit_nonce is not None
        and r.sender != bytes.fromhex("deaddeaddeaddeaddeaddeaddeaddeaddead0001")
    ]
    assert [r.status for r in receipts] == [1, 0]
    funder = bytes.fromhex(w.funder[2:])
    assert w.node.balance(other, top) == 10**18 + 5
    assert w.node.balance(funder, top) == 3 * 10**18 - 10**18 + 10**18  # mint kept, value not moved
    # the withdrawal is recorded at OP's slot
    withdrawal = Withdrawal(message_nonce(0), USER, USER, 10**17, 50_000, b"")
    assert w.node.storage(MESSAGE_PASSER, message_slot(withdrawal.hash), top) == 1
    # its proof checks against the output root's message-passer storage root
    proof = prove(w.node, withdrawal, top)
    nodes: dict[bytes, bytes] = {bytes(keccak256(n)): n for n in proof.storage_proof}
    assert (
        mpt.lookup(
            proof.message_passer_storage_root, keccak256(message_slot(withdrawal.hash)), nodes.get
        )
        == b"\x01"
    )
    assert (
        keccak256(
            b"\x00" * 32 + proof.state_root + proof.message_passer_storage_root + proof.block_hash
        )
        == proof.output_root
    )

    derived = w.fresh_node()
    deriver = derive(w.config, L1Reader(w.rpc, w.config, w.l1_head()), derived, until=top)
    assert derived.head.number == top
    assert not deriver.log.replaced and not deriver.log.dropped
    for n in range(top + 1):
        assert derived.block(n).hash == w.node.block(n).hash
    assert output_root(derived.head, derived.states[derived.head.hash]) == output_root(
        w.node.head, w.node.states[w.node.head.hash]
    )
    # from an agreed block in the middle (the program's start), with its ancestors' hashes
    agreed = top // 2
    mid = L2Node(
        w.config,
        w.node.block(agreed),
        w.node.state_at(agreed),
        [w.node.block(n).hash for n in range(agreed)],
    )
    derive(w.config, L1Reader(w.rpc, w.config, w.l1_head()), mid, until=top)
    assert mid.head.hash == w.node.head.hash


def test_derivation_drops_bad_batches_and_fills_missing_blocks(world: World) -> None:
    w = world
    w.mine()
    w.sequencer.catch_up(w.l1_time())
    first, second = w.node.block(1), w.node.block(2)
    # undecodable calldata and another version byte: ignored as a whole
    w.batcher.send_calldata(b"\x00\xc3\x01\x02")
    w.batcher.send_calldata(b"\x01" + encode_batches([batch_of(first)])[1:])
    # a batch with the wrong parent (dropped), block 1's real batch, then block 2 with an
    # invalid transaction (nonce 9): block 2 becomes the deposits-only block
    wrong_parent = Batch(
        b"\x13" * 32, first.l1_origin.number, first.l1_origin.hash, first.timestamp, ()
    )
    bad_tx = tx_bytes(
        sign_tx(
            UnsignedTx(nonce=9, to=b"\x01" * 20, gas_limit=21_000, max_fee_per_gas=10**10),
            USER_KEY,
            901,
        )
    )
    invalid = Batch(
        bytes(second.header.parent_hash),
        second.l1_origin.number,
        second.l1_origin.hash,
        second.timestamp,
        (bad_tx,),
    )
    w.batcher.send_calldata(encode_batches([wrong_parent, batch_of(first), invalid]))
    # nothing more is posted: the window expires and deposits-only blocks follow
    w.mine(w.config.seq_window_size + 2)
    derived = w.fresh_node()
    deriver = derive(w.config, L1Reader(w.rpc, w.config, w.l1_head()), derived)
    assert deriver.log.accepted == [1]
    assert deriver.log.replaced == [2]
    assert derived.block(1).hash == first.hash
    assert len(derived.block(2).txs) == 1  # only the L1 info deposit
    assert deriver.log.deposits_only[0] == 3
    assert derived.head.number > 3
    assert [why for _, why in deriver.log.dropped] == ["parent hash is not the safe head"]
    assert all(t[0] == 0x7E for b in derived.blocks[1:] for t in b.txs[1:] if b.number != 1)


def test_late_batch_is_dropped_and_its_block_is_deposits_only(world: World) -> None:
    w = world
    w.mine()
    w.l2_send(0, b"\x55" * 20, 1)
    w.sequencer.catch_up(w.l1_time())
    assert len(w.node.block(1).txs) == 2
    w.mine(w.config.seq_window_size)
    w.batcher.post(up_to=1)  # included one block after the window of its epoch
    w.mine()
    derived = w.fresh_node()
    deriver = derive(w.config, L1Reader(w.rpc, w.config, w.l1_head()), derived)
    assert deriver.log.accepted == []
    assert deriver.log.deposits_only[0] == 1
    assert len(derived.block(1).txs) == 1
    assert len(deriver.log.dropped) == 1


def test_l2_stack_serves_the_chain_it_sequences(world: World) -> None:
    w = world
    with L2Stack.start(w.l1.url, w.portal, BATCHER_KEY, {USER: 10**21}) as stack:
        other = b"\x78" * 20
        w.deposit(other, 2 * 10**18, 100_000, mint=2 * 10**18)
        plain = w.rpc.call(
            "eth_sendTransaction",
            [
                {  # plain ETH: deposits to the sender
                    "from": w.funder,
                    "to": "0x" + w.portal.hex(),
                    "value": hex(10**18),
                    "gas": hex(200_000),
                }
            ],
        )
        assert wait_receipt(w.rpc, plain)["status"] == "0x1"
        w.mine()
        stack.advance()
        w.mine()
        l2 = JsonRpc(stack.server.url)
        assert l2.call("eth_getBalance", ["0x" + other.hex(), "latest"]) == hex(2 * 10**18)
        assert l2.call("eth_getBalance", [w.funder, "latest"]) == hex(10**18)
        status = l2.call("optimism_syncStatus", [])
        assert status["safe_l2"]["number"] == stack.node.head.number > 0
        derived = L2Node(stack.config, stack.node.block(0), stack.node.state_at(0))
        derive(stack.config, L1Reader(w.rpc, stack.config, w.l1_head()), derived)
        assert derived.block(stack.node.head.number).hash == stack.node.head.hash


def _user_deposits(node: L2Node) -> int:
    """Deposit transactions other than each block's leading L1-info deposit."""
    return sum(
        tx[0] == 0x7E for n in range(1, node.head.number + 1) for tx in node.block(n).txs[1:]
    )


def test_l1_reorg_below_the_head_derives_the_new_branch(world: World) -> None:
    w = world
    depositor = b"\xde" * 20
    portal = "0x" + w.portal.hex()
    portal_before = int(w.rpc.call("eth_getBalance", [portal, "latest"]), 16)
    snapshot = w.rpc.call("evm_snapshot", [])
    w.mine()
    w.deposit(
        depositor, 7 * 10**17, 100_000, mint=7 * 10**17
    )  # lost with the old branch, sent again
    w.l2_send(0, b"\x56" * 20, 3)
    w.sequencer.catch_up(w.l1_time())
    w.batcher.post()
    w.mine()
    old_head = w.l1_head()
    with_batch = w.fresh_node()
    derive(w.config, L1Reader(w.rpc, w.config, old_head), with_batch)
    assert len(with_batch.block(1).txs) == 2
    assert _user_deposits(with_batch) == 1
    assert with_batch.balance(depositor, with_batch.head.number) == 7 * 10**17
    # L1 reorgs back below the batch: the new branch has no batch, so the same L2 heights
    # become deposits-only blocks; the old head is gone and cannot be derived from
    assert w.rpc.call("evm_revert", [snapshot]) is True
    other_l1_tx = w.rpc.call(
        "eth_sendTransaction",
        [
            {  # so the new branch differs at once
                "from": w.funder,
                "to": "0x" + "57" * 20,
                "value": "0x1",
            }
        ],
    )
    wait_receipt(w.rpc, other_l1_tx)
    # the reorg took the deposit's lock with it: the depositor's ETH is back on L1, not on L2
    assert int(w.rpc.call("eth_getBalance", [portal, "latest"]), 16) == portal_before
    w.deposit(depositor, 7 * 10**17, 100_000, mint=7 * 10**17)  # the user sends it again
    w.mine(w.config.seq_window_size + 1)
    new_branch = w.fresh_node()
    derive(w.config, L1Reader(w.rpc, w.config, w.l1_head()), new_branch)
    assert len(new_branch.block(1).txs) == 1
    assert _user_deposits(new_branch) == 1
    # credited exactly once on the branch L1 kept, and locked exactly once on L1
    assert new_branch.balance(depositor, new_branch.head.number) == 7 * 10**17
    assert int(w.rpc.call("eth_getBalance", [portal, "latest"]), 16) == portal_before + 7 * 10**17
    assert new_branch.block(1).hash != with_batch.block(1).hash
    with pytest.raises(L1Error):
        L1Reader(w.rpc, w.config, old_head)
    # the sequencer notices its head's L1 origin is no longer on L1
    with pytest.raises(L1Error, match="reorged"):
        w.sequencer.build_next()
