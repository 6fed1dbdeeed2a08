"""`faultproof deploy` with both factory generations (issue 13).

Ours (and Optimism's 2025 factory) take `setImplementation(uint32,address,bytes)`, a blueprint
plus game args: tests/contracts/test_deploy.py. Optimism's October-2024 DisputeGameFactory
(mocked in tests/agents/old_generation) takes `setImplementation(uint32,address)` and clones a
full FaultDisputeGame 1.3.x: deploy first gives the step contract to build that implementation
on, then checks and registers the implementation.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from eth_abi.abi import encode as abi_encode
from old_generation_system import (
    ANCHOR_ROOT,
    GAME_TYPE,
    deploy_old_factory_and_escrow,
    deploy_old_implementation,
    old_artifact,
)

from faultproof.chain import Chain, EmbeddedChain
from faultproof.chain.testing import anvil_chain, anvil_node
from faultproof.contracts import Contract, load_contract
from faultproof.contracts.deploy import (
    GAME_ARGS,
    IMPLEMENTATION,
    DeployError,
    Deployment,
    GameTypeParams,
    SystemParams,
    deploy_command,
    deploy_game_type,
    factory_generation,
)
from faultproof.crypto import keccak256
from faultproof.game.bonds import required_bond_at_depth

__all__ = ["anvil_chain", "anvil_node"]

NEW_TYPE = 7
PRESTATE = b"\x03" + keccak256(b"a mips32 prestate")[1:]


def params(**kw: object) -> GameTypeParams:
    base: dict[str, object] = dict(game_type=NEW_TYPE, isa="mips32", absolute_prestate=PRESTATE,
                                   max_game_depth=4, split_depth=2)
    base.update(kw)
    return GameTypeParams(**base)  # type: ignore[arg-type]


def same(a: object, b: object) -> bool:
    return str(a).lower() == str(b).lower()


def old_world(chain: Chain) -> tuple[str, Contract, Contract, Contract]:
    owner = chain.accounts[0]
    factory, weth, registry = deploy_old_factory_and_escrow(chain, owner)
    registry.transact("setAnchor", NEW_TYPE, ANCHOR_ROOT, 0, sender=owner)
    return owner, factory, weth, registry


def test_factory_generations_are_told_apart() -> None:
    chain = EmbeddedChain()
    _owner, old_factory, _weth, _registry = old_world(chain)
    assert factory_generation(chain, old_factory.address) == IMPLEMENTATION
    ours = deploy_game_type(chain, params(game_type=0),
                            system=SystemParams(anchor_root=ANCHOR_ROOT))
    assert ours.factory_generation == GAME_ARGS and ours.registered
    assert factory_generation(chain, ours.dispute_game_factory) == GAME_ARGS


def test_old_factory_step_contract_then_implementation_then_games() -> None:
    chain = EmbeddedChain()
    owner, factory, weth, registry = old_world(chain)
    first = deploy_game_type(chain, params(), factory=factory.address)
    assert (first.registered, first.factory_generation) == (False, IMPLEMENTATION)
    assert first.deployed == ["preimage_oracle", "step_contract"]
    assert first.step_contract in first.next_step and "--implementation" in first.next_step
    assert int(factory.call("gameImpls", NEW_TYPE), 16) == 0, "nothing registered yet"
    step = chain.at(first.step_contract, load_contract("step/MIPS32.vy"))
    assert same(step.call("oracle"), first.preimage_oracle)

    # What the operator does in between: construct Optimism's FaultDisputeGame on that vm.
    impl = deploy_old_implementation(chain, NEW_TYPE, PRESTATE, first.step_contract,
                                     weth.address, registry.address, owner)
    d = deploy_game_type(chain, params(), factory=factory.address, implementation=impl.address)
    assert d.registered and d.deployed == []
    assert same(d.fault_dispute_game_implementation, impl.address)
    assert (d.step_contract, d.preimage_oracle) == (first.step_contract, first.preimage_oracle)
    assert same(d.delayed_weth, weth.address) and same(d.anchor_state_registry, registry.address)
    assert same(factory.call("gameImpls", NEW_TYPE), impl.address)
    assert factory.call("initBonds", NEW_TYPE) == d.init_bond == required_bond_at_depth(0, 4)
    assert set(d.gas_used) == {"setImplementation", "setInitBond"}
    json.loads(d.to_json())

    # The factory now clones it: a game of the new type, on our step contract.
    root = keccak256(b"proposal")
    factory.transact("create", NEW_TYPE, root, abi_encode(["uint256"], [9]), value=d.init_bond)
    _t, _c, address = factory.call("gameAtIndex", 0)
    game = chain.at(str(address), old_artifact("OldFaultDisputeGame"))
    assert same(game.call("vm"), first.step_contract)
    assert game.call("absolutePrestate") == PRESTATE and game.call("rootClaim") == root

    # A second VM reuses the oracle of a registered type (--template-game-type).
    second = deploy_game_type(chain, params(game_type=8, isa="riscv64"), factory=factory.address,
                              template_game_type=NEW_TYPE)
    assert second.deployed == ["step_contract"]
    assert second.preimage_oracle == first.preimage_oracle


def test_old_factory_refuses_what_would_not_work() -> None:
    chain = EmbeddedChain()
    owner, factory, weth, registry = old_world(chain)
    first = deploy_game_type(chain, params(), factory=factory.address)
    wrong_type = deploy_old_implementation(chain, GAME_TYPE, PRESTATE, first.step_contract,
                                           weth.address, registry.address, owner)
    with pytest.raises(DeployError, match="game type 0, not 7"):
        deploy_game_type(chain, params(), factory=factory.address,
                         implementation=wrong_type.address)
    other_prestate = deploy_old_implementation(chain, NEW_TYPE, keccak256(b"x"),
                                               first.step_contract, weth.address,
                                               registry.address, owner)
    with pytest.raises(DeployError, match="absolute prestate"):
        deploy_game_type(chain, params(), factory=factory.address,
                         implementation=other_prestate.address)
    with pytest.raises(DeployError, match="has no code"):
        deploy_game_type(chain, params(), factory=factory.address,
                         implementation=chain.accounts[7])
    with pytest.raises(DeployError, match="does not answer like a FaultDisputeGame"):
        deploy_game_type(chain, params(), factory=factory.address, implementation=weth.address)
    with pytest.raises(DeployError, match="OptimismPortal2"):
        deploy_game_type(chain, params(), factory=factory.address, respect=True)
    with pytest.raises(DeployError, match="owned by"):
        deploy_game_type(chain, params(), factory=factory.address, sender=chain.accounts[3])
    assert int(factory.call("gameImpls", NEW_TYPE), 16) == 0


def test_implementation_is_refused_by_our_factory() -> None:
    chain = EmbeddedChain()
    ours = deploy_game_type(chain, params(game_type=0),
                            system=SystemParams(anchor_root=ANCHOR_ROOT))
    with pytest.raises(DeployError, match="older factories"):
        deploy_game_type(chain, params(), factory=ours.dispute_game_factory,
                         template_game_type=0, implementation=ours.step_contract)


def test_cli_implementation_needs_a_factory() -> None:
    result = CliRunner().invoke(deploy_command, [
        "--game-type", "7", "--vm", "mips32", "--absolute-prestate", "0x" + PRESTATE.hex(),
        "--implementation", "0x" + "11" * 20])
    assert result.exit_code == 2 and "--implementation needs --factory" in result.output
    result = CliRunner().invoke(deploy_command, [
        "--game-type", "7", "--vm", "mips32", "--absolute-prestate", "0x" + PRESTATE.hex(),
        "--implementation", "0x1234"])
    assert result.exit_code == 2 and "--implementation '0x1234' is not an address" in result.output


@pytest.mark.anvil
def test_cli_both_steps_against_an_old_factory_on_anvil(anvil_chain: Chain) -> None:
    from faultproof.chain.rpc import RpcChain

    assert isinstance(anvil_chain, RpcChain)
    owner, factory, weth, registry = old_world(anvil_chain)
    common = ["--game-type", str(NEW_TYPE), "--vm", "mips32", "--absolute-prestate",
              "0x" + PRESTATE.hex(), "--rpc-url", anvil_chain.url, "--factory", factory.address,
              "--max-game-depth", "4", "--split-depth", "2"]
    result = CliRunner().invoke(deploy_command, common)
    assert result.exit_code == 0, result.output
    first = Deployment(**json.loads(result.stdout))
    assert not first.registered and "not registered yet" in result.stderr
    impl = deploy_old_implementation(anvil_chain, NEW_TYPE, PRESTATE, first.step_contract,
                                     weth.address, registry.address, owner)
    result = CliRunner().invoke(deploy_command, [*common, "--implementation", impl.address])
    assert result.exit_code == 0, result.output
    d = Deployment(**json.loads(result.stdout))
    assert d.registered and same(factory.call("gameImpls", NEW_TYPE), impl.address)
