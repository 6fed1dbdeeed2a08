"""The preimage oracle, host side.

Layers, each depending only on the ones above it:

- `keys`: key types and constructors, on-chain localization of local keys.
- `protocol`: the `PreimageOracle` / `HintWriter` / `PreimageSource` / `HintHandler` Protocols and
  the hint and preimage wire codecs.
- `verify`, `bootinfo`: value checks (hashes, KZG, checksums) and `BootInfo` for local keys.
- `store`: verifying stores (`MemoryStore`, `SqliteStore`).
- `hints`: `HintRouter` and hint handlers (hash-keyed, l1-blob, l1-precompile-v2).
- `host`: `LocalHost` (in-process) and `serve` (pipes).
- `process`: `HostProcess`, the VM's client for a host subprocess.
- `parts`: `read_part` / `oracle_key`, the on-chain `readPreimage` view of a preimage.
- `channels`: the fd 3-6 convention and the pipes behind it.
- `native`: `run_native`, a guest as a plain process against a Python host.
- `server` / `cli`: entry points.
"""

from faultproof.preimage.errors import (
    CorruptPreimage,
    HostProcessError,
    InvalidHint,
    InvalidPreimageKey,
    PreimageMismatch,
    PreimageNotFound,
    UnverifiablePreimage,
    WireProtocolError,
)
from faultproof.preimage.host import (
    BlobHintHandler,
    HintRouter,
    HostProcess,
    LocalHost,
    PrecompileHintHandler,
    format_hint,
    parse_hint,
    serve,
)
from faultproof.preimage.keys import (
    KeyType,
    blob_field_element_key,
    blob_key,
    keccak256_key,
    key_type,
    local_key,
    localize,
    precompile_key,
    sha256_key,
)
from faultproof.preimage.native import run_native
from faultproof.preimage.protocol import HintWriter, OracleHost, PreimageOracle, PreimageSource
from faultproof.preimage.store import (
    BootInfo,
    KzgBlobVerifier,
    MemoryStore,
    PreimageStore,
    SqliteStore,
)

__all__ = [
    "BlobHintHandler",
    "BootInfo",
    "CorruptPreimage",
    "HintRouter",
    "HintWriter",
    "HostProcess",
    "HostProcessError",
    "InvalidHint",
    "InvalidPreimageKey",
    "KeyType",
    "KzgBlobVerifier",
    "LocalHost",
    "MemoryStore",
    "OracleHost",
    "PrecompileHintHandler",
    "PreimageMismatch",
    "PreimageNotFound",
    "PreimageOracle",
    "PreimageSource",
    "PreimageStore",
    "SqliteStore",
    "UnverifiablePreimage",
    "WireProtocolError",
    "blob_field_element_key",
    "blob_key",
    "format_hint",
    "keccak256_key",
    "key_type",
    "local_key",
    "localize",
    "parse_hint",
    "precompile_key",
    "run_native",
    "serve",
    "sha256_key",
]
