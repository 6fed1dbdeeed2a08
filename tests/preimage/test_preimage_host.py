"""Hint routing, the in-process host, and `serve` over real pipes."""

from __future__ import annotations

import os
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faultproof.crypto import keccak256
from faultproof.preimage.channels import ChannelPair
from faultproof.preimage.errors import InvalidHint, PreimageMismatch, PreimageNotFound
from faultproof.preimage.host import (
    HintRouter,
    LocalHost,
    PrecompileHintHandler,
    format_hint,
    parse_hint,
    serve,
)
from faultproof.preimage.keys import keccak256_key, local_key, precompile_key, sha256_key
from faultproof.preimage.protocol import (
    HintClient,
    OracleClient,
    OracleHost,
    PreimageOracle,
    encode_hint,
)
from faultproof.preimage.store import BootInfo, MemoryStore


class DictSource:
    """A `PreimageSource` that records what it was asked."""

    def __init__(self, values: dict[bytes, bytes]) -> None:
        self.values = values
        self.asked: list[bytes] = []

    def fetch(self, key: bytes) -> bytes | None:
        self.asked.append(key)
        return self.values.get(key)


def test_parse_hint_splits_type_and_hex_payload() -> None:
    assert parse_hint(b"l1-block-header 0xabcd") == ("l1-block-header", b"\xab\xcd")
    assert parse_hint(b"bare") == ("bare", b"")
    assert parse_hint(format_hint("keccak", b"\x00\xff")) == ("keccak", b"\x00\xff")
    assert format_hint("keccak", b"\xab") == b"keccak 0xab"


@pytest.mark.parametrize(
    ("hint", "message"),
    [
        (b"", "empty hint"),
        (b"t abcd", "0x-prefixed"),
        (b"t 0xzz", "not valid hex"),
        (b"\xff 0x00", "not ASCII"),
    ],
)
def test_parse_hint_rejects_malformed_hints(hint: bytes, message: str) -> None:
    with pytest.raises(InvalidHint, match=message):
        parse_hint(hint)


def test_router_fetches_hinted_keccak_preimage_into_the_sink() -> None:
    data = b"block header rlp"
    source = DictSource({keccak256_key(data): data})
    store = MemoryStore()
    router = HintRouter(store)
    router.register_sources([source])
    router.route(format_hint("l1-block-header", keccak256(data)))
    assert store.get(keccak256_key(data)) == data
    router.route(format_hint("sha256", b"\x01" * 32))  # source lacks it: no error, no insert
    assert source.asked[-1] == sha256_key(digest=b"\x01" * 32)
    assert len(store) == 1


def test_router_ignores_unknown_types_unless_strict() -> None:
    router = HintRouter(MemoryStore())
    router.route(b"l2-payload-witness 0x00")
    assert router.unknown == [b"l2-payload-witness 0x00"]
    strict = HintRouter(MemoryStore(), strict=True)
    strict.register("keccak", lambda payload, sink: None)
    with pytest.raises(InvalidHint, match=r"no handler for hint type 'other'.*keccak"):
        strict.route(b"other 0x00")


def test_router_dispatches_by_type_to_custom_handlers() -> None:
    seen: list[tuple[str, bytes]] = []
    router = HintRouter(MemoryStore())
    router.register("a", lambda payload, sink: seen.append(("a", payload)))
    router.register("b", lambda payload, sink: seen.append(("b", payload)))
    router.route(b"b 0x01")
    router.route(b"a 0x0203")
    assert seen == [("b", b"\x01"), ("a", b"\x02\x03")]


def test_source_returning_a_wrong_value_is_caught_by_the_store() -> None:
    bad = DictSource({keccak256_key(b"x"): b"not x"})
    host = LocalHost(sources=[bad])
    host.hint(format_hint("keccak", keccak256(b"x")))
    assert isinstance(host.router.last_error, PreimageMismatch)
    with pytest.raises(PreimageMismatch):
        host.get_preimage(keccak256_key(b"x"))
    assert keccak256_key(b"x") not in host.store


def test_local_host_implements_both_protocols() -> None:
    host = LocalHost(MemoryStore(), BootInfo({1: b"\x01" * 32}))
    assert isinstance(host, PreimageOracle) and isinstance(host, OracleHost)
    assert host.get_preimage(local_key(1)) == b"\x01" * 32
    key = host.store.put_keccak256(b"stored")
    assert host.get_preimage(key) == b"stored"


def test_unknown_key_error_names_key_type_and_last_hint() -> None:
    host = LocalHost()
    host.hint(b"keccak 0x" + b"11" * 32)
    key = keccak256_key(b"missing")
    with pytest.raises(PreimageNotFound) as info:
        host.get_preimage(key)
    text = str(info.value)
    assert key.hex() in text and "keccak256" in text and "'keccak 0x1111" in text
    assert info.value.key == key
    with pytest.raises(PreimageNotFound, match=r"boot info has idents \[\]"):
        host.get_preimage(local_key(3))


