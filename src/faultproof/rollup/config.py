"""The rollup config (docs/ROLLUP.md §1): what every part of the rollup must agree on.

One JSON object with op-node's field names where the concept is the same. The fault proof
program gets it compiled in (so the absolute prestate commits to it); the node, sequencer,
batcher and derivation reference read it from here.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from faultproof.errors import FaultproofError

BATCH_INBOX = bytes.fromhex("ff00000000000000000000000000000000000901")
BATCH_FORMATS = ("rlp-list", "frames")
"""docs/ROLLUP.md §4: how batcher calldata carries batches (§4.1 compact, §4.2 OP's frames)."""


class ConfigError(FaultproofError):
    """A rollup config file is malformed."""


@dataclass(frozen=True)
class BlockId:
    """A block by number and hash (op-node's ``eth.BlockID``)."""

    number: int
    hash: bytes

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number, "hash": "0x" + self.hash.hex()}

    @classmethod
    def from_json(cls, data: Any, where: str) -> BlockId:
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: expected an object with number and hash")
        return cls(_int(data.get("number"), f"{where}.number"), _hex(data.get("hash"), f"{where}.hash", 32))


@dataclass(frozen=True)
class Genesis:
    """Where the rollup starts: its L1 origin block, the L2 genesis block and its time."""

    l1: BlockId
    l2: BlockId
    l2_time: int


@dataclass(frozen=True)
class RollupConfig:
    """docs/ROLLUP.md §1. Addresses are 20 raw bytes."""

    genesis: Genesis
    batcher_address: bytes
    deposit_contract_address: bytes
    l1_chain_id: int = 31337
    l2_chain_id: int = 901
    block_time: int = 2
    seq_window_size: int = 8
    max_sequencer_drift: int = 600
    batch_inbox_address: bytes = field(default=BATCH_INBOX)
    gas_limit: int = 30_000_000
    eip1559_denominator: int = 250
    eip1559_elasticity: int = 6
    batch_format: str = "rlp-list"
    channel_timeout: int = 8

    def with_genesis_l2(self, number: int, block_hash: bytes) -> RollupConfig:
        """The same config with the L2 genesis block filled in (known once genesis is built)."""
        return replace(self, genesis=replace(self.genesis, l2=BlockId(number, block_hash)))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in asdict(self).items():
            if isinstance(value, bytes):
                out[name] = "0x" + value.hex()
            else:
                out[name] = value
        out["genesis"] = {
            "l1": self.genesis.l1.to_json(),
            "l2": self.genesis.l2.to_json(),
            "l2_time": self.genesis.l2_time,
        }
        return out

    @classmethod
    def from_json(cls, data: Any) -> RollupConfig:
        if not isinstance(data, dict):
            raise ConfigError("rollup config: expected a JSON object")
        g = data.get("genesis")
        if not isinstance(g, dict):
            raise ConfigError("rollup config: genesis must be an object with l1, l2, l2_time")
        genesis = Genesis(
            BlockId.from_json(g.get("l1"), "genesis.l1"),
            BlockId.from_json(g.get("l2"), "genesis.l2"),
            _int(g.get("l2_time"), "genesis.l2_time"),
        )
        known = {f for f in cls.__dataclass_fields__} - {"genesis"}
        unknown = set(data) - known - {"genesis"}
        if unknown:
            raise ConfigError(f"rollup config: unknown field(s) {', '.join(sorted(unknown))}")
        kwargs: dict[str, Any] = {}
        for name in known:
            if name not in data:
                continue
            value = data[name]
            if name.endswith("_address"):
                kwargs[name] = _hex(value, name, 20)
            elif name == "batch_format":
                if not isinstance(value, str):
                    raise ConfigError(f"rollup config: batch_format must be a string, got {value!r}")
                kwargs[name] = value
            else:
                kwargs[name] = _int(value, name)
        for required in ("batcher_address", "deposit_contract_address"):
            if required not in kwargs:
                raise ConfigError(f"rollup config: {required} is missing")
        config = cls(genesis=genesis, **kwargs)
        config.check()
        return config

    def check(self) -> None:
        """Refuse values no rollup can run with."""
        if self.block_time <= 0:
            raise ConfigError("rollup config: block_time must be positive")
        if self.seq_window_size <= 0:
            raise ConfigError("rollup config: seq_window_size must be positive")
        if self.eip1559_denominator <= 0 or self.eip1559_elasticity <= 0:
            raise ConfigError("rollup config: EIP-1559 denominator and elasticity must be positive")
        if self.gas_limit <= 0:
            raise ConfigError("rollup config: gas_limit must be positive")
        if self.batch_format not in BATCH_FORMATS:
            raise ConfigError(
                f"rollup config: batch_format must be one of {', '.join(BATCH_FORMATS)},"
                f" got {self.batch_format!r}"
            )
        if isinstance(self.channel_timeout, bool) or not isinstance(self.channel_timeout, int):
            raise ConfigError("rollup config: channel_timeout must be an integer")
        if not 0 <= self.channel_timeout < 2**64:
            raise ConfigError("rollup config: channel_timeout must be a non-negative 64-bit integer")


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise ConfigError(f"rollup config: {what} must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value, 0)
        except ValueError:
            pass
    raise ConfigError(f"rollup config: {what} must be an integer, got {value!r}")


def _hex(value: Any, what: str, size: int) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise ConfigError(f"rollup config: {what} must be 0x-prefixed hex")
    try:
        raw = bytes.fromhex(value[2:])
    except ValueError:
        raise ConfigError(f"rollup config: {what} is not hex: {value!r}") from None
    if len(raw) != size:
        raise ConfigError(f"rollup config: {what} is {len(raw)} bytes, expected {size}")
    return raw


def load_config(path: str | Path) -> RollupConfig:
    """Read a rollup config JSON file."""
    try:
        data = json.loads(Path(path).read_text())
    except OSError as exc:
        raise ConfigError(f"cannot read rollup config {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise ConfigError(f"rollup config {path} is not JSON: {exc}") from None
    return RollupConfig.from_json(data)


def save_config(config: RollupConfig, path: str | Path) -> None:
    """Write ``config`` as JSON (replaced atomically)."""
    target = Path(path)
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_text(json.dumps(config.to_json(), indent=2, sort_keys=True) + "\n")
    tmp.replace(target)


__all__ = [
    "BATCH_FORMATS",
    "BATCH_INBOX",
    "BlockId",
    "ConfigError",
    "Genesis",
    "RollupConfig",
    "load_config",
    "save_config",
]
