"""Host entry point for subprocess use: ``python -m faultproof.preimage.server --store PATH``.

Serves the preimage oracle on this process's inherited fds 3-6 (host view: 3 hint requests in,
4 acks out, 5 keys in, 6 data out), the way ``cannon run -- <host cmd>`` and `HostProcess` start
op-program in server mode. Exits 0 when the client closes both channels, 1 on an error (the
message, e.g. a `PreimageNotFound` naming the key and last hint, goes to stderr).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from faultproof.errors import FaultproofError
from faultproof.preimage.channels import HostChannels
from faultproof.preimage.host import HintRouter, LocalHost, serve
from faultproof.preimage.protocol import PreimageSource
from faultproof.preimage.store import BootInfo, SqliteStore


def run_server(
    store_path: str,
    local_pairs: Sequence[str] = (),
    source_paths: Sequence[str] = (),
    strict_hints: bool = False,
) -> None:
    """Open the stores, build a `LocalHost`, serve fds 3-6 until the client is done."""
    boot_info = BootInfo.from_pairs(local_pairs)
    sources: list[PreimageSource] = [SqliteStore(p, readonly=True) for p in source_paths]
    with SqliteStore(store_path) as store:
        router = HintRouter(store, strict=strict_hints)
        router.register_sources(sources)
        host = LocalHost(store, boot_info, sources, router)
        serve(host, HostChannels.inherited())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m faultproof.preimage.server",
        description="Serve preimages on inherited fds 3-6 (hint in/ack out/key in/data out).",
    )
    parser.add_argument("--store", required=True, help="SQLite preimage store (created if absent)")
    parser.add_argument(
        "--local",
        action="append",
        default=[],
        metavar="IDENT=0xHEX",
        help="a local (type 1) preimage, e.g. 1=0x<32-byte L1 head>; repeatable",
    )
    parser.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="PATH",
        help="read-only store that hints fetch from into --store; repeatable",
    )
    parser.add_argument("--strict-hints", action="store_true", help="fail on unknown hint types")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        run_server(args.store, args.local, args.source, args.strict_hints)
    except FaultproofError as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: cannot serve on fds 3-6: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # the VM sends SIGINT when it is done with us
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
