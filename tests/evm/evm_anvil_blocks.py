"""Blocks mined by anvil (--hardfork cancun) that exercise the EVM program: transfers, legacy /
2930 / 1559 / blob transactions, deploys (CREATE, CREATE2, a constructor that self-destructs),
a storage-heavy loop, storage cleared back to zero (branch collapses), logs, reverts and
calls to every precompile. Contracts are hand-assembled bytecode so no compiler is needed.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from faultproof.crypto import keccak256, sha256

# anvil's first dev accounts (the well-known test mnemonic), used for locally signed txs
DEV_KEYS = (
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
)

OPS = {
    "STOP": 0x00, "ADD": 0x01, "SUB": 0x03, "LT": 0x10, "GT": 0x11, "EQ": 0x14,
    "ISZERO": 0x15, "OR": 0x17, "SHL": 0x1B, "SHA3": 0x20, "COINBASE": 0x41, "CALLDATALOAD": 0x35,
    "CALLDATASIZE": 0x36, "CALLDATACOPY": 0x37, "CODECOPY": 0x39, "RETURNDATASIZE": 0x3D,
    "RETURNDATACOPY": 0x3E, "POP": 0x50, "MLOAD": 0x51, "MSTORE": 0x52, "SLOAD": 0x54,
    "SSTORE": 0x55, "JUMP": 0x56, "JUMPI": 0x57, "GAS": 0x5A, "JUMPDEST": 0x5B,
    "DUP1": 0x80, "DUP2": 0x81, "DUP3": 0x82, "SWAP1": 0x90, "LOG0": 0xA0, "LOG1": 0xA1,
    "LOG2": 0xA2,
    "CREATE": 0xF0, "RETURN": 0xF3, "CREATE2": 0xF5, "STATICCALL": 0xFA, "REVERT": 0xFD,
    "SELFDESTRUCT": 0xFF,
}  # fmt: skip


def assemble(program: list[Any]) -> bytes:
    """Opcodes by name, ints (pushed with the smallest PUSH), "@label" (PUSH2 of a label) and
    ":label" (a JUMPDEST there)."""

    def size(item: Any) -> int:
        if isinstance(item, int):
            return 1 + max(1, (item.bit_length() + 7) // 8)
        if item.startswith("@"):
            return 3
        return 1

    labels: dict[str, int] = {}
    pc = 0
    for item in program:
        if isinstance(item, str) and item.startswith(":"):
            labels[item[1:]] = pc
        pc += size(item)
    out = bytearray()
    for item in program:
        if isinstance(item, int):
            n = max(1, (item.bit_length() + 7) // 8)
            out += bytes([0x5F + n]) + item.to_bytes(n, "big")
        elif item.startswith("@"):
            out += bytes([0x61]) + labels[item[1:]].to_bytes(2, "big")
        elif item.startswith(":"):
            out.append(OPS["JUMPDEST"])
        else:
            out.append(OPS[item])
    return bytes(out)


def deployer(runtime: bytes, constructor: list[Any] = ()) -> bytes:  # type: ignore[assignment]
    """Initcode: run ``constructor`` then return ``runtime``."""
    head = assemble([*constructor, len(runtime), "DUP1", 0xFFFF, 0, "CODECOPY", 0, "RETURN"])
    offset = len(head)
    head = head.replace(b"\x61\xff\xff", b"\x61" + offset.to_bytes(2, "big"))
    return head + runtime


# The workhorse contract: calldata word 0 selects what it does.
WORKER = assemble(
    [
        0, "CALLDATALOAD",
        "DUP1", 1, "EQ", "@set", "JUMPI",
        "DUP1", 2, "EQ", "@log", "JUMPI",
        "DUP1", 3, "EQ", "@revert", "JUMPI",
        "DUP1", 4, "EQ", "@precompile", "JUMPI",
        "DUP1", 5, "EQ", "@create", "JUMPI",
        "STOP",
        # set(start, count, value): slots [start, start+count) := value (0 deletes)
        ":set", 32, "CALLDATALOAD",
        ":loop", 64, "CALLDATALOAD", 32, "CALLDATALOAD", "ADD", "DUP2", "LT",
        "ISZERO", "@done", "JUMPI",
        96, "CALLDATALOAD", "DUP2", "SSTORE", 1, "ADD", "@loop", "JUMP",
        ":done", "STOP",
        # log(data, topic0, topic1)
        ":log", 32, "CALLDATALOAD", 0, "MSTORE", 96, "CALLDATALOAD", 64, "CALLDATALOAD",
        32, 0, "LOG2", "STOP",
        # revert after a write and a log
        ":revert", 1, 100, "SSTORE", 0, 0, "LOG0", 0, 0, "REVERT",
        # precompile(address, input...): with key = address << 16, success -> slot key,
        # output word 0 -> key | 1, keccak(output) -> key | 2; LOG1(output, topic key)
        ":precompile", 64, "CALLDATASIZE", "SUB", "DUP1", 64, 0, "CALLDATACOPY",
        64, 0x4000, "DUP3", 0, 32, "CALLDATALOAD", "GAS", "STATICCALL",
        32, "CALLDATALOAD", 16, "SHL", "SWAP1", "DUP2", "SSTORE",
        0x4000, "MLOAD", "DUP2", 1, "OR", "SSTORE",
        "RETURNDATASIZE", 0, 0x5000, "RETURNDATACOPY", "RETURNDATASIZE", 0x5000, "SHA3",
        "DUP2", 2, "OR", "SSTORE",
        "DUP1", "RETURNDATASIZE", 0x5000, "LOG1", "STOP",
        # create(initcode...): CREATE -> slot 300, CREATE2 salt 7 -> slot 301
        ":create", 32, "CALLDATASIZE", "SUB", "DUP1", 32, 0, "CALLDATACOPY",
        "DUP1", 0, 0, "CREATE", 300, "SSTORE",
        7, "DUP2", 0, 0, "CREATE2", 301, "SSTORE", "STOP",
    ]
)  # fmt: skip

COUNTER = assemble([0, "SLOAD", 1, "ADD", 0, "SSTORE", "STOP"])
COUNTER_INIT = deployer(COUNTER, [1, 0, "SSTORE", 2, 1, "SSTORE"])
SELF_DESTRUCTING_INIT = assemble(["COINBASE", "SELFDESTRUCT"])


def word(value: int | bytes) -> bytes:
    if isinstance(value, bytes):
        return value.rjust(32, b"\x00")
    return value.to_bytes(32, "big")


class Rpc:
    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self, method: str, *params: Any) -> Any:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
        req = urllib.request.Request(self.url, body.encode(), {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            doc = json.loads(resp.read())
        if "error" in doc:
            raise RuntimeError(f"{method}: {doc['error']}")
        return doc["result"]


@dataclass
class Scenario:
    """What was mined: block number -> label, plus addresses the tests look at."""

    blocks: dict[int, str] = field(default_factory=dict)
    worker: str = ""
    accounts: list[str] = field(default_factory=list)
    cleared_slots: list[int] = field(default_factory=list)


def ecrecover_input() -> bytes:
    from eth_keys.datatypes import PrivateKey

    key = PrivateKey(bytes.fromhex(DEV_KEYS[0][2:]))
    digest = keccak256(b"faultproof ecrecover")
    sig = key.sign_msg_hash(digest)
    return digest + word(27 + sig.v) + word(sig.r) + word(sig.s)


_SETUP: list[Any] = []


def kzg_setup() -> Any:
    """ckzg's trusted setup, loaded once (about 5 s)."""
    import ckzg

    from faultproof.preimage.verify import _default_setup

    if not _SETUP:
        _SETUP.append(ckzg.load_trusted_setup(str(_default_setup()), 0))
    return _SETUP[0]


