"""The guest's precompiled contracts (`guest/evm/vm/precompiled_contracts/`) against the
Cancun execution specs.

Every case runs twice: through the C test main `guest/evm/tests/test_precompiles.c` (one
process per batch of "address gas inputhex" lines, printing "status gasleft outputhex") and
through the spec's own precompile function on a bare Evm. Status (the evm_error code),
remaining gas (0 after an exceptional halt: the caller consumes it all) and output must agree.

The oracle-backed precompiles (ecrecover, the pairing check, point evaluation) run the guest
natively against a `LocalHost` whose `l1-precompile-v2` handler evaluates the call with the
same spec functions, as op-program's host evaluates it with geth. The MIPS32 build (32-bit,
big-endian) runs a fixed set of cases of every precompile under qemu-user.
"""

from __future__ import annotations

import hashlib
import io
import random
import shutil
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from ethereum.forks.cancun.vm.exceptions import (
    InvalidParameter,
    KZGProofError,
    OutOfGasError,
)
from ethereum.forks.cancun.vm.precompiled_contracts.mapping import PRE_COMPILED_CONTRACTS
from ethereum_types.bytes import Bytes
from ethereum_types.numeric import Uint
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from py_ecc.optimized_bn128.optimized_curve import (
    G1,
    G2,
    curve_order,
    field_modulus,
    multiply,
    neg,
    normalize,
)

from faultproof.guests import guest_test_elf
from faultproof.preimage.hints import HintRouter, PrecompileHintHandler
from faultproof.preimage.host import LocalHost
from faultproof.preimage.native import run_native
from faultproof.preimage.store import MemoryStore

# evm_error codes (guest/evm/vm/exceptions.h)
EVM_OK = 0
ERR_OUT_OF_GAS = 3
ERR_INVALID_PARAMETER = 9
ERR_KZG_PROOF_ERROR = 12

ECRECOVER, SHA256, RIPEMD160, IDENTITY, MODEXP = 1, 2, 3, 4, 5
BN_ADD, BN_MUL, BN_PAIRING, BLAKE2F, POINT_EVALUATION = 6, 7, 8, 9, 10
ORACLE_BACKED = (ECRECOVER, BN_PAIRING, POINT_EVALUATION)

SECP256K1N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

QEMU = {"mips32": "qemu-mips", "riscv64": "qemu-riscv64"}

Case = tuple[int, int, bytes]  # (address, gas, input)
Result = tuple[int, int, bytes]  # (status, gas left, output)


@cache
def spec_call(address: int, gas: int, data: bytes) -> Result:
    """Run the spec's precompile on a bare Evm (only message.data, gas_left and output)."""
    evm = SimpleNamespace(
        message=SimpleNamespace(data=Bytes(data)), gas_left=Uint(gas), output=Bytes(b"")
    )
    function = PRE_COMPILED_CONTRACTS[address.to_bytes(20, "big")]  # type: ignore[index]
    try:
        function(cast(Any, evm))
    except OutOfGasError:
        return ERR_OUT_OF_GAS, 0, b""
    except OverflowError:  # modexp: 96 + base_length past 2^256; the guest says out of gas
        return ERR_OUT_OF_GAS, 0, b""
    except InvalidParameter:
        return ERR_INVALID_PARAMETER, 0, b""
    except KZGProofError:
        return ERR_KZG_PROOF_ERROR, 0, b""
    return EVM_OK, int(evm.gas_left), bytes(evm.output)


