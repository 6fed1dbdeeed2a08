"""What the rollup costs: the whole demo story per VM, and the fault proof program on big blocks.

* **story**: wall seconds of `faultproof.rollup.demo.run_rollup_demo` per VM (anvil start, program
  build, deploys, the L2 story, both games, the challenger's bisection and step, settling,
  withdrawals), with the program's steps for the disputed block and the challenger's time from
  the dishonest game's creation to its `step` transaction;
* **blocks**: the rollup program (`guest/rollup/`) through `faultproof.rollup.host` against a
  live anvil L1 and L2 node, for one L2 block of 50 ETH transfers and one of 50 contract calls
  (``initiateWithdrawal`` on the L2ToL1MessagePasser: a call, a DELEGATECALL, two SSTOREs and a
  log each), natively and in each VM: steps, seconds, preimages.

    python bench/rollup_demo.py                  # every VM
    python bench/rollup_demo.py --vm riscv64 --only blocks

Figures (2026-12-04 18:47 UTC, 2-core dev machine shared with other sessions' tests;
`python bench/rollup_demo.py`, program ELFs already built):

| VM | story wall s | program steps (disputed block) | challenger: creation -> step s |
|---|---:|---:|---:|
| mips32 | 6.7 | 2,566,895 | 2.8 |
| riscv64 | 3.9 | 1,352,512 | 1.9 |
| riscv64c | 3.6 | 1,363,435 | 1.8 |

(story: split depth 5, max game depth 32, run at 18:54 UTC; the blocks table at 18:47.)

| L2 block (50 txs) | native s | mips32 steps / s | riscv64 steps / s | riscv64c steps / s |
|---|---:|---:|---:|---:|
| 50 ETH transfers | 0.20 | 16,080,780 / 0.46 | 8,532,032 / 0.70 | 8,690,953 / 0.58 |
| 50 contract calls | 0.15 | 34,266,536 / 0.93 | 18,508,282 / 0.53 | 18,796,606 / 0.72 |

Seconds include the host's RPC reads (the first VM run of a block also warms the host's
caches); the story's first run on a new rollup config adds the program build (~10 s per VM).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path

from eth_abi.abi import encode as abi_encode
from rich.console import Console
from rich.table import Table

from faultproof.chain.anvil import AnvilNode
from faultproof.crypto import keccak256
from faultproof.evm.reference import UnsignedTx, secret_address, sign_tx, tx_bytes
from faultproof.evm.rpc_host import JsonRpc
from faultproof.guests import rollup_program_elf
from faultproof.preimage.native import run_native
from faultproof.rollup.host import boot_for, rollup_host
from faultproof.rollup.stack import L2Stack
from faultproof.vm import get_isa

VMS = ("mips32", "riscv64", "riscv64c")
USER_KEY = 0xB0B
BATCHER_KEY = 0xBA7C4E5
PASSER = bytes.fromhex("4200000000000000000000000000000000000016")


def story(vms: Sequence[str], console: Console) -> Table:
    from faultproof.rollup.demo import RollupDemoSettings, run_rollup_demo

    table = Table(title="the demo story per VM")
    for col in ("VM", "wall s", "program steps", "challenger creation->step s", "verdicts"):
        table.add_column(col, justify="right" if col != "VM" else "left")
    for vm in vms:
        r = run_rollup_demo(RollupDemoSettings(isa=vm), Console(quiet=True))
        verdicts = f"{r.honest_status.name}/{r.dishonest_status.name}"
        table.add_row(
            vm, f"{r.seconds:.1f}", f"{r.program_steps:,}", f"{r.challenger_seconds:.1f}", verdicts
        )
        console.print(table)
    return table


def _txs(kind: str, count: int, first_nonce: int) -> list[bytes]:
    out = []
    for i in range(count):
        if kind == "transfers":
            tx = UnsignedTx(
                nonce=first_nonce + i,
                to=(0x1000 + i).to_bytes(20, "big"),
                value=1,
                gas_limit=21_000,
                max_fee_per_gas=10**10,
                max_priority_fee_per_gas=1,
            )
        else:
            data = keccak256(b"initiateWithdrawal(address,uint256,bytes)")[:4] + abi_encode(
                ["address", "uint256", "bytes"], ["0x" + "ab" * 20, 50_000, b""]
            )
            tx = UnsignedTx(
                nonce=first_nonce + i,
                to=PASSER,
                value=1,
                data=data,
                gas_limit=200_000,
                max_fee_per_gas=10**10,
                max_priority_fee_per_gas=1,
            )
        out.append(tx_bytes(sign_tx(tx, USER_KEY, 901)))
    return out


def blocks(vms: Sequence[str], count: int, console: Console) -> Table:
    table = Table(title=f"the rollup program on one L2 block of {count} txs")
    for col in ("block", "VM", "steps", "seconds", "M steps/s", "exit"):
        table.add_column(col, justify="left" if col in ("block", "VM") else "right")
    with AnvilNode(hardfork="cancun") as anvil:
        l1 = JsonRpc(anvil.url)
        l1.call("anvil_setBalance", ["0x" + secret_address(BATCHER_KEY).hex(), hex(10**21)])
        stack = L2Stack.start(
            anvil.url, b"\x00" * 19 + b"\x99", BATCHER_KEY, {secret_address(USER_KEY): 10**21}
        )
        l1.call("anvil_setBlockTimestampInterval", [6])
        try:
            l2 = JsonRpc(stack.server.url)
            numbers: dict[str, int] = {}
            nonce = 0
            for kind in ("transfers", "calls"):
                l1.call("evm_mine", [])
                stack.advance(post=False)
                for raw in _txs(kind, count, nonce):
                    stack.node.submit(raw)
                nonce += count
                l1.call("evm_mine", [])
                built = stack.advance(post=False)
                full = [b for b in built if len(b.txs) > count]
                numbers[kind] = full[0].number
            stack.batcher.post()
            l1.call("evm_mine", [])
            config_json = json.dumps(stack.config.to_json()).encode()
            for kind, number in numbers.items():
                boot = boot_for(l1, l2, number - 1, number)
                for vm in ("native", *vms):
                    elf = rollup_program_elf(config_json, "host" if vm == "native" else vm)
                    host = rollup_host(l1, l2, boot)
                    t0 = time.perf_counter()
                    if vm == "native":
                        code, _ = run_native([str(elf)], host, timeout=600)
                        steps = 0
                    else:
                        machine = get_isa(vm).load_elf(Path(elf), host=host)
                        while not machine.exited:
                            machine.run(max_steps=1 << 24)
                        code, steps = machine.exit_code, int(machine.step_count)
                    seconds = time.perf_counter() - t0
                    rate = f"{steps / seconds / 1e6:.1f}" if steps else "-"
                    table.add_row(
                        f"{kind} (L2 {number})",
                        vm,
                        f"{steps:,}" if steps else "-",
                        f"{seconds:.2f}",
                        rate,
                        str(code),
                    )
                console.print(table)
        finally:
            stack.stop()
    return table


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vm", action="append", choices=VMS, help="repeatable; default: all")
    parser.add_argument("--only", choices=("story", "blocks"))
    parser.add_argument("--txs", type=int, default=50)
    args = parser.parse_args(argv)
    vms = tuple(args.vm or VMS)
    console = Console()
    if args.only in (None, "story"):
        story(vms, console)
    if args.only in (None, "blocks"):
        blocks(vms, args.txs, console)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