def point_evaluation_input() -> bytes:
    import ckzg

    blob = b"".join(word(i * 7 + 1) for i in range(4096))
    commitment = bytes(ckzg.blob_to_kzg_commitment(blob, kzg_setup()))
    z = word(12345)
    proof, y = ckzg.compute_kzg_proof(blob, z, kzg_setup())
    versioned = b"\x01" + sha256(commitment)[1:]
    return versioned + z + bytes(y) + commitment + bytes(proof)


def _bn254_g1(point: Any) -> bytes:
    from py_ecc.optimized_bn128.optimized_curve import normalize

    x, y = normalize(point)
    return word(int(x)) + word(int(y))


def _bn254_g2(point: Any) -> bytes:
    from py_ecc.optimized_bn128.optimized_curve import normalize

    x, y = normalize(point)
    return b"".join(word(int(c)) for c in (x.coeffs[1], x.coeffs[0], y.coeffs[1], y.coeffs[0]))


def precompile_inputs() -> dict[int, bytes]:
    """A valid, successful input for each Cancun precompile 0x01..0x0a (real signature, points
    on the curves, a pairing that holds, a real KZG proof)."""
    from py_ecc.optimized_bn128.optimized_curve import G1, G2, multiply, neg

    modulus = (1 << 255) - 19
    blake2f = (12).to_bytes(4, "big") + keccak256(b"h") * 2 + keccak256(b"m") * 4
    blake2f += (3).to_bytes(8, "little") + bytes(8) + b"\x01"
    # e(6 G1, 7 G2) * e(-42 G1, G2) == 1
    pairing = _bn254_g1(multiply(G1, 6)) + _bn254_g2(multiply(G2, 7))
    pairing += _bn254_g1(neg(multiply(G1, 42))) + _bn254_g2(G2)
    return {
        1: ecrecover_input(),
        2: b"sha256 me",
        3: b"ripemd160 me",
        4: b"identity",
        5: word(32) * 3 + keccak256(b"base") + keccak256(b"exp") + word(modulus),
        6: _bn254_g1(multiply(G1, 5)) + _bn254_g1(multiply(G1, 9)),
        7: _bn254_g1(multiply(G1, 7)) + word(123456789),
        8: pairing,
        9: blake2f,
        10: point_evaluation_input(),
    }


