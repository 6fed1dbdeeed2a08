"""Python side of the dispute contracts: artifacts, game-args encoding and a one-call deployer.

The Vyper sources in this folder are ABI-compatible with Optimism's dispute contracts (see
``README.md`` here for every deviation). `deploy_dispute_system` wires a factory, an
AnchorStateRegistry, a DelayedWETH escrow and a FaultDisputeGame implementation (which the
factory clones for every game) on any `Chain`, so tests, benchmarks and agents all start games
the same way:

    system = deploy_dispute_system(EmbeddedChain(), DisputeConfig())
    game = system.create_game(root_claim, l2_block_number=10)
    game.transact("attack", root_claim, 0, my_claim, value=system.required_bond(2))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from eth_abi.abi import encode as abi_encode

from faultproof.chain.base import Chain
from faultproof.contracts.binding import Contract
from faultproof.contracts.compiler import Artifact, compile_contract
from faultproof.crypto import keccak256
from faultproof.errors import FaultproofError

HERE = Path(__file__).resolve().parent

#: Deployable contracts of this package (mocks are for tests and benchmarks).
CONTRACTS = ("FaultDisputeGame", "DisputeGameFactory", "AnchorStateRegistry", "DelayedWETH")
MOCKS = ("AlphabetVM", "MockOracle", "ReentrantReceiver")

#: Game type ids (spec digest section 7).
GAME_TYPE_CANNON = 0
GAME_TYPE_ASTERISC = 2
GAME_TYPE_ALPHABET = 255


class DisputeSetupError(FaultproofError):
    """The dispute system could not be configured as asked (bad depths, unknown contract)."""


def artifact(name: str) -> Artifact:
    """Compiled artifact (cached) of a contract or mock of this package by name."""
    if name in CONTRACTS:
        return compile_contract(HERE / f"{name}.vy")
    if name in MOCKS:
        return compile_contract(HERE / "mocks" / f"{name}.vy")
    raise DisputeSetupError(f"unknown dispute contract {name!r}; known: {CONTRACTS + MOCKS}")


def alphabet_state(trace_index: int) -> bytes:
    """AlphabetVM state after `trace_index` instructions: ``abi.encode(t, t)``."""
    return abi_encode(["uint256", "uint256"], [trace_index, trace_index])


def alphabet_claim(trace_index: int, status: int = 0) -> bytes:
    """Hash of the AlphabetVM state after `trace_index` instructions with `status` in byte 0."""
    return bytes([status]) + keccak256(alphabet_state(trace_index))[1:]


ALPHABET_ABSOLUTE_PRESTATE = keccak256(alphabet_state(0))


@dataclass(frozen=True)
class DisputeConfig:
    """Per-game-type configuration plus the deployment-wide parameters (mainnet-like defaults
    scaled down so tests run small trees)."""

    game_type: int = GAME_TYPE_ALPHABET
    absolute_prestate: bytes = ALPHABET_ABSOLUTE_PRESTATE
    max_game_depth: int = 4
    split_depth: int = 2
    clock_extension: int = 3 * 3600
    max_clock_duration: int = 84 * 3600
    l2_chain_id: int = 10
    init_bond: int = 8 * 10**16
    challenge_period: int = 24 * 3600
    withdrawal_delay: int = 7 * 24 * 3600
    finality_delay: int = 3 * 24 * 3600 + 12 * 3600
    anchor_root: bytes = field(default_factory=lambda: keccak256(b"anchor output root"))
    anchor_block: int = 0


def encode_game_args(
    cfg: DisputeConfig, vm: str, weth: str, anchor_state_registry: str
) -> bytes:
    """`gameArgs[type]` as the factory expects it: the FaultDisputeGame configuration, ABI-encoded.

    Optimism [v2] packs `(prestate, vm, asr, weth, l2ChainId)` into CWIA args; ours also carry
    the depths and clocks (Optimism's implementation immutables), because every game type
    shares one implementation. The factory packs them into each clone's code.
    """
    return abi_encode(
        ["bytes32", "uint256", "uint256", "uint64", "uint64", "address", "address", "address",
         "uint256"],
        [cfg.absolute_prestate, cfg.max_game_depth, cfg.split_depth, cfg.clock_extension,
         cfg.max_clock_duration, vm, weth, anchor_state_registry, cfg.l2_chain_id],
    )


def game_uuid(game_type: int, root_claim: bytes, extra_data: bytes) -> bytes:
    """`keccak256(abi.encode(gameType, rootClaim, extraData))`: the factory's duplicate key."""
    return keccak256(abi_encode(["uint32", "bytes32", "bytes"], [game_type, root_claim, extra_data]))


@dataclass
class DisputeSystem:
    """Handles on one deployed set of dispute contracts."""

    chain: Chain
    config: DisputeConfig
    factory: Contract
    anchor_state_registry: Contract
    weth: Contract
    vm: Contract
    oracle: Contract
    implementation: str
    owner: str

    @property
    def blueprint(self) -> str:
        """The game implementation (the name from when games were blueprint copies)."""
        return self.implementation

    def create_game(self, root_claim: bytes, l2_block_number: int, *, sender: str | None = None,
                    extra_data: bytes | None = None, game_type: int | None = None) -> Contract:
        """`factory.create` with the init bond; returns a binding for the new game."""
        gtype = self.config.game_type if game_type is None else game_type
        extra = l2_block_number.to_bytes(32, "big") if extra_data is None else extra_data
        bond = self.factory.call("initBonds", gtype)
        receipt = self.factory.transact("create", gtype, root_claim, extra, value=bond,
                                        sender=sender)
        created = self.factory.events(receipt, "DisputeGameCreated")
        if not created:
            raise DisputeSetupError("factory.create succeeded without a DisputeGameCreated event")
        address = str(created[0].args["disputeProxy"])
        return self.chain.at(address, artifact("FaultDisputeGame"))

    def required_bond(self, depth: int) -> int:
        """Bond for a move to `depth`, read from the game implementation's schedule."""
        from faultproof.game.bonds import required_bond_at_depth

        return required_bond_at_depth(depth, self.config.max_game_depth)


def deploy_dispute_system(
    chain: Chain, config: DisputeConfig | None = None, *, vm: str | None = None,
    owner: str | None = None,
) -> DisputeSystem:
    """Deploy factory, DelayedWETH, AnchorStateRegistry and a game implementation; register it.

    Without `vm` an `AlphabetVM` with a `MockOracle` (challenge period from the config) is
    deployed. Time is moved one second forward at the end, because the registry retires games
    created at or before its deployment timestamp (as upstream does).
    """
    cfg = config or DisputeConfig()
    owner = owner or chain.default_sender
    factory = chain.deploy_contract(artifact("DisputeGameFactory"), owner)
    weth = chain.deploy_contract(artifact("DelayedWETH"), cfg.withdrawal_delay, owner)
    oracle = chain.deploy_contract(artifact("MockOracle"), cfg.challenge_period)
    if vm is None:
        vm_contract = chain.deploy_contract(artifact("AlphabetVM"), oracle.address)
    else:
        vm_contract = chain.at(vm, artifact("AlphabetVM").abi)
    asr = chain.deploy_contract(
        artifact("AnchorStateRegistry"), factory.address, cfg.anchor_root, cfg.anchor_block,
        cfg.game_type, cfg.finality_delay, owner,
    )
    # `deploy_contract` registers the game ABI for this address, so errors bubbling out of
    # `create` (raised by the new game's `initialize`) decode by name.
    implementation = chain.deploy_contract(artifact("FaultDisputeGame")).address
    args = encode_game_args(cfg, vm_contract.address, weth.address, asr.address)
    factory.transact("setImplementation", cfg.game_type, implementation, args, sender=owner)
    factory.transact("setInitBond", cfg.game_type, cfg.init_bond, sender=owner)
    chain.warp(1)
    return DisputeSystem(chain, cfg, factory, asr, weth, vm_contract, oracle, implementation,
                         owner)
