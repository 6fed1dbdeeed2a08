"""Chain fixtures (embedded + anvil) come from the reusable module faultproof.chain.testing."""

from faultproof.chain.testing import anvil_chain, anvil_node, chain, embedded_chain

__all__ = ["anvil_chain", "anvil_node", "chain", "embedded_chain"]
