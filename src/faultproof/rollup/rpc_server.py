"""The L2 node's JSON-RPC server (stdlib ``http.server`` in a thread, on 127.0.0.1).

Answers what wallets, the agents and the fault proof program's host read, in geth's and
op-node's shapes: ``eth_*`` reads (blocks with every Cancun header field, receipts with OP's
deposit fields, proofs), ``eth_sendRawTransaction`` into the sequencer's pool, ``debug_dbGet``
(trie nodes by hash, code by ``"c" ‖ code hash``), ``debug_getRawHeader`` /
``debug_getRawTransaction`` and ``optimism_outputAtBlock``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ethereum.crypto.hash import keccak256
from ethereum.forks.cancun.blocks import Log
from ethereum.forks.cancun.bloom import logs_bloom
from ethereum.forks.cancun.transactions import (
    AccessListTransaction,
    BlobTransaction,
    FeeMarketTransaction,
    LegacyTransaction,
)
from ethereum_types.bytes import Bytes0

from faultproof.errors import FaultproofError
from faultproof.rollup.execution import (
    DEPOSIT_TX_TYPE,
    DepositTx,
    L2Block,
    TxReceipt,
    decode_raw_tx,
)
from faultproof.rollup.node import L2Node, UnknownBlock


class RpcFault(Exception):
    """A JSON-RPC error answer (code, message)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def _h(data: bytes) -> str:
    return "0x" + data.hex()


def _q(value: int) -> str:
    return hex(value)


def _unhex(value: Any, what: str = "value") -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise RpcFault(-32602, f"{what} must be 0x-prefixed hex")
    text = value[2:]
    try:
        return bytes.fromhex(text if len(text) % 2 == 0 else "0" + text)
    except ValueError:
        raise RpcFault(-32602, f"{what} is not hex") from None


def _address(value: Any) -> bytes:
    raw = _unhex(value, "address")
    if len(raw) != 20:
        raise RpcFault(-32602, "address must be 20 bytes")
    return raw


