"""Every C guest prints what an independent Python computation says it should, with the
right exit code, on each ISA under qemu-user and natively on the host."""

from __future__ import annotations

import pytest
from guest_support import ALL_TARGET_PARAMS, run_guest

from faultproof.crypto import keccak256, sha256


def test_hello_prints_hello_world(target: str) -> None:
    run = run_guest("hello", target)
    assert (run.returncode, run.stdout) == (0, "hello world\n")


def _primes_below(limit: int) -> int:
    return sum(all(n % d for d in range(2, int(n**0.5) + 1)) for n in range(2, limit))


def test_exitcode_exits_with_its_computed_count(target: str) -> None:
    run = run_guest("exitcode", target)
    expected = _primes_below(182)
    assert expected == 42
    assert run.returncode == expected
    assert run.stdout == f"exitcode: {expected} primes below 182\n"


def _expected_compute() -> str:
    h = keccak256(b"faultproof")
    for _ in range(2000):
        h = keccak256(h)
    s = sha256(b"faultproof")
    for _ in range(500):
        s = sha256(s)
    state, values = 0x12345678, []
    for _ in range(20000):
        state ^= (state << 13) & 0xFFFFFFFF
        state ^= state >> 17
        state ^= (state << 5) & 0xFFFFFFFF
        values.append(state)
    values.sort()
    checksum = 0
    for v in values:
        checksum = (checksum * 31 + v) & 0xFFFFFFFF
    x = 0x9ABCDEF1_12345678_DEADBEEF
    for _ in range(10):
        x *= x
    big = x.to_bytes((x.bit_length() + 7) // 8, "big")
    return (
        f"keccak chain 2000: {h.hex()}\n"
        f"sha256 chain 500: {s.hex()}\n"
        f"sort 20000: min {values[0]:08x} max {values[-1]:08x} checksum {checksum:08x}\n"
        f"bigint x0^(2^10): {len(big)} bytes keccak {keccak256(big).hex()}\n"
        "compute: done\n"
    )


def test_compute_matches_python(target: str) -> None:
    run = run_guest("compute", target)
    assert run.returncode == 0, run.stderr
    assert run.stdout == _expected_compute()


def test_heap_verifies_and_agrees_across_targets(target: str) -> None:
    run = run_guest("heap", target)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.endswith("\n") and "heap: ok checksum" in run.stdout
    # The allocator and patterns are target-independent, so every ISA prints the same.
    assert run.stdout == run_guest("heap", "host").stdout


def test_preimage_without_host_fails_cleanly(target: str) -> None:
    # fds 3-6 are closed: the first key write fails and the guest exits 2, not a crash.
    run = run_guest("preimage", target)
    assert run.returncode == 2
    assert "local key 1" in run.stdout


@pytest.fixture(params=ALL_TARGET_PARAMS)
def target(request: pytest.FixtureRequest) -> str:
    return str(request.param)
