"""Preimage stores that never hold a value that does not belong to its key.

Why verify on insert: a host that serves a wrong preimage makes the honest challenger lose a game
it should win, and the bug only shows on chain. So every insert is checked:

- keccak256 (type 2) and sha256 (type 4) keys: the value must hash to the key.
- blob (type 5) keys commit to ``(commitment, z)``, not to ``y``; they can only be inserted with
  `PreimageStore.put_blob`, which checks the KZG opening proof with a pluggable `BlobVerifier`
  (`KzgBlobVerifier` uses ckzg), or through the explicit `put_trusted` path.
- precompile (type 6) keys commit to the call, not to the result; `put_precompile` derives the key
  from the call itself and stores the result via the trusted path (run the precompile to check it).
- local (type 1) keys are never stored: they come from `BootInfo`, per game.
- generic (type 3) keys have no defined derivation and are rejected.

Reads re-verify as well (re-hash for types 2/4, a stored keccak checksum of ``key ‖ value`` for
trusted entries), so a corrupted database raises `CorruptPreimage` instead of feeding bad data to a
VM. `SqliteStore` keeps everything in one SQLite file in WAL mode: committed preimages survive
restarts and a killed writer, and readers in other processes see a consistent snapshot.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from faultproof.preimage.bootinfo import BootInfo
from faultproof.preimage.errors import (
    PreimageMismatch,
    PreimageNotFound,
    StoreError,
    UnverifiablePreimage,
)
from faultproof.preimage.keys import (
    FIELD_ELEMENTS_PER_BLOB,
    KeyType,
    address_bytes,
    blob_key,
    blob_root_of_unity,
    keccak256_key,
    key_type,
    precompile_key,
    sha256_key,
)
from faultproof.preimage.verify import (
    BlobVerifier,
    KzgBlobVerifier,
    check_on_read,
    checksum,
    verify_preimage,
)

__all__ = [
    "BlobVerifier",
    "BootInfo",
    "KzgBlobVerifier",
    "MemoryStore",
    "PreimageStore",
    "SqliteStore",
    "verify_preimage",
]


class PreimageStore(ABC):
    """A verified key -> value map. Subclasses provide raw storage; checks live here, once."""

    def __init__(self, blob_verifier: BlobVerifier | None = None) -> None:
        self.blob_verifier = blob_verifier

    # raw storage
    @abstractmethod
    def _load(self, key: bytes) -> tuple[bytes, bytes] | None:
        """(value, checksum) or None."""

    @abstractmethod
    def _save(self, rows: list[tuple[bytes, bytes, bytes, bool]]) -> None:
        """Insert (key, value, checksum, trusted) rows atomically; existing keys are checked."""

    @abstractmethod
    def _iter_keys(self) -> Iterator[bytes]: ...

    @abstractmethod
    def __len__(self) -> int: ...

    # inserts
    def put(self, key: bytes, value: bytes) -> bytes:
        """Insert a (key, value) whose key commits to the value (keccak256, sha256). Returns key."""
        verify_preimage(key, value)
        self._save([(key, value, checksum(key, value), False)])
        return key

    def put_many(self, items: Iterable[tuple[bytes, bytes]]) -> list[bytes]:
        """Verify every pair, then insert them in one transaction (all or nothing)."""
        rows = []
        for key, value in items:
            verify_preimage(key, value)
            rows.append((key, value, checksum(key, value), False))
        self._save(rows)
        return [row[0] for row in rows]

    def put_keccak256(self, data: bytes) -> bytes:
        return self.put(keccak256_key(data), data)

    def put_sha256(self, data: bytes) -> bytes:
        return self.put(sha256_key(data), data)

    def put_blob(
        self,
        commitment: bytes,
        z: bytes,
        y: bytes,
        proof: bytes,
        verifier: BlobVerifier | None = None,
    ) -> bytes:
        """Insert a blob field element ``y`` under ``blob_key(commitment, z)`` after checking the
        KZG opening ``proof``. Without a verifier, this refuses (use `put_trusted` knowingly)."""
        key = blob_key(commitment, z)
        verifier = verifier or self.blob_verifier
        if verifier is None:
            raise UnverifiablePreimage(
                f"no blob verifier configured to check key 0x{key.hex()}; pass "
                "blob_verifier=KzgBlobVerifier() or use put_trusted()"
            )
        if len(y) != 32 or not verifier.verify(commitment, z, y, proof):
            raise PreimageMismatch(
                f"KZG proof does not open commitment 0x{commitment.hex()} to y=0x{y.hex()} "
                f"at z=0x{z.hex()}"
            )
        self._save([(key, y, checksum(key, y), True)])
        return key

    def put_blob_sidecar(
        self, commitment: bytes, blob: bytes, verifier: BlobVerifier | None = None
    ) -> bytes:
        """Store a whole blob the way op-program's prefetcher does (§5.3), after checking that
        ``commitment`` commits to ``blob``; returns the sha256 key (= 0x04 ‖ versioned_hash[1:]).

        Entries, in one transaction: ``sha256(commitment) -> commitment``; for each element i,
        ``keccak(commitment ‖ z_i) -> commitment ‖ z_i`` and ``blob(commitment, z_i) -> element``
        with the fixed evaluation point ``z_i = ω^bitrev(i)``. The element entries are trusted
        because the whole-blob commitment check covers every one of them.
        """
        verifier = verifier or self.blob_verifier
        if len(blob) != 32 * FIELD_ELEMENTS_PER_BLOB:
            raise PreimageMismatch(f"blob is {len(blob)} bytes, expected {32 * 4096}")
        if verifier is None:
            raise UnverifiablePreimage(
                "no blob verifier configured to check a blob sidecar; pass "
                "blob_verifier=KzgBlobVerifier()"
            )
        if len(commitment) != 48 or not verifier.verify_blob(commitment, blob):
            raise PreimageMismatch(f"commitment 0x{commitment.hex()} does not commit to the blob")
        rows: list[tuple[bytes, bytes, bytes, bool]] = []
        commitment_key = sha256_key(commitment)
        rows.append((commitment_key, commitment, checksum(commitment_key, commitment), False))
        for i in range(FIELD_ELEMENTS_PER_BLOB):
            key80 = commitment + blob_root_of_unity(i)
            element = blob[32 * i : 32 * i + 32]
            hkey = keccak256_key(key80)
            bkey = blob_key(commitment, key80[48:])
            rows.append((hkey, key80, checksum(hkey, key80), False))
            rows.append((bkey, element, checksum(bkey, element), True))
        self._save(rows)
        return commitment_key

    def put_precompile(
        self, address: bytes | str | int, required_gas: int, input_data: bytes, result: bytes
    ) -> bytes:
        """Insert a precompile result (``status_byte ‖ returndata``) under the key of the call.

        The key is derived here from the call, so it cannot be mislabelled; the result itself is
        trusted (the caller ran the precompile). The call bytes are kept too, under the keccak key
        with the same 31 digest bytes, so a challenger can later rebuild the on-chain load call
        from the key alone (`faultproof.preimage.parts.oracle_load_call`).
        """
        if not result or result[0] not in (0, 1):
            raise PreimageMismatch("precompile result must start with a status byte 0 or 1")
        key = precompile_key(address, required_gas, input_data)
        call = address_bytes(address) + required_gas.to_bytes(8, "big") + input_data
        call_key = keccak256_key(call)
        self._save(
            [
                (call_key, call, checksum(call_key, call), False),
                (key, result, checksum(key, result), True),
            ]
        )
        return key

    def put_trusted(self, key: bytes, value: bytes) -> bytes:
        """Explicitly trusted insert for blob/precompile/application keys that cannot be checked
        from (key, value). Still refuses local and generic keys and mismatching keccak/sha256.
        A checksum is kept so later corruption is still detected on read."""
        kind = key[0] if len(key) == 32 else None
        if kind is None:
            key_type(key)  # raises the length error
        if kind in (KeyType.KECCAK256, KeyType.SHA256, KeyType.LOCAL, KeyType.GENERIC, 0):
            verify_preimage(key, value)
        self._save([(key, value, checksum(key, value), True)])
        return key

    # reads
    def get(self, key: bytes) -> bytes:
        """The value for ``key``; raises `PreimageNotFound` or `CorruptPreimage`."""
        value = self.fetch(key)
        if value is None:
            raise PreimageNotFound(key, detail="not in the store")
        return value

    def fetch(self, key: bytes) -> bytes | None:
        """`PreimageSource`: the verified value, or None when absent."""
        row = self._load(bytes(key))
        if row is None:
            return None
        value, stored = row
        check_on_read(key, value, stored)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, bytes | bytearray) and self._load(bytes(key)) is not None

    def keys(self) -> Iterator[bytes]:
        return self._iter_keys()

    def verify_all(self) -> int:
        """Re-check every entry; returns how many there are, raises on the first corrupt one."""
        count = 0
        for key in list(self._iter_keys()):
            self.get(key)
            count += 1
        return count


def _conflict(key: bytes) -> PreimageMismatch:
    return PreimageMismatch(
        f"key 0x{key.hex()} already holds a different value; refusing to replace"
    )


class MemoryStore(PreimageStore):
    """In-memory store, for tests and short native runs."""

    def __init__(
        self,
        initial: Mapping[bytes, bytes] | None = None,
        blob_verifier: BlobVerifier | None = None,
    ) -> None:
        super().__init__(blob_verifier)
        self._rows: dict[bytes, tuple[bytes, bytes]] = {}
        self._lock = threading.Lock()
        if initial:
            self.put_many(initial.items())

    def _load(self, key: bytes) -> tuple[bytes, bytes] | None:
        return self._rows.get(key)

    def _save(self, rows: list[tuple[bytes, bytes, bytes, bool]]) -> None:
        with self._lock:
            for key, value, _, _ in rows:
                old = self._rows.get(key)
                if old is not None and old[0] != value:
                    raise _conflict(key)
            for key, value, stored, _ in rows:
                self._rows[key] = (value, stored)

    def _iter_keys(self) -> Iterator[bytes]:
        return iter(list(self._rows))

    def __len__(self) -> int:
        return len(self._rows)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS preimages (
    key BLOB PRIMARY KEY,
    value BLOB NOT NULL,
    checksum BLOB NOT NULL,
    trusted INTEGER NOT NULL
)
"""