class NodeRpc:
    """The method table over one `L2Node`."""

    def __init__(self, node: L2Node) -> None:
        self.node = node
        self.methods: dict[str, Callable[..., Any]] = {
            "eth_chainId": lambda: _q(node.config.l2_chain_id),
            "net_version": lambda: str(node.config.l2_chain_id),
            "eth_blockNumber": lambda: _q(node.head.number),
            "eth_getBlockByNumber": self.get_block_by_number,
            "eth_getBlockByHash": self.get_block_by_hash,
            "eth_getTransactionByHash": self.get_transaction,
            "eth_getTransactionReceipt": self.get_receipt,
            "eth_getBalance": lambda a, t="latest": _q(node.balance(_address(a), self._num(t))),
            "eth_getTransactionCount": lambda a, t="latest": _q(
                node.nonce(_address(a), self._num(t))
            ),
            "eth_getCode": lambda a, t="latest": _h(node.get_code(_address(a), self._num(t))),
            "eth_getStorageAt": self.get_storage_at,
            "eth_getProof": self.get_proof,
            "eth_sendRawTransaction": self.send_raw_transaction,
            "eth_gasPrice": lambda: _q(int(node.head.header.base_fee_per_gas) * 2),
            "eth_maxPriorityFeePerGas": lambda: _q(0),
            "debug_dbGet": self.db_get,
            "debug_getRawHeader": lambda t: _h(self._block(t).header_rlp),
            "debug_getRawTransaction": self.raw_transaction,
            "optimism_outputAtBlock": self.output_at_block,
            "optimism_syncStatus": self.sync_status,
            "eth_call": self.eth_call,
        }

    # -- dispatch
    def handle(self, request: Any) -> dict[str, Any]:
        req_id = request.get("id") if isinstance(request, dict) else None
        try:
            if not isinstance(request, dict) or not isinstance(request.get("method"), str):
                raise RpcFault(-32600, "invalid request")
            method = self.methods.get(request["method"])
            if method is None:
                raise RpcFault(-32601, f"the method {request['method']} does not exist")
            params = request.get("params") or []
            if not isinstance(params, list):
                raise RpcFault(-32602, "params must be a list")
            with self.node.lock:
                result = method(*params)
            return {"jsonrpc": "2.0", "id": req_id, "result": result}
        except RpcFault as exc:
            return _error(req_id, exc.code, str(exc))
        except UnknownBlock as exc:
            return _error(req_id, -32000, str(exc))
        except (FaultproofError, TypeError, ValueError, KeyError) as exc:
            return _error(req_id, -32000, f"{type(exc).__name__}: {exc}")

    # -- block selectors
    def _num(self, tag: Any) -> int:
        if tag in ("latest", "pending", None):
            return self.node.head.number
        if tag in ("safe", "finalized"):
            return min(self.node.safe_number, self.node.head.number)
        if tag == "earliest":
            return 0
        if isinstance(tag, dict):
            if "blockHash" in tag:
                return self.node.block_by_hash(_unhex(tag["blockHash"], "blockHash")).number
            tag = tag.get("blockNumber")
        if isinstance(tag, str) and tag.startswith("0x"):
            if len(tag) == 66:
                return self.node.block_by_hash(_unhex(tag)).number
            number = int(tag, 16)
            self.node.block(number)
            return number
        raise RpcFault(-32602, f"bad block tag {tag!r}")

    def _block(self, tag: Any) -> L2Block:
        return self.node.block(self._num(tag))

    # -- blocks and transactions
    def get_block_by_number(self, tag: Any, full: bool = False) -> dict[str, Any] | None:
        try:
            block = self._block(tag)
        except UnknownBlock:
            return None
        return block_json(block, full)

    def get_block_by_hash(self, block_hash: Any, full: bool = False) -> dict[str, Any] | None:
        try:
            block = self.node.block_by_hash(_unhex(block_hash, "block hash"))
        except UnknownBlock:
            return None
        return block_json(block, full)

    def get_transaction(self, tx_hash: Any) -> dict[str, Any] | None:
        found = self.node.receipt(_unhex(tx_hash, "transaction hash"))
        if found is None:
            return None
        block, index, _ = found
        return tx_json(block, index)

    def raw_transaction(self, tx_hash: Any) -> str | None:
        found = self.node.receipt(_unhex(tx_hash, "transaction hash"))
        return None if found is None else _h(found[0].txs[found[1]])

    def get_receipt(self, tx_hash: Any) -> dict[str, Any] | None:
        found = self.node.receipt(_unhex(tx_hash, "transaction hash"))
        if found is None:
            return None
        block, index, receipt = found
        return receipt_json(block, index, receipt)

    # -- state
    def get_storage_at(self, address: Any, slot: Any, tag: Any = "latest") -> str:
        key = _unhex(slot, "slot").rjust(32, b"\x00")
        value = self.node.storage(_address(address), key, self._num(tag))
        return _h(value.to_bytes(32, "big"))

    def get_proof(self, address: Any, slots: Any, tag: Any = "latest") -> dict[str, Any]:
        keys = [_unhex(s, "storage key").rjust(32, b"\x00") for s in slots or []]
        proof = self.node.proof(_address(address), keys, self._num(tag))
        storage = proof["storageProof"]
        assert isinstance(storage, list)
        return {
            "address": _h(_address(address)),
            "accountProof": [_h(n) for n in proof["accountProof"]],  # type: ignore[attr-defined]
            "balance": _q(int(proof["balance"])),  # type: ignore[call-overload]
            "nonce": _q(int(proof["nonce"])),  # type: ignore[call-overload]
            "storageHash": _h(proof["storageHash"]),  # type: ignore[arg-type]
            "codeHash": _h(proof["codeHash"]),  # type: ignore[arg-type]
            "storageProof": [
                {"key": _h(s["key"]), "value": _q(s["value"]), "proof": [_h(n) for n in s["proof"]]}
                for s in storage
            ],
        }

    def send_raw_transaction(self, raw_hex: Any) -> str:
        raw = _unhex(raw_hex, "transaction")
        try:
            decode_raw_tx(raw)
        except FaultproofError as exc:
            raise RpcFault(-32602, str(exc)) from None
        return _h(self.node.submit(raw))

    def db_get(self, key: Any) -> str:
        found = self.node.db_get(_unhex(key, "key"))
        if found is None:
            raise RpcFault(-32000, "not found")
        return _h(found)

    def eth_call(self, call: Any, tag: Any = "latest") -> str:
        if not isinstance(call, dict):
            raise RpcFault(-32602, "eth_call takes a call object")
        sender = _address(call["from"]) if call.get("from") else b"\x00" * 20
        if not call.get("to"):
            raise RpcFault(-32602, "eth_call needs a 'to' (contract creation is not supported)")
        to = _address(call["to"])
        data = _unhex(call.get("input") or call.get("data") or "0x", "data")
        value = int(call.get("value") or "0x0", 16)
        gas = int(call.get("gas") or hex(self.node.config.gas_limit), 16)
        ok, out = self.node.call(sender, to, data, value, gas, self._num(tag))
        if not ok:
            raise RpcFault(3, "execution reverted: 0x" + out.hex())
        return _h(out)

    def sync_status(self) -> dict[str, Any]:
        """op-node's sync status, reduced to the L2 heads this node knows."""
        head = self.node.head
        safe = self.node.block(min(self.node.safe_number, head.number))
        return {
            "unsafe_l2": _block_ref(head),
            "safe_l2": _block_ref(safe),
            "finalized_l2": _block_ref(safe),
        }

    def output_at_block(self, tag: Any) -> dict[str, Any]:
        number = self._num(tag)
        out = self.node.output_at(number)
        block = out["block"]
        assert isinstance(block, L2Block)
        return {
            "version": _h(b"\x00" * 32),
            "outputRoot": _h(out["outputRoot"]),  # type: ignore[arg-type]
            "blockRef": _block_ref(block),
            "withdrawalStorageRoot": _h(out["withdrawalStorageRoot"]),  # type: ignore[arg-type]
            "stateRoot": _h(out["stateRoot"]),  # type: ignore[arg-type]
            "syncStatus": self.sync_status(),
        }


