"""What one EVM block costs the fault proof program (guest/evm/), natively and in each VM.

Three blocks on one pre-state that is big enough for the tries to be honest (by default 10,000
funded accounts and an ERC-20-like token contract with 10,000 holders, so account and
storage proofs are 4-5 nodes deep):

* **eth**: 100 ETH transfers (type 2, 21,000 gas each) from 100 senders to 100 other accounts;
* **token**: 100 token transfers (two SSTOREs and a LOG3 each) by 100 holders to 100 others;
* **loop**: one transaction running a ~10M-gas arithmetic loop (MUL, ADD, GT, JUMPI).

Each block is built with `faultproof.evm.reference.build_block` (the execution specs run it
first, so the claimed header carries the real roots) and checked by the program in verify-block
mode, which must answer "valid". Tables:

* **per block**: steps, wall seconds, steps per transaction, preimages and trie nodes fetched,
  steps per trie node, per VM and natively (native: seconds only);
* **where the steps go**: the pc is sampled every ``--sample`` steps during a separate run in
  ``--profile`` VMs and mapped to its function symbol, then to the source file that defines
  it and so to a group (keccak, trie, rlp, u256, interpreter, state, transactions/sender
  recovery, oracle I/O, memcpy/memset/heap, other); the hottest symbols follow. Functions the
  compiler inlined count for their caller.

    python bench/evm_block.py                        # default sizes, every VM (a few minutes)
    python bench/evm_block.py --quick                # 1,000 accounts, 20 txs, 1M gas
    python bench/evm_block.py --vm mips32 --block eth --profile mips32
"""

from __future__ import annotations

import argparse
import io
import random
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ethereum.forks.cancun.transactions import Transaction
from rich.console import Console
from rich.table import Table

from faultproof.crypto import keccak256
from faultproof.evm.program import MODE_VERIFY_BLOCK, VM_CHOICES, ProgramResult, run_program
from faultproof.evm.reference import (
    AccountState,
    BlockEnv,
    BlockInputs,
    UnsignedTx,
    build_block,
    reference_host,
    secret_address,
    sign_tx,
)
from faultproof.guests import GUEST_DIR, guest_elf
from faultproof.preimage.host import LocalHost
from faultproof.vm import get_isa
from faultproof.vm.elf import parse_elf

VMS = ("mips32", "riscv64", "riscv64c")
BLOCKS = ("eth", "token", "loop")
CHAIN_ID = 1
BASE_FEE = 7
TOKEN = bytes.fromhex("70" * 19 + "01")
TRANSFER_TOPIC = keccak256(b"Transfer(address,address,uint256)")
FIRST_KEY = 0x1000
"""Senders' secret keys are FIRST_KEY, FIRST_KEY + 1, ...: deterministic, so are the blocks."""


# --- the contracts (hand-assembled: a few opcodes, no compiler needed) -----------------------

OP = {"STOP": 0x00, "ADD": 0x01, "MUL": 0x02, "SUB": 0x03, "LT": 0x10, "GT": 0x11,
      "SHA3": 0x20, "CALLER": 0x33, "CALLDATALOAD": 0x35, "POP": 0x50, "MSTORE": 0x52,
      "SLOAD": 0x54, "SSTORE": 0x55, "JUMPI": 0x57, "JUMPDEST": 0x5B, "DUP1": 0x80,
      "DUP2": 0x81, "DUP3": 0x82, "SWAP1": 0x90, "LOG3": 0xA3, "REVERT": 0xFD}  # fmt: skip


