"""`faultproof deploy`: a VM registered as a new game type can host games (spec digest §7).

After the deployment, `factory.create(gameType, ...)` must give a FaultDisputeGame whose `vm()`
is the new step contract (bound to the oracle), whose parameters are the ones asked for, and
whose first move and step run. Checked on the embedded chain and on anvil (unlocked account and
a locally signed `--private-key`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from faultproof.chain import Chain, EmbeddedChain
from faultproof.chain.testing import anvil_chain, anvil_node
from faultproof.contracts import load_contract
from faultproof.contracts.deploy import (
    DeployError,
    Deployment,
    GameTypeParams,
    SystemParams,
    deploy_command,
    deploy_game_type,
    keyed_rpc_chain,
)
from faultproof.contracts.dispute import artifact
from faultproof.crypto import keccak256
from faultproof.game.bonds import required_bond_at_depth
from faultproof.game.types import InvalidSplitDepth
from faultproof.vm import get_isa

__all__ = ["anvil_chain", "anvil_node"]

ANCHOR = keccak256(b"anchor output")
NEW_TYPE = 4242
PRESTATE = b"\x03" + keccak256(b"some vm state")[1:]


def params(**kw: object) -> GameTypeParams:
    base: dict[str, object] = dict(game_type=NEW_TYPE, isa="mips32", absolute_prestate=PRESTATE,
                                   max_game_depth=8, split_depth=3)
    base.update(kw)
    return GameTypeParams(**base)  # type: ignore[arg-type]


def same(a: object, b: object) -> bool:
    """Addresses compare case-insensitively (calls return them lower-case, deploys checksummed)."""
    return str(a).lower() == str(b).lower()


def check_games_run(chain: Chain, d: Deployment, p: GameTypeParams,
                    sender: str | None = None) -> None:
    """`create` a game of the new type and check what it was built with; then make one move."""
    factory = chain.at(d.dispute_game_factory, artifact("DisputeGameFactory"))
    chain.warp(1)  # the registry retires games created in its deployment second
    root = keccak256(b"proposal")
    receipt = factory.transact("create", p.game_type, root, (100).to_bytes(32, "big"),
                               value=d.init_bond, sender=sender)
    address = factory.events(receipt, "DisputeGameCreated")[0].args["disputeProxy"]
    game = chain.at(address, artifact("FaultDisputeGame"))
    assert same(game.call("vm"), d.step_contract)
    assert game.call("gameType") == p.game_type
    assert game.call("absolutePrestate") == p.absolute_prestate
    assert game.call("maxGameDepth") == p.max_game_depth
    assert game.call("splitDepth") == p.split_depth
    assert same(game.call("weth"), d.delayed_weth)
    assert same(game.call("anchorStateRegistry"), d.anchor_state_registry)
    step = chain.at(d.step_contract, load_contract(f"step/{get_isa(p.isa).step_contract}.vy"))
    assert same(step.call("oracle"), d.preimage_oracle)
    bond = required_bond_at_depth(1, p.max_game_depth)
    game.transact("attack", root, 0, keccak256(b"counter"), value=bond, sender=sender)
    assert game.call("claimDataLen") == 2


def test_fresh_system_on_the_embedded_chain_hosts_games_of_the_new_type() -> None:
    chain = EmbeddedChain()
    p = params()
    d = deploy_game_type(chain, p, system=SystemParams(anchor_root=ANCHOR))
    assert set(d.deployed) == {"preimage_oracle", "step_contract", "dispute_game_factory",
                               "delayed_weth", "anchor_state_registry",
                               "fault_dispute_game_blueprint"}
    assert d.init_bond == required_bond_at_depth(0, 8)
    check_games_run(chain, d, p)
    asr = chain.at(d.anchor_state_registry, artifact("AnchorStateRegistry"))
    assert asr.call("respectedGameType") == NEW_TYPE


def test_second_vm_joins_an_existing_factory_with_one_set_implementation() -> None:
    chain = EmbeddedChain()
    first = deploy_game_type(chain, params(game_type=0), system=SystemParams(anchor_root=ANCHOR))
    p = params(game_type=2, isa="riscv64")
    d = deploy_game_type(chain, p, factory=first.dispute_game_factory, template_game_type=0)
    # Only the step contract and the blueprint are new; oracle, escrow and registry are shared.
    assert d.deployed == ["step_contract", "fault_dispute_game_blueprint"]
    assert (d.preimage_oracle, d.delayed_weth, d.anchor_state_registry) == (
        first.preimage_oracle, first.delayed_weth, first.anchor_state_registry)
    assert d.step_contract != first.step_contract
    check_games_run(chain, d, p)
    asr = chain.at(d.anchor_state_registry, artifact("AnchorStateRegistry"))
    assert asr.call("respectedGameType") == 0  # not asked to change it
    p3 = params(game_type=3, isa="riscv64c")
    deploy_game_type(chain, p3, factory=first.dispute_game_factory, template_game_type=0,
                     respect=True)
    assert asr.call("respectedGameType") == 3
    # A new factory owner who is not the registry's guardian cannot change the respected type.
    chain.at(first.dispute_game_factory, artifact("DisputeGameFactory")).transact(
        "transferOwnership", chain.accounts[4])
    with pytest.raises(DeployError, match="guardian"):
        deploy_game_type(chain, params(game_type=5), factory=first.dispute_game_factory,
                         template_game_type=0, respect=True, sender=chain.accounts[4])


def test_bad_parameters_fail_before_anything_is_registered() -> None:
    chain = EmbeddedChain()
    with pytest.raises(InvalidSplitDepth):
        deploy_game_type(chain, params(split_depth=7), system=SystemParams(anchor_root=ANCHOR))
    with pytest.raises(DeployError, match="anchor-root"):
        deploy_game_type(chain, params())
    first = deploy_game_type(chain, params(game_type=0), system=SystemParams(anchor_root=ANCHOR))
    with pytest.raises(DeployError, match="owned by"):
        deploy_game_type(chain, params(), factory=first.dispute_game_factory,
                         template_game_type=0, sender=chain.accounts[3])
    with pytest.raises(DeployError, match="--weth"):
        deploy_game_type(chain, params(), factory=first.dispute_game_factory)


def test_cli_prints_addresses_as_json(tmp_path: Path) -> None:
    out = tmp_path / "deploy.json"
    result = CliRunner().invoke(deploy_command, [
        "--game-type", "0", "--absolute-prestate", "0x" + PRESTATE.hex(),
        "--anchor-root", "0x" + ANCHOR.hex(), "--out", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc == json.loads(out.read_text())
    assert doc["vm"] == "mips32"  # game type 0 is Cannon's
    assert doc["max_game_depth"] == 73 and doc["split_depth"] == 30
    assert doc["absolute_prestate"] == "0x" + PRESTATE.hex()
    for key in ("step_contract", "dispute_game_factory", "fault_dispute_game_blueprint"):
        assert doc[key].startswith("0x") and len(doc[key]) == 42
    assert doc["gas_used"]["setImplementation"] > 0


def test_cli_prestate_from_an_elf_or_a_state_file_is_the_state_hash(tmp_path: Path) -> None:
    from faultproof.guests import guest_elf

    elf = guest_elf("hello", "mips32")
    expected = get_isa("mips32").load_elf(elf).state_hash()
    result = CliRunner().invoke(deploy_command, [
        "--game-type", "0", "--prestate", str(elf), "--anchor-root", "0x" + ANCHOR.hex(),
        "--max-game-depth", "10", "--split-depth", "4"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["absolute_prestate"] == "0x" + expected.hex()
    assert expected[0] == 3  # UNFINISHED
    # The same prestate from a state file (as `faultproof load-elf` writes it).
    state = tmp_path / "prestate.json"
    get_isa("mips32").load_elf(elf).save(state)
    result = CliRunner().invoke(deploy_command, [
        "--game-type", "0", "--prestate", str(state), "--anchor-root", "0x" + ANCHOR.hex(),
        "--max-game-depth", "10", "--split-depth", "4"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["absolute_prestate"] == "0x" + expected.hex()


def test_cli_user_errors_are_one_line() -> None:
    result = CliRunner().invoke(deploy_command, ["--game-type", "99999", "--absolute-prestate",
                                                 "0x" + PRESTATE.hex()])
    assert result.exit_code == 2
    assert "pass --vm" in result.output
    result = CliRunner().invoke(deploy_command, ["--game-type", "0", "--absolute-prestate",
                                                 "0x12", "--anchor-root", "0x" + ANCHOR.hex()])
    assert result.exit_code == 2 and "32 bytes" in result.output


@pytest.mark.anvil
def test_deploy_on_anvil_with_unlocked_account_then_existing_factory(anvil_chain: Chain) -> None:
    from faultproof.chain.rpc import RpcChain

    assert isinstance(anvil_chain, RpcChain)
    url = anvil_chain.url
    result = CliRunner().invoke(deploy_command, [
        "--game-type", "0", "--absolute-prestate", "0x" + PRESTATE.hex(), "--rpc-url", url,
        "--anchor-root", "0x" + ANCHOR.hex(), "--max-game-depth", "8", "--split-depth", "3"])
    assert result.exit_code == 0, result.output
    first = Deployment(**json.loads(result.output))
    check_games_run(anvil_chain, first, params(game_type=0))
    result = CliRunner().invoke(deploy_command, [
        "--game-type", str(NEW_TYPE), "--vm", "riscv64", "--absolute-prestate",
        "0x" + PRESTATE.hex(), "--rpc-url", url, "--factory", first.dispute_game_factory,
        "--template-game-type", "0", "--max-game-depth", "8", "--split-depth", "3"])
    assert result.exit_code == 0, result.output
    d = Deployment(**json.loads(result.output))
    assert d.preimage_oracle == first.preimage_oracle
    check_games_run(anvil_chain, d, params(isa="riscv64"))


@pytest.mark.anvil
def test_deploy_on_anvil_signed_with_a_private_key(anvil_chain: Chain) -> None:
    from eth_account import Account

    from faultproof.chain.rpc import RpcChain

    assert isinstance(anvil_chain, RpcChain)
    key = Account.create()
    anvil_chain.set_balance(key.address, 10**21)
    result = CliRunner().invoke(deploy_command, [
        "--game-type", str(NEW_TYPE), "--vm", "mips32", "--absolute-prestate",
        "0x" + PRESTATE.hex(), "--rpc-url", anvil_chain.url, "--private-key", key.key.hex(),
        "--anchor-root", "0x" + ANCHOR.hex(), "--max-game-depth", "8", "--split-depth", "3"])
    assert result.exit_code == 0, result.output
    d = Deployment(**json.loads(result.output))
    factory = anvil_chain.at(d.dispute_game_factory, artifact("DisputeGameFactory"))
    assert same(factory.call("owner"), key.address)
    signed = keyed_rpc_chain(anvil_chain.url, key.key.hex())
    assert signed.accounts == [key.address]
    # A reverting call is refused by the dry run, not sent: the nonce does not move.
    nonce = anvil_chain.web3.eth.get_transaction_count(key.address)
    bad = signed.at(d.dispute_game_factory, artifact("DisputeGameFactory")).try_transact(
        "create", NEW_TYPE, keccak256(b"x"), bytes(32), value=1)
    assert bad.error_name == "IncorrectBondAmount"
    assert anvil_chain.web3.eth.get_transaction_count(key.address) == nonce
    check_games_run(signed, d, params(), sender=key.address)