def required_gas(address: int, data: bytes) -> int:
    """What the guest must put in the hint: the spec's gas for the call (op-program's key)."""
    if address == BN_PAIRING:
        return 45_000 + 34_000 * (len(data) // 192)
    return {ECRECOVER: 3_000, POINT_EVALUATION: 50_000}[address]


def precompile_runner(address: bytes, gas: int, data: bytes) -> bytes:
    """The host side of l1-precompile-v2: status byte ‖ output, from the spec. The spec runs
    with the hint's required gas (which must be the spec's price: the host here checks it,
    op-program's ignores it), so the differential check's own spec call is a cache hit."""
    number = int.from_bytes(address, "big")
    if gas != required_gas(number, data):
        raise AssertionError(f"hint for 0x{number:02x} carries gas {gas}")
    status, _, output = spec_call(number, gas, data)
    return (b"\x01" + output) if status == EVM_OK else b"\x00"


def precompile_host() -> LocalHost:
    store = MemoryStore()
    router = HintRouter(store, strict=True)
    router.register("l1-precompile-v2", PrecompileHintHandler(precompile_runner))
    return LocalHost(store=store, router=router)


@cache
def precompiles_elf(target: str = "host") -> Path:
    return guest_test_elf("evm", "test_precompiles", target)


def run_guest(cases: Sequence[Case], target: str = "host") -> list[Result]:
    """Run the C test main over `cases` (natively or under qemu-user), one line each."""
    lines = "".join(f"{a:02x} {g} {d.hex() or '-'}\n" for a, g, d in cases).encode()
    argv = [str(precompiles_elf(target))]
    if target != "host":
        argv.insert(0, QEMU[target])
    code, out = run_native(argv, precompile_host(), stdin=lines, timeout=600)
    assert code == 0, out.decode(errors="replace")[-2000:]
    results = []
    for line in out.decode().splitlines():
        status, gas_left, output = line.split(" ")
        results.append(
            (int(status), int(gas_left), b"" if output == "-" else bytes.fromhex(output))
        )
    assert len(results) == len(cases), out.decode()[-2000:]
    return results


def check(cases: Sequence[Case], target: str = "host") -> None:
    for case, got in zip(cases, run_guest(cases, target), strict=True):
        want = spec_call(*case)
        assert got == want, f"precompile 0x{case[0]:02x} gas {case[1]} input {case[2].hex()}"


# ---- inputs -------------------------------------------------------------------------------


def word(n: int) -> bytes:
    return (n % 2**256).to_bytes(32, "big")


def g1_bytes(point: Any) -> bytes:
    x, y = normalize(point)
    return word(int(x)) + word(int(y))


def g2_bytes(point: Any) -> bytes:
    x, y = normalize(point)
    return b"".join(word(int(c)) for c in (x.coeffs[1], x.coeffs[0], y.coeffs[1], y.coeffs[0]))


def modexp_input(base: bytes, exp: bytes, mod: bytes) -> bytes:
    return word(len(base)) + word(len(exp)) + word(len(mod)) + base + exp + mod


INTERESTING_GAS = st.one_of(st.integers(0, 200_000), st.just(30_000_000))
bytes_any = st.binary(min_size=0, max_size=300)

hash_case = st.tuples(
    st.sampled_from([SHA256, RIPEMD160, IDENTITY]), st.integers(0, 2_000), bytes_any
)


@settings(max_examples=25, deadline=None)
@given(st.lists(hash_case, min_size=1, max_size=30))
def test_hashes_and_identity_match_the_spec(cases: list[Case]) -> None:
    check(cases)


def test_ripemd160_block_boundaries() -> None:
    cases = [
        (RIPEMD160, 10_000, bytes(range(256))[:n])
        for n in (0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 256)
    ]
    check(cases)
    for (_, _, data), (_, _, out) in zip(cases, run_guest(cases), strict=True):
        assert out[12:] == hashlib.new("ripemd160", data).digest()


# ---- modexp -------------------------------------------------------------------------------

HUGE_LENGTHS = (2**32, 2**32 + 1, 2**63, 2**64 - 1, 2**64, 2**255, 2**256 - 97, 2**256 - 1)


@st.composite
def modexp_case(draw: st.DrawFn) -> Case:
    base = draw(st.binary(max_size=draw(st.sampled_from([0, 1, 8, 32, 64, 200]))))
    exp = draw(st.binary(max_size=draw(st.sampled_from([0, 1, 4, 32, 33, 64, 100]))))
    mod_kind = draw(st.sampled_from(["random", "zero", "one", "even", "odd", "top"]))
    mod_len = draw(st.sampled_from([0, 1, 3, 4, 5, 8, 31, 32, 33, 64, 100, 200, 300]))
    mod = bytearray(draw(st.binary(min_size=mod_len, max_size=mod_len)))
    if mod_kind == "zero":
        mod = bytearray(mod_len)
    elif mod_kind == "one" and mod_len:
        mod = bytearray(mod_len)
        mod[-1] = 1
    elif mod_kind in ("even", "odd") and mod_len:
        mod[-1] = (mod[-1] & 0xFE) | (mod_kind == "odd")
    elif mod_kind == "top" and mod_len:
        mod[0] = 0xFF
    data = modexp_input(base, exp, bytes(mod))
    shape = draw(st.sampled_from(["exact", "truncated", "extra", "huge"]))
    if shape == "truncated":
        data = data[: draw(st.integers(0, len(data)))]
    elif shape == "extra":
        data += draw(st.binary(max_size=40))
    elif shape == "huge":
        field = draw(st.integers(0, 2))
        value = draw(st.sampled_from((*HUGE_LENGTHS, 10_000, 1_000_000)))
        data = data[: 32 * field] + word(value) + data[32 * field + 32 :]
    gas = draw(st.sampled_from([0, 199, 200, 1_000, 100_000, 30_000_000]))
    return MODEXP, gas, data


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(modexp_case(), min_size=1, max_size=15))
def test_modexp_matches_the_spec(cases: list[Case]) -> None:
    check(cases)


