"""The L2 genesis state and block (docs/ROLLUP.md §3).

Predeploys: the L2ToL1MessagePasser (its storage root is in every output root), its 8-byte
storage writer (Vyper cannot write Solidity's mapping slots, see the contract's notes), the
L1Block contract (set by the L1 info deposit of every block) and the EIP-4788 beacon-roots
contract (the standard bytecode, assembled here from the EIP's listing). Plus funded accounts.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ethereum.crypto.hash import keccak256

from faultproof.contracts.compiler import compile_contract
from faultproof.evm.reference import AccountState

L2_CONTRACTS = Path(__file__).resolve().parent.parent / "contracts" / "rollup" / "l2"


def _addr(hex_str: str) -> bytes:
    return bytes.fromhex(hex_str.removeprefix("0x"))


MESSAGE_PASSER = _addr("0x4200000000000000000000000000000000000016")
STORAGE_WRITER = _addr("0x42000000000000000000000000000000000000fe")
L1_BLOCK = _addr("0x4200000000000000000000000000000000000015")
SEQUENCER_FEE_VAULT = _addr("0x4200000000000000000000000000000000000011")
BASE_FEE_VAULT = _addr("0x4200000000000000000000000000000000000019")
BEACON_ROOTS = _addr("0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02")
L1_INFO_DEPOSITOR = _addr("0xdeaddeaddeaddeaddeaddeaddeaddeaddead0001")
INITIAL_BASE_FEE = 1_000_000_000
"""The genesis block's base fee (geth's ``params.InitialBaseFee``)."""

STORAGE_WRITER_CODE = bytes.fromhex("6020356000355500")
"""PUSH1 0x20 CALLDATALOAD PUSH1 0 CALLDATALOAD SSTORE STOP: storage[cd[0:32]] = cd[32:64],
called by the message passer with DELEGATECALL (so it writes the passer's storage)."""

# The EIP-4788 contract as the EIP lists it (its "Deployment" section gives the assembly);
# `assemble` turns it into the runtime code deployed on every Cancun chain.
BEACON_ROOTS_ASSEMBLY = """
caller
push20 0xfffffffffffffffffffffffffffffffffffffffe
eq
push1 0x4d
jumpi
push1 0x20
calldatasize
eq
push1 0x24
jumpi
push0
push0
revert
jumpdest
push0
calldataload
dup1
iszero
push1 0x49
jumpi
push3 0x001fff
dup2
mod
swap1
dup2
sload
eq
push1 0x3c
jumpi
push0
push0
revert
jumpdest
push3 0x001fff
add
sload
push0
mstore
push1 0x20
push0
return
jumpdest
push0
push0
revert
jumpdest
push3 0x001fff
timestamp
mod
timestamp
dup2
sstore
push0
calldataload
swap1
push3 0x001fff
add
sstore
stop
"""

_OPCODES = {
    "stop": 0x00, "add": 0x01, "mod": 0x06, "eq": 0x14, "iszero": 0x15, "caller": 0x33,
    "calldataload": 0x35, "calldatasize": 0x36, "timestamp": 0x42, "mstore": 0x52,
    "sload": 0x54, "sstore": 0x55, "jumpi": 0x57, "jumpdest": 0x5B, "push0": 0x5F,
    "dup1": 0x80, "dup2": 0x81, "swap1": 0x90, "return": 0xF3, "revert": 0xFD,
}


def assemble(listing: str) -> bytes:
    """EVM bytecode from one-instruction-per-line assembly (the opcodes the listing uses)."""
    out = bytearray()
    for line in listing.split("\n"):
        words = line.split()
        if not words:
            continue
        op = words[0].lower()
        if op.startswith("push") and op != "push0":
            size = int(op[4:])
            out.append(0x5F + size)
            out += int(words[1], 16).to_bytes(size, "big")
        else:
            out.append(_OPCODES[op])
    return bytes(out)


BEACON_ROOTS_CODE = assemble(BEACON_ROOTS_ASSEMBLY)


def predeploy_code(name: str) -> bytes:
    """The runtime code of an L2 predeploy compiled from its Vyper source."""
    return compile_contract(L2_CONTRACTS / f"{name}.vy").deployed_bytecode


def genesis_alloc(funded: Mapping[bytes, int]) -> dict[bytes, AccountState]:
    """The L2 genesis state: the predeploys and ``funded`` (address -> wei)."""
    alloc: dict[bytes, AccountState] = {
        MESSAGE_PASSER: AccountState(code=predeploy_code("L2ToL1MessagePasser")),
        STORAGE_WRITER: AccountState(code=STORAGE_WRITER_CODE),
        L1_BLOCK: AccountState(code=predeploy_code("L1Block")),
        BEACON_ROOTS: AccountState(code=BEACON_ROOTS_CODE),
    }
    for address, balance in funded.items():
        if address in alloc:
            raise ValueError(f"0x{address.hex()} is a predeploy, not a funded account")
        alloc[address] = AccountState(balance=balance)
    return alloc


def message_slot(withdrawal_hash: bytes) -> bytes:
    """The passer's storage slot of ``sentMessages[withdrawal_hash]`` (Solidity's mapping rule)."""
    return keccak256(withdrawal_hash + b"\x00" * 32)


__all__ = [
    "BASE_FEE_VAULT",
    "BEACON_ROOTS",
    "BEACON_ROOTS_CODE",
    "INITIAL_BASE_FEE",
    "L1_BLOCK",
    "L1_INFO_DEPOSITOR",
    "MESSAGE_PASSER",
    "SEQUENCER_FEE_VAULT",
    "STORAGE_WRITER",
    "STORAGE_WRITER_CODE",
    "assemble",
    "genesis_alloc",
    "message_slot",
    "predeploy_code",
]
