"""Cancun block headers and raw transactions rebuilt from JSON-RPC objects.

Nodes hand out blocks as JSON, but the program reads the header RLP (by its hash) and the
transactions' EIP-2718 encodings (through the transaction trie). Rebuilding both from the JSON
fields and checking them against the node's own hashes (block hash, transaction hash) means the
host can only serve what the node committed to; any field we mis-encode shows up here, on the
host, with the field's name, instead of as a wrong verdict in the guest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from faultproof.crypto import keccak256
from faultproof.errors import FaultproofError
from faultproof.evm import rlp

HASH, ADDRESS, BLOOM, UINT, DATA, NONCE = "hash", "address", "bloom", "uint", "data", "nonce"

HEADER_FIELDS: tuple[tuple[str, str], ...] = (
    ("parentHash", HASH),
    ("sha3Uncles", HASH),
    ("miner", ADDRESS),
    ("stateRoot", HASH),
    ("transactionsRoot", HASH),
    ("receiptsRoot", HASH),
    ("logsBloom", BLOOM),
    ("difficulty", UINT),
    ("number", UINT),
    ("gasLimit", UINT),
    ("gasUsed", UINT),
    ("timestamp", UINT),
    ("extraData", DATA),
    ("mixHash", HASH),
    ("nonce", NONCE),
    # London and later forks append these; each is present only with all before it.
    ("baseFeePerGas", UINT),
    ("withdrawalsRoot", HASH),
    ("blobGasUsed", UINT),
    ("excessBlobGas", UINT),
    ("parentBeaconBlockRoot", HASH),
    ("requestsHash", HASH),
)
"""Header fields by their JSON-RPC names, in RLP order (geth `types.Header`)."""

CANCUN_FIELD_COUNT = 20
"""A Cancun header has the first 20 fields (through parentBeaconBlockRoot)."""

_FIXED_SIZE = {HASH: 32, ADDRESS: 20, BLOOM: 256, NONCE: 8}


class HeaderError(FaultproofError):
    """A JSON-RPC block or transaction that does not rebuild to the hash the node gave."""


def _hex_bytes(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise HeaderError(f"{what}: expected 0x-hex, got {value!r}")
    text = value[2:]
    try:
        return bytes.fromhex(text if len(text) % 2 == 0 else "0" + text)
    except ValueError:
        raise HeaderError(f"{what}: {value!r} is not hex") from None


def hex_int(value: Any, what: str = "quantity") -> int:
    """A JSON-RPC quantity ("0x1a") or a plain int (some nodes give ints in traces)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str) or not value.startswith("0x"):
        raise HeaderError(f"{what}: expected a 0x quantity, got {value!r}")
    try:
        return int(value, 16) if len(value) > 2 else 0
    except ValueError:
        raise HeaderError(f"{what}: {value!r} is not a hex quantity") from None


def field_value(name: str, kind: str, value: Any) -> bytes:
    """The RLP string of one header field from its JSON value."""
    if kind == UINT:
        return rlp.encode_uint(hex_int(value, name))
    raw = _hex_bytes(value, name)
    if kind == NONCE and len(raw) < 8:  # some nodes print the PoS nonce as a quantity ("0x0")
        raw = raw.rjust(8, b"\x00")
    size = _FIXED_SIZE.get(kind)
    if size is not None and len(raw) != size:
        raise HeaderError(f"{name} is {len(raw)} bytes, expected {size}")
    return raw


def header_fields(block: Mapping[str, Any]) -> list[bytes]:
    """The header's RLP list items, in order, from a JSON-RPC block object."""
    items: list[bytes] = []
    for i, (name, kind) in enumerate(HEADER_FIELDS):
        value = block.get(name)
        if value is None:
            if i < 15:
                raise HeaderError(f"block JSON has no {name!r}")
            break
        items.append(field_value(name, kind, value))
    for name, _ in HEADER_FIELDS[len(items) :]:
        if block.get(name) is not None:
            raise HeaderError(f"block JSON has {name!r} without the fields before it")
    return items


def header_rlp(block: Mapping[str, Any]) -> bytes:
    """The header RLP rebuilt from a JSON-RPC block (not checked; see `checked_header_rlp`)."""
    return rlp.encode(header_fields(block))


def checked_header_rlp(block: Mapping[str, Any]) -> bytes:
    """The header RLP, after checking that it hashes to the block's ``hash``."""
    encoded = header_rlp(block)
    want = _hex_bytes(block.get("hash"), "hash")
    got = keccak256(encoded)
    if got != want:
        raise HeaderError(
            f"block {block.get('number')}: rebuilt header hashes to 0x{got.hex()}, the node says "
            f"0x{want.hex()} (a header field this host does not know?)"
        )
    return encoded


def tamper_header(block: Mapping[str, Any], changes: Mapping[str, str]) -> tuple[bytes, bytes]:
    """(header RLP, hash) of ``block`` with JSON fields replaced by ``changes`` (their JSON-RPC
    names and 0x values); `HeaderError` for an unknown or absent field."""
    known = {name for name, _ in HEADER_FIELDS}
    changed = dict(block)
    for name, value in changes.items():
        if name not in known:
            raise HeaderError(
                f"unknown header field {name!r}; expected one of {', '.join(sorted(known))}"
            )
        if block.get(name) is None:
            raise HeaderError(f"block has no {name!r} to tamper with")
        changed[name] = value
    encoded = header_rlp(changed)
    return encoded, keccak256(encoded)