def test_modexp_edge_cases() -> None:
    gas = 30_000_000
    cases: list[Case] = [
        (MODEXP, gas, b""),
        (MODEXP, gas, modexp_input(b"\x03", b"\x05", b"\x07")),
        (MODEXP, gas, modexp_input(b"", b"", b"\x05")),  # 0^0 mod 5 = 1
        (MODEXP, gas, modexp_input(b"\x00", b"\x00", b"\x01")),  # mod 1
        (MODEXP, gas, modexp_input(b"\x05", b"\x01", b"\x00\x00")),  # zero modulus, 2 bytes
        (MODEXP, gas, word(0) + word(2**64) + word(0)),  # b = m = 0: 200 gas, empty
        (MODEXP, gas, word(2**256 - 1) + word(1) + word(1)),  # 96 + b overflows U256
        (MODEXP, gas, word(1) + word(2**256 - 1) + word(1) + b"\x02\xff"),
        (MODEXP, gas, word(1) + word(100_000) + word(1) + b"\x02\x80"),  # zero-tail squarings
        (MODEXP, gas, word(8) + word(40_000) + word(8) + b"\x03" * 8 + b"\x01"),
        # Knuth's add-back step: a modulus whose top limbs make qhat one too large
        (
            MODEXP,
            gas,
            modexp_input(b"\xff" * 40, b"\x03", bytes.fromhex("80000000ffffffff00000001")),
        ),
    ]
    rng = random.Random(2565)
    for size in (1, 7, 16, 64, 128, 256, 384):  # even and odd moduli of many limb counts
        for parity in (0, 1):
            mod = bytearray(rng.randbytes(size))
            mod[-1] = (mod[-1] & 0xFE) | parity
            mod[0] |= 0x80
            cases.append(
                (MODEXP, gas, modexp_input(rng.randbytes(size), rng.randbytes(8), bytes(mod)))
            )
    check(cases)


# ---- alt_bn128 ----------------------------------------------------------------------------

P = field_modulus


