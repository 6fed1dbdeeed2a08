#pragma version 0.4.3
"""
@title TrieHarness
@notice Tests only: exposes the `secure_trie` module's proof walker so tries with chosen
        (unhashed) 32-byte keys, e.g. ones with inline nodes, can be checked directly.
"""

from .. import secure_trie


@external
@pure
def get(_key: bytes32, _proof: DynArray[Bytes[secure_trie.MAX_NODE], secure_trie.MAX_NODES], _root: bytes32) -> Bytes[secure_trie.MAX_VALUE]:
    return secure_trie._get(_key, _proof, _root)


@external
@pure
def getSecure(_key: bytes32, _proof: DynArray[Bytes[secure_trie.MAX_NODE], secure_trie.MAX_NODES], _root: bytes32) -> Bytes[secure_trie.MAX_VALUE]:
    return secure_trie._get_secure(concat(_key, b""), _proof, _root)
