"""Workpiece results in batches (issue 12): a batch's Merkle root goes on the ledger, each workpiece keeps
its inclusion proof, so one workpiece's verdict can be proven to a customer without showing the others.

The tree is RFC 9162's (Certificate Transparency 2.0, section 2.1): a leaf's hash is SHA-256(0x00 ||
leaf), an inner node's SHA-256(0x01 || left || right), and a tree of n > 1 leaves splits at the largest
power of two below n. The inclusion proof is the RFC's PATH, verified by its algorithm (2.1.3.2). A leaf is
the workpiece's result as canonical JSON (sorted keys, no spaces, UTF-8), so the customer's copy hashes
to the same bytes whatever tool wrote it.

Written here rather than taken from a library: the maintained Python implementation of this tree
(pymerkle) is licensed GPLv3+, which would extend to every organisation's build of the gateway, and the
MIT-licensed one (merkly) needs pydantic 1, which the service's other dependencies exclude. The code is
the RFC's algorithms and is tested against Certificate Transparency's published roots.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LEAF, NODE = b"\x00", b"\x01"


def canonical(result: Mapping[str, Any]) -> bytes:
    """canonical is a workpiece result as the leaf bytes: JSON with sorted keys and no spaces."""
    return json.dumps(result, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(LEAF + leaf).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE + left + right).digest()


def _split(n: int) -> int:
    """_split is the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """root is the Merkle tree hash of leaves (RFC 9162 MTH); of no leaves, SHA-256 of nothing."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    return _root([leaf_hash(leaf) for leaf in leaves])


def _root(hashes: Sequence[bytes]) -> bytes:
    if len(hashes) == 1:
        return hashes[0]
    k = _split(len(hashes))
    return _node(_root(hashes[:k]), _root(hashes[k:]))


def inclusion_path(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """inclusion_path is the audit path of leaves[index] (RFC 9162 PATH), nearest the leaf first."""
    if not 0 <= index < len(leaves):
        raise ValueError(f"leaf {index} is outside a batch of {len(leaves)}")
    return _path(index, [leaf_hash(leaf) for leaf in leaves])


def _path(m: int, hashes: Sequence[bytes]) -> list[bytes]:
    if len(hashes) == 1:
        return []
    k = _split(len(hashes))
    if m < k:
        return [*_path(m, hashes[:k]), _root(hashes[k:])]
    return [*_path(m - k, hashes[k:]), _root(hashes[:k])]


def root_from_path(leaf: bytes, index: int, size: int, path: Sequence[bytes]) -> bytes:
    """root_from_path is the root the audit path leads to from leaf at index of a tree of size leaves
    (RFC 9162 2.1.3.2); ValueError when the path cannot belong to such a tree."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is outside a batch of {size}")
    fn, sn = index, size - 1
    r = leaf_hash(leaf)
    for p in path:
        if sn == 0:
            raise ValueError("the proof is longer than the batch allows")
        if fn & 1 or fn == sn:
            r = _node(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = _node(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ValueError("the proof is shorter than the batch needs")
    return r


@dataclass(frozen=True)
class InclusionProof:
    """InclusionProof is what a workpiece's owner keeps: which batch, where in it, and the path."""

    batch_id: str
    workpiece_id: str
    result: Mapping[str, Any]  # the workpiece's result, the leaf before canonical()
    index: int
    size: int
    path: tuple[bytes, ...]

    def to_json(self) -> str:
        return json.dumps(
            {
                "batchId": self.batch_id,
                "workpieceId": self.workpiece_id,
                "result": self.result,
                "index": self.index,
                "size": self.size,
                "path": [p.hex() for p in self.path],
                "hashing": "RFC 9162 SHA-256; leaf: canonical JSON of result",
            },
            indent=1,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> InclusionProof:
        """from_json reads a proof file; ValueError naming the field that is wrong."""
        try:
            data = json.loads(text)
            proof = cls(
                batch_id=str(data["batchId"]),
                workpiece_id=str(data["workpieceId"]),
                result=dict(data["result"]),
                index=int(data["index"]),
                size=int(data["size"]),
                path=tuple(bytes.fromhex(p) for p in data["path"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not an inclusion proof: {error!r}") from None
        if any(len(p) != hashlib.sha256().digest_size for p in proof.path):
            raise ValueError("not an inclusion proof: each path entry is a 32-byte SHA-256 in hex")
        if proof.result.get("workpieceId") != proof.workpiece_id:
            raise ValueError("not an inclusion proof: its result is of another workpiece")
        return proof

    def root(self) -> bytes:
        """root is the batch root this proof leads to (ValueError when it cannot be one)."""
        return root_from_path(canonical(self.result), self.index, self.size, self.path)


def batch_proofs(batch_id: str, results: Sequence[Mapping[str, Any]]) -> tuple[bytes, list[InclusionProof]]:
    """batch_proofs is a batch's root and each workpiece's proof, in the order of results (each result
    names its workpiece as "workpieceId", unique in the batch)."""
    ids = [r.get("workpieceId") for r in results]
    if not results or any(not isinstance(i, str) or not i for i in ids) or len(set(ids)) != len(ids):
        raise ValueError("a batch holds at least one result, each with its own workpieceId")
    leaves = [canonical(r) for r in results]
    proofs = [
        InclusionProof(
            batch_id, str(r["workpieceId"]), dict(r), i, len(leaves), tuple(inclusion_path(leaves, i))
        )
        for i, r in enumerate(results)
    ]
    return root(leaves), proofs