@st.composite
def g1_point(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["multiple", "multiple", "infinity", "random", "x>=p", "y>=p"]))
    if kind == "multiple":
        return g1_bytes(multiply(G1, draw(st.integers(1, curve_order - 1))))
    if kind == "infinity":
        return bytes(64)
    if kind == "random":
        return draw(st.binary(min_size=64, max_size=64))
    valid = g1_bytes(multiply(G1, draw(st.integers(1, 1000))))
    if kind == "x>=p":
        return word(int.from_bytes(valid[:32], "big") + P) + valid[32:]
    return valid[:32] + word(P + draw(st.integers(0, 5)))


@st.composite
def bn_add_case(draw: st.DrawFn) -> Case:
    p0 = draw(g1_point())
    relation = draw(st.sampled_from(["other", "same", "negated"]))
    if relation == "same":
        p1 = p0
    elif relation == "negated" and p0[:32] != bytes(32):
        p1 = p0[:32] + word((P - int.from_bytes(p0[32:], "big")) % P)
    else:
        p1 = draw(g1_point())
    data = p0 + p1
    cut = draw(st.sampled_from([None, 0, 32, 64, 100, 127, 200]))
    if cut is not None:
        data = (data + bytes(100))[:cut]
    return BN_ADD, draw(st.sampled_from([149, 150, 10_000])), data


@st.composite
def bn_mul_case(draw: st.DrawFn) -> Case:
    scalar = draw(
        st.one_of(
            st.integers(0, 2**256 - 1),
            st.sampled_from([0, 1, 2, curve_order - 1, curve_order, curve_order + 1, 2**256 - 1]),
        )
    )
    data = draw(g1_point()) + word(scalar)
    cut = draw(st.sampled_from([None, 0, 64, 80, 95, 128]))
    if cut is not None:
        data = (data + bytes(40))[:cut]
    return BN_MUL, draw(st.sampled_from([5_999, 6_000, 50_000])), data


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(bn_add_case(), bn_mul_case()), min_size=1, max_size=12))
def test_alt_bn128_add_and_mul_match_the_spec(cases: list[Case]) -> None:
    check(cases)


def pairing_cases() -> list[Case]:
    a, b = 7, 11
    valid_one = g1_bytes(multiply(G1, a)) + g2_bytes(multiply(G2, b))
    valid_one += g1_bytes(neg(multiply(G1, a * b))) + g2_bytes(G2)
    valid_zero = g1_bytes(multiply(G1, a)) + g2_bytes(G2)
    bad_g1 = word(1) + word(3) + g2_bytes(G2)  # not on the curve
    bad_g2 = g1_bytes(G1) + bytes(96) + word(1)  # G2 not on its curve
    inputs = [
        b"",  # empty product: 1
        valid_one,
        valid_zero,
        bytes(192),  # infinity pairs: 1
        bad_g1,
        bad_g2,
        valid_zero[:191],  # not a multiple of 192
    ]
    cases = [(BN_PAIRING, required_gas(BN_PAIRING, data), data) for data in inputs]
    return [
        *cases,
        (BN_PAIRING, 45_000 + 34_000 - 1, valid_zero),  # one short
        (BN_PAIRING, 10_000_000, valid_one),  # more gas than needed: the rest is left
    ]


def test_alt_bn128_pairing_through_the_oracle() -> None:
    check(pairing_cases())


@st.composite
def pairing_case(draw: st.DrawFn) -> Case:
    """One or two pairs of valid points (a product that is 1 or not), sometimes corrupted."""
    a = draw(st.integers(1, curve_order - 1))
    b = draw(st.integers(1, curve_order - 1))
    data = g1_bytes(multiply(G1, a)) + g2_bytes(multiply(G2, b))
    if draw(st.booleans()):  # e(aP, bQ) · e(-abP, Q) = 1
        data += g1_bytes(neg(multiply(G1, a * b % curve_order))) + g2_bytes(G2)
    if draw(st.booleans()):
        index = draw(st.integers(0, len(data) - 1))
        data = data[:index] + bytes([data[index] ^ draw(st.integers(1, 255))]) + data[index + 1 :]
    return BN_PAIRING, required_gas(BN_PAIRING, data), data


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pairing_case())
def test_alt_bn128_pairing_random_pairs(case: Case) -> None:
    check([case])


