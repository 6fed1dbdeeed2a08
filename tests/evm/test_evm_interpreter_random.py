"""Random bytecode through the guest interpreter and the Cancun spec (see test_evm_interpreter.py).

Programs are drawn from a restricted alphabet: every Cancun opcode, with operands mostly small
pushes (memory offsets and jump targets near zero, so programs get somewhere instead of failing
on their first memory access), addresses of the scenario's accounts (so calls, balances and code
reads hit real contracts), and now and then a large word. The target may call a second random
program, and the known callees of the table tests (echo, reverter, burner, precompiles).

A seeded batch runs many programs in one guest process; hypothesis adds shrinking on top. The
MIPS32 build runs the table tests and a random batch under qemu-user: 32-bit big-endian is where
size_t truncations and byte-order slips would show.
"""

from __future__ import annotations

import random
import shutil

import pytest
from ethereum.forks.cancun.vm.instructions import Ops
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.evm.test_evm_interpreter import (
    CALLER,
    ECHO,
    MAX,
    REVERTER,
    TARGET,
    Acct,
    Scenario,
    arithmetic_scenarios,
    base_accounts,
    call_scenarios,
    callees,
    check,
    create_call,
    create_scenarios,
    depth_scenarios,
    misc_scenarios,
    push,
    selfdestruct_scenarios,
    small_scenarios,
    sstore_scenarios,
    with_boundaries,
)

SECOND = 0xC0DF  # a second random program the target may call
ADDRESSES = (TARGET, SECOND, ECHO, REVERTER, CALLER, 0xDEAD, 1, 2, 4)
OPCODES = tuple(o.value for o in Ops if not (0x5F <= o.value <= 0x7F))
SMALL = (0, 1, 2, 3, 4, 7, 8, 31, 32, 33, 64, 100, 255, 256)
BIG = (2**64, 2**128 + 5, 2**255, MAX)


# Stack inputs per opcode (DUPn/SWAPn/LOGn are computed), to feed most instructions.
ARITY: dict[int, int] = {
    **dict.fromkeys((0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0A, 0x0B), 2),
    **dict.fromkeys((0x08, 0x09, 0x37, 0x39, 0x3E, 0x5E, 0xF0), 3),
    **dict.fromkeys((0x10, 0x11, 0x12, 0x13, 0x14, 0x16, 0x17, 0x18, 0x1A, 0x1B, 0x1C), 2),
    **dict.fromkeys((0x1D, 0x20, 0x52, 0x53, 0x55, 0x57, 0x5D, 0xF3, 0xFD), 2),
    **dict.fromkeys((0x15, 0x19, 0x31, 0x35, 0x3B, 0x3F, 0x40, 0x49, 0x50, 0x51, 0x54), 1),
    **dict.fromkeys((0x56, 0x5C, 0xFF), 1),
    0x3C: 4, 0xF5: 4, 0xF1: 7, 0xF2: 7, 0xF4: 6, 0xFA: 6,
    **{0x80 + i: i + 1 for i in range(16)},
    **{0x90 + i: i + 2 for i in range(16)},
    **{0xA0 + i: i + 2 for i in range(5)},
}  # fmt: skip
TERMINAL = frozenset((0x00, 0xF3, 0xFD, 0xFF))
CALLS = frozenset((0xF1, 0xF2, 0xF4, 0xFA))


def operand(rng: random.Random) -> bytes:
    roll = rng.random()
    if roll < 0.75:
        return push(rng.choice(SMALL))
    if roll < 0.97:
        return push(rng.choice(ADDRESSES))
    return push(rng.choice(BIG))


def random_program(rng: random.Random, length: int) -> bytes:
    """`length` instructions, most with their operands pushed first (the last operand pushed is
    the first popped: a call's gas is GAS or a small amount, its address a known account)."""
    code = b""
    for _ in range(length):
        opcode = rng.choice(OPCODES)
        if opcode in TERMINAL and rng.random() < 0.7:
            opcode = rng.choice(OPCODES)
        roll = rng.random()
        if roll < 0.01:
            code += bytes([rng.choice((0xFE, 0x0C, 0xEF))])
            continue
        if roll < 0.06:
            code += bytes([0x5B])  # JUMPDEST
            continue
        if rng.random() < 0.95:
            arity = ARITY.get(opcode, 0)
            operands = [operand(rng) for _ in range(arity)]
            if opcode in CALLS:
                operands[-1] = rng.choice((bytes([0x5A]), push(rng.choice((0, 2300, 50_000)))))
                operands[-2] = push(rng.choice(ADDRESSES))
            code += b"".join(operands)
        code += bytes([opcode])
    return code


def random_scenario(rng: random.Random, name: str) -> Scenario:
    code = random_program(rng, rng.randint(1, 60))
    if rng.random() < 0.15:  # deploy a random init code first (its runtime: its return data)
        init = random_program(rng, rng.randint(1, 30))
        code = create_call(rng.choice(("CREATE", "CREATE2")), init, rng.choice((0, 1))) + code
    accounts = base_accounts(code, callees())
    accounts[SECOND] = Acct(
        balance=rng.choice((0, 10)), code=random_program(rng, rng.randint(1, 25))
    )
    if rng.random() < 0.5:
        accounts[TARGET].storage = {rng.choice(SMALL): rng.choice((1, 2, MAX))}
    gas = rng.choice((30_000, 100_000, 400_000, rng.randint(0, 60_000)))
    return Scenario(
        name,
        accounts,
        target=None if rng.random() < 0.1 else TARGET,
        data=bytes(rng.randrange(256) for _ in range(rng.choice((0, 4, 36)))),
        value=rng.choice((0, 0, 1, 10**5)),
        gas=gas,
        warm_keys=((TARGET, 1),) if rng.random() < 0.2 else (),
        warm=(ECHO,) if rng.random() < 0.2 else (),
        number=rng.choice((1000, 5, 300)),
        excess_blob_gas=rng.choice((0, 5_000_000)),
        blobs=(0x01AB, 0x01CD) if rng.random() < 0.3 else (),
    )


def random_batch(seed: int, count: int) -> list[Scenario]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        s = random_scenario(rng, f"random-{seed}-{i}")
        if s.target is None:
            s.data = s.accounts[TARGET].code  # creation: the random program is the init code
        out.append(s)
    return out


def test_random_programs_batch() -> None:
    check(random_batch(seed=1, count=400))


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(2, 12))
def test_random_programs_many(seed: int) -> None:
    check(random_batch(seed=seed, count=2000))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_random_programs_hypothesis(seed: int) -> None:
    check(random_batch(seed=seed, count=5))


def table_sample() -> list[Scenario]:
    """Every third table scenario with its gas boundaries, the depth limit, a random batch."""
    scenarios = [
        *arithmetic_scenarios(),
        *small_scenarios(),
        *sstore_scenarios(),
        *call_scenarios(),
        *create_scenarios(),
        *selfdestruct_scenarios(),
        *misc_scenarios(),
    ]
    return [*with_boundaries(scenarios[::3]), *depth_scenarios(), *random_batch(99, 150)]


@pytest.mark.qemu
@pytest.mark.parametrize("target", ["mips32", "riscv64"])
def test_vm_targets_under_qemu(target: str) -> None:
    """The MIPS32 (32-bit, big-endian) and RISC-V builds on a sample of everything."""
    emulator = {"mips32": "qemu-mips", "riscv64": "qemu-riscv64"}[target]
    if shutil.which(emulator) is None:
        pytest.skip(f"{emulator} missing")
    check(table_sample(), target=target)
