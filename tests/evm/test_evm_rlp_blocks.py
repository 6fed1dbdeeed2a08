"""The guest's RLP, headers, withdrawals, logs, receipts and blooms (`guest/evm/rlp.c`,
`blocks.c`, `bloom.c`) against `ethereum_rlp` and the Cancun execution specs.

The guest must accept exactly what the spec's decoder accepts: a block whose RLP the spec
refuses is undecodable (exit 2), and one the guest refused but the spec took would be a
wrong verdict. So decoding is checked differentially on valid encodings and on mutations of
them (truncated, extended, bytes changed), not only on a list of known-bad forms.
Cases run in one process of the C test main `guest/evm/tests/test_rlp.c`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeAlias

import pytest
from ethereum.crypto.hash import keccak256
from ethereum.forks.cancun import blocks as spec_blocks
from ethereum.forks.cancun import transactions as spec_tx
from ethereum.forks.cancun.bloom import logs_bloom
from ethereum_rlp import rlp as ethereum_rlp
from ethereum_types.bytes import Bytes, Bytes8, Bytes20, Bytes32, Bytes256
from ethereum_types.numeric import U64, U256, Uint
from hypothesis import given, settings
from hypothesis import strategies as st

from faultproof.guests import guest_test_elf

Nested: TypeAlias = Any  # bytes | list[Nested]

items = st.recursive(
    st.one_of(st.binary(max_size=3), st.binary(min_size=50, max_size=300), st.binary(max_size=80)),
    lambda children: st.lists(children, max_size=8),
    max_leaves=25,
)

# for mutation: strings that cross the 55/56-byte boundary, but less data per example
small_items = st.recursive(
    st.one_of(st.binary(max_size=2), st.binary(min_size=54, max_size=58)),
    lambda children: st.lists(children, max_size=4),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def elf() -> Path:
    return guest_test_elf("evm", "test_rlp")


def run(elf: Path, lines: Sequence[str]) -> list[str]:
    """One process for all lines; one answer per line."""
    proc = subprocess.run(
        [str(elf)], input="".join(f"{line}\n" for line in lines),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert len(out) == len(lines)
    return out


def hx(data: bytes) -> str:
    """A hex argument for the test main ("-" is the empty string)."""
    return data.hex() or "-"


def to_json(item: Nested) -> str:
    if isinstance(item, bytes):
        return f'"{item.hex()}"'
    return "[" + ",".join(to_json(x) for x in item) + "]"


def from_json(value: Any) -> Nested:
    if isinstance(value, str):
        return bytes.fromhex(value)
    return [from_json(x) for x in value]


def to_spec(item: Nested) -> Any:
    if isinstance(item, bytes):
        return Bytes(item)
    return [to_spec(x) for x in item]


def spec_decode(data: bytes) -> Nested | None:
    """ethereum_rlp's decoding as plain bytes/lists, or None when it refuses the input."""
    try:
        decoded = ethereum_rlp.decode(data)
    except Exception:  # the spec decoder raises DecodingError and a few built-in errors
        return None
    return plain(decoded)


def plain(value: Any) -> Nested:
    if isinstance(value, bytes):
        return bytes(value)
    return [plain(x) for x in value]


def guest_decode(answer: str) -> Nested | None:
    return None if answer == "err" else from_json(json.loads(answer))


# --- RLP ------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(items, min_size=1, max_size=40))
def test_encode_matches_ethereum_rlp_and_decode_inverts_it(elf: Path, batch: list[Nested]) -> None:
    encoded = [bytes(ethereum_rlp.encode(to_spec(item))) for item in batch]
    got = run(elf, [f"encode {to_json(item)}" for item in batch])
    assert got == [e.hex() for e in encoded]
    decoded = run(elf, [f"decode {hx(e)}" for e in encoded])
    assert [guest_decode(d) for d in decoded] == batch


