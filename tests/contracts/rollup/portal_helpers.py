"""Shared scene for the Portal tests: dispute contracts, a portal, funded deposits, and L2
outputs whose message passer storage holds chosen withdrawals."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from faultproof.chain import Chain, ContractReverted
from faultproof.contracts.binding import Contract
from faultproof.contracts.dispute import DisputeConfig, DisputeSystem, deploy_dispute_system
from faultproof.contracts.rollup import (
    OutputRootProof,
    WithdrawalTransaction,
    artifact,
    deploy_portal,
    message_passer_storage,
    withdrawal_proof,
)
from faultproof.crypto import keccak256
from faultproof.evm import mpt

IN_PROGRESS, CHALLENGER_WINS, DEFENDER_WINS = 0, 1, 2
PROOF_MATURITY = 1_000
FINALITY_DELAY = 500
L2_BLOCK = 4
MSG_NONCE_SLOT = (1).to_bytes(32, "big")


def reverts_with(name: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> ContractReverted:
    """Run `fn` and assert it reverts with the named (emulated custom) error."""
    with pytest.raises(ContractReverted) as info:
        fn(*args, **kwargs)
    assert info.value.error_name == name, str(info.value)
    return info.value


@dataclass
class Output:
    """One L2 output: its withdrawals, the passer's storage trie, and the game claiming it."""

    withdrawals: list[WithdrawalTransaction]
    trie: mpt.BuiltTrie
    proof: OutputRootProof
    game: Contract
    index: int

    def wd_proof(self, wd: WithdrawalTransaction) -> list[bytes]:
        return withdrawal_proof(self.trie, wd.hash())


@dataclass
class Scene:
    chain: Chain
    system: DisputeSystem
    portal: Contract
    probe: Contract
    guardian: str
    users: list[str] = field(default_factory=list)
    _nonce: int = 0

    @property
    def cfg(self) -> DisputeConfig:
        return self.system.config

    def withdrawal(self, target: str, value: int = 0, gas_limit: int = 100_000,
                   data: bytes = b"", sender: str | None = None) -> WithdrawalTransaction:
        """A withdrawal as the L2 message passer would number it (version 1 nonce)."""
        self._nonce += 1
        return WithdrawalTransaction((1 << 240) | self._nonce, sender or self.users[0], target,
                                     value, gas_limit, data)

    def post_output(self, withdrawals: Sequence[WithdrawalTransaction], *, tag: bytes = b"",
                    claimed_root: bytes | None = None, proposer: str | None = None) -> Output:
        """Build the passer trie (plus a few unrelated withdrawals), the output root, and a game
        claiming it (or `claimed_root`)."""
        others = [keccak256(b"other withdrawal" + tag + bytes([i])) for i in range(5)]
        trie = message_passer_storage([w.hash() for w in withdrawals] + others,
                                      {MSG_NONCE_SLOT: len(withdrawals) + 5})
        proof = OutputRootProof(keccak256(b"state" + tag), trie.root, keccak256(b"block" + tag))
        root = proof.root() if claimed_root is None else claimed_root
        game = self.system.create_game(root, L2_BLOCK, sender=proposer or self.users[2])
        index = int(self.system.factory.call("gameCount")) - 1
        return Output(list(withdrawals), trie, proof, game, index)

    def prove(self, out: Output, wd: WithdrawalTransaction, sender: str | None = None,
              proof: list[bytes] | None = None) -> Any:
        return self.portal.transact(
            "proveWithdrawalTransaction", wd.as_tuple(), out.index, out.proof.as_tuple(),
            out.wd_proof(wd) if proof is None else proof, sender=sender or self.users[0])

    def finalize(self, wd: WithdrawalTransaction, sender: str | None = None,
                 gas: int | None = None) -> Any:
        return self.portal.transact("finalizeWithdrawalTransaction", wd.as_tuple(),
                                    sender=sender or self.users[0], gas=gas)

    def resolve_defender(self, out: Output) -> None:
        """Nobody challenges: the root stands once its clock runs out."""
        self.chain.warp(self.cfg.max_clock_duration + 1)
        out.game.transact("resolveClaim", 0, 0)
        out.game.transact("resolve")
        assert out.game.call("status") == DEFENDER_WINS

    def resolve_challenger(self, out: Output) -> None:
        """One uncountered attack on the root: the challenger wins."""
        root = out.game.call("rootClaim")
        out.game.transact("attack", root, 0, keccak256(b"counter"),
                          value=self.system.required_bond(1), sender=self.users[3])
        self.chain.warp(self.cfg.max_clock_duration + 1)
        out.game.transact("resolveClaim", 1, 0)
        out.game.transact("resolveClaim", 0, 0)
        out.game.transact("resolve")
        assert out.game.call("status") == CHALLENGER_WINS

    def mature(self) -> None:
        """Past both the proof maturity delay and the finality air-gap."""
        self.chain.warp(max(PROOF_MATURITY, FINALITY_DELAY) + 1)


def make_scene(chain: Chain, deposit_wei: int = 50 * 10**18) -> Scene:
    """Dispute system (AlphabetVM game type 255), a portal holding `deposit_wei` of deposits,
    a probe contract; guardian is account 1, users accounts 2.."""
    accounts = chain.accounts
    guardian = accounts[1]
    system = deploy_dispute_system(chain, DisputeConfig())
    portal = deploy_portal(chain, system.factory.address, system.anchor_state_registry.address,
                           None, PROOF_MATURITY, FINALITY_DELAY, guardian)
    probe = chain.deploy_contract(artifact("PortalProbe"), portal.address)
    users = [accounts[2], accounts[3], accounts[4], accounts[5]]
    portal.transact("depositTransaction", users[0], 0, 100_000, False, b"",
                    value=deposit_wei, sender=users[0])
    chain.warp(1)
    return Scene(chain, system, portal, probe, guardian, users)
