"""`verify_block`: check one block of a JSON-RPC node with the EVM program, end to end.

Shared by ``faultproof evm verify-block`` and the tests: fetch the block and its parent, check
their headers rebuild to the node's hashes, optionally claim a tampered header, wire the RPC
hint handlers to a store and a `LocalHost`, run the program and return its result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from faultproof.evm import header as hdr
from faultproof.evm.program import ProgramResult, boot_info, run_program
from faultproof.evm.rpc_host import JsonRpc, RpcHost
from faultproof.preimage.hints import HintRouter
from faultproof.preimage.host import LocalHost
from faultproof.preimage.store import MemoryStore, PreimageStore


@dataclass
class BlockCheck:
    """One verification: the block, what was claimed, the program's result, the host's work."""

    number: int
    block_hash: bytes
    parent_hash: bytes
    claimed_hash: bytes
    chain_id: int
    result: ProgramResult
    host: RpcHost
    rpc_calls: int


def fetch_block(rpc: JsonRpc, block: int | str) -> dict[str, Any]:
    """The node's block by number (or tag), with full transaction objects."""
    tag = hex(block) if isinstance(block, int) else block
    found = rpc.call("eth_getBlockByNumber", [tag, True])
    if not isinstance(found, dict):
        raise hdr.HeaderError(f"the node has no block {block}")
    return found


def prepare_host(
    rpc: JsonRpc,
    number: int,
    *,
    tamper: Mapping[str, str] | None = None,
    store: PreimageStore | None = None,
) -> tuple[LocalHost, RpcHost, dict[str, Any], bytes]:
    """A host for verifying block ``number``: (LocalHost, RpcHost, block JSON, claimed hash)."""
    if number < 1:
        raise hdr.HeaderError("block 0 has no parent to verify it against")
    block = fetch_block(rpc, number)
    hdr.checked_header_rlp(block)
    block_hash = bytes.fromhex(str(block["hash"])[2:])
    parent_hash = bytes.fromhex(str(block["parentHash"])[2:])
    chain_id = hdr.hex_int(rpc.call("eth_chainId", []), "eth_chainId")
    store = store if store is not None else MemoryStore()
    rpc_host = RpcHost(rpc, store, state_block=number - 1)
    claimed_hash = block_hash
    if tamper:
        encoded, _ = hdr.tamper_header(block, tamper)
        claimed_hash = rpc_host.claim_header(encoded, block_hash)
    router = HintRouter(store)
    rpc_host.register(router)
    host = LocalHost(store, boot_info(parent_hash, claimed_hash, chain_id), router=router)
    return host, rpc_host, block, claimed_hash


def verify_block(
    rpc: JsonRpc,
    number: int,
    *,
    vm: str = "native",
    tamper: Mapping[str, str] | None = None,
    store: PreimageStore | None = None,
    progress: bool | None = None,
    timeout: float | None = None,
) -> BlockCheck:
    """Run the program on block ``number`` of the node behind ``rpc``."""
    calls_before = sum(rpc.calls.values())
    host, rpc_host, block, claimed = prepare_host(rpc, number, tamper=tamper, store=store)
    result = run_program(host, vm, progress=progress, timeout=timeout)
    return BlockCheck(
        number=number,
        block_hash=bytes.fromhex(str(block["hash"])[2:]),
        parent_hash=bytes.fromhex(str(block["parentHash"])[2:]),
        claimed_hash=claimed,
        chain_id=int.from_bytes(host.boot_info.locals[5], "big"),
        result=result,
        host=rpc_host,
        rpc_calls=sum(rpc.calls.values()) - calls_before,
    )
