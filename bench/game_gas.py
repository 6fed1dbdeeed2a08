"""Gas used by the Vyper dispute contracts for each game action, as a rich table.

Runs one full game on the embedded chain (pyrevm, Cancun): the factory creates a game (an
EIP-1167 clone of the game implementation carrying its arguments, then `initialize`), both
sides bisect down to a step, the honest side steps, every subgame resolves, the game closes and
pays out through DelayedWETH. Two configurations: the small test tree (max depth 4, split 2)
and mainnet's (73 / 30), where only the first moves are played (the costs per move do not
depend on the depth except for the exec-root check and the bond math). Then, per real VM
(MIPS32, RISCV64), the cost of registering it as a game type and of one on-chain `step`.
The "blueprint" column is the same run before games became clones (commit 61bda2e, when
`create` deployed a full copy of the game); step rows through a real VM also move with the
step contracts, so their "blueprint" figures are only a reference.

    python bench/game_gas.py
"""

from __future__ import annotations

from collections import defaultdict

from rich.console import Console
from rich.table import Table

from faultproof.chain import EmbeddedChain
from faultproof.contracts.dispute import (
    DisputeConfig,
    alphabet_claim,
    alphabet_state,
    artifact,
    deploy_dispute_system,
)
from faultproof.crypto import keccak256
from faultproof.game.bonds import required_bond_at_depth

#: The same actions when each game was a full blueprint copy (commit 61bda2e, 2026-12-04).
BLUEPRINT_ERA: dict[str, int] = {
    "factory.create (clone + initialize)": 3_793_769,
    "move: attack (output bisection)": 214_900,
    "move: attack (exec sub-game root)": 206_687,
    "move: attack (exec bisection)": 201_975,
    "addLocalData (mock oracle)": 144_508,
    "step (AlphabetVM)": 65_044,
    "resolveClaim (leaf)": 71_854,
    "resolveClaim (1 child)": 94_186,
    "resolve": 64_946,
    "claimCredit #1 (closeGame + unlock)": 134_876,
    "claimCredit #2 (withdraw + send)": 33_982,
    "factory.create (73/30 tree)": 3_793_781,
    "move at mainnet depths 1-5 (73/30 tree)": 202_784,
    "getRequiredBond(depth 73) as tx": 27_028,
    "register a VM: FDG implementation deploy": 3_707_604,
    "register a VM: setImplementation + setInitBond": 319_655,
    "step (MIPS32, first instruction of hello)": 137_373,
    "step (RISCV64, first instruction of hello)": 197_732,
}


def out(block: int, honest: bool = True) -> bytes:
    return keccak256(f"{honest} output {block}".encode())


def small_game(samples: dict[str, list[int]]) -> int:
    """Play the small game; returns the size of the game's (clone's) runtime code."""
    chain = EmbeddedChain()
    system = deploy_dispute_system(chain, DisputeConfig())
    proposer, challenger = chain.accounts[1], chain.accounts[2]

    def bond(d: int) -> int:
        return required_bond_at_depth(d, 4)

    f = system.factory
    r = f.transact("create", 255, out(4, False), (4).to_bytes(32, "big"),
                   value=system.config.init_bond, sender=proposer)
    samples["factory.create (clone + initialize)"].append(r.gas_used)
    game = chain.at(f.events(r, "DisputeGameCreated")[0].args["disputeProxy"],
                    artifact("FaultDisputeGame"))
    clone_size = len(chain.get_code(game.address))
    root = out(4, False)
    moves = [
        (root, 0, out(2), challenger, 1, "attack (output bisection)"),
        (out(2), 1, out(1, False), proposer, 2, "attack (output bisection)"),
        (out(1, False), 2, alphabet_claim(2, 1), challenger, 3, "attack (exec sub-game root)"),
        (alphabet_claim(2, 1), 3, alphabet_claim(99), proposer, 4, "attack (exec bisection)"),
    ]
    for disputed, idx, claim, who, depth, label in moves:
        r = game.transact("attack", disputed, idx, claim, value=bond(depth), sender=who)
        samples[f"move: {label}"].append(r.gas_used)
    r = game.transact("addLocalData", 2, 4, 0, sender=challenger)
    samples["addLocalData (mock oracle)"].append(r.gas_used)
    r = game.transact("step", 4, True, alphabet_state(0), b"", sender=challenger)
    samples["step (AlphabetVM)"].append(r.gas_used)
    chain.warp(system.config.max_clock_duration + 1)
    for i in reversed(range(5)):
        r = game.transact("resolveClaim", i, 0)
        samples["resolveClaim (leaf)" if i == 4 else "resolveClaim (1 child)"].append(r.gas_used)
    r = game.transact("resolve")
    samples["resolve"].append(r.gas_used)
    chain.warp(system.config.finality_delay + 1)
    r = game.transact("claimCredit", challenger)
    samples["claimCredit #1 (closeGame + unlock)"].append(r.gas_used)
    chain.warp(system.config.withdrawal_delay)
    r = game.transact("claimCredit", challenger)
    samples["claimCredit #2 (withdraw + send)"].append(r.gas_used)
    return clone_size


