"""The preimage guest against a minimal test-local host over real pipes on fds 3-6."""

from __future__ import annotations

import os

import pytest
from guest_support import ALL_TARGET_PARAMS, fnv1a32, keccak_key, local_key, run_with_oracle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faultproof.crypto import keccak256


def _oracle(data: bytes) -> tuple[bytes, dict[bytes, bytes]]:
    digest = keccak256(data)
    return digest, {local_key(1): digest, keccak_key(digest): data}


def _expected_stdout(digest: bytes, data: bytes) -> str:
    return (
        f"preimage: hash {digest.hex()}\n"
        f"preimage: {len(data)} bytes, keccak ok, fnv1a {fnv1a32(data):08x}\n"
    )


@pytest.mark.parametrize("target", ALL_TARGET_PARAMS)
def test_preimage_round_trip(target: str) -> None:
    data = os.urandom(5000)
    digest, preimages = _oracle(data)
    run = run_with_oracle("preimage", target, preimages)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout == _expected_stdout(digest, data)
    assert run.hints == [b"keccak 0x" + digest.hex().encode()]
    assert run.keys == [local_key(1), keccak_key(digest)]


@pytest.mark.parametrize("length", [0, 1, 31, 32, 33, 135, 136, 137, 272, 100_000])
def test_preimage_lengths_around_keccak_blocks(length: int) -> None:
    data = bytes((i * 7 + length) & 0xFF for i in range(length))
    digest, preimages = _oracle(data)
    run = run_with_oracle("preimage", "host", preimages)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout == _expected_stdout(digest, data)


@pytest.mark.parametrize("target", ALL_TARGET_PARAMS)
def test_preimage_survives_short_reads(target: str) -> None:
    # Inside Cannon a read returns at most 4 bytes; here the host dribbles 3-byte pieces.
    data = bytes(range(200))
    digest, preimages = _oracle(data)
    run = run_with_oracle("preimage", target, preimages, chunk=3)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout == _expected_stdout(digest, data)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_guest_keccak_agrees_with_python(data: bytes) -> None:
    digest, preimages = _oracle(data)
    run = run_with_oracle("preimage", "host", preimages)
    assert run.returncode == 0, run.stdout
    assert run.stdout == _expected_stdout(digest, data)


@pytest.mark.parametrize("target", ALL_TARGET_PARAMS)
def test_preimage_rejects_data_that_does_not_hash_to_the_key(target: str) -> None:
    digest = keccak256(b"the real preimage")
    preimages = {local_key(1): digest, keccak_key(digest): b"a forged preimage"}
    run = run_with_oracle("preimage", target, preimages)
    assert run.returncode == 1
    assert "keccak mismatch for 17 bytes" in run.stdout


def test_preimage_exits_2_when_the_host_hangs_up() -> None:
    digest = keccak256(b"x")
    run = run_with_oracle("preimage", "host", {local_key(1): digest})
    assert run.returncode == 2
    assert "read failed" in run.stdout


def test_preimage_requires_a_32_byte_local_key() -> None:
    run = run_with_oracle("preimage", "host", {local_key(1): b"short"})
    assert run.returncode == 2
    assert "not a 32-byte hash (5)" in run.stdout
