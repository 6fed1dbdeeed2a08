"""Optimism's October-2024 dispute contracts as our tests mock them (tests/agents/old_generation).

`deploy_old_system` puts up what an op-challenger of that time sees: a DisputeGameFactory
1.0.1-beta.3 whose game type is a full FaultDisputeGame 1.3.1-beta.5 implementation (cloned per
game), a DelayedWETH (ours: its unlock/withdraw rules are those of DelayedWETH 1.2.0-beta.3) and
an AnchorStateRegistry giving new games their starting output root.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eth_abi.abi import encode as abi_encode

from faultproof.chain import Chain
from faultproof.contracts import Contract
from faultproof.contracts.compiler import Artifact, compile_contract
from faultproof.contracts.dispute import artifact
from faultproof.crypto import keccak256

HERE = Path(__file__).resolve().parent / "old_generation"

GAME_TYPE = 0
MAX_GAME_DEPTH = 4
SPLIT_DEPTH = 2
CLOCK_EXTENSION = 3 * 3600
MAX_CLOCK_DURATION = 84 * 3600
WITHDRAWAL_DELAY = 7 * 24 * 3600
INIT_BOND = 8 * 10**16
ANCHOR_ROOT = keccak256(b"old anchor output root")
PRESTATE = keccak256(b"old absolute prestate")


def old_artifact(name: str) -> Artifact:
    """`OldFaultDisputeGame`, `OldDisputeGameFactory` or `OldAnchorStateRegistry` (compiled)."""
    return compile_contract(HERE / f"{name}.vy")


@dataclass
class OldSystem:
    chain: Chain
    owner: str
    factory: Contract
    weth: Contract
    registry: Contract
    implementation: Contract
    vm: str

    def create_game(self, root_claim: bytes, l2_block: int, sender: str) -> Contract:
        self.factory.transact("create", GAME_TYPE, root_claim, abi_encode(["uint256"], [l2_block]),
                              value=INIT_BOND, sender=sender)
        _type, _created, address = self.factory.call("gameAtIndex",
                                                     self.factory.call("gameCount") - 1)
        game = self.chain.at(str(address), old_artifact("OldFaultDisputeGame"))
        self.chain.register_abi(game.address, game.abi, "OldFaultDisputeGame")
        return game


def deploy_old_implementation(chain: Chain, game_type: int, prestate: bytes, vm: str, weth: str,
                              registry: str, sender: str) -> Contract:
    """A full 1.3.x implementation: the per-type configuration is its constructor."""
    return chain.deploy_contract(
        old_artifact("OldFaultDisputeGame"), game_type, prestate, MAX_GAME_DEPTH, SPLIT_DEPTH,
        CLOCK_EXTENSION, MAX_CLOCK_DURATION, vm, weth, registry, 10, sender=sender)


def deploy_old_factory_and_escrow(chain: Chain, owner: str) -> tuple[Contract, Contract, Contract]:
    """The factory (no game type yet), the DelayedWETH and the registry anchored for GAME_TYPE."""
    factory = chain.deploy_contract(old_artifact("OldDisputeGameFactory"), owner, sender=owner)
    weth = chain.deploy_contract(artifact("DelayedWETH"), WITHDRAWAL_DELAY, owner, sender=owner)
    registry = chain.deploy_contract(old_artifact("OldAnchorStateRegistry"), GAME_TYPE,
                                     ANCHOR_ROOT, 0, sender=owner)
    return factory, weth, registry


def deploy_old_system(chain: Chain, owner: str, vm: str) -> OldSystem:
    factory, weth, registry = deploy_old_factory_and_escrow(chain, owner)
    impl = deploy_old_implementation(chain, GAME_TYPE, PRESTATE, vm, weth.address,
                                     registry.address, owner)
    factory.transact("setImplementation", GAME_TYPE, impl.address, sender=owner)
    factory.transact("setInitBond", GAME_TYPE, INIT_BOND, sender=owner)
    return OldSystem(chain, owner, factory, weth, registry, impl, vm)
