"""A scripted dispute for the monitor tests: five games on one factory, each in a known state.

* ``bonds``: a right root, resolved, its credit left unclaimed long past every delay;
* ``expired``: a right root nobody challenged or resolved, long after its clock ran out;
* ``unchallenged``: a wrong root nobody challenged;
* ``near_clock``: a wrong root the honest challenger attacked and the liar countered, with the
  honest side's clock an hour from running out;
* ``healthy``: a right root, unchallenged, clock still running.
"""

from __future__ import annotations

from dataclasses import dataclass

from faultproof.agents.challenger import Player
from faultproof.agents.onchain import read_params
from faultproof.contracts import Contract
from faultproof.demo.dispute import DemoSettings, DemoWorld, build_world
from faultproof.monitor.watch import Thresholds

SETTINGS = DemoSettings(isa="mips32", blocks=4, bad_block=3)
NEAR = 1800
"""How long the honest side has left on the near_clock game when the scene is set."""
THRESHOLDS = Thresholds(clock_near=3600, resolve_grace=600, bond_grace=600, challenger_stale=60)


@dataclass
class Scene:
    world: DemoWorld
    bonds: Contract
    expired: Contract
    unchallenged: Contract
    near_clock: Contract
    healthy: Contract


def player(w: DemoWorld, game: Contract, honest: bool) -> Player:
    traces = w.honest_traces if honest else w.liar_traces
    accessor = traces.accessor(game, read_params(game))
    assert accessor is not None
    who = w.challenger if honest else w.proposer
    return Player("challenger" if honest else "liar", who, accessor, game, w.oracle)


def build_scene(world: DemoWorld | None = None) -> Scene:
    w = world or build_world(SETTINGS)
    cfg = w.config

    def propose(honest: bool, block: int) -> Contract:
        rollup = w.honest if honest else w.liar
        return w.system.create_game(rollup.output_root(block), block, sender=w.proposer)

    bonds = propose(True, 1)
    expired = propose(True, 2)
    w.chain.warp(cfg.max_clock_duration + 1)
    bonds.transact("resolveClaim", 0, 0, sender=w.challenger)
    bonds.transact("resolve", sender=w.challenger)
    w.chain.warp(cfg.finality_delay + cfg.withdrawal_delay + 2 * THRESHOLDS.bond_grace)

    unchallenged = propose(False, 4)
    near_clock = propose(False, 3)
    assert len(player(w, near_clock, honest=True).act()) == 1, "the challenger attacks the root"
    assert len(player(w, near_clock, honest=False).act()) == 1, "the liar counters the attack"
    healthy = propose(True, 4)
    w.chain.warp(cfg.max_clock_duration - NEAR)
    return Scene(w, bonds, expired, unchallenged, near_clock, healthy)