# ---- blake2f ------------------------------------------------------------------------------


@st.composite
def blake2f_case(draw: st.DrawFn) -> Case:
    # The spec's Python compression is slow: mostly few rounds, sometimes a few thousand.
    rounds = draw(st.one_of(st.integers(0, 100), st.sampled_from([0, 1, 12, 2_500, 2**32 - 1])))
    final = draw(st.one_of(st.sampled_from([0, 1]), st.integers(0, 255)))
    data = rounds.to_bytes(4, "big") + draw(st.binary(min_size=208, max_size=208)) + bytes([final])
    if draw(st.booleans()) and draw(st.booleans()):
        data = draw(st.sampled_from([data[:212], data + b"\x00", b""]))
    affordable = min(rounds, 5_000)  # 2^32 - 1 rounds must stay unaffordable: hours of work
    gas = draw(st.sampled_from([affordable, max(affordable - 1, 0), 10_000]))
    return BLAKE2F, gas, data


@settings(max_examples=25, deadline=None)
@given(st.lists(blake2f_case(), min_size=1, max_size=10))
def test_blake2f_matches_the_spec(cases: list[Case]) -> None:
    check(cases)


# ---- ecrecover ----------------------------------------------------------------------------


def signature_input(seed: int) -> bytes:
    """A real (message hash, v, r, s) made with coincurve."""
    coincurve = pytest.importorskip("coincurve")
    rng = random.Random(seed)
    key = coincurve.PrivateKey(rng.randbytes(32))
    message_hash = rng.randbytes(32)
    signature = key.sign_recoverable(message_hash, hasher=None)
    r, s, recid = signature[:32], signature[32:64], signature[64]
    return message_hash + word(27 + recid) + r + s


def ecrecover_cases(seed: int) -> list[Case]:
    good = signature_input(seed)
    h, r, s = good[:32], good[64:96], good[96:128]
    v = good[32:64]
    gas = 3_000
    return [
        (ECRECOVER, gas, good),
        (ECRECOVER, gas - 1, good),
        (ECRECOVER, gas, good + b"extra bytes are ignored"),
        (ECRECOVER, gas, h + word(1 - (v[31] - 27) + 27) + r + s),  # other v: other key
        (ECRECOVER, gas, h + word(29) + r + s),
        (ECRECOVER, gas, h + word(27 + 2**8) + r + s),  # high bytes of v set
        (ECRECOVER, gas, h + v + word(0) + s),
        (ECRECOVER, gas, h + v + r + word(SECP256K1N)),
        (ECRECOVER, gas, h + v + word(SECP256K1N - 1) + s),
        (ECRECOVER, gas, h + v + word(5) + word(7)),  # r = 5 is no x on the curve
        (ECRECOVER, gas, good[:100]),  # padded with zeros: s changes
        (ECRECOVER, gas, b""),
    ]


def test_ecrecover_through_the_oracle() -> None:
    check(ecrecover_cases(1) + ecrecover_cases(2))


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32), st.binary(max_size=140))
def test_ecrecover_random_inputs(seed: int, noise: bytes) -> None:
    good = signature_input(seed)
    cases = [
        (ECRECOVER, 3_000, good),
        (ECRECOVER, 3_000, noise),
        (ECRECOVER, 3_000, good[:32] + good[32:64] + noise[:64].ljust(64, b"\x01")),
    ]
    check(cases)


# ---- point evaluation ---------------------------------------------------------------------

BLS_MODULUS = 52435875175126190479447740508185965837690552500527637822603658699938581184513


