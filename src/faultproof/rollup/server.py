"""The rollup program's host as a subprocess, like ``op-program --server``:

    faultproof run --input prestate.bin -- python -m faultproof.rollup.server \\
        --l1-rpc URL --l2-rpc URL --agreed-block N --claimed-block M [--claimed-output 0x..]

It serves the oracle on inherited fds 3-6: the boot keys (L1 head: latest unless
``--l1-head``; agreed output: the L2 node's output of ``--agreed-block``, op-program's
``--l2.head``; claimed output: the node's own unless ``--claimed-output``) and every hint from
the two nodes (`faultproof.rollup.host`). Exits 0 when the client is done, 1 on an error (one
line on stderr), 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from faultproof.errors import FaultproofError


def _bytes32(text: str) -> bytes:
    raw = bytes.fromhex(text[2:] if text.startswith("0x") else text)
    if len(raw) != 32:
        raise argparse.ArgumentTypeError(f"{text!r} is not 32 bytes of hex")
    return raw


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m faultproof.rollup.server",
        description="Serve the rollup program's oracle from an L1 and an L2 node on fds 3-6.",
    )
    parser.add_argument("--l1-rpc", required=True)
    parser.add_argument("--l2-rpc", required=True)
    parser.add_argument("--agreed-block", type=int, required=True)
    parser.add_argument("--claimed-block", type=int, required=True)
    parser.add_argument("--claimed-output", type=_bytes32)
    parser.add_argument("--l1-head", type=_bytes32)
    parser.add_argument("--store", help="SQLite store to keep the preimages in")
    parser.add_argument(
        "--print-boot", action="store_true", help="print the boot keys as --local pairs and exit"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from faultproof.evm.rpc_host import connect
    from faultproof.evm.server import boot_pairs
    from faultproof.preimage.channels import HostChannels
    from faultproof.preimage.host import serve
    from faultproof.preimage.store import SqliteStore
    from faultproof.rollup.host import boot_for, rollup_host

    args = build_parser().parse_args(argv)
    store: SqliteStore | None = None
    try:
        l1, l2 = connect(args.l1_rpc), connect(args.l2_rpc)
        boot = boot_for(
            l1, l2, args.agreed_block, args.claimed_block, args.claimed_output, args.l1_head
        )
        if args.print_boot:
            print(" ".join(boot_pairs(boot.boot_info().locals)))
            return 0
        store = SqliteStore(args.store) if args.store else None
        host = rollup_host(l1, l2, boot, store)
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
