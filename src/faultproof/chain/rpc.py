"""`RpcChain`: the chain API over JSON-RPC (web3.py's HTTP provider), e.g. against anvil.

Time control uses the dev-node methods (``evm_setNextBlockTimestamp``, ``evm_mine``,
``evm_snapshot``/``evm_revert``, ``anvil_setBalance``). With ``freeze_time=True`` (the default) the
node's automatic block-time increase is switched off (``anvil_setBlockTimestampInterval 0``), so,
as on `EmbeddedChain`, time moves only when the caller says so and the same scenario yields the
same timestamps on both backends.

Every node failure (connection refused, JSON-RPC error, timeout) surfaces as `RpcError` with the
method name; reverts are not errors here, they come back as failed `Receipt`s.
"""

from __future__ import annotations

import time
from typing import Any

from web3 import Web3

from faultproof.chain.abi import Log
from faultproof.chain.base import DEFAULT_TX_GAS, Chain
from faultproof.chain.errors import ChainError, InvalidPrivateKey, RpcError
from faultproof.chain.receipt import Receipt


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


def _unhex(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    s = str(value)
    return bytes.fromhex(s[2:] if s.startswith("0x") else s)


class RpcChain(Chain):
    """A chain reached over HTTP JSON-RPC; the node must hold unlocked, funded accounts."""

    def __init__(self, url: str, *, freeze_time: bool = True, timeout: float = 30.0,
                 receipt_timeout: float = 30.0, gas_price: int | None = None) -> None:
        """Connect to `url`. `gas_price` None means 0 when the node's base fee is 0 (anvil as
        started by `AnvilNode`, so balances match `EmbeddedChain`), else the node's choice."""
        super().__init__()
        self.url = url
        self._w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": timeout}))
        self._receipt_timeout = receipt_timeout
        self._chain_id = int(self._request("eth_chainId", []), 16)
        self._accounts = [Web3.to_checksum_address(a) for a in self._request("eth_accounts", [])]
        if not self._accounts:
            raise RpcError(f"{url} exposes no unlocked accounts (eth_accounts is empty); "
                           "RpcChain needs a dev node such as anvil")
        #: Whether the node's clock only moves when told to (anvil); other dev nodes keep theirs.
        self.time_frozen = False
        if freeze_time:
            try:
                self._request("anvil_setBlockTimestampInterval", [0])
                self.time_frozen = True
            except RpcError:
                pass  # not anvil: timestamps follow the node's own clock
        if gas_price is None and int(self._latest().get("baseFeePerGas", "0x1"), 16) == 0:
            gas_price = 0
        self._gas_price = gas_price

    @property
    def web3(self) -> Web3:
        return self._w3

    # ---- transport ---------------------------------------------------------------------------

    def _request(self, method: str, params: list[Any]) -> Any:
        try:
            resp = self._w3.provider.make_request(method, params)  # type: ignore[arg-type]
        except Exception as exc:
            raise RpcError(f"{method} to {self.url} failed: {type(exc).__name__}: {exc}") from exc
        if "error" in resp:
            err = resp["error"]
            raise RpcError(f"{method} to {self.url} returned error {err.get('code')}: "
                           f"{err.get('message')}")
        return resp.get("result")

    def _try_call(self, tx: dict[str, Any], block: str) -> tuple[bool, bytes, str]:
        """eth_call returning (success, return-or-revert data, node message); never raises on
        an execution failure (revert, halt), only on transport or parameter errors."""
        try:
            resp = self._w3.provider.make_request("eth_call", [tx, block])  # type: ignore[arg-type]
        except Exception as exc:
            raise RpcError(f"eth_call to {self.url} failed: {type(exc).__name__}: {exc}") from exc
        if "error" in resp:
            err = resp["error"]
            if err.get("code") in (-32600, -32601, -32602, -32700):
                raise RpcError(f"eth_call to {self.url} rejected the request "
                               f"({err.get('code')}): {err.get('message')}")
            data = err.get("data")
            if isinstance(data, dict):  # some nodes nest it
                data = data.get("data")
            if not isinstance(data, str) or not data.startswith("0x"):
                data = "0x"
            message = str(err.get("message", ""))
            # A plain revert (even with empty data) is not a halt; keep only halt messages
            # such as "out of gas" or "CreateContractSizeLimit".
            return False, _unhex(data), "" if "revert" in message.lower() else message
        return True, _unhex(resp["result"]), ""

    # ---- chain facts -------------------------------------------------------------------------

    @property
    def accounts(self) -> list[str]:
        return list(self._accounts)

    @property
    def chain_id(self) -> int:
        return self._chain_id

    def _latest(self) -> dict[str, Any]:
        block = self._request("eth_getBlockByNumber", ["latest", False])
        return dict(block)

    @property
    def timestamp(self) -> int:
        return int(self._latest()["timestamp"], 16)

    @property
    def block_number(self) -> int:
        return int(self._request("eth_blockNumber", []), 16)

    def set_timestamp(self, timestamp: int) -> None:
        current = self.timestamp
        if timestamp < current:
            raise ChainError(f"cannot move time back from {current} to {timestamp}; "
                             "use snapshot/revert")
        self._request("evm_setNextBlockTimestamp", [timestamp])
        self._request("evm_mine", [])

    def warp(self, seconds: int) -> None:
        """Mine a block `seconds` after the latest one (``evm_setNextBlockTimestamp`` rather than
        ``evm_increaseTime``, so the result is exact and matches `EmbeddedChain`)."""
        if seconds < 0:
            raise ChainError(f"cannot warp backwards ({seconds} s); use snapshot/revert")
        self.set_timestamp(self.timestamp + seconds)

    def mine(self, blocks: int = 1) -> None:
        try:
            self._request("anvil_mine", [hex(blocks)])
        except RpcError:
            for _ in range(blocks):  # hardhat-style nodes only know evm_mine
                self._request("evm_mine", [])

    def snapshot(self) -> int:
        return int(self._request("evm_snapshot", []), 16)

    def revert(self, snapshot_id: int) -> None:
        if not self._request("evm_revert", [hex(snapshot_id)]):
            raise ChainError(f"unknown or already used snapshot id {snapshot_id}")

    def get_balance(self, address: str) -> int:
        return int(self._request("eth_getBalance", [address, "latest"]), 16)

    def set_balance(self, address: str, wei: int) -> None:
        self._request("anvil_setBalance", [address, hex(wei)])

    def get_code(self, address: str) -> bytes:
        return _unhex(self._request("eth_getCode", [address, "latest"]))

    def get_storage(self, address: str, slot: int) -> int:
        return int(self._request("eth_getStorageAt", [address, hex(slot), "latest"]), 16)

    # ---- execution ---------------------------------------------------------------------------

    def _tx(self, to: str | None, data: bytes, sender: str, value: int,
            gas: int | None) -> dict[str, Any]:
        tx: dict[str, Any] = {"from": sender, "data": _hex(data), "value": hex(value),
                              "gas": hex(gas or DEFAULT_TX_GAS)}
        if to is not None:
            tx["to"] = to
        if self._gas_price is not None:
            tx["gasPrice"] = hex(self._gas_price)
        return tx

    def call(self, to: str, data: bytes, *, sender: str | None = None, value: int = 0,
             gas: int | None = None) -> Receipt:
        tx = self._tx(to, data, sender or self.default_sender, value, gas)
        ok, out, message = self._try_call(tx, "latest")
        receipt = Receipt(ok, 0, return_data=out if ok else b"", revert_data=b"" if ok else out,
                          halt_reason=None if ok or out else message)
        return self._decorate(receipt, to)

    def _send(self, tx: dict[str, Any]) -> Receipt:
        # Run it as a call on the pending block first: a mined receipt carries neither the
        # return data nor the revert reason, and with frozen time the pending block's
        # environment is the one the transaction will see.
        ok, out, message = self._try_call(tx, "pending")
        tx_hash = self._request("eth_sendTransaction", [tx])
        raw = self._wait_receipt(tx_hash)
        success = int(raw["status"], 16) == 1
        logs = [Log(Web3.to_checksum_address(lg["address"]),
                    tuple(_unhex(t) for t in lg["topics"]), _unhex(lg["data"]))
                for lg in raw.get("logs", [])]
        address = raw.get("contractAddress")
        return Receipt(
            success,
            int(raw["gasUsed"], 16),
            logs,
            return_data=out if success and ok else b"",
            revert_data=out if not success and not ok else b"",
            contract_address=Web3.to_checksum_address(address) if success and address else None,
            tx_hash=str(tx_hash),
            halt_reason=None if success else (message or None if not ok
                                              else "failed on chain after a clean eth_call"),
        )

    def _wait_receipt(self, tx_hash: str) -> dict[str, Any]:
        deadline = time.monotonic() + self._receipt_timeout
        while True:
            raw = self._request("eth_getTransactionReceipt", [tx_hash])
            if raw is not None:
                return dict(raw)
            if time.monotonic() > deadline:
                raise RpcError(f"no receipt for {tx_hash} after {self._receipt_timeout} s; "
                               "is the node mining (automine)?")
            time.sleep(0.02)

    def transact(self, to: str, data: bytes, *, value: int = 0, sender: str | None = None,
                 gas: int | None = None) -> Receipt:
        tx = self._tx(to, data, sender or self.default_sender, value, gas)
        return self._decorate(self._send(tx), to)

    def _create(self, initcode: bytes, *, value: int, sender: str, gas: int | None) -> Receipt:
        receipt = self._send(self._tx(None, initcode, sender, value, gas))
        return self._decorate(receipt, receipt.contract_address)


class SigningRpcChain(RpcChain):
    """An `RpcChain` whose only account is a private key held here: every transaction is signed
    locally and sent with ``eth_sendRawTransaction``, so the node needs no unlocked accounts (a
    public L1 or testnet endpoint works). This is what an agent or a deploy script uses.

    A transaction that would revert is caught by the ``eth_call`` dry run on the pending block and
    returned as a failed `Receipt` without being sent (it would only burn gas).
    """

    def __init__(self, url: str, private_key: str, **kwargs: Any) -> None:
        from eth_account import Account

        try:
            self._account = Account.from_key(private_key)
        except (ValueError, TypeError) as exc:
            raise InvalidPrivateKey(f"not a valid secp256k1 private key: {exc}") from None
        super().__init__(url, **kwargs)

    @property
    def address(self) -> str:
        return str(self._account.address)

    def _request(self, method: str, params: list[Any]) -> Any:
        if method == "eth_accounts":
            return [self._account.address]
        if method == "eth_sendTransaction":
            return self._send_signed(dict(params[0]))
        return super()._request(method, params)

    def _send(self, tx: dict[str, Any]) -> Receipt:
        ok, out, message = self._try_call(tx, "pending")
        if not ok:
            return Receipt(False, 0, revert_data=out, halt_reason=message or None)
        return super()._send(tx)

    def _send_signed(self, tx: dict[str, Any]) -> str:
        sender = Web3.to_checksum_address(tx["from"])
        if sender != self._account.address:
            raise ChainError(f"this chain signs only for {self._account.address}, not {sender}")
        estimate = dict(tx)
        estimate.pop("gas", None)
        gas = int(super()._request("eth_estimateGas", [estimate]), 16)
        signed_tx: dict[str, Any] = {
            "chainId": self.chain_id,
            "nonce": int(super()._request("eth_getTransactionCount", [sender, "pending"]), 16),
            "gas": min(gas * 5 // 4 + 50_000, int(tx["gas"], 16)),
            "value": int(tx["value"], 16),
            "data": tx["data"],
        }
        if "to" in tx:
            signed_tx["to"] = Web3.to_checksum_address(tx["to"])
        if "gasPrice" in tx:
            signed_tx["gasPrice"] = int(tx["gasPrice"], 16)
        else:
            base = int(self._latest().get("baseFeePerGas", "0x0"), 16)
            try:
                tip = int(super()._request("eth_maxPriorityFeePerGas", []), 16)
            except RpcError:
                tip = 10**9
            signed_tx["maxPriorityFeePerGas"] = tip
            signed_tx["maxFeePerGas"] = 2 * base + tip
        raw = self._account.sign_transaction(signed_tx).raw_transaction
        return str(super()._request("eth_sendRawTransaction", ["0x" + bytes(raw).hex()]))