def mutate(data: bytes, draw: Any) -> bytes:
    """One small change that a sloppy decoder may miss."""
    kind = draw(st.sampled_from(["truncate", "append", "set", "insert", "delete"]))
    if kind == "truncate" or not data:
        return data[: draw(st.integers(0, max(len(data) - 1, 0)))]
    at = draw(st.integers(0, len(data) - 1))
    byte = draw(st.sampled_from([0x00, 0x01, 0x7F, 0x80, 0x81, 0xB7, 0xB8, 0xB9, 0xBF,
                                 0xC0, 0xF7, 0xF8, 0xF9, 0xFF]) | st.integers(0, 255))  # fmt: skip
    if kind == "append":
        return data + bytes([byte])
    if kind == "set":
        return data[:at] + bytes([byte]) + data[at + 1 :]
    if kind == "insert":
        return data[:at] + bytes([byte]) + data[at:]
    return data[:at] + data[at + 1 :]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_decode_accepts_exactly_what_ethereum_rlp_accepts(elf: Path, data: st.DataObject) -> None:
    inputs: list[bytes] = []
    for item in data.draw(st.lists(small_items, min_size=1, max_size=10)):
        inputs.append(mutate(bytes(ethereum_rlp.encode(to_spec(item))), data.draw))
    inputs += data.draw(st.lists(st.binary(max_size=12), max_size=5))
    got = run(elf, [f"decode {hx(b)}" for b in inputs])
    for raw, answer in zip(inputs, got, strict=True):
        assert guest_decode(answer) == spec_decode(raw), raw.hex()