@cache
def kzg_inputs() -> tuple[bytes, bytes]:
    """(a valid 192-byte input made with ckzg, the same with y changed)."""
    ckzg = pytest.importorskip("ckzg")
    from faultproof.preimage.verify import KzgBlobVerifier

    setup = KzgBlobVerifier()._loaded()
    rng = random.Random(4844)
    blob = b"".join(rng.randrange(BLS_MODULUS).to_bytes(32, "big") for _ in range(4096))
    commitment = bytes(ckzg.blob_to_kzg_commitment(blob, setup))
    z = rng.randrange(BLS_MODULUS).to_bytes(32, "big")
    proof, y = ckzg.compute_kzg_proof(blob, z, setup)
    versioned = b"\x01" + hashlib.sha256(commitment).digest()[1:]
    good = versioned + z + bytes(y) + commitment + bytes(proof)
    wrong_y = ((int.from_bytes(bytes(y), "big") + 1) % BLS_MODULUS).to_bytes(32, "big")
    return good, versioned + z + wrong_y + commitment + bytes(proof)


def point_evaluation_cases() -> list[Case]:
    good, wrong = kzg_inputs()
    gas = 50_000
    return [
        (POINT_EVALUATION, gas, good),
        (POINT_EVALUATION, gas - 1, good),
        (POINT_EVALUATION, gas, wrong),
        (POINT_EVALUATION, gas, b"\x02" + good[1:]),  # wrong version byte
        (POINT_EVALUATION, gas, good[:191]),
        (POINT_EVALUATION, gas, good + b"\x00"),
        (POINT_EVALUATION, 0, b""),
    ]


def test_point_evaluation_through_the_oracle() -> None:
    check(point_evaluation_cases())


@settings(max_examples=5, deadline=None)
@given(st.integers(0, 191), st.integers(1, 255))
def test_point_evaluation_with_one_byte_changed(index: int, flip: int) -> None:
    good, _ = kzg_inputs()
    data = good[:index] + bytes([good[index] ^ flip]) + good[index + 1 :]
    check([(POINT_EVALUATION, 50_000, data)])


# ---- dispatch, and the VM builds ----------------------------------------------------------


def test_addresses_outside_0x01_0x0a_are_not_precompiles() -> None:
    results = run_guest([(0, 100, b""), (11, 100, b"")])
    assert [status for status, _, _ in results] == [4, 4]  # the test main's "no precompile"


def vm_cases() -> list[Case]:
    rng = random.Random(32)
    cases: list[Case] = [
        (SHA256, 1_000, rng.randbytes(100)),
        (RIPEMD160, 10_000, rng.randbytes(130)),
        (IDENTITY, 100, rng.randbytes(33)),
        (BLAKE2F, 100, (12).to_bytes(4, "big") + rng.randbytes(208) + b"\x01"),
        (BN_ADD, 150, g1_bytes(multiply(G1, 3)) + g1_bytes(multiply(G1, 5))),
        (BN_ADD, 150, g1_bytes(G1) + g1_bytes(G1)),
        (BN_MUL, 6_000, g1_bytes(multiply(G1, 9)) + word(2**256 - 1)),
        (BN_MUL, 6_000, word(1) + word(3) + word(2)),
        (ECRECOVER, 3_000, signature_input(3)),
        (BN_PAIRING, 100_000, b""),
    ]
    for size, parity in ((1, 1), (5, 0), (33, 1), (64, 0), (100, 1)):
        mod = bytearray(rng.randbytes(size))
        mod[-1] = (mod[-1] & 0xFE) | parity
        mod[0] |= 1
        cases.append(
            (MODEXP, 30_000_000, modexp_input(rng.randbytes(size), rng.randbytes(4), bytes(mod)))
        )
    return cases


