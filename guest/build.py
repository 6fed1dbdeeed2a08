#!/usr/bin/env python3
"""Build every guest program reproducibly: `python guest/build.py [--target T] [--out DIR]`.

A thin command-line front end over `faultproof.guests`, which holds the flags and the cache
logic so that tests and this script always build the same bytes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

try:
    from faultproof import guests
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from faultproof import guests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--target",
        action="append",
        choices=guests.TARGETS,
        help="target to build (repeatable; default: all)",
    )
    parser.add_argument("--out", type=Path, help="output root (default: guest/build)")
    parser.add_argument("--no-go", action="store_true", help="skip the Go guests")
    args = parser.parse_args()
    targets = tuple(args.target) if args.target else guests.TARGETS
    try:
        built = guests.build_all(targets, args.out, go=not args.no_go)
    except guests.GuestBuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in built:
        print(f"{path.stat().st_size:>9}  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