def test_host_falls_back_to_sources_without_a_hint_and_caches() -> None:
    source = DictSource({keccak256_key(b"v"): b"v"})
    host = LocalHost(sources=[source])
    assert host.get_preimage(keccak256_key(b"v")) == b"v"
    assert keccak256_key(b"v") in host.store


class PipeClient:
    """The client ends of a `ChannelPair`, served by `serve` on a thread."""

    def __init__(self, host: OracleHost) -> None:
        pair = ChannelPair.create()
        self.channels = pair.client()
        self.oracle = OracleClient(self.channels.data_in, self.channels.key_out)
        self.hints = HintClient(self.channels.hint_in, self.channels.hint_out)
        self.error: BaseException | None = None
        host_channels = pair.host()

        def run() -> None:
            try:
                serve(host, host_channels)
            except BaseException as exc:
                self.error = exc

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def finish(self) -> None:
        self.channels.close()
        self.thread.join(10)
        assert not self.thread.is_alive()


def test_serve_over_pipes_answers_hints_and_keys() -> None:
    data = bytes(range(256)) * 300  # larger than a pipe buffer
    host = LocalHost(
        boot_info=BootInfo({1: keccak256(data)}), sources=[DictSource({keccak256_key(data): data})]
    )
    client = PipeClient(host)
    digest = client.oracle.get_preimage(local_key(1))
    client.hints.hint(format_hint("keccak", digest))
    assert keccak256_key(data) in host.store  # the ack came after the hint was processed
    assert client.oracle.get_preimage(keccak256_key(digest=digest)) == data
    assert client.oracle.get_preimage(keccak256_key(digest=digest)) == data  # repeatable
    client.finish()
    assert client.error is None
    assert host.hint_count == 1 and host.request_count == 3


def test_serve_unknown_key_closes_the_channel_instead_of_hanging() -> None:
    host = LocalHost()
    client = PipeClient(host)
    client.hints.hint(b"keccak 0x" + b"22" * 32)
    start = time.monotonic()
    with pytest.raises(Exception, match="closed"):
        client.oracle.get_preimage(keccak256_key(b"nobody has this"))
    assert time.monotonic() - start < 5
    client.finish()
    assert isinstance(client.error, PreimageNotFound)
    assert "'keccak 0x2222" in str(client.error)


def test_serve_broken_hint_frame_closes_hint_channel() -> None:
    client = PipeClient(LocalHost())
    os.write(client.channels.hint_out.fileno(), encode_hint(b"x")[:3])
    client.channels.hint_out.close()  # dies mid-frame
    assert client.channels.hint_in.read(1) == b""  # EOF, not a hang
    client.finish()
    assert client.error is not None and "after 3 of 4 bytes" in str(client.error)


@settings(max_examples=25, deadline=None)
@given(
    values=st.lists(st.binary(max_size=5000), min_size=1, max_size=5, unique=True),
    ops=st.lists(st.tuples(st.booleans(), st.integers(0, 4)), max_size=12),
)
def test_pipes_give_the_same_answers_as_the_host_directly(
    values: list[bytes], ops: list[tuple[bool, int]]
) -> None:
    source = DictSource({keccak256_key(v): v for v in values})
    direct = LocalHost(sources=[source])
    client = PipeClient(LocalHost(sources=[source]))
    for is_hint, i in ops:
        value = values[i % len(values)]
        if is_hint:
            hint = format_hint("keccak", keccak256(value))
            direct.hint(hint)
            client.hints.hint(hint)
        else:
            key = keccak256_key(value)
            assert client.oracle.get_preimage(key) == direct.get_preimage(key) == value
    client.finish()
    assert client.error is None


def test_serve_accepts_raw_fds_in_host_fd_order() -> None:
    pair = ChannelPair.create()
    host = LocalHost(boot_info=BootInfo({2: b"\x02" * 32}))
    thread = threading.Thread(target=serve, args=(host, list(pair.host_fds)), daemon=True)
    thread.start()
    client = pair.client()
    assert OracleClient(client.data_in, client.key_out).get_preimage(local_key(2)) == b"\x02" * 32
    client.close()
    thread.join(10)
    assert not thread.is_alive()


def test_precompile_hint_stores_the_result_under_the_calls_key() -> None:
    calls: list[tuple[bytes, int, bytes]] = []

    def runner(address: bytes, gas: int, data: bytes) -> bytes:
        calls.append((address, gas, data))
        return b"\x01" + keccak256(data)

    host = LocalHost()
    host.router.register("l1-precompile-v2", PrecompileHintHandler(runner))
    address = (1).to_bytes(20, "big")
    payload = address + (3000).to_bytes(8, "big") + b"sig input"
    host.hint(format_hint("l1-precompile-v2", payload))
    assert calls == [(address, 3000, b"sig input")]
    result = host.get_preimage(precompile_key(1, 3000, b"sig input"))
    assert result == b"\x01" + keccak256(b"sig input")
    with pytest.raises(InvalidHint, match="not accelerated"):
        PrecompileHintHandler(runner)((5).to_bytes(20, "big") + bytes(8), host.store)
