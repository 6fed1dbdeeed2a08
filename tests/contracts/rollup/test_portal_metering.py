"""The portal's per-L1-block deposit gas budget (OP's ResourceMetering maxResourceLimit): the
L2 block of an origin must fit the L1 info deposit and every user deposit of that origin, or
derivation could never build it (docs/ROLLUP.md §2)."""

from __future__ import annotations

from portal_helpers import make_scene, reverts_with

from faultproof.chain import EmbeddedChain
from faultproof.contracts.rollup import artifact

BUDGET = 20_000_000


def test_deposits_in_one_l1_block_share_a_20m_gas_budget() -> None:
    chain = EmbeddedChain()
    scene = make_scene(chain)
    burst = chain.deploy_contract(artifact("DepositBurst"), scene.portal.address)
    # Two 10 M deposits fill the block's budget exactly; a third in the same block is refused.
    burst.transact("burst", 2, 10_000_000, sender=scene.users[0])
    reverts_with("OutOfGas", burst.transact, "burst", 3, 10_000_000, sender=scene.users[0])
    # 19 deposits of 1 M fit; the budget is per block, so the next transaction starts afresh.
    burst.transact("burst", 16, 1_000_000, sender=scene.users[0])
    burst.transact("burst", 3, 1_000_000, sender=scene.users[0])


def test_the_budget_restarts_every_l1_block() -> None:
    chain = EmbeddedChain()
    scene = make_scene(chain)
    burst = chain.deploy_contract(artifact("DepositBurst"), scene.portal.address)
    burst.transact("burst", 2, BUDGET // 2, sender=scene.users[0])
    # A later call sees a new block: nothing used yet, and a full budget is available again.
    assert scene.portal.call("depositGasUsedInBlock") == 0
    burst.transact("burst", 2, BUDGET // 2, sender=scene.users[0])
    # A plain ETH deposit (100,000 gas, receive()) is metered like any other and still fits.
    chain.transact(scene.portal.address, b"", value=10**18, sender=scene.users[1])
