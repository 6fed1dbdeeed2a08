"""Issue 13: the agents and ``deploy`` check their addresses at start-up (well formed, with code,
answering like the contract they claim to be), take op-challenger's flag and environment names,
and find the oracle from the game type when ``--oracle`` is not given."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from faultproof.agents.cli import oracle_of_game_type
from faultproof.chain import EmbeddedChain
from faultproof.cli import main
from faultproof.contracts import load_contract
from faultproof.contracts.deploy import DeployError, check_address, require_contract
from faultproof.demo.dispute import DemoSettings, build_world

UNREACHABLE = "http://127.0.0.1:9"  # nothing listens: a check that needs the node would say so


def invoke(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner(env=env).invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stderr


CHALLENGER = ["challenger", "--game-type", "0", "--traces", "x:y", "--store", "s.json"]


def test_a_malformed_factory_address_is_refused_before_connecting() -> None:
    code, err = invoke([*CHALLENGER, "--rpc-url", UNREACHABLE, "--factory", "0x1234"])
    assert code == 2
    assert err.strip() == "error: --factory '0x1234' is not an address (0x and 40 hex digits)"


def test_proposer_refuses_a_malformed_factory_too() -> None:
    args = ["proposer", "--rpc-url", UNREACHABLE, "--factory", "nope", "--game-type", "0"]
    code, err = invoke([*args, "--outputs", "x:y"])
    assert code == 2 and "--factory 'nope' is not an address" in err


def test_op_challenger_flag_and_environment_names_are_accepted() -> None:
    env = {"OP_CHALLENGER_L1_ETH_RPC": UNREACHABLE, "OP_CHALLENGER_GAME_FACTORY_ADDRESS": "0x12"}
    code, err = invoke(CHALLENGER, env=env)
    assert code == 2 and "'0x12' is not an address" in err
    code, err = invoke([*CHALLENGER, "--l1-eth-rpc", UNREACHABLE, "--game-factory-address", "0x3"])
    assert code == 2 and "'0x3' is not an address" in err
    code, err = invoke(CHALLENGER, env={"FAULTPROOF_RPC_URL": UNREACHABLE, "FAULTPROOF_FACTORY": "x"})
    assert code == 2 and "'x' is not an address" in err


@pytest.mark.parametrize("flag", ["--poll-interval", "--game-window"])
def test_duration_flags_refuse_nonsense_in_one_line(flag: str) -> None:
    args = [*CHALLENGER, "--rpc-url", UNREACHABLE, "--factory", "0x" + "11" * 20, flag, "soon"]
    code, err = invoke(args)
    assert code == 2 and "not a duration" in err and len(err.strip().splitlines()) == 1


def test_check_address_accepts_any_case_and_returns_the_checksummed_form() -> None:
    checksummed = check_address("0x" + "ab" * 20, "--x")
    assert checksummed.lower() == "0x" + "ab" * 20 and checksummed != checksummed.lower()
    assert check_address(checksummed.upper().replace("0X", "0x"), "--x") == checksummed


def test_an_address_without_code_is_refused() -> None:
    chain = EmbeddedChain()
    eoa = chain.accounts[1]
    with pytest.raises(DeployError, match=r"--factory .* has no code"):
        require_contract(chain, eoa, "--factory", "DisputeGameFactory")


def test_a_contract_of_another_kind_is_refused() -> None:
    chain = EmbeddedChain()
    oracle = chain.deploy_contract(load_contract("oracle/PreimageOracle.vy"), 0, 0)
    require_contract(chain, oracle.address, "--oracle", "PreimageOracle")
    with pytest.raises(DeployError, match="does not answer like a DisputeGameFactory"):
        require_contract(chain, oracle.address, "--factory", "DisputeGameFactory")


def test_the_oracle_is_read_from_the_game_type_when_not_given() -> None:
    w = build_world(DemoSettings(isa="mips32", blocks=2, bad_block=1))
    found = oracle_of_game_type(w.chain, w.system.factory.address, (w.config.game_type,))
    assert found.lower() == w.oracle.address.lower()


def test_deploy_refuses_a_malformed_factory_and_takes_the_aliases() -> None:
    args = ["deploy", "--game-type", "0", "--absolute-prestate", "0x" + "00" * 32,
            "--l1-eth-rpc", UNREACHABLE, "--game-factory-address", "0x1234"]  # fmt: skip
    code, err = invoke(args)
    assert code == 2
    assert err.strip() == "error: --factory '0x1234' is not an address (0x and 40 hex digits)"
    code, err = invoke([*args[:-2], "--factory", "0x" + "11" * 20, "--challenge-period", "1.5s"])
    assert code == 2 and "whole number of seconds" in err