def mine_scenario(url: str) -> Scenario:
    """Mine the scenario's blocks on a fresh anvil; each block's label says what it holds.

    Only blocks whose state root anvil computes canonically are mined here (the precompile
    accounts are funded before any call touches them); `mine_quirk` mines the others (storage
    cleared to zero, a created-and-destroyed account), each on top of these, for tests that
    revert them afterwards.
    """
    rpc = Rpc(url)
    sc = Scenario(accounts=list(rpc("eth_accounts")))
    a0, a1, a2 = sc.accounts[:3]
    rpc("evm_setAutomine", False)
    rpc("anvil_setBlockTimestampInterval", 12)  # Cancun wants each timestamp past its parent's

    def send(tx: dict[str, Any]) -> str:
        return str(rpc("eth_sendTransaction", tx))

    def mine(label: str) -> None:
        rpc("evm_mine")
        sc.blocks[int(rpc("eth_blockNumber"), 16)] = label

    mine("empty")  # block 1 (block 0's header state root is anvil's empty-trie placeholder)
    # deploys: the worker and a counter
    t_worker = send({"from": a0, "data": "0x" + deployer(WORKER).hex(), "gas": hex(1_000_000)})
    t_counter = send({"from": a1, "data": "0x" + COUNTER_INIT.hex(), "gas": hex(300_000)})
    mine("deploys")
    sc.worker = rpc("eth_getTransactionReceipt", t_worker)["contractAddress"]
    counter = rpc("eth_getTransactionReceipt", t_counter)["contractAddress"]
    # transfers of every type: legacy, 2930, 1559 (anvil picks the type from the fields)
    send({"from": a0, "to": a1, "value": hex(10**18), "gasPrice": hex(5 * 10**9)})
    send({"from": a1, "to": a2, "value": hex(3 * 10**17), "gasPrice": hex(5 * 10**9),
          "accessList": [{"address": counter, "storageKeys": ["0x" + "00" * 32]}]})  # fmt: skip
    send({"from": a2, "to": "0x" + "ab" * 20, "value": hex(12345)})  # creates an account
    send({"from": a0, "to": counter, "gas": hex(100_000)})
    mine("transfers")
    # storage-heavy loop: 40 slots, then 150 more in a 4M-gas transaction
    call(rpc, sc, word(1) + word(0) + word(40) + word(5))
    call(rpc, sc, word(1) + word(1000) + word(150) + word(9), sender=a1, gas=8_000_000)
    mine("storage")
    # a log, a revert (its write and log undone), CREATE + CREATE2 from a contract
    call(rpc, sc, word(2) + word(0xDEAD) + word(keccak256(b"topic0")) + word(7))
    call(rpc, sc, word(3), gas=200_000)
    call(rpc, sc, word(5) + COUNTER_INIT)
    mine("logs-revert-creates")
    # anvil keeps a precompile account a call touches while it is empty (EIP-161 deletes it):
    # 1 wei to each first (enough gas: with 21000 the call runs out and the account stays empty)
    inputs = precompile_inputs()
    for address, data in inputs.items():
        send({"from": a1, "to": "0x" + address.to_bytes(20, "big").hex(), "value": "0x1",
              "data": "0x" + data.hex(), "gas": hex(200_000)})  # fmt: skip
    mine("fund-precompiles")
    for address in inputs:
        balance = rpc("eth_getBalance", "0x" + address.to_bytes(20, "big").hex(), "latest")
        if int(balance, 16) != 1:
            raise RuntimeError(f"precompile {address} not funded: balance {balance}")
    # every precompile called from the worker, results stored and logged
    for address, data in inputs.items():
        call(rpc, sc, word(4) + word(address) + data)
    mine("precompiles")
    for address in inputs:  # each call succeeded (else matching roots would prove little)
        if int(rpc("eth_getStorageAt", sc.worker, hex(address << 16), "latest"), 16) != 1:
            raise RuntimeError(f"precompile {address} call failed")
    if _send_blob(rpc):
        mine("blob")
    return sc


