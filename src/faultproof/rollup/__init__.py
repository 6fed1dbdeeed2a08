"""The rollup's Python side (docs/ROLLUP.md): config, L2 genesis and execution, the L2 node and
its JSON-RPC server, the sequencer and batcher, and the derivation reference."""
