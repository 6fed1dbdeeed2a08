"""The end-to-end demo: a wrong output is rejected, the liar's bonds go to the challenger."""

import io

import pytest
from click.testing import CliRunner
from rich.console import Console

from faultproof.chain import Chain
from faultproof.chain.testing import anvil_chain, anvil_node
from faultproof.cli import main
from faultproof.demo.dispute import DemoSettings, run_demo
from faultproof.demo.rollup import HashchainRollup, demo_batches
from faultproof.game.types import GameStatus


def test_rollup_model_outputs_chain_through_state_and_tape() -> None:
    r = HashchainRollup(demo_batches(4))
    assert r.output_preimage(2)[:32] == (2).to_bytes(32, "big")
    assert r.output_preimage(2)[64:] == r.tape_root
    assert r.output_root(3) != r.output_root(2)
    assert r.output_root(9) == r.output_root(4), "blocks past the head stay at the head"


@pytest.mark.parametrize("isa", ["mips32", "riscv64"])
def test_demo_rejects_the_wrong_output(isa: str) -> None:
    out = io.StringIO()
    status = run_demo(DemoSettings(isa=isa, blocks=4, bad_block=3), Console(file=out, width=120))
    text = out.getvalue()
    assert status == GameStatus.CHALLENGER_WINS, text
    assert "CHALLENGER_WINS" in text


@pytest.mark.anvil
def test_demo_on_a_real_node(anvil_chain: Chain) -> None:
    out = io.StringIO()
    settings = DemoSettings(isa="mips32", blocks=4, bad_block=3)
    status = run_demo(settings, Console(file=out, width=160), chain=anvil_chain)
    text = out.getvalue()
    assert status == GameStatus.CHALLENGER_WINS, text
    assert "chain: http://127.0.0.1" in text


@pytest.mark.anvil
def test_demo_command_takes_a_node_url(anvil_chain: Chain) -> None:
    url = anvil_chain.url  # type: ignore[attr-defined]
    result = CliRunner().invoke(
        main, ["demo", "--hashchain", "--blocks", "4", "--bad-block", "2", "--rpc-url", url]
    )
    assert result.exit_code == 0, result.output
    assert "CHALLENGER_WINS" in result.output


def test_a_challenger_killed_after_every_transaction_still_wins() -> None:
    """Restarted after each transaction with only its store and the chain, it plays on and wins."""
    out = io.StringIO()
    status = run_demo(
        DemoSettings(isa="mips32", blocks=4, bad_block=3, crash_challenger=True),
        Console(file=out, width=160),
    )
    text = out.getvalue()
    assert status == GameStatus.CHALLENGER_WINS, text
    assert "restarted" in text
    restarts = int(text.split("restarted ")[1].split(" times")[0])
    assert restarts > 5



@pytest.mark.anvil
def test_demo_command_runs_the_rollup_story_by_default(anvil_node: object) -> None:
    """`faultproof demo` (the README's first command) is the rollup story: both games end as the
    contract names them, the honest withdrawal finalizes and the attacker's is refused."""
    result = CliRunner().invoke(main, ["demo", "--type", "riscv64"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "DEFENDER_WINS" in text and "CHALLENGER_WINS" in text
    assert "withdrawal finalized" in text and "refused: ProposalNotValidated" in text


def test_hashchain_only_flags_are_refused_for_the_rollup_story() -> None:
    result = CliRunner().invoke(main, ["demo", "--blocks", "4"])
    assert result.exit_code == 2
    assert "--blocks applies to --hashchain" in result.output


__all__ = ["anvil_chain", "anvil_node"]
