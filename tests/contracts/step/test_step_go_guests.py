"""Go guests' witnesses replay on the step contracts: steps sampled over the whole run of
`go-hello` (runtime start-up, scheduler, allocator, printing) give the same post-states on chain
as in the off-chain VM, for riscv64, riscv64c (same ELF) and mips32. Every step of the Go
runtime's syscalls is witnessed off-chain in tests/vm/riscv/test_go_guests.py (slow).
"""

from __future__ import annotations

import pytest

from faultproof.chain.embedded import EmbeddedChain
from faultproof.contracts.step.binding import StepContract, step_contract
from faultproof.guests import find_go, guest_elf
from faultproof.vm import get_isa

pytestmark = [
    pytest.mark.go,
    pytest.mark.skipif(find_go() is None, reason="no Go toolchain (Debian golang-go)"),
]

SAMPLE_EVERY = {"mips32": 7919, "riscv64": 4999, "riscv64c": 4999}


@pytest.mark.parametrize("isa", ["riscv64", "riscv64c", "mips32"])
def test_go_hello_witnesses_replay_on_chain(chain: EmbeddedChain, oracle: str, isa: str) -> None:
    contract: StepContract = step_contract(isa).deploy(chain, oracle)
    elf = guest_elf("go-hello", "riscv64" if isa.startswith("riscv") else isa)
    vm = get_isa(isa).load_elf(elf)
    checked = 0
    while not vm.exited:
        w = vm.step(proof=True)
        assert w is not None
        result = contract.step(w.state, w.proof)
        assert result.success, (w.step, result.error)
        assert result.post_state_hash == vm.state_hash(), f"{isa} step {w.step}"
        checked += 1
        vm.run(SAMPLE_EVERY[isa])
    assert vm.exit_code == 0 and checked > 20
