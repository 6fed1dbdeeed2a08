"""The per-subgame cache of the rollup trace provider (`faultproof.rollup.traces.CachedExecutor`):
a restarted provider answers claims, the final step and step proofs from the folder without
running the VM, and resumes a new question from the newest snapshot on disk, not step 0.

The program here is a stand-in (the hashchain demo's program with its in-memory host): the
cache does not depend on which program runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from faultproof.demo.rollup import HashchainRollup, demo_batches
from faultproof.guests import guest_elf
from faultproof.rollup.traces import CachedExecutor
from faultproof.vm import FPVM, get_isa

INTERVAL = 1 << 12


def _provider(folder: Path, isa_name: str = "mips32") -> CachedExecutor:
    isa = get_isa(isa_name)
    elf = guest_elf("rollup", isa.name)
    rollup = HashchainRollup(demo_batches(3))
    store = rollup.store()
    start, disputed = rollup.output_root(1), rollup.output_root(2)

    def make_vm() -> FPVM:
        return isa.load_elf(elf, host=rollup.host(start, disputed, 2, store))

    def load(path: Path) -> FPVM:
        return isa.load_state(path, host=rollup.host(start, disputed, 2, store))

    return CachedExecutor(
        make_vm, load, 30, folder, checkpoint_interval=INTERVAL, disk_interval=INTERVAL
    )


@pytest.mark.parametrize("isa_name", ["mips32", "riscv64"])
def test_a_restarted_provider_answers_from_the_cache(tmp_path: Path, isa_name: str) -> None:
    first = _provider(tmp_path, isa_name)
    final = first.final_step()
    assert final > 2 * INTERVAL
    asked = [final // 2, final // 4, final // 4 + 7, final - 1, final + 100]
    claims = [first.state_hash_at(i) for i in asked]
    proof = first.get_step_data_at(final // 4 + 7)
    assert first.steps_run >= final

    again = _provider(tmp_path, isa_name)
    assert again.final_step() == final
    assert [again.state_hash_at(i) for i in asked] == claims
    cached = again.get_step_data_at(final // 4 + 7)
    assert (cached.prestate, cached.proof) == (proof.prestate, proof.proof)
    assert again.steps_run == 0
    assert sorted(p.name for p in tmp_path.glob("*.tmp")) == []

    # a question not asked before runs from the newest snapshot at or below it
    new_index = final // 3 + 5
    assert again.state_hash_at(new_index) == first.state_hash_at(new_index)
    assert again.steps_run <= INTERVAL


def test_a_provider_killed_mid_run_resumes_from_its_snapshots(tmp_path: Path) -> None:
    first = _provider(tmp_path)
    mid = first.state_hash_at(5 * INTERVAL + 3)  # ran about 5 intervals, then "killed"
    del first
    again = _provider(tmp_path)
    final = again.final_step()  # resumes at the snapshot of step 5*INTERVAL
    assert again.steps_run == final - 5 * INTERVAL
    assert again.state_hash_at(5 * INTERVAL + 3) == mid


def test_a_cache_of_another_program_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "meta.json").write_text('{"prestate_hash": "00", "final_step": 3}')
    provider = _provider(tmp_path)
    assert provider.final_step() > 3
