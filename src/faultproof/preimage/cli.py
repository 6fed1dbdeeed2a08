"""``faultproof preimage ...`` commands (the main CLI mounts `preimage_cli`).

- ``store-put``: add a keccak256 or sha256 preimage (hex or file) to a store; prints its key.
- ``store-get``: print a stored preimage (hex, or raw bytes with ``--raw``).
- ``key``: compute a key without touching a store (keccak256, sha256, local).
- ``serve``: serve a store on inherited fds 3-6, like the server module.

`run_native_command` is the top-level ``faultproof run-native`` (the main CLI mounts it): a guest
compiled for the host machine, run as a plain process against a Python host on its fds 3-6.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

import click

from faultproof.cli_errors import DURATION, user_errors
from faultproof.errors import FaultproofError
from faultproof.preimage.host import HintRouter, LocalHost
from faultproof.preimage.keys import keccak256_key, local_key, sha256_key
from faultproof.preimage.native import run_native
from faultproof.preimage.protocol import PreimageSource
from faultproof.preimage.server import run_server
from faultproof.preimage.store import BootInfo, MemoryStore, PreimageStore, SqliteStore


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


def _key_arg(text: str) -> bytes:
    key = _hex_arg(text, "key")
    if len(key) != 32:
        raise click.BadParameter(f"key {text!r} is {len(key)} bytes; a preimage key is 32 bytes")
    return key


def _lock_timeout_option(fn: Any) -> Any:
    return click.option(
        "--lock-timeout",
        type=DURATION,
        default="30s",
        show_default=True,
        help="how long to wait for a store another process is writing (e.g. 30s, 5m)",
    )(fn)


@click.group("preimage")
def preimage_cli() -> None:
    """Preimage oracle: stores, keys and the host server."""


@preimage_cli.command("store-put")
@click.option("--store", "store_path", required=True, type=click.Path(dir_okay=False))
@click.option("--type", "kind", type=click.Choice(["keccak256", "sha256"]), default="keccak256")
@click.option("--hex", "hex_data", help="the preimage as hex")
@click.option("--file", type=click.Path(exists=True, dir_okay=False), help="the preimage file")
@_lock_timeout_option
@user_errors
def store_put(
    store_path: str, kind: str, hex_data: str | None, file: str | None, lock_timeout: float
) -> None:
    """Verify and add one preimage; prints its key."""
    data = _data(hex_data, file)
    with SqliteStore(store_path, timeout=lock_timeout) as store:
        key = store.put_keccak256(data) if kind == "keccak256" else store.put_sha256(data)
    click.echo(f"0x{key.hex()}")


@preimage_cli.command("store-get")
@click.option("--store", "store_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--raw", is_flag=True, help="write the bytes instead of hex")
@click.argument("key")
@_lock_timeout_option
@user_errors
def store_get(store_path: str, raw: bool, key: str, lock_timeout: float) -> None:
    """Print the preimage of KEY (0x-prefixed, 32 bytes)."""
    key_bytes = _key_arg(key)
    with SqliteStore(store_path, readonly=True, timeout=lock_timeout) as store:
        value = store.get(key_bytes)
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
@user_errors
def key_cmd(kind: str, hex_data: str | None, file: str | None, ident: int | None) -> None:
    """Compute a preimage key."""
    if kind == "local":
        if ident is None:
            raise click.UsageError("--type local needs --ident")
        key = local_key(ident)
    else:
        data = _data(hex_data, file)
        key = keccak256_key(data) if kind == "keccak256" else sha256_key(data)
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
        click.echo(f"error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(2)


@contextlib.contextmanager
def _open_store(store_path: str | None, lock_timeout: float) -> Iterator[PreimageStore]:
    if store_path is None:
        yield MemoryStore()
        return
    with SqliteStore(store_path, timeout=lock_timeout) as store:
        yield store


def _stdout_fd() -> int | None:
    """Our real stdout fd, so the guest writes to it directly; None when stdout is not a file
    (e.g. click's test runner), then the guest's output is captured and echoed."""
    try:
        sys.stdout.flush()
        return sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return None


@click.command("run-native", context_settings={"allow_interspersed_args": False})
@click.option(
    "--store",
    "store_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="SQLite preimage store (created if absent); default: an in-memory store",
)
@click.option(
    "--local-data",
    "--local",
    "local_pairs",
    multiple=True,
    metavar="IDENT=0xHEX",
    help="a local (type 1) preimage, e.g. 1=0x<32 bytes>; repeatable",
)
@click.option(
    "--source",
    "sources",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="read-only store that hints fetch from into --store; repeatable",
)
@click.option(
    "--preimage",
    "preimage_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="add this file's bytes as a keccak256 preimage before the run; repeatable",
)
@click.option("--strict-hints", is_flag=True, help="fail on hint types without a handler")
@click.option(
    "--timeout",
    type=DURATION,
    default=None,
    help="kill the guest after this long, e.g. 90s or 5m (default: no limit)",
)
@_lock_timeout_option
@click.argument("guest_argv", nargs=-1, required=True, type=click.UNPROCESSED)
def run_native_command(
    store_path: str | None,
    local_pairs: tuple[str, ...],
    sources: tuple[str, ...],
    preimage_files: tuple[str, ...],
    strict_hints: bool,
    timeout: float | None,
    lock_timeout: float,
    guest_argv: tuple[str, ...],
) -> None:
    """Run a natively compiled guest with its fds 3-6 served by a Python host.

    faultproof run-native [OPTIONS] -- GUEST [ARGS...], e.g. GUEST =
    guest/build/host/preimage.elf.

    The guest's stdout and exit code pass through. A host error (a missing preimage names the
    key and the last hint) is one line on stderr and exit code 2.
    """
    argv = list(guest_argv)
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        raise click.UsageError("give the guest command after --")
    try:
        boot_info = BootInfo.from_pairs(local_pairs)
        with contextlib.ExitStack() as stack:
            source_stores: list[PreimageSource] = [
                stack.enter_context(SqliteStore(p, readonly=True, timeout=lock_timeout))
                for p in sources
            ]
            store = stack.enter_context(_open_store(store_path, lock_timeout))
            for path in preimage_files:
                with open(path, "rb") as f:
                    store.put_keccak256(f.read())
            router = HintRouter(store, strict=strict_hints)
            router.register_sources(source_stores)
            host = LocalHost(store, boot_info, source_stores, router)
            fd = _stdout_fd()
            code, stdout = run_native(argv, host, timeout=timeout, stdin=None, stdout_fd=fd)
    except FaultproofError as exc:
        click.echo(f"error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(2)
    if stdout:
        click.echo(stdout, nl=False)
    sys.exit(code if code >= 0 else 128 - code)

