"""The Python host of the C EVM block program (guest/evm/): RLP, tries, headers, the JSON-RPC
hint handlers, running the program natively or in a VM, and the ``faultproof evm`` commands.

- `rlp`, `mpt`: encodings and every node of a trie (the guest fetches tries node by node).
- `header`: Cancun headers and raw transactions rebuilt from JSON-RPC objects.
- `rpc_host`: hint handlers that serve the program's hints from an Ethereum JSON-RPC node.
- `program`: boot info, running the program, parsing its ``evm:`` output lines.
- `verify`, `cli`: ``faultproof evm verify-block``; `server`: the host as a subprocess (fds 3-6).
- `reference`, `statetest`, `fixtures`, `statetest_cli`: the execution-specs reference and
  ``faultproof evm statetest``.
"""
