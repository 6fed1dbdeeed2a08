"""`SigningRpcChain`: transactions signed locally with a private key, for nodes without unlocked
accounts (what an agent or a deploy script uses against a real network)."""

from __future__ import annotations

import pytest

from faultproof.chain import Chain, ContractReverted, InvalidPrivateKey
from faultproof.chain.rpc import SigningRpcChain
from faultproof.contracts import load_contract


@pytest.mark.anvil
def test_signed_transactions_deploy_transfer_and_refuse_reverts(anvil_chain: Chain) -> None:
    from eth_account import Account

    key = Account.create()
    anvil_chain.set_balance(key.address, 10**20)
    signed = SigningRpcChain(anvil_chain.url, key.key.hex(), freeze_time=False)  # type: ignore[attr-defined]
    assert signed.accounts == [key.address] and signed.address == key.address
    oracle = signed.deploy_contract(load_contract("oracle/PreimageOracle.vy"), 0, 0)
    assert oracle.call("minProposalSize") == 0
    nonce = anvil_chain.web3.eth.get_transaction_count(key.address)  # type: ignore[attr-defined]
    # A reverting transaction is caught by the dry run and never sent: the nonce does not move.
    with pytest.raises(ContractReverted) as err:
        oracle.transact("loadKeccak256PreimagePart", 100, b"short")
    assert err.value.error_name == "PartOffsetOOB"
    assert anvil_chain.web3.eth.get_transaction_count(key.address) == nonce  # type: ignore[attr-defined]
    oracle.transact("loadKeccak256PreimagePart", 0, b"hello")
    assert anvil_chain.web3.eth.get_transaction_count(key.address) == nonce + 1  # type: ignore[attr-defined]


@pytest.mark.anvil
def test_a_bad_private_key_is_a_named_error(anvil_chain: Chain) -> None:
    with pytest.raises(InvalidPrivateKey):
        SigningRpcChain(anvil_chain.url, "0x1234")  # type: ignore[attr-defined]
