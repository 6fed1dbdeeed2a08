"""The rollup demo story: an EVM rollup on a real L1, a withdrawal that finalizes behind an
honest output, and a wrong output defeated down to one on-chain instruction step.

1. L1 is anvil (Cancun), started and stopped here. The PreimageOracle, the VM's step contract
   and the dispute system are deployed; the Portal's address is fixed first (its deployer's
   nonce 0) because the rollup config, hence the program's absolute prestate, names it.
2. The L2 stack (node + JSON-RPC, sequencer, batcher) starts at L1's head. A user deposits ETH
   through the Portal, sends an L2 transfer and initiates a withdrawal on L2; the batcher posts
   the batches to the inbox.
3. An honest proposer posts the node's output root of its safe head; a dishonest one posts an
   output whose state root credits an attacker (and whose message-passer root holds a made-up
   withdrawal to the attacker). Both withdrawals are proven on the Portal.
4. The Challenger service (`faultproof.agents.service`) with the rollup trace source
   (`faultproof.rollup.traces`) leaves the honest game alone and plays the dishonest one: the
   output bisection finds the wrong block, the rollup program runs in the game's VM against
   both nodes, and the execution bisection ends in one `step` on chain.
5. Clocks and delays pass (anvil time warps): the honest game resolves DEFENDER_WINS and its
   withdrawal finalizes; the dishonest game resolves CHALLENGER_WINS and the attacker's
   withdrawal is refused.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from faultproof.agents.challenger import Player
from faultproof.agents.onchain import read_params
from faultproof.agents.proposer import Proposer
from faultproof.agents.service import Challenger, ChallengerStore, PollReport
from faultproof.chain import Chain
from faultproof.chain.errors import ContractReverted
from faultproof.contracts import Contract, load_contract
from faultproof.contracts.dispute import DisputeConfig, DisputeSystem, deploy_dispute_system
from faultproof.contracts.rollup import (
    DEPOSIT_SELECTOR,
    MESSAGE_PASSER,
    OutputRootProof,
    WithdrawalTransaction,
    deploy_portal,
    trie_proof,
    withdrawal_slot,
)
from faultproof.crypto import keccak256
from faultproof.demo.dispute import ForgedTrace
from faultproof.evm import mpt, rlp
from faultproof.evm.reference import UnsignedTx, secret_address, sign_tx, tx_bytes
from faultproof.evm.rpc_host import JsonRpc
from faultproof.game.types import GameStatus
from faultproof.rollup.traces import RollupOutputs, RollupTraceSource
from faultproof.rollup.withdrawal import Withdrawal, message_nonce, prove
from faultproof.trace.executor import ExecutorTraceProvider
from faultproof.trace.provider import TraceProvider
from faultproof.vm import ISA, get_isa

ETHER = 10**18
FUNDING = 1_000 * ETHER
USER_KEY = 0xA11CE
"""The L2 user (deposits to, transacts and withdraws from this key's address)."""
BATCHER_KEY = 0xBA7C4E5
SPLIT_DEPTH = 5
"""Output bisection over 32 L2 blocks (the story's L2 chain has about 15; checked)."""
BOTTOM_DEPTH = {"mips32": 25, "riscv64": 25, "riscv64c": 25}
"""Execution bisection depth: 2^depth above the program's steps for one block, and
``SPLIT_DEPTH + 1 + depth`` even: the leaves at the maximum depth are then the proposer's
claims, so defeating a wrong root ends in the challenger's `step` on chain."""
L1_BLOCK_TIME = 6
WITHDRAWN = ETHER // 10
STOLEN = ETHER


@dataclass
class RollupDemoSettings:
    isa: str = "mips32"
    lie_fraction: float = 0.5
    """Where in the disputed block's execution trace the liar starts forging (0..1)."""
    crash_challenger: bool = False
    """Restart the challenger (a fresh object, nothing in memory) before every poll: it resumes
    from its store, the chain and its per-game trace cache."""
    data_dir: Path | None = None
    """The challenger's store and trace caches (default: a temporary folder)."""
    tree_dir: Path | None = None
    """Where the game pictures go (default: ``faultproof-rollup-demo`` in the temp dir)."""
    l2_transfers: int = 1


@dataclass
class RollupDemoResult:
    honest_status: GameStatus = GameStatus.IN_PROGRESS
    dishonest_status: GameStatus = GameStatus.IN_PROGRESS
    withdrawal_finalized: bool = False
    attacker_refused: str = ""
    """The Portal's error name for the attacker's finalization (empty if it went through)."""
    claimed_block: int = 0
    program_steps: int = 0
    challenger_seconds: float = 0.0
    """From the dishonest game's creation to the challenger's step transaction."""
    seconds: float = 0.0
    pictures: list[Path] = field(default_factory=list)
    bonds: dict[str, int] = field(default_factory=dict)
    """Net balance change (wei) of the honest proposer and the challenger."""
    restarts: int = 0

    @property
    def ok(self) -> bool:
        """The story ended as it should: honest output stood and paid out, the wrong one fell
        and its withdrawal was refused (the CLI's exit 0)."""
        return (
            self.honest_status == GameStatus.DEFENDER_WINS
            and self.dishonest_status == GameStatus.CHALLENGER_WINS
            and self.withdrawal_finalized
            and bool(self.attacker_refused)
        )


@dataclass
class RollupL1:
    """The rollup's L1 contracts (what `deploy_rollup_l1` deployed)."""

    oracle: Contract
    vm_contract: Contract
    cfg: DisputeConfig
    system: DisputeSystem
    portal: Contract


def deploy_rollup_l1(
    chain: Chain,
    isa: ISA,
    prestate: bytes,
    anchor_root: bytes,
    l2_chain_id: int,
    *,
    owner: str,
    portal_deployer: str,
) -> RollupL1:
    """The story's L1 contracts: PreimageOracle, the VM's step contract, the dispute system
    (split depth `SPLIT_DEPTH`, anchored at L2 block 0) and the Portal, deployed by
    ``portal_deployer`` (whose next nonce the rollup config's Portal address must match).
    Shared with the agents' command-line test (tests/rollup/test_rollup_agents_cli.py)."""
    oracle = chain.deploy_contract(load_contract("oracle/PreimageOracle.vy"), 0, 0)
    vm_contract = chain.deploy_contract(
        load_contract(f"step/{isa.step_contract}.vy"), oracle.address
    )
    max_depth = SPLIT_DEPTH + 1 + BOTTOM_DEPTH[isa.name]
    max_depth += max_depth % 2  # the proposer's claims at the leaves (see BOTTOM_DEPTH)
    cfg = DisputeConfig(
        game_type=isa.game_type,
        absolute_prestate=prestate,
        max_game_depth=max_depth,
        split_depth=SPLIT_DEPTH,
        anchor_root=anchor_root,
        anchor_block=0,
        challenge_period=0,
        l2_chain_id=l2_chain_id,
    )
    system = deploy_dispute_system(chain, cfg, vm=vm_contract.address, owner=owner)
    portal = deploy_portal(
        chain,
        system.factory.address,
        respected_game_type=isa.game_type,
        proof_maturity_delay=7 * 24 * 3600,
        finality_delay=cfg.finality_delay,
        sender=portal_deployer,
    )
    return RollupL1(oracle, vm_contract, cfg, system, portal)


def create_address(sender: str, nonce: int) -> str:
    """The CREATE address of ``sender``'s transaction with ``nonce``."""
    raw = keccak256(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:]
    return "0x" + raw.hex()


def _calldata(selector_sig: bytes, types: list[str], values: list[object]) -> bytes:
    from eth_abi.abi import encode as abi_encode

    return keccak256(selector_sig)[:4] + abi_encode(types, values)


def run_rollup_demo(
    settings: RollupDemoSettings | None = None, console: Console | None = None
) -> RollupDemoResult:
    """The whole story on a fresh anvil; returns what happened (statuses, withdrawals, times)."""
    from faultproof.chain.anvil import AnvilNode
    from faultproof.chain.rpc import RpcChain
    from faultproof.guests import rollup_program_elf
    from faultproof.rollup.stack import L2Stack

    s = settings or RollupDemoSettings()
    console = console or Console()
    result = RollupDemoResult()
    t0 = time.monotonic()
    isa = get_isa(s.isa)
    console.rule(
        f"[bold]faultproof rollup demo[/bold]: an EVM rollup proven end to end ({isa.name})"
    )
    with (
        AnvilNode(hardfork="cancun") as anvil,
        tempfile.TemporaryDirectory(prefix="faultproof-rollup-demo-") as tmp,
    ):
        data_dir = s.data_dir or Path(tmp)
        chain = RpcChain(anvil.url)
        l1 = JsonRpc(anvil.url)
        deployer, proposer, challenger, liar, alice, portal_deployer = chain.accounts[:6]
        for who in (proposer, challenger, liar):
            chain.set_balance(who, FUNDING)
        console.print(f"L1: anvil (Cancun) at {anvil.url}")
        nonce = int(l1.call("eth_getTransactionCount", [portal_deployer, "latest"]), 16)
        portal_address = create_address(portal_deployer, nonce)
        l1.call("anvil_setBalance", ["0x" + secret_address(BATCHER_KEY).hex(), hex(FUNDING)])

        # -- L2 and the program (its config names the Portal)
        stack = L2Stack.start(anvil.url, bytes.fromhex(portal_address[2:]), BATCHER_KEY, {})
        try:
            config_json = json.dumps(stack.config.to_json()).encode()
            with console.status(f"building the rollup program for {isa.name}"):
                elf = rollup_program_elf(config_json, isa.name)
            prestate = isa.load_elf(elf).state_hash()
            l2_url = stack.server.url
            outputs = RollupOutputs(l2_url)
            console.print(
                f"L2: node at {l2_url}, chain {stack.config.l2_chain_id}, genesis at L1 block "
                f"{stack.config.genesis.l1.number}; program {elf.name}, absolute prestate "
                f"0x{prestate.hex()[:16]}…"
            )

            # -- L1 contracts
            l1c = deploy_rollup_l1(
                chain, isa, prestate, outputs.output_root(0), stack.config.l2_chain_id,
                owner=deployer, portal_deployer=portal_deployer,
            )  # fmt: skip
            oracle, vm_contract, cfg, system, portal = (
                l1c.oracle, l1c.vm_contract, l1c.cfg, l1c.system, l1c.portal
            )  # fmt: skip
            assert portal.address.lower() == portal_address.lower()
            console.print(
                f"deployed: {isa.step_contract} {vm_contract.address}, factory "
                f"{system.factory.address}, Portal {portal.address}"
            )

            # -- the user's story on L2 (L1 time moves from here on; before, every block had
            # the genesis timestamp, so the L2 chain stays short)
            l1.call("anvil_setBlockTimestampInterval", [L1_BLOCK_TIME])
            user = secret_address(USER_KEY)
            deposit = _calldata(
                b"depositTransaction(address,uint256,uint64,bool,bytes)",
                ["address", "uint256", "uint64", "bool", "bytes"],
                ["0x" + user.hex(), 2 * ETHER, 100_000, False, b""],  # mint to alice, sent on
            )
            assert deposit[:4] == DEPOSIT_SELECTOR
            _l1_tx(l1, alice, portal.address, deposit, 2 * ETHER)
            for _ in range(20):  # until the sequencer adopts the deposit's L1 block
                chain.warp(L1_BLOCK_TIME)
                stack.advance(post=False)
                if stack.node.balance(user, stack.node.head.number) > 0:
                    break
            console.print(f"L1: {alice} deposited 2 ETH to L2 user 0x{user.hex()}")
            recipient = alice
            txs = [
                UnsignedTx(nonce=i, to=b"\x77" * 20, value=1000 + i, gas_limit=21_000,
                           max_fee_per_gas=10**10, max_priority_fee_per_gas=10**8)
                for i in range(s.l2_transfers)
            ]  # fmt: skip
            wd_call = _calldata(
                b"initiateWithdrawal(address,uint256,bytes)",
                ["address", "uint256", "bytes"],
                [recipient, 50_000, b""],
            )
            txs.append(
                UnsignedTx(nonce=len(txs), to=bytes.fromhex(MESSAGE_PASSER[2:]), value=WITHDRAWN,
                           data=wd_call, gas_limit=200_000, max_fee_per_gas=10**10,
                           max_priority_fee_per_gas=10**8)
            )  # fmt: skip
            for tx in txs:
                stack.node.submit(tx_bytes(sign_tx(tx, USER_KEY, stack.config.l2_chain_id)))
            withdrawal = Withdrawal(
                message_nonce(0), user, bytes.fromhex(recipient[2:]), WITHDRAWN, 50_000, b""
            )
            passer = bytes.fromhex(MESSAGE_PASSER[2:])
            for _ in range(20):
                chain.warp(L1_BLOCK_TIME)
                stack.advance(post=False)
                top = stack.node.head.number
                if stack.node.storage(passer, withdrawal_slot(withdrawal.hash), top) == 1:
                    break
            stack.batcher.post()
            chain.warp(L1_BLOCK_TIME)
            head = stack.node.safe_number
            console.print(
                f"L2: {s.l2_transfers} transfer(s) and initiateWithdrawal of 0.1 ETH to "
                f"{recipient}; batches posted; safe head {head}"
            )
            result.claimed_block = head
            if head > 1 << SPLIT_DEPTH:
                raise RuntimeError(
                    f"the L2 safe head {head} is past the games' {1 << SPLIT_DEPTH} output leaves"
                )
            if stack.node.storage(passer, withdrawal_slot(withdrawal.hash), head) != 1:
                raise RuntimeError("the L2 did not record the withdrawal")

            # -- proposals
            honest_game = Proposer(system.factory, proposer, outputs, cfg.game_type).poll()
            assert honest_game is not None, "the honest proposer proposes the safe head"
            honest_index = int(system.factory.call("gameCount")) - 1
            proof = prove(stack.node, withdrawal, head)
            wd = WithdrawalTransaction(
                withdrawal.nonce, "0x" + user.hex(), recipient, WITHDRAWN, 50_000, b""
            )
            out_proof = OutputRootProof(
                proof.state_root, proof.message_passer_storage_root, proof.block_hash
            )
            portal.transact(
                "proveWithdrawalTransaction", wd.as_tuple(), honest_index, out_proof.as_tuple(),
                proof.storage_proof, sender=recipient,
            )  # fmt: skip
            console.print(
                f"honest proposer: block {head} output 0x{outputs.output_root(head).hex()[:16]}… "
                f"game {honest_game.address}; the withdrawal is proven against it"
            )

            attacker_wd = WithdrawalTransaction(
                message_nonce(7), "0x" + user.hex(), liar, STOLEN, 50_000, b""
            )
            fake_storage = mpt.secure_trie({withdrawal_slot(attacker_wd.hash()): rlp.encode(1)})
            fake_state = keccak256(b"a state where the attacker is credited" + proof.state_root)
            fake_proof = OutputRootProof(fake_state, fake_storage.root, proof.block_hash)

            def lie(block: int, real: bytes) -> bytes:
                return fake_proof.root() if block >= head else real

            liar_outputs = RollupOutputs(l2_url, lie=lie)
            t_created = time.monotonic()
            bad_game = Proposer(system.factory, liar, liar_outputs, cfg.game_type).poll()
            assert bad_game is not None
            bad_index = int(system.factory.call("gameCount")) - 1
            portal.transact(
                "proveWithdrawalTransaction", attacker_wd.as_tuple(), bad_index,
                fake_proof.as_tuple(),
                trie_proof(fake_storage, fake_storage.root,
                           keccak256(withdrawal_slot(attacker_wd.hash()))),
                sender=liar,
            )  # fmt: skip
            console.print(
                f"dishonest proposer: block {head} output 0x{fake_proof.root().hex()[:16]}… "
                f"(a state root crediting the attacker) game {bad_game.address}; the attacker "
                f"proves a {STOLEN // ETHER} ETH withdrawal against it"
            )

            # -- the dispute
            honest_traces = RollupTraceSource(l1, l2_url, isa, elf, data_dir / "games")

            def forge(real: ExecutorTraceProvider) -> TraceProvider:
                return ForgedTrace(real, max(0, int(real.final_step() * s.lie_fraction)))

            liar_traces = RollupTraceSource(
                l1, l2_url, isa, elf, None, outputs=liar_outputs.output_root, wrap=forge
            )
            liar_accessor = liar_traces.accessor(bad_game, read_params(bad_game))
            assert liar_accessor is not None
            liar_player = Player("liar", liar, liar_accessor, bad_game, oracle)
            store_path = data_dir / "challenger.json"

            def start() -> Challenger:
                traces = honest_traces.fresh()
                traces.on_run = lambda what: console.print(
                    f"  running the rollup program in {isa.name} for {what}"
                )
                traces.progress = honest_traces.progress  # (fresh() copies it too)
                return Challenger(
                    system.factory, oracle, challenger, traces,
                    ChallengerStore.open(store_path), [cfg.game_type],
                    claimants=[proposer],
                )  # fmt: skip

            rounds = 0
            with console.status("the challenger plays") as status:

                def show(steps: int) -> None:
                    status.update(f"running the rollup program in {isa.name}: {steps:,} steps")

                honest_traces.progress = show
                service = start()
                while True:
                    rounds += 1
                    if s.crash_challenger:
                        service = start()
                        result.restarts += 1
                    report: PollReport = service.poll(
                        max_transactions=1 if s.crash_challenger else None
                    )
                    if report.steps and not result.challenger_seconds:
                        result.challenger_seconds = time.monotonic() - t_created
                    acts = liar_player.act()
                    status.update(
                        f"round {rounds}: challenger {report.moves} moves/{report.steps} steps, "
                        f"liar {len(acts)} moves"
                    )
                    chain.warp(60)
                    if not report.moves + report.steps + len(acts):
                        break
            for ex in honest_traces.executors:
                result.program_steps = max(result.program_steps, ex.final_step())
            console.print(
                f"bisection over after {rounds} rounds: {bad_game.call('claimDataLen')} claims "
                f"down to one {isa.name} instruction, executed on chain by the "
                f"{isa.step_contract} step contract {result.challenger_seconds:.1f}s after the "
                f"game was created (program: {result.program_steps:,} steps for block {head})"
            )
            honest_traces.progress = None
            for wait in (cfg.max_clock_duration, cfg.finality_delay, cfg.withdrawal_delay):
                chain.warp(wait + 1)
                while service.poll().transactions:
                    pass
            for game in (honest_game, bad_game):
                if GameStatus(game.call("status")) == GameStatus.IN_PROGRESS:
                    _resolve(game)
            result.honest_status = GameStatus(honest_game.call("status"))
            result.dishonest_status = GameStatus(bad_game.call("status"))
            console.print(f"honest game {honest_game.address}: {result.honest_status.name}")
            console.print(f"dishonest game {bad_game.address}: {result.dishonest_status.name}")

            # -- withdrawals
            chain.warp(max(7 * 24 * 3600, cfg.finality_delay) + 1)
            before = chain.get_balance(recipient)
            try:  # by the account that proved it (OptimismPortal2 keys proofs by submitter)
                receipt = portal.transact(
                    "finalizeWithdrawalTransaction", wd.as_tuple(), sender=recipient
                )
                done = portal.events(receipt, "WithdrawalFinalized")
                result.withdrawal_finalized = bool(done and done[0].args["success"])
                result.withdrawal_finalized &= chain.get_balance(recipient) >= before
            except ContractReverted as exc:
                console.print(f"[red]the honest withdrawal was refused: {exc.error_name}[/red]")
            if result.withdrawal_finalized:
                console.print(f"[green]withdrawal finalized[/green]: {recipient} received 0.1 ETH")
            try:
                portal.transact(
                    "finalizeWithdrawalTransaction", attacker_wd.as_tuple(), sender=liar
                )
                console.print("[red]the attacker's withdrawal went through[/red]")
            except ContractReverted as exc:
                result.attacker_refused = exc.error_name or "reverted"
                console.print(
                    f"[green]attacker's withdrawal refused[/green]: {result.attacker_refused}"
                )
            for name, who in (
                ("honest proposer", proposer),
                ("challenger", challenger),
                ("liar", liar),
            ):
                result.bonds[name] = chain.get_balance(who) - FUNDING
            console.print(
                "bonds (net ETH): "
                + ", ".join(f"{name} {wei / ETHER:+.4f}" for name, wei in result.bonds.items())
            )

            from faultproof.monitor.picture import write_game_pictures

            tree_dir = s.tree_dir or Path(tempfile.gettempdir()) / "faultproof-rollup-demo"
            for game in (honest_game, bad_game):
                try:
                    picture = write_game_pictures(
                        game, tree_dir / f"game-{game.address}.svg", outputs, honest_traces.fresh()
                    )
                    result.pictures.append(picture)
                    console.print(f"game tree: {picture}", soft_wrap=True)
                except Exception as exc:
                    console.print(f"(no picture for {game.address}: {exc})")
        finally:
            stack.stop()
    result.seconds = time.monotonic() - t0
    console.print(f"done in {result.seconds:.1f}s")
    return result


def _l1_tx(l1: JsonRpc, sender: str, to: str, data: bytes, value: int) -> None:
    from faultproof.rollup.batcher import wait_receipt

    tx_hash = l1.call(
        "eth_sendTransaction",
        [{"from": sender, "to": to, "data": "0x" + data.hex(), "value": hex(value),
          "gas": hex(500_000)}],
    )  # fmt: skip
    receipt = wait_receipt(l1, tx_hash)
    assert receipt["status"] == "0x1", receipt


def _resolve(game: Contract) -> None:
    """Resolve what the service left (a game nobody played: its root claim only)."""
    count = int(game.call("claimDataLen"))
    for index in reversed(range(count)):
        with contextlib.suppress(ContractReverted):
            game.transact("resolveClaim", index, 0)
    game.transact("resolve")


__all__ = [
    "RollupDemoResult",
    "RollupDemoSettings",
    "RollupL1",
    "deploy_rollup_l1",
    "run_rollup_demo",
]
