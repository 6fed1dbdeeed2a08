"""L2 user transactions executed by the C EVM program (guest/evm, native build) agree with
the L2 node's execution: same gas and status per transaction, same logs, and the same state
root once the one L2 rule the program does not know (the base fee credited to the
BaseFeeVault instead of burned) is taken out.

The program verifies Ethereum blocks, and every L2 block starts with deposits (type 0x7E),
which the C side learns later; so it runs the block's user transactions in its state-test mode
on the L2 state right after the block's deposits and beacon-root call.
"""

from __future__ import annotations

from dataclasses import replace

from eth_abi.abi import encode as abi_encode
from ethereum.crypto.hash import keccak256
from ethereum.forks.cancun.state import state_root
from ethereum_rlp import rlp
from ethereum_types.numeric import Uint

from faultproof.evm.program import run_program
from faultproof.evm.reference import (
    BlockEnv,
    UnsignedTx,
    make_state,
    post_accounts,
    reference_host,
    secret_address,
    sign_tx,
    tx_bytes,
)
from faultproof.evm.reference import (
    build_block as program_inputs,
)
from faultproof.rollup.config import BlockId, Genesis, RollupConfig
from faultproof.rollup.execution import (
    Attributes,
    DepositTx,
    L1Info,
    build_block,
    decode_raw_tx,
    genesis_block,
)
from faultproof.rollup.genesis import (
    BASE_FEE_VAULT,
    MESSAGE_PASSER,
    SEQUENCER_FEE_VAULT,
    genesis_alloc,
)

KEY = 0xC0FFEE
USER = secret_address(KEY)
CONFIG = RollupConfig(
    genesis=Genesis(BlockId(0, b"\x01" * 32), BlockId(0, b"\x00" * 32), 1000),
    batcher_address=b"\xba" * 20,
    deposit_contract_address=b"\xdc" * 20,
)
ORIGIN = L1Info(0, b"\x01" * 32, 1000, 7, 1, b"\x03" * 32, b"\x04" * 32)
# runtime: sstore(0, calldatasize); log1(0, 0, calldatasize); and init code returning it
RUNTIME = bytes.fromhex("36600055" + "3660006000a1" + "00")
INIT = bytes.fromhex("600b600c600039600b6000f3") + RUNTIME


def _sign(**kw: object) -> bytes:
    tx = UnsignedTx(max_fee_per_gas=10**10, max_priority_fee_per_gas=10**8, **kw)  # type: ignore[arg-type]
    return tx_bytes(sign_tx(tx, KEY, CONFIG.l2_chain_id))


def test_user_transactions_match_the_c_program() -> None:
    genesis, state = genesis_block(CONFIG, genesis_alloc({USER: 10**21}))
    deposit = DepositTx(b"\x05" * 32, b"\x66" * 20, b"\x66" * 20, 10**18, 0, 100_000, False, b"")
    withdraw = keccak256(b"initiateWithdrawal(address,uint256,bytes)")[:4] + abi_encode(
        ["address", "uint256", "bytes"], ["0x" + USER.hex(), 60_000, b"bye"])
    created = keccak256(rlp.encode([USER, Uint(1)]))[12:]
    txs = (
        _sign(nonce=0, to=b"\x33" * 20, value=7, gas_limit=21_000),
        _sign(nonce=1, to=None, data=INIT, gas_limit=200_000),
        _sign(nonce=2, to=MESSAGE_PASSER, value=10**15, data=withdraw, gas_limit=200_000),
        _sign(tx_type=0, nonce=3, to=b"\x34" * 20, value=1, gas_limit=30_000, gas_price=10**10),
        _sign(tx_type=1, nonce=4, to=created, data=b"\x01\x02\x03", gas_limit=60_000,
              gas_price=10**10),
    )
    attrs = Attributes(1002, ORIGIN, 0, (deposit,), txs)
    block = build_block(CONFIG, genesis, state, attrs, [genesis.hash])
    assert not block.dropped
    assert len(block.block.receipts[-1].logs) == 1
    after_deposits = build_block(CONFIG, genesis, state, replace(attrs, txs=()), [genesis.hash])

    header = block.block.header
    env = BlockEnv(
        coinbase=SEQUENCER_FEE_VAULT, number=1, timestamp=1002, gas_limit=CONFIG.gas_limit,
        base_fee=int(header.base_fee_per_gas), prev_randao=ORIGIN.mix_hash,
        chain_id=CONFIG.l2_chain_id,
    )
    pre = post_accounts(after_deposits.state)
    inputs = program_inputs(pre, env, [decode_raw_tx(t) for t in txs])
    result = run_program(reference_host(inputs), "native", timeout=120)

    user = block.block.receipts[2:]
    assert [(t.index, t.ok, t.attrs["gas_used"], t.attrs["status"]) for t in result.txs] == [
        (i, True, str(r.gas_used), str(r.status)) for i, r in enumerate(user)]
    logs = [log for r in user for log in r.logs]
    assert result.fields["logsHash"] == "0x" + keccak256(rlp.encode(logs)).hex()
    # the L2 post-state, less the base fee the program burned instead of paying the vault
    post = post_accounts(block.state)
    burned = sum(r.gas_used for r in user) * int(header.base_fee_per_gas)
    vault = post.pop(BASE_FEE_VAULT)
    assert vault.balance == burned
    assert result.fields["stateRoot"] == "0x" + bytes(state_root(make_state(post))).hex()
