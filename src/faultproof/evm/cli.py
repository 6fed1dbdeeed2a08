"""``faultproof evm``: the EVM block program against a JSON-RPC node."""

from __future__ import annotations

import sys

import click

from faultproof.cli_errors import user_errors
from faultproof.errors import FaultproofError
from faultproof.evm.program import VM_CHOICES


@click.group("evm")
def evm_cli() -> None:
    """Stateless Cancun block execution (guest/evm/): verify blocks of a node natively or in a VM."""


def _parse_tamper(pairs: tuple[str, ...]) -> dict[str, str]:
    changes: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name or not value.startswith("0x"):
            raise FaultproofError(
                f"--tamper {pair!r} is not FIELD=0xVALUE (e.g. stateRoot=0x12...; a header field "
                "by its JSON-RPC name)"
            )
        changes[name] = value
    return changes


@evm_cli.command("verify-block")
@click.option(
    "--rpc-url", required=True, help="JSON-RPC node (anvil, or any node with eth_getProof)"
)
@click.option("--block", "number", required=True, type=int, help="block number to verify (>= 1)")
@click.option("--vm", type=click.Choice(VM_CHOICES), default="native", show_default=True)
@click.option(
    "--tamper",
    multiple=True,
    metavar="FIELD=0xVALUE",
    help="claim the node's header with this field replaced (its hash recomputed); repeatable",
)
@click.option(
    "--store", type=click.Path(dir_okay=False), help="SQLite preimage store to fill/reuse"
)
@click.option("--progress/--no-progress", default=None, help="live step line for VM runs")
@click.option("--show-output", is_flag=True, help="print every line the program printed")
@user_errors
def verify_block_command(
    rpc_url: str,
    number: int,
    vm: str,
    tamper: tuple[str, ...],
    store: str | None,
    progress: bool | None,
    show_output: bool,
) -> None:
    """Check block N of a node: exit 0 if the program finds it valid on top of its parent, 1 if
    not, 2 on errors."""
    from faultproof.evm.rpc_host import connect
    from faultproof.evm.verify import verify_block
    from faultproof.preimage.store import SqliteStore

    changes = _parse_tamper(tamper)
    rpc = connect(rpc_url)
    db: SqliteStore | None = SqliteStore(store) if store else None
    try:
        check = verify_block(rpc, number, vm=vm, tamper=changes, store=db, progress=progress)
    finally:
        if db is not None:
            db.close()
    result = check.result
    echo = click.echo
    echo(f"block {check.number} 0x{check.block_hash.hex()} (chain {check.chain_id})")
    if changes:
        fields = ", ".join(f"{k}={v}" for k, v in changes.items())
        echo(f"claimed 0x{check.claimed_hash.hex()} (tampered: {fields})")
    for note in check.host.notes:
        echo(f"note: {note}")
    if show_output:
        for line in result.lines:
            echo(f"  {line}")
    else:
        for line in result.lines:
            if line.startswith(("evm: mismatch", "evm: error")) or " invalid " in line:
                echo(f"  {line}")
    where = "natively" if result.steps is None else f"in {vm}"
    steps = "" if result.steps is None else f"{result.steps:,} steps, "
    echo(
        f"ran {where}: {steps}{result.seconds:.2f} s; preimages fetched {result.preimages} "
        f"(hints {result.hints}, trie nodes stored {check.host.stats.nodes_stored}, "
        f"RPC calls {check.rpc_calls})"
    )
    if result.exit_code not in (0, 1):
        detail = "; ".join(result.errors) or f"exit code {result.exit_code}"
        echo(f"error: the program could not check the block: {detail}", err=True)
        sys.exit(2)
    verdict = result.verdict or ("valid" if result.exit_code == 0 else "invalid")
    echo(f"verdict: {verdict}")
    sys.exit(0 if result.exit_code == 0 else 1)


try:  # the state-test runner (faultproof.evm.statetest_cli) registers itself when present
    from faultproof.evm.statetest_cli import statetest_command

    evm_cli.add_command(statetest_command, "statetest")
except ImportError:  # pragma: no cover
    pass