def header(payload_len: int, is_list: bool, variant: str) -> bytes:
    """An RLP header: canonical, or a long form the spec forbids ("long": for a payload
    under 56 bytes, "zero": with a leading zero byte in the length)."""
    short, long_ = (0xC0, 0xF7) if is_list else (0x80, 0xB7)
    length = payload_len.to_bytes(max(1, (payload_len.bit_length() + 7) // 8), "big")
    if variant == "zero":
        length = b"\x00" + length
    if variant in ("long", "zero") or payload_len >= 56:
        return bytes([long_ + len(length)]) + length
    return bytes([short + payload_len])


def encode_with_flaw(item: Nested, target: int, variant: str, counter: list[int]) -> bytes:
    """RLP of `item` with the node numbered `target` (pre-order) given a flawed header."""
    index = counter[0]
    counter[0] += 1
    flaw = variant if index == target else "canonical"
    if isinstance(item, bytes):
        if len(item) == 1 and item[0] < 0x80 and flaw == "canonical":
            return item
        return header(len(item), False, flaw) + item
    payload = b"".join(encode_with_flaw(x, target, variant, counter) for x in item)
    return header(len(payload), True, flaw) + payload


def count_nodes(item: Nested) -> int:
    return 1 if isinstance(item, bytes) else 1 + sum(count_nodes(x) for x in item)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_flawed_headers_anywhere_in_the_tree_are_refused(elf: Path, data: st.DataObject) -> None:
    """A long form for a short payload, a zero-led length, or a one-byte string for a byte
    below 0x80, at any depth: the spec refuses it and so must the guest."""
    inputs = []
    for item in data.draw(st.lists(small_items, min_size=1, max_size=8)):
        assert encode_with_flaw(item, -1, "canonical", [0]) == ethereum_rlp.encode(to_spec(item))
        target = data.draw(st.integers(0, count_nodes(item) - 1))
        variant = data.draw(st.sampled_from(["long", "zero"]))
        inputs.append(encode_with_flaw(item, target, variant, [0]))
        inputs.append(encode_with_flaw(item, target, "canonical-byte", [0]))  # 0x81 0x00..0x7f
    got = run(elf, [f"decode {hx(b)}" for b in inputs])
    for raw, answer in zip(inputs, got, strict=True):
        assert guest_decode(answer) == spec_decode(raw), raw.hex()


NON_CANONICAL = [
    b"",
    b"\x81\x00",  # a byte below 0x80 written as a one-byte string
    b"\x81\x7f",
    b"\xb8\x00",  # long form for a short string (also for 55 bytes)
    b"\xb8\x37" + b"a" * 55,
    b"\xb9\x00\x38" + b"a" * 56,  # leading zero in the length
    b"\xf8\x37" + b"\x01" * 55,  # long list form, short payload
    b"\xf9\x00\x38" + b"\x01" * 56,
    b"\x83ab",  # truncated string
    b"\xc3\x01\x02",  # truncated list
    b"\xb8",  # no length byte
    b"\xbf\xff\xff\xff\xff\xff\xff\xff\xff",  # 2^64-1 bytes claimed
    b"\xbb\x00\x00\x00\x01",
    b"\x01\x02",  # trailing bytes
    b"\xc2\x01\x02\x03",  # trailing bytes after a list
    b"\xc3\x82\x01",  # element runs past its list
    b"\xc2\x81\x05",  # non-canonical element inside a list
    b"\xc4\xc2\xb8\x01\x00",  # ... two levels down
    b"\xc2\xc2\x01",  # nested list runs past its parent
]


def test_non_canonical_and_truncated_encodings_are_refused(elf: Path) -> None:
    for bad in NON_CANONICAL:
        assert spec_decode(bad) is None, bad.hex()
    assert run(elf, [f"decode {hx(b)}" for b in NON_CANONICAL]) == ["err"] * len(NON_CANONICAL)


def test_long_forms_at_the_55_56_boundary(elf: Path) -> None:
    items_: list[Nested] = [b"a" * 55, b"a" * 56, b"a" * 255, b"a" * 256, b"a" * 65536,
                            [b"\x01"] * 55, [b"\x01"] * 56, [b"a" * 300] * 3]  # fmt: skip
    encoded = [bytes(ethereum_rlp.encode(to_spec(i))) for i in items_]
    assert run(elf, [f"encode {to_json(i)}" for i in items_]) == [e.hex() for e in encoded]
    assert [guest_decode(d) for d in run(elf, [f"decode {hx(e)}" for e in encoded])] == items_


@given(st.lists(st.integers(0, 2**256 - 1) | st.integers(0, 2**64 + 1), min_size=1))
@settings(max_examples=30, deadline=None)
def test_integers_encode_minimal_and_read_back(elf: Path, values: list[int]) -> None:
    small = [v for v in values if v < 2**64]
    assert run(elf, [f"u64 {v:x}" for v in small]) == [
        bytes(ethereum_rlp.encode(Uint(v))).hex() for v in small
    ]
    assert run(elf, [f"u256 {v:x}" for v in values]) == [
        bytes(ethereum_rlp.encode(U256(v))).hex() for v in values
    ]
    enc = [bytes(ethereum_rlp.encode(Uint(v))).hex() for v in values]
    assert run(elf, [f"getu64 {e}" for e in enc]) == [
        f"{v:016x}" if v < 2**64 else "err" for v in values
    ]
    assert run(elf, [f"getu256 {e}" for e in enc]) == [f"{v:064x}" for v in values]


def test_integer_reads_refuse_what_the_spec_refuses(elf: Path) -> None:
    """Leading zeros (also the single byte 0x00), lists, and values past the width."""
    cases = ["00", "8200ff", "820001", "c0", "c180", "89010000000000000000", "7f", "80",
             "880102030405060708", "a1" + "01" * 33]  # fmt: skip
    for kind, cls in (("getu64", U64), ("getu256", U256)):
        want = []
        for case in cases:
            try:
                value = ethereum_rlp.decode_to(cls, bytes.fromhex(case))
            except Exception:
                want.append("err")
            else:
                want.append(format(int(value), "016x" if cls is U64 else "064x"))
        assert run(elf, [f"{kind} {c}" for c in cases]) == want, kind


def test_fixed_size_strings(elf: Path) -> None:
    cases = [
        (32, b"\xaa" * 32, True), (32, b"\xaa" * 31, False), (32, b"\xaa" * 33, False),
        (20, b"\x00" * 20, True), (8, b"\x00" * 8, True), (1, b"\x05", True), (0, b"", True),
        (256, b"\x01" * 256, True), (32, [b"\xaa" * 32], False),
    ]  # fmt: skip
    lines = [f"fixed {n:x} {bytes(ethereum_rlp.encode(to_spec(v))).hex()}" for n, v, _ in cases]
    want = [(hx(v) if ok else "err") for _, v, ok in cases]  # type: ignore[arg-type]
    assert run(elf, lines) == want


def test_list_split_and_iteration(elf: Path) -> None:
    three = bytes(ethereum_rlp.encode([Bytes(b"a"), [Bytes(b"")], Bytes(b"x" * 60)]))
    assert run(elf, [f"list 3 {three.hex()}", f"list 2 {three.hex()}", "list 5 c0",
                     "list 5 8180", "list 5 c28100"]) == ["3", "-1", "0", "-1", "-1"]  # fmt: skip
    good = [bytes(ethereum_rlp.encode(to_spec(x))) for x in (b"\x01", [], b"abc", [b"", [b""]])]
    joined = b"".join(good)
    tails = [b"", b"\x81\x00", b"\x83ab"]  # nothing, a non-canonical item, a truncated one
    lines = [f"next {hx(joined + tail)}" for tail in tails] + ["next -"]
    assert run(elf, lines) == ["4 0", "4 2", "4 3", "0 0"]


# --- headers --------------------------------------------------------------------------------

u64s = st.integers(0, 2**64 - 1)
hashes = st.binary(min_size=32, max_size=32).map(Bytes32)


@st.composite
def headers(draw: st.DrawFn) -> spec_blocks.Header:
    return spec_blocks.Header(
        parent_hash=draw(hashes),
        ommers_hash=draw(hashes),
        coinbase=Bytes20(draw(st.binary(min_size=20, max_size=20))),
        state_root=draw(hashes),
        transactions_root=draw(hashes),
        receipt_root=draw(hashes),
        bloom=Bytes256(draw(st.binary(min_size=256, max_size=256))),
        difficulty=Uint(draw(st.integers(0, 2**256 - 1) | st.just(0))),
        number=Uint(draw(u64s)),
        gas_limit=Uint(draw(u64s)),
        gas_used=Uint(draw(u64s)),
        timestamp=U256(draw(u64s)),
        extra_data=Bytes(draw(st.binary(max_size=32))),
        prev_randao=draw(hashes),
        nonce=Bytes8(draw(st.binary(min_size=8, max_size=8))),
        base_fee_per_gas=Uint(draw(u64s | st.integers(0, 10**10))),
        withdrawals_root=draw(hashes),
        blob_gas_used=U64(draw(u64s)),
        excess_blob_gas=U64(draw(u64s)),
        parent_beacon_block_root=draw(hashes),
    )


def header_fields_hex(h: spec_blocks.Header) -> list[str]:
    """The test main's field dump: bytes as hex, integers as fixed-width hex."""
    out: list[str] = []
    for name in spec_blocks.Header.__dataclass_fields__:
        value = getattr(h, name)
        if isinstance(value, bytes):
            out.append(hx(value))
        else:
            out.append(format(int(value), "064x" if name == "difficulty" else "016x"))
    return out


@settings(max_examples=25, deadline=None)
@given(st.lists(headers(), min_size=1, max_size=10))
def test_header_decode_encode_hash_match_the_spec(elf: Path, batch: list[Any]) -> None:
    encoded = [bytes(ethereum_rlp.encode(h)) for h in batch]
    for h, e in zip(batch, encoded, strict=True):
        assert ethereum_rlp.decode_to(spec_blocks.Header, e) == h
    got = run(elf, [f"header {e.hex()}" for e in encoded])
    for h, e, line in zip(batch, encoded, got, strict=True):
        reencoded, hash_, *fields = line.split(" ")
        assert reencoded == e.hex()
        assert hash_ == bytes(keccak256(e)).hex()
        assert fields == header_fields_hex(h)


def header_list(**changes: Any) -> list[Any]:
    h = spec_blocks.Header(
        parent_hash=Bytes32(b"\x01" * 32), ommers_hash=Bytes32(b"\x02" * 32),
        coinbase=Bytes20(b"\x03" * 20), state_root=Bytes32(b"\x04" * 32),
        transactions_root=Bytes32(b"\x05" * 32), receipt_root=Bytes32(b"\x06" * 32),
        bloom=Bytes256(b"\x00" * 256), difficulty=Uint(0), number=Uint(7),
        gas_limit=Uint(30_000_000), gas_used=Uint(21_000), timestamp=U256(1_700_000_000),
        extra_data=Bytes(b"faultproof"), prev_randao=Bytes32(b"\x07" * 32),
        nonce=Bytes8(b"\x00" * 8), base_fee_per_gas=Uint(7), withdrawals_root=Bytes32(b"\x08" * 32),
        blob_gas_used=U64(0), excess_blob_gas=U64(0), parent_beacon_block_root=Bytes32(b"\x09" * 32),
    )  # fmt: skip
    fields = [getattr(h, n) for n in spec_blocks.Header.__dataclass_fields__]
    for index, value in changes.items():
        fields[int(index.removeprefix("f"))] = value
    return fields


def test_header_refusals(elf: Path) -> None:
    """Field counts other than Cancun's 20, wrong sizes, non-canonical integers (all refused
    by the spec too) and integers past 64 bits or extraData over 32 bytes (decodable by the
    spec, invalid by its header checks; undecodable for the guest)."""
    good = header_list()
    spec_refuses = [
        good[:19], [*good, Bytes(b"")], good[:15],
        header_list(f0=Bytes(b"\x01" * 31)), header_list(f2=Bytes(b"\x03" * 21)),
        header_list(f6=Bytes(b"\x00" * 255)), header_list(f14=Bytes(b"\x00" * 9)),
        header_list(f8=Bytes(b"\x00\x07")), header_list(f9=Bytes(b"\x00")),
        header_list(f12=[Bytes(b"")]), header_list(f19=[]),
    ]  # fmt: skip
    guest_only = [header_list(f8=Uint(2**64)), header_list(f12=Bytes(b"x" * 33)),
                  header_list(f11=U256(2**64)), header_list(f7=Uint(2**256))]  # fmt: skip
    for fields in spec_refuses:
        with pytest.raises(Exception):  # noqa: B017 - any DecodingError subclass or cause
            ethereum_rlp.decode_to(spec_blocks.Header, ethereum_rlp.encode(fields))
    lines = [f"header {bytes(ethereum_rlp.encode(f)).hex()}" for f in spec_refuses + guest_only]
    assert run(elf, lines) == ["err"] * len(lines)
    assert run(elf, [f"header {bytes(ethereum_rlp.encode(good)).hex()}"])[0] != "err"


# --- withdrawals, logs, receipts, blooms ---------------------------------------------------


def test_withdrawals(elf: Path) -> None:
    cases = [
        (0, 0, b"\x00" * 20, 0),
        (1, 2**64 - 1, b"\xab" * 20, 2**64 - 1),
        (5, 6, b"\x01" * 20, 10**9),
    ]
    lines = []
    for index, validator, address, amount in cases:
        w = spec_blocks.Withdrawal(U64(index), U64(validator), Bytes20(address), U256(amount))
        lines.append(f"withdrawal {bytes(ethereum_rlp.encode(w)).hex()}")
    want = [f"{i:016x} {v:016x} {a.hex()} {m:016x}" for i, v, a, m in cases]
    too_big = spec_blocks.Withdrawal(U64(1), U64(1), Bytes20(b"\x01" * 20), U256(2**64))
    lines += [f"withdrawal {bytes(ethereum_rlp.encode(too_big)).hex()}", "withdrawal c3010101",
              "withdrawal c0", "withdrawal 80"]  # fmt: skip
    want += ["err"] * 4
    assert run(elf, lines) == want


@st.composite
def logs(draw: st.DrawFn) -> spec_blocks.Log:
    return spec_blocks.Log(
        address=Bytes20(draw(st.binary(min_size=20, max_size=20))),
        topics=tuple(draw(st.lists(hashes, max_size=4))),
        data=Bytes(draw(st.binary(max_size=100))),
    )


def log_token(log: spec_blocks.Log) -> str:
    return f"{log.address.hex()}/{','.join(t.hex() for t in log.topics) or '-'}/{hx(log.data)}"


def tx_of_type(tx_type: int) -> Any:
    """An (empty) transaction object of the class the spec's encode_receipt dispatches on."""
    cls: Any = {
        0: spec_tx.LegacyTransaction, 1: spec_tx.AccessListTransaction,
        2: spec_tx.FeeMarketTransaction, 3: spec_tx.BlobTransaction,
    }[tx_type]  # fmt: skip
    return cls.__new__(cls)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(logs(), max_size=5),
    st.sampled_from([0, 1, 2, 3]),
    st.booleans(),
    st.integers(0, 2**64 - 1),
)
def test_logs_bloom_and_receipt_match_the_spec(
    elf: Path, batch: list[spec_blocks.Log], tx_type: int, ok: bool, cumulative: int
) -> None:
    tokens = " ".join(log_token(log) for log in batch)
    bloom = logs_bloom(tuple(batch))
    receipt = spec_blocks.Receipt(
        succeeded=ok, cumulative_gas_used=Uint(cumulative), bloom=bloom, logs=tuple(batch)
    )
    encoded: Any = spec_blocks.encode_receipt(tx_of_type(tx_type), receipt)
    if isinstance(encoded, spec_blocks.Receipt):
        encoded = ethereum_rlp.encode(encoded)
    lines = [
        f"logs {tokens}".rstrip(),
        f"bloom {tokens}".rstrip(),
        f"receipt {tx_type:x} {int(ok)} {cumulative:x} {bytes(bloom).hex()} {tokens}".rstrip(),
    ]
    want = [
        bytes(ethereum_rlp.encode(tuple(batch))).hex(),
        bytes(bloom).hex(),
        bytes(encoded).hex(),
    ]
    if batch:
        lines.append(f"log {log_token(batch[0])}")
        want.append(bytes(ethereum_rlp.encode(batch[0])).hex())
    assert run(elf, lines) == want


def test_add_to_bloom_sets_the_spec_bits(elf: Path) -> None:
    from ethereum.forks.cancun.bloom import add_to_bloom

    entries = [b"", b"\x00", b"\x01" * 20, b"\xff" * 32, bytes(range(100))]
    bloom = bytearray(256)
    for e in entries:
        add_to_bloom(bloom, Bytes(e))
    assert run(elf, ["addbloom " + " ".join(hx(e) for e in entries)]) == [bytes(bloom).hex()]


@pytest.mark.qemu
@pytest.mark.skipif(shutil.which("qemu-mips") is None, reason="qemu-mips not installed")
def test_mips32_build_agrees_with_the_host_build(elf: Path) -> None:
    """Big-endian 32-bit size_t: the same answers for a mix of every op."""
    good = bytes(ethereum_rlp.encode(header_list())).hex()
    log = "01" * 20 + "/" + "02" * 32 + "," + "03" * 32 + "/abcd"
    lines = [f"header {good}", f"header {good[:-2]}", f"logs {log} {log}", f"bloom {log}",
             f"receipt 2 1 5208 {'00' * 256} {log}", "u64 ffffffffffffffff", "u256 " + "f" * 64,
             "getu64 88ffffffffffffffff", "withdrawal dc010294" + "ab" * 20 + "8405f5e100",
             "next 0102c0c18081", "list 5 c3010203", "fixed 100 b90100" + "01" * 256]  # fmt: skip
    lines += [f"decode {hx(e)}" for e in NON_CANONICAL]
    lines += [f"decode {bytes(ethereum_rlp.encode(to_spec(i))).hex()}" for i in
              ([b"a" * 56, [b"", [b"\x00"]]], [b"x" * 300] * 2, b"\x7f")]  # fmt: skip
    text = "".join(f"{line}\n" for line in lines)
    mips = subprocess.run(
        ["qemu-mips", str(guest_test_elf("evm", "test_rlp", "mips32"))],
        input=text, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert mips.returncode == 0, mips.stderr
    assert mips.stdout.splitlines() == run(elf, lines)


# --- types.c --------------------------------------------------------------------------------


def test_buffers_constants_and_the_undecodable_exit(elf: Path) -> None:
    data = bytes(range(256)) * 20  # several doublings of the buffer
    assert run(elf, [f"buf {data.hex()}", "buf -", "consts"]) == [
        f"{bytes(keccak256(data + data)).hex()} nonnull zeroed",
        f"{bytes(keccak256(b'')).hex()} nonnull zeroed",
        " ".join(
            bytes(h).hex()
            for h in (keccak256(b""), keccak256(ethereum_rlp.encode(b"")), keccak256(b"\xc0"))
        ),
    ]
    proc = subprocess.run(
        [str(elf)], input="consts\nfatal bad-header\nconsts\n",
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stdout.splitlines()[1:] == ["evm: error bad-header"]
