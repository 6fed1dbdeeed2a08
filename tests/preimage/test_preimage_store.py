"""Stores verify on insert, detect corruption on read, persist, and survive a killed writer."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faultproof.crypto import keccak256
from faultproof.preimage.errors import (
    CorruptPreimage,
    InvalidPreimageKey,
    PreimageMismatch,
    PreimageNotFound,
    StoreError,
    UnverifiablePreimage,
)
from faultproof.preimage.keys import (
    blob_key,
    keccak256_key,
    local_key,
    precompile_key,
    sha256_key,
)
from faultproof.preimage.store import BootInfo, MemoryStore, PreimageStore, SqliteStore


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> PreimageStore:
    if request.param == "memory":
        return MemoryStore()
    return SqliteStore(tmp_path / "store.db")


@settings(max_examples=30, deadline=None)
@given(data=st.binary(max_size=500))
def test_round_trip_keccak_and_sha256(data: bytes) -> None:
    store = MemoryStore()
    assert store.get(store.put_keccak256(data)) == data
    assert store.get(store.put_sha256(data)) == data
    assert keccak256_key(data) in store and sha256_key(data) in store


def test_sqlite_round_trip(store: PreimageStore) -> None:
    key = store.put(keccak256_key(b"x" * 100_000), b"x" * 100_000)
    assert store.get(key) == b"x" * 100_000
    assert len(store) == 1
    assert list(store.keys()) == [key]


def test_mismatched_value_is_rejected_with_both_hashes(store: PreimageStore) -> None:
    key = keccak256_key(b"right")
    with pytest.raises(PreimageMismatch, match=f"not to key 0x{key.hex()}"):
        store.put(key, b"wrong")
    with pytest.raises(PreimageMismatch):
        store.put(sha256_key(b"right"), b"wrong")
    assert len(store) == 0


def test_sha256_value_under_keccak_key_is_rejected(store: PreimageStore) -> None:
    digest = keccak256(b"data")
    with pytest.raises(PreimageMismatch):
        store.put(sha256_key(digest=digest), b"data")


def test_keys_that_do_not_commit_to_values_need_an_explicit_path(store: PreimageStore) -> None:
    with pytest.raises(UnverifiablePreimage, match="BootInfo"):
        store.put(local_key(1), bytes(32))
    with pytest.raises(UnverifiablePreimage, match="put_blob"):
        store.put(blob_key(bytes(48), bytes(32)), bytes(32))
    with pytest.raises(UnverifiablePreimage, match="generic"):
        store.put(b"\x03" + bytes(31), b"")
    with pytest.raises(UnverifiablePreimage, match="no blob verifier"):
        store.put_blob(bytes(48), bytes(32), bytes(32), bytes(48))
    with pytest.raises(InvalidPreimageKey):
        store.put(bytes(32), b"")


def test_trusted_path_stores_blob_and_precompile_but_not_local(store: PreimageStore) -> None:
    key = store.put_trusted(blob_key(bytes(48), bytes(32)), b"\x07" * 32)
    assert store.get(key) == b"\x07" * 32
    pkey = store.put_precompile(1, 3000, b"input", b"\x01" + b"out")
    assert pkey == precompile_key(1, 3000, b"input")
    assert store.get(pkey) == b"\x01out"
    with pytest.raises(PreimageMismatch, match="status byte"):
        store.put_precompile(1, 3000, b"input", b"\x02")
    with pytest.raises(UnverifiablePreimage):
        store.put_trusted(local_key(1), b"x")
    with pytest.raises(PreimageMismatch):  # the trusted path still checks hash keys
        store.put_trusted(keccak256_key(b"a"), b"b")


def test_trusted_key_cannot_be_silently_replaced(store: PreimageStore) -> None:
    key = store.put_trusted(blob_key(bytes(48), bytes(32)), b"\x01" * 32)
    store.put_trusted(key, b"\x01" * 32)  # identical: fine
    with pytest.raises(PreimageMismatch, match="different value"):
        store.put_trusted(key, b"\x02" * 32)
    assert store.get(key) == b"\x01" * 32


def test_put_many_is_all_or_nothing(store: PreimageStore) -> None:
    good = (keccak256_key(b"a"), b"a")
    with pytest.raises(PreimageMismatch):
        store.put_many([good, (keccak256_key(b"b"), b"c")])
    assert len(store) == 0
    store.put_many([good, (keccak256_key(b"b"), b"b")])
    assert len(store) == 2


def test_missing_key_raises_not_found_naming_the_key(store: PreimageStore) -> None:
    key = keccak256_key(b"absent")
    assert store.fetch(key) is None
    with pytest.raises(PreimageNotFound, match=key.hex()):
        store.get(key)


def test_sqlite_persists_across_reopen(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with SqliteStore(path) as store:
        key = store.put_keccak256(b"persist me")
        tkey = store.put_trusted(blob_key(bytes(48), bytes(32)), b"\x05" * 32)
    with SqliteStore(path) as again:
        assert again.get(key) == b"persist me"
        assert again.get(tkey) == b"\x05" * 32
    with SqliteStore(path, readonly=True) as ro:
        assert ro.get(key) == b"persist me"
        with pytest.raises(StoreError, match="read-only"):
            ro.put_keccak256(b"new")
    with pytest.raises(StoreError, match="does not exist"):
        SqliteStore(tmp_path / "nope.db", readonly=True)


def _tamper(path: Path, key: bytes, value: bytes) -> None:
    db = sqlite3.connect(path)
    db.execute("UPDATE preimages SET value = ? WHERE key = ?", (value, key))
    db.commit()
    db.close()


@pytest.mark.parametrize("kind", ["keccak", "sha256", "trusted"])
def test_corrupted_entries_are_detected_on_read(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "c.db"
    with SqliteStore(path) as store:
        if kind == "keccak":
            key = store.put_keccak256(b"original")
        elif kind == "sha256":
            key = store.put_sha256(b"original")
        else:
            key = store.put_trusted(blob_key(bytes(48), bytes(32)), b"\x11" * 32)
        other = store.put_keccak256(b"untouched")
    _tamper(path, key, b"\x22" * 32)
    with SqliteStore(path) as store:
        assert store.get(other) == b"untouched"
        with pytest.raises(CorruptPreimage, match=key.hex()):
            store.get(key)
        with pytest.raises(CorruptPreimage):
            store.verify_all()


def _patch_file(path: Path, old: bytes, new: bytes) -> None:
    """Overwrite bytes of the database file itself, the way a bad disk or a stray tool would."""
    raw = path.read_bytes()
    assert raw.count(old) == 1, "the value must sit once, unfragmented, in the closed file"
    path.write_bytes(raw.replace(old, new))


@pytest.mark.parametrize("kind", ["keccak", "trusted"])
def test_bytes_flipped_in_the_sqlite_file_are_detected_on_read(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "raw.db"
    value = b"VALUE-ON-DISK-" * 20
    with SqliteStore(path) as store:
        if kind == "keccak":
            key = store.put_keccak256(value)
        else:
            key = store.put_trusted(blob_key(bytes(48), bytes(32)), value[:32])
            value = value[:32]
        other = store.put_keccak256(b"untouched")
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    _patch_file(path, value, value[:5] + b"X" + value[6:])  # one byte, same length
    with SqliteStore(path, readonly=True) as store:
        assert store.integrity_check() == "ok"  # SQLite itself cannot tell
        assert store.get(other) == b"untouched"
        with pytest.raises(CorruptPreimage, match=f"0x{key.hex()}"):
            store.get(key)


def test_damaged_or_foreign_sqlite_file_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "damaged.db"
    with SqliteStore(path) as store:
        store.put_keccak256(b"x")
    path.write_bytes(b"not a database at all" * 300)
    for readonly in (False, True):
        with pytest.raises(StoreError, match=r"cannot open preimage store .*damaged\.db"):
            SqliteStore(path, readonly=readonly)
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(StoreError, match="no such table: preimages"):
        SqliteStore(foreign, readonly=True)


def test_server_refuses_to_serve_a_corrupt_entry(tmp_path: Path) -> None:
    """End to end: the host process reports the corrupt key instead of serving it."""
    from faultproof.preimage.errors import HostProcessError
    from faultproof.preimage.process import HostProcess

    path = tmp_path / "served.db"
    value = b"SERVED-VALUE-" * 10
    with SqliteStore(path) as store:
        key = store.put_keccak256(value)
    _patch_file(path, value, b"Z" + value[1:])
    server = [sys.executable, "-m", "faultproof.preimage.server", "--store", str(path)]
    with HostProcess(server, timeout=30) as host, pytest.raises(HostProcessError) as info:
        host.get_preimage(key)
    assert "CorruptPreimage" in str(info.value) and key.hex() in str(info.value)


def test_concurrent_threads_share_one_sqlite_store(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "t.db")
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(50):
                data = f"{n}-{i}".encode()
                assert store.get(store.put_keccak256(data)) == data
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(store) == 200


WRITER = textwrap.dedent(
    """
    import sys
    from faultproof.preimage.keys import keccak256_key
    from faultproof.preimage.store import SqliteStore

    store = SqliteStore(sys.argv[1])
    batch = 0
    while True:
        values = [f"{batch}-{i}".encode() * 50 for i in range(20)]
        store.put_many((keccak256_key(v), v) for v in values)
        batch += 1
        print(batch, flush=True)
    """
)


def test_killed_writer_leaves_whole_batches_and_readers_never_block(tmp_path: Path) -> None:
    path = tmp_path / "killed.db"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    committed = 0
    reader_counts = []
    deadline = time.monotonic() + 30
    while committed < 40 and time.monotonic() < deadline:
        committed = int(writer.stdout.readline())
        if committed % 10 == 5:  # a reader in this process while the writer is busy
            with SqliteStore(path, readonly=True) as ro:
                reader_counts.append(len(ro))
                assert len(ro) % 20 == 0
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert committed >= 40
    assert reader_counts and all(c % 20 == 0 for c in reader_counts)
    with SqliteStore(path) as store:
        assert store.integrity_check() == "ok"
        count = store.verify_all()
        assert count >= committed * 20
        assert count % 20 == 0  # no half-written batch
        store.put_keccak256(b"still writable after the crash")


def test_boot_info_serves_local_keys_only() -> None:
    boot = BootInfo.from_pairs(["1=0xabcd", "0x5=0x00000000000000ff"])
    assert boot.get(local_key(1)) == b"\xab\xcd"
    assert boot.get(local_key(5)) == bytes(7) + b"\xff"
    assert boot.get(local_key(2)) is None
    assert boot.keys() == [local_key(1), local_key(5)]
    with pytest.raises(InvalidPreimageKey, match="IDENT=0xHEX"):
        BootInfo.from_pairs(["1:0xab"])
    with pytest.raises(InvalidPreimageKey, match="IDENT=0xHEX"):
        BootInfo.from_pairs(["1=0xzz"])
    with pytest.raises(InvalidPreimageKey, match="not a local key"):
        boot.get(keccak256_key(b""))