def mainnet_depth_moves(samples: dict[str, list[int]]) -> None:
    chain = EmbeddedChain()
    system = deploy_dispute_system(chain, DisputeConfig(max_game_depth=73, split_depth=30))
    r = system.factory.transact("create", 255, out(100), (100).to_bytes(32, "big"),
                                value=system.config.init_bond)
    samples["factory.create (73/30 tree)"].append(r.gas_used)
    game = chain.at(system.factory.events(r, "DisputeGameCreated")[0].args["disputeProxy"],
                    artifact("FaultDisputeGame"))
    claim, idx = out(100), 0
    for depth in range(1, 6):
        new = keccak256(bytes([depth]))
        r = game.transact("attack", claim, idx, new, value=required_bond_at_depth(depth, 73))
        samples["move at mainnet depths 1-5 (73/30 tree)"].append(r.gas_used)
        claim, idx = new, depth
    r = game.transact("getRequiredBond", 1 << 73)  # view run as a tx, for its cost
    samples["getRequiredBond(depth 73) as tx"].append(r.gas_used)


def real_vm_steps(samples: dict[str, list[int]], isa_name: str) -> None:
    """`FaultDisputeGame.step` through a real step contract, first instruction of `hello`.

    The game type is registered with `deploy_game_type` (the `faultproof deploy` path), whose
    gas for registering a VM is recorded too.
    """
    from faultproof.contracts.deploy import GameTypeParams, SystemParams, deploy_game_type
    from faultproof.game.types import VMStatus, with_status
    from faultproof.guests import guest_elf
    from faultproof.vm import get_isa

    isa = get_isa(isa_name)
    vm = isa.load_elf(guest_elf("hello", isa_name))
    prestate = vm.state_hash()
    w = vm.step(proof=True)
    assert w is not None
    chain = EmbeddedChain()
    first = deploy_game_type(chain, GameTypeParams(9000, isa_name, prestate, 6, 2),
                             system=SystemParams(anchor_root=keccak256(b"anchor")))
    d = deploy_game_type(chain, GameTypeParams(isa.game_type, isa_name, prestate, 6, 2),
                         factory=first.dispute_game_factory, template_game_type=9000)
    samples[f"register a VM in a factory: {isa.step_contract} deploy"].append(
        d.gas_used[isa.step_contract])
    samples["register a VM: FDG implementation deploy"].append(
        d.gas_used["FaultDisputeGame blueprint"])
    samples["register a VM: setImplementation + setInitBond"].append(
        d.gas_used["setImplementation"] + d.gas_used["setInitBond"])
    chain.warp(1)
    f = chain.at(d.dispute_game_factory, artifact("DisputeGameFactory"))
    r = f.transact("create", isa.game_type, out(4, False), (4).to_bytes(32, "big"),
                   value=d.init_bond)
    game = chain.at(f.events(r, "DisputeGameCreated")[0].args["disputeProxy"],
                    artifact("FaultDisputeGame"))
    claims = [out(4, False), out(2), out(1, False), with_status(keccak256(b"x"), VMStatus.INVALID),
              keccak256(b"4"), keccak256(b"5"), keccak256(b"wrong post state")]
    for depth in range(1, 7):
        game.transact("attack", claims[depth - 1], depth - 1, claims[depth],
                      value=required_bond_at_depth(depth, 6))
    r = game.transact("step", 6, True, w.state, w.proof)
    samples[f"step ({isa.step_contract}, first instruction of hello)"].append(r.gas_used)


def main() -> None:
    samples: dict[str, list[int]] = defaultdict(list)
    clone_size = small_game(samples)
    mainnet_depth_moves(samples)
    for isa_name in ("mips32", "riscv64"):
        real_vm_steps(samples, isa_name)
    table = Table(title="Vyper dispute game gas (tx gas incl. 21k intrinsic, pyrevm Cancun)")
    for col in ("action", "calls", "min", "avg", "max", "blueprint avg"):
        table.add_column(col, justify="left" if col == "action" else "right")
    for name, values in samples.items():
        before = BLUEPRINT_ERA.get(name)
        table.add_row(name, str(len(values)), f"{min(values):,}",
                      f"{sum(values) // len(values):,}", f"{max(values):,}",
                      "" if before is None else f"{before:,}")
    sizes = Table(title="Runtime code size (EIP-170 limit 24,576 bytes)")
    sizes.add_column("contract")
    sizes.add_column("runtime", justify="right")
    sizes.add_column("initcode", justify="right")
    for name in ("FaultDisputeGame", "DisputeGameFactory", "AnchorStateRegistry", "DelayedWETH"):
        a = artifact(name)
        label = "FaultDisputeGame (implementation)" if name == "FaultDisputeGame" else name
        sizes.add_row(label, f"{a.runtime_size:,}", f"{a.initcode_size:,}")
    sizes.add_row("FaultDisputeGame clone (each game)", f"{clone_size:,}",
                  f"{clone_size + 10:,}")
    console = Console(width=140)
    console.print(table)
    console.print(sizes)


if __name__ == "__main__":
    main()
