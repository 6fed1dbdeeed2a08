#pragma version 0.4.3
"""
@title secure_trie
@notice Module: Merkle-Patricia inclusion proofs for tries with 32-byte keys (the storage and
        account tries), as `eth_getProof` returns them: the hash-referenced nodes from the
        root down, inline nodes (RLP shorter than 32 bytes) embedded in their parent.
@dev    Every node is authenticated before it is read: the first proof element must hash to
        the root, each later element must hash to the 32-byte reference its parent holds, and
        an inline child is a sub-slice of its (already authenticated) parent. Anything else
        (bad RLP, wrong item counts, bad hex-prefix flags, a key that leaves the trie, unused
        proof elements, a missing value) reverts `InvalidMerkleProof()`.
"""

# A branch of 16 hash references is 3 + 16 * 33 + 1 = 532 bytes; leaves and extensions of
# 32-byte keys are far smaller.
MAX_NODE: constant(uint256) = 532
# Hash-referenced nodes on one path. A 32-byte keccak key needs 2^(4k) work to force a path
# k nodes deep, so 32 is unreachable in practice (an honest storage trie is ~log16(n) + 1).
MAX_NODES: constant(uint256) = 32
# Longest leaf value returned (an RLP storage value is at most 33 bytes; accounts ~110).
MAX_VALUE: constant(uint256) = 128
KEY_NIBBLES: constant(uint256) = 64
# Node buffer with MAX_VALUE spare zero bytes, so `extract32` can read a header at any
# offset and a value can be copied out in whole words.
PAD_NODE: constant(uint256) = MAX_NODE + MAX_VALUE


@internal
@pure
def _fail():
    raw_revert(method_id("InvalidMerkleProof()"))


@internal
@pure
def _item(_w: uint256, _pos: uint256, _end: uint256) -> (bool, uint256, uint256):
    """
    @notice Decode the RLP header at `_pos` of an item that must end by `_end`; `_w` is the
            32-byte word at `_pos` (headers and the canonical check need only its first bytes,
            and a word is cheap to pass where a node buffer would be copied on every call).
    @return (is_list, payload offset, payload length); reverts on a truncated or
            non-canonical header.
    """
    if _pos >= _end:
        self._fail()
    b0: uint256 = _w >> 248
    is_list: bool = b0 >= 192
    base: uint256 = 128
    if is_list:
        base = 192
    elif b0 < 128:
        return False, _pos, 1
    off: uint256 = _pos + 1
    n: uint256 = b0 - base
    if n > 55:
        lol: uint256 = n - 55
        if lol > 2 or _pos + 1 + lol > _end:
            self._fail()
        n = ((_w << 8) >> (256 - 8 * lol))
        # Canonical long form: no leading zero byte and at least 56 bytes.
        if n < 56 or ((_w >> 240) & 255) == 0:
            self._fail()
        off = _pos + 1 + lol
    if off + n > _end:
        self._fail()
    # A single byte below 0x80 must be encoded as itself.
    if not is_list and n == 1 and ((_w >> 240) & 255) < 128:
        self._fail()
    return is_list, off, n


