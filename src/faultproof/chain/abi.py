"""ABI helpers on top of eth-abi: signatures, selectors, revert and event decoding.

Kept independent of any chain backend so bindings, agents and tests decode data the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode

from faultproof.crypto import keccak256

AbiEntry = dict[str, Any]

#: Selector of ``Error(string)``, used by ``assert cond, "msg"`` and ``require``.
ERROR_STRING_SELECTOR = keccak256(b"Error(string)")[:4]
#: Selector of Solidity's ``Panic(uint256)``.
PANIC_SELECTOR = keccak256(b"Panic(uint256)")[:4]


def canonical_type(param: AbiEntry) -> str:
    """The canonical ABI type of one parameter, expanding tuples into ``(a,b)[]`` form."""
    typ = str(param["type"])
    if typ.startswith("tuple"):
        inner = ",".join(canonical_type(c) for c in param.get("components", []))
        return f"({inner}){typ[len('tuple'):]}"
    return typ


def input_types(entry: AbiEntry) -> list[str]:
    return [canonical_type(p) for p in entry.get("inputs", [])]


def output_types(entry: AbiEntry) -> list[str]:
    return [canonical_type(p) for p in entry.get("outputs", [])]


def signature(entry: AbiEntry) -> str:
    """``name(type1,type2)`` as hashed for selectors and event topics."""
    return f"{entry['name']}({','.join(input_types(entry))})"


def selector(sig: str) -> bytes:
    """The 4-byte function/error selector of a canonical signature."""
    return keccak256(sig.encode())[:4]


def event_topic(sig: str) -> bytes:
    return keccak256(sig.encode())


def encode_call(sig_or_entry: str | AbiEntry, args: Sequence[Any]) -> bytes:
    """Calldata for a function: selector followed by the ABI-encoded arguments."""
    if isinstance(sig_or_entry, str):
        sig = sig_or_entry
        types = split_signature_types(sig)
    else:
        sig = signature(sig_or_entry)
        types = input_types(sig_or_entry)
    return selector(sig) + abi_encode(types, list(args))


def split_signature_types(sig: str) -> list[str]:
    """Parameter types of ``name(t1,(t2,t3)[],t4)``, respecting nested parentheses."""
    inner = sig[sig.index("(") + 1 : sig.rindex(")")]
    types: list[str] = []
    depth = 0
    cur = ""
    for ch in inner:
        if ch == "," and depth == 0:
            types.append(cur)
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    if cur:
        types.append(cur)
    return types


def decode_values(types: Sequence[str], data: bytes) -> tuple[Any, ...]:
    return tuple(abi_decode(list(types), data))


@dataclass(frozen=True)
class DecodedError:
    name: str | None
    args: tuple[Any, ...]
    data: bytes


def errors_by_selector(abis: Iterable[Sequence[AbiEntry]]) -> dict[bytes, AbiEntry]:
    table: dict[bytes, AbiEntry] = {}
    for abi in abis:
        for entry in abi:
            if entry.get("type") == "error":
                table[selector(signature(entry))] = entry
    return table


def decode_revert(data: bytes, abis: Iterable[Sequence[AbiEntry]] = ()) -> DecodedError:
    """Decode revert data into ``Error(msg)``, ``Panic(code)`` or a custom error from `abis`."""
    if len(data) < 4:
        return DecodedError(None, (), data)
    sel, body = data[:4], data[4:]
    try:
        if sel == ERROR_STRING_SELECTOR:
            return DecodedError("Error", decode_values(["string"], body), data)
        if sel == PANIC_SELECTOR:
            return DecodedError("Panic", decode_values(["uint256"], body), data)
        entry = errors_by_selector(abis).get(sel)
        if entry is not None:
            return DecodedError(str(entry["name"]), decode_values(input_types(entry), body), data)
    except Exception:  # malformed body: report the raw data rather than crash
        return DecodedError(None, (), data)
    return DecodedError(None, (), data)


@dataclass(frozen=True)
class Log:
    """A raw log as emitted by the EVM."""

    address: str
    topics: tuple[bytes, ...]
    data: bytes


@dataclass(frozen=True)
class Event:
    """A log decoded against an ABI event entry."""

    name: str
    args: dict[str, Any]
    address: str
    log: Log


def decode_log(log: Log, abis: Iterable[Sequence[AbiEntry]]) -> Event | None:
    """Decode `log` with the first matching (non-anonymous) event in `abis`, else None."""
    if not log.topics:
        return None
    for abi in abis:
        for entry in abi:
            if entry.get("type") != "event" or entry.get("anonymous"):
                continue
            if event_topic(signature(entry)) != log.topics[0]:
                continue
            inputs = entry.get("inputs", [])
            indexed = [p for p in inputs if p.get("indexed")]
            plain = [p for p in inputs if not p.get("indexed")]
            if len(indexed) != len(log.topics) - 1:
                continue
            args: dict[str, Any] = {}
            for p, topic in zip(indexed, log.topics[1:], strict=True):
                t = canonical_type(p)
                dynamic = t in ("string", "bytes") or t.endswith("]") or t.startswith("(")
                args[p["name"]] = topic if dynamic else abi_decode([t], topic)[0]
            values = abi_decode([canonical_type(p) for p in plain], log.data)
            for p, v in zip(plain, values, strict=True):
                args[p["name"]] = v
            return Event(str(entry["name"]), args, log.address, log)
    return None