def call(rpc: Rpc, sc: Scenario, data: bytes, sender: str = "", gas: int = 3_000_000) -> str:
    """A transaction to the worker contract."""
    tx = {"from": sender or sc.accounts[0], "to": sc.worker, "data": "0x" + data.hex(),
          "gas": hex(gas)}  # fmt: skip
    return str(rpc("eth_sendTransaction", tx))


QUIRKS = ("deletions", "selfdestruct")
"""Blocks whose state root anvil 1.7.1 gets wrong: it keeps storage slots cleared to zero as
zero-valued leaves, and keeps touched empty accounts (an account created and self-destructed
in one transaction; a precompile called while its account is empty, which the scenario avoids
by funding them first) in the state trie, where EIP-161/6780 delete them."""


def next_base_fee(parent: dict[str, Any]) -> int:
    """EIP-1559's base fee for the child of ``parent`` (same gas limit), as the specs compute it."""
    from ethereum.forks.cancun.fork import calculate_base_fee_per_gas
    from ethereum_types.numeric import Uint

    limit = Uint(int(parent["gasLimit"], 16))
    used, fee = Uint(int(parent["gasUsed"], 16)), Uint(int(parent["baseFeePerGas"], 16))
    return int(calculate_base_fee_per_gas(limit, limit, used, fee))


def mine_quirk(url: str, sc: Scenario, kind: str) -> int:
    """Mine one `QUIRKS` block on the current head; returns its number."""
    rpc = Rpc(url)
    # after evm_revert anvil keeps the base fee of the reverted chain: set the parent's successor
    parent = rpc("eth_getBlockByNumber", "latest", False)
    rpc("anvil_setNextBlockBaseFeePerGas", hex(next_base_fee(parent)))
    a1, a2 = sc.accounts[1], sc.accounts[2]
    if kind == "deletions":  # 20 of 40 slots, and 149 of 150, back to zero: branch collapses
        call(rpc, sc, word(1) + word(10) + word(20) + word(0))
        call(rpc, sc, word(1) + word(1000) + word(149) + word(0), sender=a1, gas=8_000_000)
        sc.cleared_slots = list(range(10, 30))
    elif kind == "selfdestruct":  # a constructor that self-destructs (EIP-6780: deleted)
        tx = {"from": a2, "data": "0x" + SELF_DESTRUCTING_INIT.hex(), "gas": hex(100_000),
              "value": hex(777)}  # fmt: skip
        rpc("eth_sendTransaction", tx)
    else:
        raise ValueError(kind)
    rpc("evm_mine")
    return int(rpc("eth_blockNumber"), 16)