def _block_ref(block: L2Block) -> dict[str, Any]:
    """op-node's ``L2BlockRef``."""
    return {
        "hash": _h(block.hash),
        "number": block.number,
        "parentHash": _h(bytes(block.header.parent_hash)),
        "timestamp": block.timestamp,
        "l1origin": {"hash": _h(block.l1_origin.hash), "number": block.l1_origin.number},
        "sequenceNumber": block.seq,
    }


def _error(req_id: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": req_id, "error": {"code": code, "message": message}}


# --- JSON shapes -----------------------------------------------------------------------------


def block_json(block: L2Block, full: bool) -> dict[str, Any]:
    """geth's block object, with every Cancun header field."""
    h = block.header
    return {
        "number": _q(block.number),
        "hash": _h(block.hash),
        "parentHash": _h(bytes(h.parent_hash)),
        "sha3Uncles": _h(bytes(h.ommers_hash)),
        "miner": _h(bytes(h.coinbase)),
        "stateRoot": _h(bytes(h.state_root)),
        "transactionsRoot": _h(bytes(h.transactions_root)),
        "receiptsRoot": _h(bytes(h.receipt_root)),
        "logsBloom": _h(bytes(h.bloom)),
        "difficulty": _q(int(h.difficulty)),
        "totalDifficulty": _q(0),
        "gasLimit": _q(int(h.gas_limit)),
        "gasUsed": _q(int(h.gas_used)),
        "timestamp": _q(int(h.timestamp)),
        "extraData": _h(bytes(h.extra_data)),
        "mixHash": _h(bytes(h.prev_randao)),
        "nonce": _h(bytes(h.nonce)),
        "baseFeePerGas": _q(int(h.base_fee_per_gas)),
        "withdrawalsRoot": _h(bytes(h.withdrawals_root)),
        "blobGasUsed": _q(int(h.blob_gas_used)),
        "excessBlobGas": _q(int(h.excess_blob_gas)),
        "parentBeaconBlockRoot": _h(bytes(h.parent_beacon_block_root)),
        "size": _q(len(block.header_rlp) + sum(len(t) for t in block.txs)),
        "uncles": [],
        "withdrawals": [],
        "transactions": [
            tx_json(block, i) if full else _h(keccak256(raw)) for i, raw in enumerate(block.txs)
        ],
    }


def tx_json(block: L2Block, index: int) -> dict[str, Any]:
    """geth's transaction object (op-geth's fields for deposits)."""
    raw = block.txs[index]
    receipt = block.receipts[index]
    out: dict[str, Any] = {
        "hash": _h(keccak256(raw)),
        "blockHash": _h(block.hash),
        "blockNumber": _q(block.number),
        "transactionIndex": _q(index),
        "from": _h(receipt.sender),
    }
    if raw[0] == DEPOSIT_TX_TYPE:
        dep = DepositTx.decode(raw)
        out.update({
            "type": _q(DEPOSIT_TX_TYPE), "sourceHash": _h(dep.source_hash),
            "to": None if dep.to is None else _h(dep.to), "mint": _q(dep.mint),
            "value": _q(dep.value), "gas": _q(dep.gas), "isSystemTx": dep.is_system_tx,
            "input": _h(dep.data), "nonce": _q(receipt.deposit_nonce or 0), "gasPrice": _q(0),
            "v": "0x0", "r": "0x0", "s": "0x0",
        })  # fmt: skip
        return out
    tx = decode_raw_tx(raw)
    to = None if isinstance(tx.to, Bytes0) else _h(bytes(tx.to))
    out.update({
        "type": _q(0 if raw[0] >= 0xC0 else raw[0]), "nonce": _q(int(tx.nonce)), "to": to,
        "value": _q(int(tx.value)), "gas": _q(int(tx.gas)), "input": _h(bytes(tx.data)),
        "r": _q(int(tx.r)), "s": _q(int(tx.s)),
    })  # fmt: skip
    if isinstance(tx, LegacyTransaction):
        out["gasPrice"] = _q(int(tx.gas_price))
        out["v"] = _q(int(tx.v))
        if int(tx.v) >= 35:
            out["chainId"] = _q((int(tx.v) - 35) // 2)
        return out
    assert not isinstance(tx, BlobTransaction)
    out["chainId"] = _q(int(tx.chain_id))
    out["yParity"] = out["v"] = _q(int(tx.y_parity))
    out["accessList"] = [
        {"address": _h(bytes(a.account)), "storageKeys": [_h(bytes(k)) for k in a.slots]}
        for a in tx.access_list
    ]
    if isinstance(tx, AccessListTransaction):
        out["gasPrice"] = _q(int(tx.gas_price))
    elif isinstance(tx, FeeMarketTransaction):
        out["maxFeePerGas"] = _q(int(tx.max_fee_per_gas))
        out["maxPriorityFeePerGas"] = _q(int(tx.max_priority_fee_per_gas))
        out["gasPrice"] = _q(receipt.effective_gas_price)
    return out


def _log_json(log: Log, block: L2Block, index: int, tx_index: int) -> dict[str, Any]:
    return {
        "address": _h(bytes(log.address)),
        "topics": [_h(bytes(t)) for t in log.topics],
        "data": _h(bytes(log.data)),
        "blockNumber": _q(block.number),
        "blockHash": _h(block.hash),
        "transactionHash": _h(keccak256(block.txs[tx_index])),
        "transactionIndex": _q(tx_index),
        "logIndex": _q(index),
        "removed": False,
    }


def receipt_json(block: L2Block, index: int, receipt: TxReceipt) -> dict[str, Any]:
    """geth's receipt object, with op-geth's ``depositNonce`` / ``depositReceiptVersion``."""
    first_log = sum(len(r.logs) for r in block.receipts[:index])
    out: dict[str, Any] = {
        "transactionHash": _h(receipt.tx_hash),
        "transactionIndex": _q(index),
        "blockHash": _h(block.hash),
        "blockNumber": _q(block.number),
        "from": _h(receipt.sender),
        "to": None if receipt.to is None else _h(receipt.to),
        "cumulativeGasUsed": _q(receipt.cumulative_gas_used),
        "gasUsed": _q(receipt.gas_used),
        "effectiveGasPrice": _q(receipt.effective_gas_price),
        "contractAddress": None if receipt.contract_address is None else _h(receipt.contract_address),
        "logs": [_log_json(log, block, first_log + i, index) for i, log in enumerate(receipt.logs)],
        "logsBloom": _h(bytes(logs_bloom(receipt.logs))),
        "status": _q(receipt.status),
        "type": _q(receipt.tx_type),
    }
    if receipt.deposit_nonce is not None:
        out["depositNonce"] = _q(receipt.deposit_nonce)
        out["depositReceiptVersion"] = _q(1)
    return out


# --- the server ------------------------------------------------------------------------------


class RpcServer:
    """``NodeRpc`` over HTTP on 127.0.0.1 in a daemon thread; `url` once started."""

    def __init__(self, node: L2Node, port: int = 0) -> None:
        self.rpc = NodeRpc(node)
        rpc = self.rpc

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    request = json.loads(self.rfile.read(length))
                except ValueError:
                    answer: Any = _error(None, -32700, "parse error")
                else:
                    if isinstance(request, list):
                        answer = [rpc.handle(r) for r in request]
                    else:
                        answer = rpc.handle(request)
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> RpcServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> RpcServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


__all__ = ["NodeRpc", "RpcFault", "RpcServer", "block_json", "receipt_json", "tx_json"]