@internal
@pure
def _get(_key: bytes32, _proof: DynArray[Bytes[MAX_NODE], MAX_NODES], _root: bytes32) -> Bytes[MAX_VALUE]:
    """
    @notice The value stored under the 64-nibble path `_key` in the trie at `_root`, proven by
            `_proof`; reverts `InvalidMerkleProof()` unless `_proof` proves its inclusion.
    """
    key: uint256 = convert(_key, uint256)
    depth: uint256 = 0
    used: uint256 = 0
    node: Bytes[PAD_NODE] = b""
    node_len: uint256 = 0
    # Where the next node comes from: a hash (`ref`) to match the next proof element, or an
    # inline child at [inl_off, inl_off + inl_len) of the current node.
    ref: bytes32 = _root
    inline: bool = False
    inl_off: uint256 = 0
    inl_len: uint256 = 0

    # Each node advances the path by at least one nibble (an extension's path is non-empty,
    # a branch consumes one, a leaf ends the walk), so 65 nodes cover any 64-nibble key.
    for _step: uint256 in range(KEY_NIBBLES + 1):
        if inline:
            sub: Bytes[32] = slice(extract32(node, inl_off), 0, inl_len)
            node = concat(sub, empty(bytes32), empty(bytes32), empty(bytes32), empty(bytes32))
            node_len = inl_len
        else:
            if used >= len(_proof):
                self._fail()
            raw: Bytes[MAX_NODE] = _proof[used]
            # A hash-referenced node below the root is never shorter than 32 bytes.
            if keccak256(raw) != ref or (used > 0 and len(raw) < 32):
                self._fail()
            used += 1
            node = concat(raw, empty(bytes32), empty(bytes32), empty(bytes32), empty(bytes32))
            node_len = len(raw)

        is_list: bool = False
        p: uint256 = 0
        n: uint256 = 0
        is_list, p, n = self._item(convert(extract32(node, 0), uint256), 0, node_len)
        if not is_list or p + n != node_len:
            self._fail()
        end: uint256 = p + n

        # Count the items (2 or 17) and remember where the wanted one starts.
        first_off: uint256 = 0
        first_len: uint256 = 0
        first_list: bool = False
        count: uint256 = 0
        want: uint256 = 16
        if depth < KEY_NIBBLES:
            want = (key >> (4 * (KEY_NIBBLES - 1 - depth))) & 15
        sel_pos: uint256 = 0
        sel_end: uint256 = 0
        second_pos: uint256 = 0
        second_end: uint256 = 0
        cur: uint256 = p
        for _i: uint256 in range(17):
            if cur == end:
                break
            w: uint256 = convert(extract32(node, cur), uint256)
            b0: uint256 = w >> 248
            nxt: uint256 = 0
            if count >= 2 and b0 == 128:
                # Fast paths for a branch's usual items: empty, or a 32-byte hash. An item
                # running past `end` fails the `cur != end` check below.
                nxt = cur + 1
            elif count >= 2 and b0 == 160:
                nxt = cur + 33
            else:
                il: bool = False
                io: uint256 = 0
                ln: uint256 = 0
                il, io, ln = self._item(w, cur, end)
                nxt = io + ln
                if count == 0:
                    first_off = io
                    first_len = ln
                    first_list = il
                elif count == 1:
                    second_pos = cur
                    second_end = nxt
            if count == want:
                sel_pos = cur
                sel_end = nxt
            cur = nxt
            count += 1
        if cur != end:
            self._fail()

        child_pos: uint256 = 0
        child_end: uint256 = 0
        if count == 17:
            # Branch: a 32-byte key never ends on a branch (its value slot must stay unused).
            if depth >= KEY_NIBBLES:
                self._fail()
            child_pos = sel_pos
            child_end = sel_end
            depth += 1
        elif count == 2:
            # Leaf or extension: the hex-prefix path must be a byte string.
            if first_list or first_len == 0 or first_len > 33:
                self._fail()
            flag: uint256 = (convert(extract32(node, first_off), uint256) >> 248) >> 4
            odd: uint256 = flag & 1
            if flag > 3 or (odd == 0 and ((convert(extract32(node, first_off), uint256) >> 248) & 15) != 0):
                self._fail()
            plen: uint256 = 2 * (first_len - 1) + odd
            if plen > KEY_NIBBLES - depth:
                self._fail()
            path: uint256 = 0
            if first_len > 1:
                path = convert(extract32(node, first_off + 1), uint256) >> (256 - 8 * (first_len - 1))
            if odd == 1:
                path = path | (((convert(extract32(node, first_off), uint256) >> 248) & 15) << (8 * (first_len - 1)))
            expect: uint256 = 0
            if plen > 0:
                expect = (key << (4 * depth)) >> (256 - 4 * plen)
            if path != expect:
                self._fail()
            depth += plen
            if flag >= 2:
                # Leaf: it must end the key exactly, every proof element must be used, and
                # its value is a byte string.
                if depth != KEY_NIBBLES or used != len(_proof):
                    self._fail()
                vl: bool = False
                vo: uint256 = 0
                vn: uint256 = 0
                vl, vo, vn = self._item(convert(extract32(node, second_pos), uint256), second_pos, end)
                if vl or vn == 0 or vn > MAX_VALUE:
                    self._fail()
                words: Bytes[MAX_VALUE] = concat(extract32(node, vo), extract32(node, vo + 32), extract32(node, vo + 64), extract32(node, vo + 96))
                return slice(words, 0, vn)
            if plen == 0:
                self._fail()
            child_pos = second_pos
            child_end = second_end
        else:
            self._fail()

        # Follow the child reference: a 32-byte hash or an inline node shorter than 32 bytes.
        cl: bool = False
        co: uint256 = 0
        cn: uint256 = 0
        cl, co, cn = self._item(convert(extract32(node, child_pos), uint256), child_pos, end)
        if cl:
            if child_end - child_pos >= 32:
                self._fail()
            inline = True
            inl_off = child_pos
            inl_len = child_end - child_pos
        else:
            if cn != 32:
                # Empty (the key is absent) or a malformed reference.
                self._fail()
            inline = False
            ref = extract32(node, co)
    self._fail()
    return b""


@internal
@pure
def _get_secure(_key: Bytes[32], _proof: DynArray[Bytes[MAX_NODE], MAX_NODES], _root: bytes32) -> Bytes[MAX_VALUE]:
    """The secure-trie lookup: the path is keccak256 of the 32-byte key."""
    return self._get(keccak256(_key), _proof, _root)
