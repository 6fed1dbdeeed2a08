"""``faultproof preimage ...`` commands (the main CLI mounts `preimage_cli`).

- ``store-put``: add a keccak256 or sha256 preimage (hex or file) to a store; prints its key.
- ``store-get``: print a stored preimage (hex, or raw bytes with ``--raw``).
- ``key``: compute a key without touching a store (keccak256, sha256, local).
- ``serve``: serve a store on inherited fds 3-6, like the server module.
"""

from __future__ import annotations

import sys

import click

from faultproof.errors import FaultproofError
from faultproof.preimage.keys import keccak256_key, local_key, sha256_key
from faultproof.preimage.server import run_server
from faultproof.preimage.store import SqliteStore


def _hex_arg(text: str, what: str) -> bytes:
    try:
        return bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise click.BadParameter(f"{what} {text!r} is not hex") from None


def _data(hex_data: str | None, file: str | None) -> bytes:
    if (hex_data is None) == (file is None):
        raise click.UsageError("give exactly one of --hex or --file")
    if file is not None:
        with open(file, "rb") as f:
            return f.read()
    assert hex_data is not None
    return _hex_arg(hex_data, "--hex")


@click.group("preimage")
def preimage_cli() -> None:
    """Preimage oracle: stores, keys and the host server."""


@preimage_cli.command("store-put")
@click.option("--store", "store_path", required=True, type=click.Path(dir_okay=False))
@click.option("--type", "kind", type=click.Choice(["keccak256", "sha256"]), default="keccak256")
@click.option("--hex", "hex_data", help="the preimage as hex")
@click.option("--file", type=click.Path(exists=True, dir_okay=False), help="the preimage file")
def store_put(store_path: str, kind: str, hex_data: str | None, file: str | None) -> None:
    """Verify and add one preimage; prints its key."""
    data = _data(hex_data, file)
    try:
        with SqliteStore(store_path) as store:
            key = store.put_keccak256(data) if kind == "keccak256" else store.put_sha256(data)
    except FaultproofError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"0x{key.hex()}")


@preimage_cli.command("store-get")
@click.option("--store", "store_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--raw", is_flag=True, help="write the bytes instead of hex")
@click.argument("key")
def store_get(store_path: str, raw: bool, key: str) -> None:
    """Print the preimage of KEY (0x-prefixed, 32 bytes)."""
    key_bytes = _hex_arg(key, "key")
    try:
        with SqliteStore(store_path, readonly=True) as store:
            value = store.get(key_bytes)
    except FaultproofError as exc:
        raise click.ClickException(str(exc)) from None
    if raw:
        sys.stdout.buffer.write(value)
        sys.stdout.buffer.flush()
    else:
        click.echo(f"0x{value.hex()}")


@preimage_cli.command("key")
@click.option("--type", "kind", type=click.Choice(["keccak256", "sha256", "local"]), required=True)
@click.option("--hex", "hex_data", help="the preimage as hex (keccak256/sha256)")
@click.option("--file", type=click.Path(exists=True, dir_okay=False))
@click.option("--ident", type=int, help="local key ident (local)")
def key_cmd(kind: str, hex_data: str | None, file: str | None, ident: int | None) -> None:
    """Compute a preimage key."""
    try:
        if kind == "local":
            if ident is None:
                raise click.UsageError("--type local needs --ident")
            key = local_key(ident)
        else:
            data = _data(hex_data, file)
            key = keccak256_key(data) if kind == "keccak256" else sha256_key(data)
    except FaultproofError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"0x{key.hex()}")


@preimage_cli.command("serve")
@click.option("--store", "store_path", required=True, type=click.Path(dir_okay=False))
@click.option("--local", "local_pairs", multiple=True, metavar="IDENT=0xHEX")
@click.option("--source", "sources", multiple=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--strict-hints", is_flag=True)
def serve_cmd(
    store_path: str, local_pairs: tuple[str, ...], sources: tuple[str, ...], strict_hints: bool
) -> None:
    """Serve STORE on inherited fds 3-6 (hint in, ack out, key in, data out)."""
    try:
        run_server(store_path, local_pairs, sources, strict_hints)
    except FaultproofError as exc:
        raise click.ClickException(f"{type(exc).__name__}: {exc}") from None
