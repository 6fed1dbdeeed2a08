"""The EVM program's fetch seam (guest/evm/oracle.c) against our preimage host.

Everything the program knows arrives through these calls, so the properties are the protocol's:
hints are exactly "<type> 0x<lowercase hex>", keccak-keyed data is verified (a lie or a missing
preimage is exit 2 before the bytes are used), local keys are op-program's boot slots, and an
accelerated precompile call uses the same key the PreimageOracle contract derives
(`faultproof.preimage.keys.precompile_key`). The guest side is guest/evm/tests/test_oracle.c.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from faultproof import guests
from faultproof.crypto import keccak256
from faultproof.preimage.hints import parse_hint
from faultproof.preimage.host import LocalHost
from faultproof.preimage.keys import keccak256_key, precompile_key
from faultproof.preimage.native import run_native
from faultproof.preimage.store import BootInfo, MemoryStore


@pytest.fixture(scope="module")
def elf() -> str:
    try:
        return str(guests.guest_test_elf("evm", "test_oracle"))
    except guests.GuestBuildError as exc:
        pytest.skip(f"the evm test_oracle main cannot be built here: {exc}")


class Host(LocalHost):
    """Records hints and keys in order; can answer one key with other bytes."""

    def __init__(
        self,
        store: MemoryStore,
        boot: BootInfo | None = None,
        replace: tuple[bytes, bytes] | None = None,
    ) -> None:
        super().__init__(store, boot)
        self.events: list[tuple[str, bytes]] = []
        self.replace = replace

    def hint(self, hint: bytes) -> None:
        self.events.append(("hint", hint))
        super().hint(hint)

    def get_preimage(self, key: bytes) -> bytes:
        self.events.append(("key", key))
        if self.replace is not None and key == self.replace[0]:
            return self.replace[1]
        return super().get_preimage(key)


def run(elf: str, lines: Sequence[str], host: LocalHost) -> tuple[int, list[str]]:
    code, out = run_native(
        [elf],
        host,
        stdin=("\n".join(lines) + "\n").encode(),
        timeout=60,
        raise_host_errors=False,
    )
    return code, out.decode().splitlines()


def test_local_inputs_by_ident_and_capacity(elf: str) -> None:
    parent = bytes(range(32))
    boot = BootInfo({2: parent, 5: (10).to_bytes(8, "big")})
    lines = ["local 2 32", "local 5 8", "local 2 31", "local 5 8", "stats"]
    code, out = run(elf, lines, Host(MemoryStore(), boot))
    assert code == 0, out
    # too long for the buffer: -1, and the stream stays in sync for the next request
    assert out == [f"local {parent.hex()}", "local 000000000000000a", "local -1",
                   "local 000000000000000a", "stats hints 0 preimages 4 bytes 48"]  # fmt: skip


def test_missing_local_input_is_minus_one(elf: str) -> None:
    code, out = run(elf, ["local 6 9"], Host(MemoryStore(), BootInfo({2: bytes(32)})))
    assert (code, out) == (0, ["local -1"])


def test_hint_text_is_type_space_0x_lowercase_hex(elf: str) -> None:
    host = Host(MemoryStore())
    payload = bytes(range(0xF0, 0x100)) + bytes(300)
    code, out = run(elf, [f"hint l2-anything {payload.hex().upper()}", "hint empty -"], host)
    assert code == 0, out
    assert host.events == [
        ("hint", b"l2-anything 0x" + payload.hex().encode()),
        ("hint", b"empty 0x"),
    ]


def test_keccak_preimages_are_verified_and_fetch_hints_first(elf: str) -> None:
    code_bytes = bytes(range(256)) * 200  # 51 200 bytes: many reads on the channel
    small = b"\x01"
    store = MemoryStore()
    store.put_keccak256(code_bytes)
    store.put_keccak256(small)
    store.put_keccak256(b"")
    h, hs, he = keccak256(code_bytes), keccak256(small), keccak256(b"")
    host = Host(store)
    lines = [f"fetch l2-code {h.hex()}", f"keccak {hs.hex()}", f"keccak {he.hex()}", "stats"]
    code, out = run(elf, lines, host)
    assert code == 0, out[-1:]
    assert out == [f"data {code_bytes.hex()}", "data 01", "data -",
                   f"stats hints 1 preimages 3 bytes {len(code_bytes) + 1}"]  # fmt: skip
    assert host.events[:2] == [
        ("hint", b"l2-code 0x" + h.hex().encode()),
        ("key", keccak256_key(digest=h)),
    ]


def test_a_preimage_that_does_not_match_its_hash_is_exit_2(elf: str) -> None:
    data = b"header rlp" * 10
    store = MemoryStore()
    store.put_keccak256(data)
    host = Host(store, replace=(keccak256_key(data), data + b"!"))
    code, out = run(elf, [f"fetch l2-block-header {keccak256(data).hex()}", "stats"], host)
    assert code == 2
    assert len(out) == 1 and out[0].startswith("evm: "), out


def test_a_missing_preimage_is_exit_2(elf: str) -> None:
    code, out = run(elf, [f"keccak {keccak256(b'nowhere').hex()}", "stats"], Host(MemoryStore()))
    assert code == 2
    assert len(out) == 1 and out[0].startswith("evm: "), out


@pytest.mark.parametrize(
    ("address", "gas", "data", "result", "answer"),
    [
        (1, 3000, bytes(range(128)), b"\x01" + bytes(12) + b"\xaa" * 20, "ok " + "00" * 12 + "aa" * 20),
        (1, 3000, bytes(128), b"\x01", "ok -"),
        (8, 45000 + 34000 * 2, b"\x05" * 384, b"\x00", "failed"),
        (10, 50000, b"", b"\x01" + b"\x42" * 64, "ok " + "42" * 64),
    ],
)  # fmt: skip
def test_precompile_uses_the_contract_key_and_the_v2_hint(
    elf: str, address: int, gas: int, data: bytes, result: bytes, answer: str
) -> None:
    store = MemoryStore()
    store.put_precompile(address, gas, data, result)
    host = Host(store)
    code, out = run(elf, [f"precompile {address} {gas} {data.hex() or '-'}"], host)
    assert code == 0, out
    assert out == [answer]
    call = bytes(19) + bytes([address]) + gas.to_bytes(8, "big") + data
    assert len(host.events) == 2
    kind, hint = host.events[0]
    assert kind == "hint" and parse_hint(hint) == ("l1-precompile-v2", call)
    assert host.events[1] == ("key", precompile_key(address, gas, data))


def test_an_empty_precompile_result_is_exit_2(elf: str) -> None:
    key = precompile_key(1, 3000, b"\x00")
    code, out = run(elf, ["precompile 1 3000 00"], Host(MemoryStore(), replace=(key, b"")))
    assert code == 2
    assert len(out) == 1 and out[0].startswith("evm: "), out