def _send_blob(rpc: Rpc, sender_index: int = 0) -> bool:
    """A type-3 transaction signed here, sent in its network form (tx ‖ blobs ‖ commitments ‖
    proofs); anvil has no eth_sendTransaction for blobs."""
    import ckzg
    from eth_keys.datatypes import PrivateKey

    from faultproof.evm import rlp

    key = PrivateKey(bytes.fromhex(DEV_KEYS[sender_index][2:]))
    sender = key.public_key.to_checksum_address()
    blob = b"".join(word(i + 1) for i in range(4096))
    commitment = bytes(ckzg.blob_to_kzg_commitment(blob, kzg_setup()))
    proof = bytes(ckzg.compute_blob_kzg_proof(blob, commitment, kzg_setup()))
    versioned = b"\x01" + sha256(commitment)[1:]
    base = int(rpc("eth_getBlockByNumber", "latest", False)["baseFeePerGas"], 16)
    fields: list[Any] = [
        int(rpc("eth_chainId"), 16),
        int(rpc("eth_getTransactionCount", sender, "pending"), 16),
        10**9,  # max priority fee
        base * 4 + 10**9,  # max fee
        50_000,
        b"\xcd" * 20,
        1,
        b"",
        [],
        10**10,  # max fee per blob gas
        [versioned],
    ]
    sig = key.sign_msg_hash(keccak256(b"\x03" + rlp.encode(fields)))
    signed = [*fields, sig.v, sig.r, sig.s]
    raw = b"\x03" + rlp.encode([signed, [blob], [commitment], [proof]])
    try:
        rpc("eth_sendRawTransaction", "0x" + raw.hex())
    except RuntimeError:
        return False
    return True


def spec_block(url: str, number: int) -> tuple[bool, Any]:
    """Block ``number`` run by the execution specs on anvil's whole state at the parent:
    (whether that state reproduces the parent's state root, the spec's `ReferenceResult`).

    The state is every account and slot anvil's dump, its prestate traces and its dev accounts
    name, read at the parent with eth_getProof.
    """
    from ethereum.forks.cancun.transactions import LegacyTransaction, decode_transaction
    from ethereum_rlp import rlp as spec_rlp
    from ethereum_types.bytes import Bytes

    from faultproof.evm import header as hdr
    from faultproof.evm import reference
    from faultproof.evm.rpc_host import JsonRpc, RpcHost
    from faultproof.preimage.store import MemoryStore

    rpc = Rpc(url)
    parent = number - 1
    finder = RpcHost(JsonRpc(url), MemoryStore(), state_block=parent)
    finder._build_index()
    pre: dict[bytes, reference.AccountState] = {}
    for address in finder.index.accounts.values():
        slots = list(finder.index.slots.get(address, {}).values())
        proof = rpc("eth_getProof", "0x" + address.hex(), ["0x" + s.hex() for s in slots],
                    hex(parent))  # fmt: skip
        code = bytes.fromhex(rpc("eth_getCode", "0x" + address.hex(), hex(parent))[2:])
        storage = {
            int.from_bytes(s, "big"): int(e["value"], 16)
            for s, e in zip(slots, proof["storageProof"], strict=True)
            if int(e["value"], 16)
        }
        nonce, balance = int(proof["nonce"], 16), int(proof["balance"], 16)
        if nonce or balance or code or storage:
            pre[address] = reference.AccountState(nonce, balance, code, storage)
    block = rpc("eth_getBlockByNumber", hex(number), True)
    txs: list[Any] = []
    for tx in block["transactions"]:
        raw = hdr.checked_raw_transaction(tx)
        if raw[0] >= 0xC0:
            txs.append(spec_rlp.decode_to(LegacyTransaction, raw))
        else:
            txs.append(decode_transaction(Bytes(raw)))
    env = reference.BlockEnv(
        coinbase=bytes.fromhex(block["miner"][2:]),
        number=number,
        timestamp=int(block["timestamp"], 16),
        gas_limit=int(block["gasLimit"], 16),
        base_fee=int(block["baseFeePerGas"], 16),
        prev_randao=bytes.fromhex(block["mixHash"][2:]),
        excess_blob_gas=int(block["excessBlobGas"], 16),
        chain_id=int(rpc("eth_chainId"), 16),
    )
    hashes = [
        bytes.fromhex(rpc("eth_getBlockByNumber", hex(i), False)["hash"][2:])
        for i in range(max(0, number - 256), number)
    ]
    result = reference.run_reference(pre, env, txs, hashes)
    parent_root = rpc("eth_getBlockByNumber", hex(parent), False)["stateRoot"]
    return result.pre_state_root.hex() == parent_root[2:], result
