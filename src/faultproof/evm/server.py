"""The EVM program's host as a subprocess: ``python -m faultproof.evm.server --rpc-url URL
--block N [--tamper FIELD=0xVALUE]... [--store PATH]``.

It serves the oracle on inherited fds 3-6, like ``op-program --server``, so the program runs in
a VM through ``faultproof run --input state.json -- python -m faultproof.evm.server ...``: boot
keys for block N (parent hash, claimed hash, chain ID) and every hint from the node. With
``--store`` the preimages are kept, and ``python -m faultproof.preimage.server --store PATH
--local ...`` can later replay the run offline (hints ignored, as op-program's offline mode).
Exits 0 when the client is done, 1 on an error (one line on stderr).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from faultproof.errors import FaultproofError
from faultproof.preimage.channels import HostChannels
from faultproof.preimage.host import serve
from faultproof.preimage.store import PreimageStore, SqliteStore


def boot_pairs(locals_: dict[int, bytes]) -> list[str]:
    """``IDENT=0xHEX`` strings for `python -m faultproof.preimage.server --local`."""
    return [f"{ident}=0x{value.hex()}" for ident, value in sorted(locals_.items())]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m faultproof.evm.server",
        description="Serve the EVM program's oracle for block N of a JSON-RPC node on fds 3-6.",
    )
    parser.add_argument("--rpc-url", required=True)
    parser.add_argument("--block", type=int, required=True)
    parser.add_argument("--tamper", action="append", default=[], metavar="FIELD=0xVALUE")
    parser.add_argument("--store", help="SQLite store to keep the preimages in")
    parser.add_argument(
        "--print-boot", action="store_true", help="print the boot keys as --local pairs and exit"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from faultproof.evm.cli import _parse_tamper
    from faultproof.evm.rpc_host import connect
    from faultproof.evm.verify import prepare_host

    args = build_parser().parse_args(argv)
    store: SqliteStore | None = None
    try:
        changes = _parse_tamper(tuple(args.tamper))
        store = SqliteStore(args.store) if args.store else None
        target: PreimageStore | None = store
        host, _, _, _ = prepare_host(
            connect(args.rpc_url), args.block, tamper=changes, store=target
        )
        if args.print_boot:
            print(" ".join(boot_pairs(host.boot_info.locals)))
            return 0
        serve(host, HostChannels.inherited())
    except FaultproofError as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: cannot serve on fds 3-6: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # the VM sends SIGINT when it is done with us
        return 130
    finally:
        if store is not None:
            store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