def _is_busy(exc: sqlite3.Error) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED: another connection holds the lock past our timeout."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc)


class SqliteStore(PreimageStore):
    """A store in one SQLite file (WAL mode). Safe across restarts, crashes and processes.

    Every insert batch is one transaction, so a writer killed at any point leaves the file with
    exactly the batches it committed. Readers (other processes, `readonly=True`) never block the
    writer and never see half a batch. One connection per store object, guarded by a lock so the
    host's hint and preimage threads can share it.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        readonly: bool = False,
        blob_verifier: BlobVerifier | None = None,
        timeout: float = 30.0,
    ) -> None:
        super().__init__(blob_verifier)
        self.path = Path(path)
        self.readonly = readonly
        self._lock = threading.RLock()
        if readonly and not self.path.exists():
            raise StoreError(f"store file {self.path} does not exist; create it with store-put")
        self.timeout = timeout
        if not readonly:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the folder of preimage store {self.path}: "
                    f"{exc.strerror or exc}"
                ) from None
        with self._sqlite_errors("open"):
            if readonly:
                uri = f"file:{self.path}?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, timeout=timeout, check_same_thread=False)
            else:
                self._db = sqlite3.connect(
                    str(self.path), timeout=timeout, check_same_thread=False, isolation_level=None
                )
            try:
                if not readonly:
                    self._db.execute("PRAGMA journal_mode=WAL")
                    self._db.execute("PRAGMA synchronous=NORMAL")
                    self._db.execute(_SCHEMA)
                self._db.execute("SELECT 1 FROM preimages LIMIT 1").fetchall()
            except BaseException:
                self._db.close()
                raise

    @contextlib.contextmanager
    def _sqlite_errors(self, action: str) -> Iterator[None]:
        """SQLite's own errors (a damaged or foreign file, a lock held too long) as `StoreError`
        naming the file, so the CLI prints one line instead of a traceback."""
        try:
            yield
        except sqlite3.Error as exc:
            if _is_busy(exc):
                # Another process holds the write lock: the file is fine, only busy.
                raise StoreError(
                    f"preimage store {self.path} is locked by another process (waited "
                    f"{self.timeout:g} s): retry when it is done, or wait longer with "
                    "--lock-timeout"
                ) from exc
            if isinstance(exc, sqlite3.OperationalError) and not self.path.parent.is_dir():
                raise StoreError(
                    f"cannot {action} preimage store {self.path}: its folder does not exist"
                ) from exc
            raise StoreError(
                f"cannot {action} preimage store {self.path}: {exc} (a damaged file: restore it "
                "or delete it and fetch the preimages again)"
            ) from exc

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _load(self, key: bytes) -> tuple[bytes, bytes] | None:
        with self._lock, self._sqlite_errors("read"):
            row = self._db.execute(
                "SELECT value, checksum FROM preimages WHERE key = ?", (key,)
            ).fetchone()
        return None if row is None else (bytes(row[0]), bytes(row[1]))

    def _save(self, rows: list[tuple[bytes, bytes, bytes, bool]]) -> None:
        if self.readonly:
            raise StoreError(
                f"store {self.path} was opened read-only; open it without readonly=True"
            )
        with self._lock, self._sqlite_errors("write"):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for key, value, stored, trusted in rows:
                    cur = self._db.execute(
                        "INSERT OR IGNORE INTO preimages (key, value, checksum, trusted) "
                        "VALUES (?, ?, ?, ?)",
                        (key, value, stored, int(trusted)),
                    )
                    if cur.rowcount == 0:
                        (old,) = self._db.execute(
                            "SELECT value FROM preimages WHERE key = ?", (key,)
                        ).fetchone()
                        if bytes(old) != value:
                            raise _conflict(key)
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _iter_keys(self) -> Iterator[bytes]:
        with self._lock, self._sqlite_errors("read"):
            rows = self._db.execute("SELECT key FROM preimages ORDER BY key").fetchall()
        return (bytes(row[0]) for row in rows)

    def __len__(self) -> int:
        with self._lock, self._sqlite_errors("read"):
            (count,) = self._db.execute("SELECT COUNT(*) FROM preimages").fetchone()
        return int(count)

    def integrity_check(self) -> str:
        """SQLite's own structural check ("ok" when the file is sound)."""
        with self._lock, self._sqlite_errors("check"):
            (result,) = self._db.execute("PRAGMA integrity_check").fetchone()
        return str(result)
