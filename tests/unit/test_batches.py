"""Workpiece batches (gateway/batches.py): RFC 9162's Merkle tree, checked against Certificate
Transparency's published roots; every proof of batches of 1 to 33 leads to its root, and any change to the
result, index, size, path or batch makes it fail."""

from __future__ import annotations

import dataclasses

import pytest

from gateway.batches import InclusionProof, batch_proofs, canonical, inclusion_path, root, root_from_path

# The leaves of Certificate Transparency's test tree (RFC 6962's reference tests, kept by Trillian) and
# the root of each of its first sizes.
CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def test_roots_are_certificate_transparencys() -> None:
    assert root([]).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    for size, expected in enumerate(CT_ROOTS, start=1):
        assert root(CT_LEAVES[:size]).hex() == expected, size


def test_every_path_leads_to_its_root_and_no_other_place_does() -> None:
    for size in range(1, 34):
        leaves = [f"leaf {i}".encode() for i in range(size)]
        expected = root(leaves)
        for index in range(size):
            path = inclusion_path(leaves, index)
            assert root_from_path(leaves[index], index, size, path) == expected
            if size > 1:
                other = (index + 1) % size
                assert leads_to(leaves[index], other, size, path) != expected
                assert leads_to(leaves[other], index, size, path) != expected


def leads_to(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes | None:
    """leads_to is the root path leads to, or None when it cannot belong to such a tree."""
    try:
        return root_from_path(leaf, index, size, path)
    except ValueError:
        return None


def results(n: int) -> list[dict[str, object]]:
    return [
        {"workpieceId": f"wp-{i}", "label": "scratches" if i % 3 else "defect-free", "qualityIndex": i / n}
        for i in range(n)
    ]


def test_a_proof_file_proves_one_workpiece_and_any_change_breaks_it() -> None:
    batch_root, proofs = batch_proofs("batch-1", results(11))
    proof = InclusionProof.from_json(proofs[6].to_json())
    assert proof == proofs[6] and proof.root() == batch_root
    changed = [
        dataclasses.replace(proof, result={**proof.result, "label": "crazing"}),
        dataclasses.replace(proof, index=5),
        dataclasses.replace(proof, path=(proof.path[0][::-1], *proof.path[1:])),
    ]
    for bad in changed:
        assert bad.root() != batch_root
    # A path of the right length leads to the same root under some other sizes (11 and 12 leaves share
    # the shape left of leaf 8), so the size is compared with the batch's record, not left to the path.
    with pytest.raises(ValueError, match="longer than the batch allows"):
        dataclasses.replace(proof, size=7).root()
    other_root, _ = batch_proofs("batch-2", results(12))
    assert proof.root() != other_root


def test_bad_batches_and_proof_files_are_refused_naming_why() -> None:
    with pytest.raises(ValueError, match="its own workpieceId"):
        batch_proofs("b", [{"workpieceId": "a"}, {"workpieceId": "a"}])
    with pytest.raises(ValueError, match="at least one result"):
        batch_proofs("b", [])
    _, [proof] = batch_proofs("b", [{"workpieceId": "a"}])
    assert proof.path == () and proof.root() == root([canonical({"workpieceId": "a"})])
    with pytest.raises(ValueError, match="not an inclusion proof"):
        InclusionProof.from_json('{"batchId": "b"}')
    text = proof.to_json().replace('"workpieceId": "a"\n', '"workpieceId": "z"\n', 1)
    with pytest.raises(ValueError, match="another workpiece"):
        InclusionProof.from_json(text)
