"""A tiny Python stand-in for the C ``preimage`` guest, speaking the protocol on fds 3-6.

Reads local key 1 (a keccak256 hash), hints ``keccak 0x<hash>``, asks for the keccak key,
checks the value hashes to the hash, prints it as hex. Exit 0 = verified, 1 = mismatch,
2 = oracle failure (the host closed the channel). ``--skip-hint`` leaves out the hint,
``--key 0x..`` asks for an extra raw key first.
"""

from __future__ import annotations

import sys

from faultproof.crypto import keccak256
from faultproof.preimage.channels import ClientChannels
from faultproof.preimage.keys import keccak256_key, local_key
from faultproof.preimage.protocol import HintClient, OracleClient


def main(argv: list[str]) -> int:
    channels = ClientChannels.inherited()
    oracle = OracleClient(channels.data_in, channels.key_out)
    hints = HintClient(channels.hint_in, channels.hint_out)
    try:
        if "--key" in argv:
            oracle.get_preimage(bytes.fromhex(argv[argv.index("--key") + 1][2:]))
        digest = oracle.get_preimage(local_key(1))
        if "--skip-hint" not in argv:
            hints.hint(b"keccak 0x" + digest.hex().encode())
        value = oracle.get_preimage(keccak256_key(digest=digest))
    except Exception as exc:  # the guest's view of a failed host: report and exit 2
        print(f"oracle failure: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(value.hex() + "\n")
    return 0 if keccak256(value) == digest else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
