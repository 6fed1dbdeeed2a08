"""The step contracts on a real node (anvil): the same witnesses give the same post-states as
on the embedded chain and in the off-chain VM, and bad input reverts with the same names."""

from __future__ import annotations

import pytest

from faultproof.chain.base import Chain
from faultproof.chain.embedded import EmbeddedChain
from faultproof.chain.testing import anvil_chain, anvil_node  # noqa: F401  (fixtures)
from faultproof.contracts.compiler import CONTRACTS_ROOT, compile_contract
from faultproof.contracts.step.binding import StepContract, step_contract
from faultproof.guests import guest_elf
from faultproof.vm import get_isa

pytestmark = pytest.mark.anvil

ISAS = ["mips32", "riscv64", "riscv64c"]


def deploy_all(chain: Chain) -> dict[str, StepContract]:
    oracle = chain.deploy(compile_contract(CONTRACTS_ROOT / "oracle" / "PreimageOracle.vy"), 0, 0)
    return {isa: step_contract(isa).deploy(chain, oracle) for isa in ISAS}


def test_step_contracts_agree_on_anvil_and_embedded(anvil_chain: Chain) -> None:  # noqa: F811
    on_anvil = deploy_all(anvil_chain)
    embedded = deploy_all(EmbeddedChain())
    for isa in ISAS:
        vm = get_isa(isa).load_elf(guest_elf("hello", isa))
        for _ in range(25):
            w = vm.step(proof=True)
            assert w is not None
            want = vm.state_hash()
            for contracts in (on_anvil, embedded):
                result = contracts[isa].step(w.state, w.proof, transact=True)
                assert result.success and result.post_state_hash == want, (isa, w.step)
                assert result.post_state is not None
        assert w is not None
        bad = on_anvil[isa].step(w.state[:-1], w.proof)
        assert not bad.success and bad.error == "InvalidStateDataLength"
