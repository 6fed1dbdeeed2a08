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
from faultproof.vm.riscv.loader import load_elf

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


@pytest.mark.slow
@pytest.mark.parametrize("isa", ["riscv64", "riscv64c"])
def test_go_hello_syscalls_replay_on_chain(chain: EmbeddedChain, oracle: str, isa: str) -> None:
    """Every ECALL of go-hello (155: fcntl, openat -> EACCES, write, exit_group, clock_gettime
    and getrlimit struct writes, sched_getaffinity, sigaltstack, rt_sigaction x114,
    rt_sigprocmask, gettid, mmap x21) witnessed and replayed on chain."""
    contract = step_contract(isa).deploy(chain, oracle)
    vm = load_elf(guest_elf("go-hello", "riscv64"), compressed=isa == "riscv64c")
    numbers: set[int] = set()
    while not vm.exited:
        if int.from_bytes(vm.memory.read(vm.pc, 4), "little") == 0x73:
            numbers.add(vm.register(17))
            w = vm.step(proof=True)
            assert w is not None
            result = contract.step(w.state, w.proof)
            assert result.success and result.post_state_hash == vm.state_hash(), (w.step, result.error)
        else:
            vm.run(1)
    assert {25, 56, 64, 94, 113, 163, 222} <= numbers, sorted(numbers)


@pytest.mark.parametrize("isa", ["riscv64", "riscv64c"])
def test_go_alloc_late_witnesses_replay_on_chain(chain: EmbeddedChain, oracle: str,
                                                 isa: str) -> None:
    """go-alloc near its end (~72 MiB of pages touched, ~39 M steps): the memory proofs of a
    big, deep tree are accepted on chain."""
    contract = step_contract(isa).deploy(chain, oracle)
    vm = load_elf(guest_elf("go-alloc", "riscv64"), compressed=isa == "riscv64c")
    vm.run(38_900_000)
    assert not vm.exited and vm.page_count > 10_000
    for _ in range(30):
        w = vm.step(proof=True)
        assert w is not None
        result = contract.step(w.state, w.proof)
        assert result.success and result.post_state_hash == vm.state_hash(), (w.step, result.error)
