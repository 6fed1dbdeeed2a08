"""L2 execution (faultproof.rollup.execution): predeploys, deposits, fees and output roots,
checked against independent computations (the spec's state, keccak of ABI encodings)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_abi.abi import encode as abi_encode
from ethereum.crypto.hash import keccak256
from ethereum.forks.cancun.state import get_account, get_storage
from ethereum_types.bytes import Bytes20, Bytes32

from faultproof.evm.reference import UnsignedTx, secret_address, sign_tx, tx_bytes
from faultproof.rollup.config import (
    BlockId,
    ConfigError,
    Genesis,
    RollupConfig,
    load_config,
    save_config,
)
from faultproof.rollup.execution import (
    TRANSACTION_DEPOSITED,
    Attributes,
    DepositTx,
    InvalidBlock,
    L1Info,
    build_block,
    deposit_from_log,
    genesis_block,
    output_root,
    parse_l1_info,
)
from faultproof.rollup.genesis import (
    BASE_FEE_VAULT,
    BEACON_ROOTS,
    L1_BLOCK,
    MESSAGE_PASSER,
    genesis_alloc,
    message_slot,
)

KEY = 0xA11CE
USER = secret_address(KEY)
OTHER = b"\x22" * 20
CONFIG = RollupConfig(
    genesis=Genesis(BlockId(0, b"\x01" * 32), BlockId(0, b"\x00" * 32), 1000),
    batcher_address=b"\xba" * 20,
    deposit_contract_address=b"\xdc" * 20,
)
ORIGIN = L1Info(
    number=0, hash=b"\x01" * 32, timestamp=1000, base_fee=7, blob_base_fee=1,
    mix_hash=b"\x03" * 32, parent_beacon_root=b"\x04" * 32,
)


def _withdraw_data(target: bytes, gas: int, data: bytes) -> bytes:
    sel = keccak256(b"initiateWithdrawal(address,uint256,bytes)")[:4]
    return sel + abi_encode(["address", "uint256", "bytes"], ["0x" + target.hex(), gas, data])


def test_config_round_trips_through_json(tmp_path: Path) -> None:
    path = tmp_path / "rollup.json"
    save_config(CONFIG, path)
    assert load_config(path) == CONFIG
    doc = json.loads(path.read_text())
    assert doc["batch_inbox_address"] == "0xff00000000000000000000000000000000000901"
    doc["block_time"] = 0
    path.write_text(json.dumps(doc))
    with pytest.raises(ConfigError, match="block_time"):
        load_config(path)


def test_block_with_deposit_transfer_and_withdrawal() -> None:
    genesis, state = genesis_block(CONFIG, genesis_alloc({USER: 10**21}))
    topics = [TRANSACTION_DEPOSITED, b"\x00" * 12 + OTHER, b"\x00" * 12 + OTHER, b"\x00" * 32]
    opaque = (5 * 10**18).to_bytes(32, "big") + (10**18).to_bytes(32, "big")
    opaque += (100_000).to_bytes(8, "big") + b"\x00"
    data = (32).to_bytes(32, "big") + len(opaque).to_bytes(32, "big")
    data += opaque + b"\x00" * (-len(opaque) % 32)
    dep = deposit_from_log(topics, data, ORIGIN.hash, 3)
    assert (dep.mint, dep.value, dep.gas, dep.to) == (5 * 10**18, 10**18, 100_000, OTHER)
    assert DepositTx.decode(dep.encode()) == dep
    transfer = tx_bytes(sign_tx(UnsignedTx(nonce=0, to=b"\x33" * 20, value=1, gas_limit=21_000,
                                           max_fee_per_gas=10**10, max_priority_fee_per_gas=2),
                                KEY, 901))
    withdraw = tx_bytes(sign_tx(UnsignedTx(nonce=1, to=MESSAGE_PASSER, value=777,
                                           gas_limit=200_000, max_fee_per_gas=10**10,
                                           data=_withdraw_data(USER, 50_000, b"hi")), KEY, 901))
    attrs = Attributes(1002, ORIGIN, 0, (dep,), (transfer, withdraw))
    built = build_block(CONFIG, genesis, state, attrs, [genesis.hash])
    block, post = built.block, built.state
    assert [r.status for r in block.receipts] == [1, 1, 1, 1]
    assert block.receipts[1].deposit_nonce == 0
    # mint credited, value moved
    assert int(get_account(post, Bytes20(OTHER)).balance) == 5 * 10**18
    # L1Block holds the origin: slot 0 = number | timestamp << 64, slot 2 = hash
    slot0 = int(get_storage(post, Bytes20(L1_BLOCK), Bytes32((0).to_bytes(32, "big"))))
    assert slot0 == (ORIGIN.timestamp << 64) | ORIGIN.number
    assert bytes(get_storage(post, Bytes20(L1_BLOCK), Bytes32((2).to_bytes(32, "big"))).to_be_bytes32()) == ORIGIN.hash
    assert parse_l1_info(DepositTx.decode(block.txs[0]).data)[3] == ORIGIN.hash
    # the beacon root of the L1 origin is in the EIP-4788 contract
    ts_slot = Bytes32(((1002 % 8191) + 8191).to_bytes(32, "big"))
    assert get_storage(post, Bytes20(BEACON_ROOTS), ts_slot).to_be_bytes32() == ORIGIN.parent_beacon_root
    # the withdrawal is at OP's slot: keccak(abi.encode(hash, 0)) = 1; msgNonce at slot 1 is 1
    nonce = 1 << 240
    whash = keccak256(abi_encode(["uint256", "address", "address", "uint256", "uint256", "bytes"],
                                 [nonce, "0x" + USER.hex(), "0x" + USER.hex(), 777, 50_000, b"hi"]))
    assert int(get_storage(post, Bytes20(MESSAGE_PASSER), Bytes32(message_slot(whash)))) == 1
    assert int(get_storage(post, Bytes20(MESSAGE_PASSER), Bytes32((1).to_bytes(32, "big")))) == 1
    assert int(get_account(post, Bytes20(MESSAGE_PASSER)).balance) == 777
    # base fee to the vault
    base_fee = int(block.header.base_fee_per_gas)
    user_gas = block.receipts[2].gas_used + block.receipts[3].gas_used
    assert int(get_account(post, Bytes20(BASE_FEE_VAULT)).balance) == base_fee * user_gas
    assert len(output_root(block, post)) == 32


def test_failed_deposit_keeps_mint_and_bumps_nonce() -> None:
    genesis, state = genesis_block(CONFIG, genesis_alloc({}))
    # too little gas for the call: it runs out of gas; the mint stays, the value does not move
    dep = DepositTx(b"\x09" * 32, OTHER, MESSAGE_PASSER, 10**18, 10**17, 21_000 + 40 * 100,
                    False, _withdraw_data(OTHER, 1, b""))
    # more value than balance: a non-EVM failure, all gas used
    poor = DepositTx(b"\x0a" * 32, b"\x44" * 20, b"\x55" * 20, 0, 10**18, 50_000, False, b"")
    built = build_block(CONFIG, genesis, state, Attributes(1002, ORIGIN, 0, (dep, poor)),
                        [genesis.hash])
    r = built.block.receipts
    assert (r[1].status, r[2].status) == (0, 0)
    assert r[2].gas_used == 50_000
    acct = get_account(built.state, Bytes20(OTHER))
    assert (int(acct.balance), int(acct.nonce)) == (10**18, 1)
    assert int(get_account(built.state, Bytes20(b"\x44" * 20)).nonce) == 1


def test_invalid_batch_tx_fails_the_block_or_is_skipped() -> None:
    genesis, state = genesis_block(CONFIG, genesis_alloc({USER: 10**18}))
    bad_nonce = tx_bytes(sign_tx(UnsignedTx(nonce=5, to=OTHER, gas_limit=21_000,
                                            max_fee_per_gas=10**10), KEY, 901))
    wrong_chain = tx_bytes(sign_tx(UnsignedTx(nonce=0, to=OTHER, gas_limit=21_000,
                                              max_fee_per_gas=10**10), KEY, 1))
    for raw in (bad_nonce, wrong_chain, b"\x02\xc0", b"\x7e\xc0"):
        with pytest.raises(InvalidBlock):
            build_block(CONFIG, genesis, state, Attributes(1002, ORIGIN, 0, (), (raw,)),
                        [genesis.hash])
    built = build_block(CONFIG, genesis, state, Attributes(1002, ORIGIN, 0, (), (bad_nonce,)),
                        [genesis.hash], skip_invalid=True)
    assert len(built.block.txs) == 1 and len(built.dropped) == 1