def decode_header(encoded: bytes) -> dict[str, bytes]:
    """Header RLP -> {JSON-RPC field name: raw bytes} (integers as minimal big-endian)."""
    items = rlp.as_list(rlp.decode(encoded))
    if len(items) > len(HEADER_FIELDS) or len(items) < 15:
        raise HeaderError(f"header RLP has {len(items)} fields")
    return {name: rlp.as_bytes(item) for (name, _), item in zip(HEADER_FIELDS, items, strict=False)}


# ---- transactions ----------------------------------------------------------------------------


def _access_list(entries: Sequence[Mapping[str, Any]] | None) -> list[Any]:
    out: list[Any] = []
    for entry in entries or []:
        keys = [_hex_bytes(k, "storageKeys") for k in entry.get("storageKeys", [])]
        out.append([_hex_bytes(entry["address"], "accessList address"), keys])
    return out


def _to(tx: Mapping[str, Any]) -> bytes:
    to = tx.get("to")
    return b"" if to in (None, "0x", "") else _hex_bytes(to, "to")


def _q(tx: Mapping[str, Any], name: str) -> int:
    if tx.get(name) is None:
        raise HeaderError(f"transaction JSON has no {name!r}")
    return hex_int(tx[name], name)


def _y_parity(tx: Mapping[str, Any]) -> int:
    value = tx.get("yParity", tx.get("v"))
    if value is None:
        raise HeaderError("typed transaction JSON has neither yParity nor v")
    return hex_int(value, "yParity")


DEPOSIT_TX_TYPE = 0x7E
"""OP's deposit transaction (op-geth's JSON: sourceHash, from, to, mint, value, gas, isSystemTx,
input); it carries no signature (fault-proof-program.md §5.3)."""


def raw_transaction(tx: Mapping[str, Any]) -> bytes:
    """The EIP-2718 encoding of a JSON-RPC transaction (legacy, 2930, 1559, 4844, and OP's
    deposit type 0x7E from an L2 node)."""
    kind = hex_int(tx.get("type", "0x0"), "type")
    data = _hex_bytes(tx.get("input", tx.get("data", "0x")), "input")
    if kind == DEPOSIT_TX_TYPE:
        mint = hex_int(tx["mint"], "mint") if tx.get("mint") is not None else 0
        fields: list[Any] = [
            _hex_bytes(tx.get("sourceHash"), "sourceHash"),
            _hex_bytes(tx.get("from"), "from"),
            _to(tx),
            mint,
            _q(tx, "value"),
            _q(tx, "gas"),
            1 if tx.get("isSystemTx") else 0,
            data,
        ]
        return bytes([kind]) + rlp.encode(fields)
    sig = [_q(tx, "r"), _q(tx, "s")]
    if kind == 0:
        return rlp.encode(
            [_q(tx, "nonce"), _q(tx, "gasPrice"), _q(tx, "gas"), _to(tx), _q(tx, "value"), data,
             _q(tx, "v"), *sig]
        )  # fmt: skip
    access = _access_list(tx.get("accessList"))
    head: list[Any] = [_q(tx, "chainId"), _q(tx, "nonce")]
    if kind == 1:
        body = [*head, _q(tx, "gasPrice"), _q(tx, "gas"), _to(tx), _q(tx, "value"), data, access]
    elif kind in (2, 3):
        fees = [_q(tx, "maxPriorityFeePerGas"), _q(tx, "maxFeePerGas")]
        body = [*head, *fees, _q(tx, "gas"), _to(tx), _q(tx, "value"), data, access]
        if kind == 3:
            hashes = [_hex_bytes(h, "blobVersionedHashes") for h in tx["blobVersionedHashes"]]
            body += [_q(tx, "maxFeePerBlobGas"), hashes]
    else:
        raise HeaderError(f"transaction type {kind} is not a Cancun type (0, 1, 2, 3)")
    return bytes([kind]) + rlp.encode([*body, _y_parity(tx), *sig])


def checked_raw_transaction(tx: Mapping[str, Any]) -> bytes:
    """`raw_transaction`, checked against the transaction's ``hash``."""
    raw = raw_transaction(tx)
    want = _hex_bytes(tx.get("hash"), "transaction hash")
    if keccak256(raw) != want:
        raise HeaderError(
            f"transaction 0x{want.hex()}: rebuilt encoding hashes to 0x{keccak256(raw).hex()}"
        )
    return raw


def withdrawal_rlp(w: Mapping[str, Any]) -> bytes:
    """RLP of one EIP-4895 withdrawal: [index, validatorIndex, address, amount (gwei)]."""
    return rlp.encode(
        [
            hex_int(w["index"], "index"),
            hex_int(w["validatorIndex"], "validatorIndex"),
            _hex_bytes(w["address"], "address"),
            hex_int(w["amount"], "amount"),
        ]
    )