def asm(*items: str | int | bytes) -> bytes:
    """Opcodes by name; an int or bytes is pushed with the shortest PUSH that holds it."""
    out = bytearray()
    for item in items:
        if isinstance(item, str):
            out.append(OP[item])
            continue
        data = (
            item
            if isinstance(item, bytes)
            else item.to_bytes(max(1, -(-item.bit_length() // 8)), "big")
        )
        out.append(0x5F + len(data))
        out += data
    return bytes(out)


def token_code() -> bytes:
    """transfer(to, amount) of an ERC-20 (the selector is not checked): balances in the mapping
    at slot 0 (``keccak(pad(holder) ‖ pad(0))``), a revert when the sender has too little, and
    the ERC-20 Transfer event."""
    head = asm(
        "CALLER", 0, "MSTORE", 0, 32, "MSTORE", 64, 0, "SHA3",  # from_slot
        "DUP1", "SLOAD", 0x24, "CALLDATALOAD",  # from_slot, balance, amount
        "DUP1", "DUP3", "LT",
    )  # fmt: skip
    tail = asm(
        "JUMPI", "SWAP1", "SUB", "SWAP1", "SSTORE",  # balance - amount
        4, "CALLDATALOAD", 0, "MSTORE", 64, 0, "SHA3",  # to_slot
        "DUP1", "SLOAD", 0x24, "CALLDATALOAD", "ADD", "SWAP1", "SSTORE",
        0x24, "CALLDATALOAD", 0, "MSTORE",
        4, "CALLDATALOAD", "CALLER", TRANSFER_TOPIC, 32, 0, "LOG3", "STOP",
    )  # fmt: skip
    revert_at = len(head) + 3 + len(tail)  # head, PUSH2 target, tail
    return head + asm(revert_at.to_bytes(2, "big")) + tail + asm("JUMPDEST", 0, "DUP1", "REVERT")


def loop_code(iterations: int) -> bytes:
    """acc = acc * 3 + i for i < iterations (49 gas an iteration), then store acc in slot 0."""
    body = asm("JUMPDEST", "SWAP1", 3, "MUL", "DUP2", "ADD", "SWAP1", 1, "ADD",
               "DUP1", iterations.to_bytes(4, "big"), "GT", 4, "JUMPI")  # fmt: skip
    code = asm(0, 0) + body + asm("POP", 0, "SSTORE", "STOP")
    assert code[4] == OP["JUMPDEST"]
    return code


LOOP_GAS_PER_ITERATION = 49
LOOP_CONTRACT = bytes.fromhex("70" * 19 + "02")


def holder_slot(holder: bytes) -> int:
    return int.from_bytes(keccak256(holder.rjust(32, b"\0") + b"\0" * 32), "big")


# --- the pre-state and the blocks ----------------------------------------------------------


@dataclass
class World:
    pre: dict[bytes, AccountState]
    senders: list[tuple[int, bytes]]  # (secret key, address)
    others: list[bytes]


def make_world(accounts: int, holders: int, senders: int, loop_iterations: int) -> World:
    """``accounts`` funded accounts (the first ``senders`` with known keys), the token with
    ``holders`` holders (senders included) and the loop contract."""
    rng = random.Random(14)
    keyed = [(FIRST_KEY + i, secret_address(FIRST_KEY + i)) for i in range(senders)]
    others = [rng.randbytes(20) for _ in range(accounts - senders)]
    pre = {addr: AccountState(nonce=0, balance=10**21) for _, addr in keyed}
    for addr in others:
        pre[addr] = AccountState(nonce=rng.randrange(5), balance=rng.randrange(1, 10**20))
    token_holders = [addr for _, addr in keyed] + others[: max(0, holders - senders)]
    storage = {holder_slot(h): rng.randrange(10**6, 10**12) for h in token_holders}
    pre[TOKEN] = AccountState(nonce=1, code=token_code(), storage=storage)
    pre[LOOP_CONTRACT] = AccountState(nonce=1, code=loop_code(loop_iterations))
    return World(pre, keyed, others)


def eip1559(key: int, to: bytes, gas: int, value: int = 0, data: bytes = b"") -> Transaction:
    tx = UnsignedTx(2, nonce=0, gas_limit=gas, to=to, value=value, data=data,
                    max_fee_per_gas=BASE_FEE + 3, max_priority_fee_per_gas=2)  # fmt: skip
    return sign_tx(tx, key, CHAIN_ID)


def block_txs(world: World, block: str, txs: int, loop_gas: int) -> list[Transaction]:
    rng = random.Random(block)
    if block == "loop":
        return [eip1559(world.senders[0][0], LOOP_CONTRACT, loop_gas + 100_000)]
    out = []
    for key, _ in world.senders[:txs]:
        to = rng.choice(world.others)
        if block == "eth":
            out.append(eip1559(key, to, 21_000, value=rng.randrange(1, 10**15)))
        else:
            data = bytes.fromhex("a9059cbb") + to.rjust(32, b"\0") + (1000).to_bytes(32, "big")
            out.append(eip1559(key, TOKEN, 100_000, data=data))
    return out


def build(world: World, block: str, txs: int, loop_gas: int) -> BlockInputs:
    env = BlockEnv(number=1000, timestamp=12_000, base_fee=BASE_FEE, chain_id=CHAIN_ID,
                   gas_limit=30_000_000)  # fmt: skip
    inputs = build_block(world.pre, env, block_txs(world, block, txs, loop_gas),
                         mode=MODE_VERIFY_BLOCK)  # fmt: skip
    ref = inputs.reference
    assert ref is not None
    bad = [t for t in ref.txs if not t.valid or not t.status]
    if bad:
        raise SystemExit(
            f"block {block}: the spec rejected or reverted tx {bad[0].index}: {bad[0].error}"
        )
    return inputs


# --- running and profiling --------------------------------------------------------------------


def run(inputs: BlockInputs, vm: str) -> tuple[ProgramResult, int]:
    """One run; also how many keccak permutations checking the preimages took."""
    host = CountingHost(inputs)
    result = run_program(host, vm, progress=False)
    if not result.valid:
        tail = "\n".join(result.lines[-8:])
        raise SystemExit(
            f"{vm}: the program did not find the block valid (exit {result.exit_code}):\n{tail}"
        )
    return result, host.keccak_blocks


GROUPS: tuple[tuple[str, str], ...] = (
    ("keccak", r"^lib/keccak\.c$"),
    ("trie", r"^evm/trie\.c$"),
    ("rlp", r"^evm/rlp\.c$"),
    ("u256", r"^evm/u256\.c$"),
    ("interpreter", r"^evm/vm/"),
    ("state", r"^evm/state\.c$"),
    ("transactions (decode, sender)", r"^evm/transactions\.c$"),
    ("oracle I/O", r"^(evm/oracle\.c|lib/preimage\.c)$"),
    ("memcpy/memset/heap", r"^rt/rt\.c$"),
)
IO_SYMBOLS = {"rt_read", "rt_write", "rt_read_full", "rt_write_all", "sys_read", "sys_write"}
"""rt.c's file-descriptor helpers: in these programs they only move hints and preimages."""

_ATTRIBUTE = re.compile(r"__attribute__\(\(.*?\)\)\s*")
_MACRO_DEFINED = re.compile(r"^[A-Z][A-Z0-9_]*\(\s*([a-z_]\w*)\s*,")
_DEFINITION = re.compile(r"^[A-Za-z_][\w \*]*?\b([A-Za-z_]\w*)\s*\(")
_LABEL = re.compile(r"^([A-Za-z_]\w*):")


def symbol_files() -> dict[str, str]:
    """Function name -> defining source file (relative to guest/), found by scanning the
    sources (definitions at column 0, functions a macro defines, assembly labels): the ELF's
    file symbols do not say which file a global function came from."""
    found: dict[str, str] = {}
    for path in sorted(GUEST_DIR.glob("**/*.[cS]")):
        rel = path.relative_to(GUEST_DIR).as_posix()
        if rel.startswith(("build/", "evm/tests/", "programs/", "go/")):
            continue
        for line in path.read_text(errors="replace").splitlines():
            line = _ATTRIBUTE.sub("", line)
            m = _MACRO_DEFINED.match(line) or _LABEL.match(line)
            if m is None and (not line.rstrip().endswith(";") or "{" in line):
                m = _DEFINITION.match(line)
            if m and not line.startswith(("return", "else", "typedef", "static const")):
                found.setdefault(m.group(1), rel)
    return found


def group_of(symbol: str, files: dict[str, str]) -> str:
    if symbol in IO_SYMBOLS:
        return "oracle I/O"
    rel = files.get(symbol, "")
    for name, pattern in GROUPS:
        if re.search(pattern, rel):
            return name
    return "other"


class Functions:
    """pc -> function symbol (STT_FUNC only, so file and section symbols never win)."""

    def __init__(self, elf: Path) -> None:
        import bisect

        syms = sorted((s.value, s.size, s.name) for s in parse_elf(elf.read_bytes()).symbols
                      if s.kind == 2)  # fmt: skip
        self._bisect = bisect.bisect_right
        self._starts = [s[0] for s in syms]
        self._syms = syms
        self.symbols = syms

    def lookup(self, pc: int) -> str:
        i = self._bisect(self._starts, pc) - 1
        if i < 0:
            return "?"
        start, size, name = self._syms[i]
        return name if not size or pc < start + size else "?"


LEAF_HELPERS = {"memcpy", "memset", "memmove", "memcmp"}
"""Leaf functions whose callers are also counted (from the return-address register)."""
RA_REGISTER = {"mips32": 31, "riscv64": 1, "riscv64c": 1}


@dataclass
class Profile:
    functions: Counter[str]
    helper_callers: Counter[str]  # "memcpy <- caller"


def profile(inputs: BlockInputs, vm_name: str, every: int) -> Profile:
    """Samples of the pc every ``every`` steps of a whole run, counted per function; inside a
    leaf memory helper, also its caller (the return address: a leaf never changes it)."""
    elf = guest_elf("evm", vm_name)
    functions = Functions(elf)
    vm = get_isa(vm_name).load_elf(str(elf), host=reference_host(inputs), stdout=io.BytesIO(),
                                   stderr=io.BytesIO())  # fmt: skip
    regs = getattr(vm, "regs", None)
    ra = RA_REGISTER[vm_name]
    pcs: Counter[int] = Counter()
    callers: Counter[tuple[int, int]] = Counter()
    leaf_ranges = [(s, s + z) for s, z, n in functions.symbols if n in LEAF_HELPERS]
    while not vm.exited:
        vm.run(max_steps=every)
        pc = int(vm.pc)
        pcs[pc] += 1
        if regs is not None and any(lo <= pc < hi for lo, hi in leaf_ranges):
            callers[(pc, int(regs[ra]))] += 1
    out = Profile(Counter(), Counter())
    for pc, n in pcs.items():
        out.functions[functions.lookup(pc)] += n
    for (pc, ret), n in callers.items():
        out.helper_callers[f"{functions.lookup(pc)} <- {functions.lookup(ret)}"] += n
    return out


class CountingHost(LocalHost):
    """A `LocalHost` that also records the length of every keccak-keyed preimage it serves:
    the program hashes each of them once to check it, ``len // 136 + 1`` permutations."""

    def __init__(self, inputs: BlockInputs) -> None:
        base = reference_host(inputs)
        super().__init__(store=base.store, boot_info=base.boot_info, router=base.router)
        self.keccak_blocks = 0

    def get_preimage(self, key: bytes) -> bytes:
        value = super().get_preimage(key)
        if key[0] == 2:
            self.keccak_blocks += len(value) // 136 + 1
        return value


# --- tables ---------------------------------------------------------------------------------


def block_table(results: dict[tuple[str, str], tuple[ProgramResult, int]],
                blocks: Sequence[str], vms: Sequence[str]) -> Table:  # fmt: skip
    table = Table(title="EVM blocks: the program in verify-block mode (verdict valid)")
    for col in ("block", "where", "txs", "steps", "wall s", "M steps/s", "steps/tx",
                "preimages", "keccak blocks checking them", "trie nodes",
                "steps/trie node"):  # fmt: skip
        table.add_column(col, justify="left" if col in ("block", "where") else "right")
    for block in blocks:
        for vm in vms:
            if (block, vm) not in results:
                continue
            r, keccak_blocks = results[(block, vm)]
            txs = len(r.txs)
            nodes = r.stats.get("trie_nodes", 0)
            steps = r.steps
            table.add_row(
                block, vm, str(txs),
                f"{steps:,}" if steps else "-",
                f"{r.seconds:.2f}",
                f"{steps / r.seconds / 1e6:.1f}" if steps and r.seconds else "-",
                f"{steps // txs:,}" if steps and txs else "-",
                f"{r.stats.get('preimages', r.preimages):,}",
                f"{keccak_blocks:,}",
                f"{nodes:,}",
                f"{steps // nodes:,}" if steps and nodes else "-",
            )  # fmt: skip
    return table


def profile_table(title: str, prof: Profile, files: dict[str, str], top: int) -> Table:
    samples = prof.functions
    total = sum(samples.values()) or 1
    groups: Counter[str] = Counter()
    for symbol, n in samples.items():
        groups[group_of(symbol, files)] += n
    table = Table(title=title)
    table.add_column("group / symbol")
    table.add_column("share", justify="right")
    table.add_column("samples", justify="right")
    for name, n in groups.most_common():
        table.add_row(name, f"{100 * n / total:.1f}%", f"{n:,}")
    table.add_section()
    for symbol, n in samples.most_common(top):
        table.add_row(
            f"  {symbol} ({group_of(symbol, files)})", f"{100 * n / total:.1f}%", f"{n:,}"
        )
    table.add_section()
    for pair, n in prof.helper_callers.most_common(max(3, top // 2)):
        table.add_row(f"  {pair}", f"{100 * n / total:.1f}%", f"{n:,}")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=10_000, help="funded accounts")
    parser.add_argument("--holders", type=int, default=10_000, help="token holders")
    parser.add_argument("--txs", type=int, default=100, help="transactions per transfer block")
    parser.add_argument("--loop-gas", type=int, default=10_000_000, help="gas of the loop block")
    parser.add_argument("--block", choices=BLOCKS, action="append", help="blocks to run")
    parser.add_argument("--vm", choices=VM_CHOICES, action="append", help="where to run")
    parser.add_argument("--profile", choices=VMS, action="append",
                        help="VMs to sample the pc in (default mips32; 'none' via --sample 0)")  # fmt: skip
    parser.add_argument("--sample", type=int, default=997, help="steps between pc samples")
    parser.add_argument("--top", type=int, default=12, help="hottest symbols to list")
    parser.add_argument("--quick", action="store_true", help="1,000 accounts, 20 txs, 1M gas")
    args = parser.parse_args()
    if args.quick:
        args.accounts, args.holders, args.txs, args.loop_gas = 1_000, 1_000, 20, 1_000_000
    if not 0 < args.txs <= args.accounts // 2:
        parser.error("--txs must be between 1 and half of --accounts")
    blocks = args.block or list(BLOCKS)
    vms = args.vm or ["native", *VMS]
    profiled = [] if args.sample <= 0 else (args.profile or ["mips32"])
    console = Console(width=200)

    t0 = time.monotonic()
    iterations = (args.loop_gas - 21_000) // LOOP_GAS_PER_ITERATION
    world = make_world(args.accounts, args.holders, args.txs, iterations)
    console.print(f"pre-state: {len(world.pre):,} accounts, token with "
                  f"{len(world.pre[TOKEN].storage):,} holders ({time.monotonic() - t0:.1f} s)")  # fmt: skip
    for vm in dict.fromkeys([*vms, *profiled]):
        guest_elf("evm", "host" if vm == "native" else vm)
        if vm != "native":  # numba's compile or cache load, not the block's time
            get_isa(vm).load_elf(str(guest_elf("hello", vm)), stdout=io.BytesIO()).run()
    results: dict[tuple[str, str], tuple[ProgramResult, int]] = {}
    samples: dict[tuple[str, str], Profile] = {}
    for block in blocks:
        t0 = time.monotonic()
        inputs = build(world, block, args.txs, args.loop_gas)
        assert inputs.reference is not None
        console.print(f"block {block}: built and run by the spec in {time.monotonic() - t0:.1f} s "
                      f"(gas used {inputs.reference.gas_used:,})")  # fmt: skip
        for vm in vms:
            results[(block, vm)] = run(inputs, vm)
            got = results[(block, vm)][0].fields.get("stateRoot")
            assert got == "0x" + inputs.reference.state_root.hex(), (vm, got)
        for vm in profiled:
            samples[(block, vm)] = profile(inputs, vm, args.sample)
    console.print(block_table(results, blocks, vms))
    files = symbol_files()
    for (block, vm), counted in samples.items():
        title = f"where the steps go: {block} block in {vm} (a pc sample every {args.sample} steps)"
        console.print(profile_table(title, counted, files, args.top))


if __name__ == "__main__":
    main()
