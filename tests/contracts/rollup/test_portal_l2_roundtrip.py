"""The whole bridge loop with the real L2 rules: a deposit logged by the Portal is executed by
the rollup's L2 block builder (`faultproof.rollup.execution`, the L2ToL1MessagePasser of
`l2/`), which records a withdrawal; the output root of that block is claimed in a game, and the
withdrawal is proven with a proof of the passer's real storage and finalized on L1."""

from __future__ import annotations

from eth_abi.abi import encode as abi_encode
from ethereum_types.bytes import Bytes20
from portal_helpers import Scene

from faultproof.contracts.rollup import (
    MESSAGE_PASSER,
    OutputRootProof,
    WithdrawalTransaction,
    trie_proof,
    withdrawal_slot,
)
from faultproof.crypto import keccak256
from faultproof.evm import mpt, rlp
from faultproof.rollup.config import BlockId, Genesis, RollupConfig
from faultproof.rollup.execution import (
    Attributes,
    L1Info,
    build_block,
    deposit_from_log,
    genesis_block,
    message_passer_root,
    output_root,
)
from faultproof.rollup.genesis import genesis_alloc

ETH = 10**18
L1_HASH = b"\x01" * 32
ORIGIN = L1Info(number=0, hash=L1_HASH, timestamp=1000, base_fee=7, blob_base_fee=1,
                mix_hash=b"\x03" * 32, parent_beacon_root=b"\x04" * 32)


def test_deposit_to_l2_withdrawal_to_l1(scene: Scene) -> None:
    chain, portal = scene.chain, scene.portal
    alice, bob = scene.users[0], scene.users[1]
    config = RollupConfig(
        genesis=Genesis(BlockId(0, L1_HASH), BlockId(0, b"\x00" * 32), 1000),
        batcher_address=b"\xba" * 20,
        deposit_contract_address=bytes.fromhex(portal.address[2:]),
    )
    # L1: Alice deposits 1 ETH as a call to the message passer's initiateWithdrawal(Bob, ...),
    # so the L2 sends it straight back to Bob on L1.
    call = keccak256(b"initiateWithdrawal(address,uint256,bytes)")[:4] + abi_encode(
        ["address", "uint256", "bytes"], [bob, 50_000, b"hi"])
    receipt = portal.transact("depositTransaction", MESSAGE_PASSER, ETH, 300_000, False, call,
                              value=ETH, sender=alice)
    (log,) = [lg for lg in receipt.logs if lg.address.lower() == portal.address.lower()]
    dep = deposit_from_log([bytes(t) for t in log.topics], bytes(log.data), L1_HASH, 0)

    # L2: the block with that deposit.
    genesis, state = genesis_block(config, genesis_alloc({}))
    built = build_block(config, genesis, state, Attributes(1002, ORIGIN, 0, (dep,)),
                        [genesis.hash])
    block, post = built.block, built.state
    assert [r.status for r in block.receipts] == [1, 1]
    wd = WithdrawalTransaction(1 << 240, alice, bob, ETH, 50_000, b"hi")

    # The passer's storage, read from the L2 state, rebuilt as a trie with every node.
    trie = post._storage_tries[Bytes20(bytes.fromhex(MESSAGE_PASSER[2:]))]
    items = {bytes(k): rlp.encode(int(v)) for k, v in trie._data.items()}
    assert items[withdrawal_slot(wd.hash())] == b"\x01"
    storage = mpt.secure_trie(items)
    assert storage.root == message_passer_root(post)
    proof = OutputRootProof(bytes(block.header.state_root), storage.root, block.hash)
    assert proof.root() == output_root(block, post)

    # L1: the output is claimed, proven against, resolved, and the withdrawal pays Bob.
    out_game = scene.system.create_game(proof.root(), 4, sender=scene.users[2])
    index = int(scene.system.factory.call("gameCount")) - 1
    chain.warp(1)
    nodes = trie_proof(storage, storage.root, keccak256(withdrawal_slot(wd.hash())))
    portal.transact("proveWithdrawalTransaction", wd.as_tuple(), index, proof.as_tuple(), nodes,
                    sender=bob)
    chain.warp(scene.cfg.max_clock_duration + 1)
    out_game.transact("resolveClaim", 0, 0)
    out_game.transact("resolve")
    scene.mature()
    before = chain.get_balance(bob)
    receipt = portal.transact("finalizeWithdrawalTransactionExternalProof", wd.as_tuple(), bob,
                              sender=scene.users[3])
    assert portal.events(receipt, "WithdrawalFinalized")[0].args["success"] is True
    assert chain.get_balance(bob) == before + ETH