@pytest.mark.qemu
@pytest.mark.parametrize("target", sorted(QEMU))
def test_vm_builds_match_the_spec(target: str) -> None:
    """32-bit big-endian MIPS and 64-bit RISC-V builds, under qemu-user (oracle included)."""
    if shutil.which(QEMU[target]) is None:
        pytest.skip(f"{QEMU[target]} not installed (Debian qemu-user)")
    check(vm_cases() + point_evaluation_cases()[:3], target=target)


# ---- what the guest asks the oracle, and what it accepts ----------------------------------


def run_with_runner(cases: Sequence[Case], runner: Any) -> tuple[int, str, LocalHost]:
    store = MemoryStore()
    router = HintRouter(store, strict=True)
    router.register("l1-precompile-v2", PrecompileHintHandler(runner))
    host = LocalHost(store=store, router=router)
    lines = "".join(f"{a:02x} {g} {d.hex() or '-'}\n" for a, g, d in cases).encode()
    code, out = run_native([str(precompiles_elf())], host, stdin=lines, timeout=60)
    return code, out.decode(), host


def test_bad_signature_values_are_answered_without_the_oracle() -> None:
    good = signature_input(7)
    h, v, r, s = good[:32], good[32:64], good[64:96], good[96:128]
    bad = [h + word(29) + r + s, h + v + word(0) + s, h + v + r + word(SECP256K1N), b""]
    code, out, host = run_with_runner([(ECRECOVER, 3_000, d) for d in bad], precompile_runner)
    assert code == 0 and out.splitlines() == ["0 0 -"] * len(bad)
    assert host.hint_count == 0


@pytest.mark.parametrize(
    ("case", "answer"),
    [
        ((BN_PAIRING, 45_000, b""), b"\x01" + word(2)),  # pairing result must be 0 or 1
        ((BN_PAIRING, 45_000, b""), b"\x01" + b"\x01"),  # ... as 32 bytes
        ((ECRECOVER, 3_000, b""), b"\x01" + b"\xff" * 32),  # not a padded address
        ((ECRECOVER, 3_000, b""), b"\x01" + b"\x11" * 20),  # an unpadded address
    ],
)
def test_impossible_oracle_answers_are_fatal(case: Case, answer: bytes) -> None:
    if case[0] == ECRECOVER:
        case = (ECRECOVER, 3_000, signature_input(8))
    code, out, _ = run_with_runner([case], lambda *_: answer)
    assert code == 2, out


def test_point_evaluation_answer_must_be_the_precompiles() -> None:
    good, _ = kzg_inputs()
    code, out, _ = run_with_runner(
        [(POINT_EVALUATION, 50_000, good)], lambda *_: b"\x01" + word(4096) + word(BLS_MODULUS - 1)
    )
    assert code == 2, out
    code, out, _ = run_with_runner([(POINT_EVALUATION, 50_000, good)], lambda *_: b"\x00")
    assert code == 0 and out.split()[:2] == [str(ERR_KZG_PROOF_ERROR), "0"]


def test_mips_vm_runs_the_precompiles() -> None:
    """The MIPS32 build in our own Cannon-compatible VM (stdin is empty there: the lines come
    from local key 1), oracle-backed ecrecover included."""
    from faultproof.preimage.bootinfo import BootInfo
    from faultproof.vm.mips.loader import load_elf

    cases = vm_cases()  # ~20M steps
    lines = "".join(f"{a:02x} {g} {d.hex() or '-'}\n" for a, g, d in cases).encode()
    host = precompile_host()
    host.boot_info = BootInfo({1: lines})
    stdout = io.BytesIO()
    vm = load_elf(precompiles_elf("mips32"), host=host, stdout=stdout)
    vm.run()
    assert vm.exit_code == 0, stdout.getvalue()
    for case, line in zip(cases, stdout.getvalue().decode().splitlines(), strict=True):
        status, gas_left, output = line.split(" ")
        got = (int(status), int(gas_left), b"" if output == "-" else bytes.fromhex(output))
        assert got == spec_call(*case), case
