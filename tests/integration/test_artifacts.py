"""Encrypted artifacts on the private swarm: readable by project members only, replicated on two
organisations' nodes, streamed in and out, and reported as altered when any stored byte or chunk
changes."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from gateway.artifacts import (
    ArtifactAltered,
    ArtifactError,
    ArtifactMissing,
    ArtifactStore,
    ChunkAltered,
    KeyWrapError,
    StoredArtifact,
    encrypt,
    new_data_key,
    rotate,
    unwrap_data_key,
    wrap_data_key,
)
from gateway.artifacts.recording import record_or_remove
from gateway.artifacts.stream import CHUNK_PLAINTEXT, FIRST_CHUNK_PLAINTEXT, FORMAT, SEGMENT_BYTES
from gateway.ipfs import IpfsClient
from gateway.ledger import LedgerError
from tests.integration.conftest import PROJECT, RunningNetwork
from tests.integration.founding import Governance


def member(
    network: RunningNetwork, org: str, name: str
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """member registers and enrolls name at org's CA (once) and returns its certificate and key."""
    network.script("ca.sh", "identity", org, name, "client")
    msp = network.consortium.organisation(org).msp_dir.parent / "users" / name / "msp"
    cert = x509.load_pem_x509_certificate((msp / "signcerts" / "cert.pem").read_bytes())
    [key_file] = list((msp / "keystore").glob("*_sk"))
    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return cert, key


@pytest.fixture
async def nodes(network: RunningNetwork) -> AsyncIterator[dict[str, IpfsClient]]:
    clients = {}
    for org in network.consortium.peer_organisations:
        assert org.ipfs is not None
        clients[org.name] = IpfsClient(org.ipfs, timeout=10)
    yield clients
    for c in clients.values():
        await c.close()


async def all_pins(nodes: dict[str, IpfsClient]) -> dict[str, set[str]]:
    """all_pins lists what every node pins, to show that a failed put left nothing behind."""
    return {org: await node.pins() for org, node in nodes.items()}


async def one_piece(data: bytes) -> AsyncIterator[bytes]:
    yield data


def block_files(network: RunningNetwork, org: str, content: bytes) -> list[Path]:
    """block_files finds the files of org's Kubo block store that hold exactly content."""
    repo = network.consortium.organisation(org).ipfs
    assert repo is not None
    return [p for p in (repo.repo / "blocks").rglob("*.data") if p.read_bytes() == content]


async def test_members_read_a_non_member_cannot(
    network: RunningNetwork, nodes: dict[str, IpfsClient]
) -> None:
    scientist = member(network, "ModelTrainer", "ds-alice")
    engineer = member(network, "Manufacturer", "eng-bob")
    outsider = member(network, "QualityControl", "qc-eve")  # not in this project
    key = new_data_key()
    wrapped = {
        name: wrap_data_key(key, cert, epoch=1)
        for name, (cert, _) in (("alice", scientist), ("bob", engineer))
    }

    plaintext = b"labelled surface images, batch 7 " + secrets.token_bytes(4096)
    stored = await ArtifactStore(nodes).put("dataset-7", plaintext, key, home="ModelTrainer")

    # each member unwraps its own copy of the key and reads through any organisation's node
    for name, via, (_, private) in (
        ("alice", "QualityControl", scientist),
        ("bob", "Manufacturer", engineer),
    ):
        own_key = unwrap_data_key(wrapped[name], private)
        assert await ArtifactStore(nodes).get(stored, own_key, via=via) == plaintext

    # the outsider can fetch the ciphertext by CID, but it holds no plaintext and no wrapped key opens
    raw = await nodes["QualityControl"].cat(stored.cid)
    assert plaintext[:64] not in raw and len(raw) > len(plaintext)
    for copy in wrapped.values():
        with pytest.raises(KeyWrapError, match="another member's key"):
            unwrap_data_key(copy, outsider[1])
    with pytest.raises(ArtifactAltered):
        await ArtifactStore(nodes).get(stored, new_data_key(), via="QualityControl")


async def test_an_artifact_is_pinned_on_two_organisations(nodes: dict[str, IpfsClient]) -> None:
    stored = await ArtifactStore(nodes).put(
        "model-v1", secrets.token_bytes(2048), new_data_key(), home="Manufacturer"
    )
    assert len(stored.pinned_on) == 2 and stored.pinned_on[0] == "Manufacturer"
    for org, node in nodes.items():
        assert await node.pinned(stored.cid) == (org in stored.pinned_on), org


def test_more_replicas_than_organisations_are_refused(nodes: dict[str, IpfsClient]) -> None:
    with pytest.raises(ValueError, match="replicas must be between 1 and the 4 nodes given, not 5"):
        ArtifactStore(nodes, replicas=5)


async def test_a_failed_put_keeps_nothing(network: RunningNetwork, nodes: dict[str, IpfsClient]) -> None:
    before = await all_pins(nodes)
    org = network.consortium.organisation("QualityControl")
    assert org.ipfs is not None
    down = IpfsClient(replace(org.ipfs, api="http://127.0.0.1:1"), timeout=2)  # a node that is not there
    store = ArtifactStore({"Manufacturer": nodes["Manufacturer"], "QualityControl": down})
    try:
        with pytest.raises(ArtifactError, match="pinned on 1 of the 2 nodes required") as err:
            await store.put(
                "report-1", b"weekly report " + secrets.token_bytes(16), new_data_key(), home="Manufacturer"
            )
    finally:
        await down.close()
    match = re.search(r"(b[a-z2-7]{20,}) was unpinned", str(err.value))
    assert match, str(err.value)
    assert not await nodes["Manufacturer"].pinned(match.group(1))
    assert await all_pins(nodes) == before


async def test_a_put_whose_source_fails_keeps_nothing(nodes: dict[str, IpfsClient]) -> None:
    before = await all_pins(nodes)

    async def camera() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield secrets.token_bytes(1 << 20)
        raise OSError("camera 3 disconnected")

    with pytest.raises(
        ArtifactError,
        match=r"artifact images-9: reading its plaintext failed \(OSError\('camera 3 disconnected'\)\); "
        "nothing was stored",
    ):
        await ArtifactStore(nodes).put_stream("images-9", camera(), new_data_key(), home="Manufacturer")
    assert await all_pins(nodes) == before


async def test_bad_input_is_named(nodes: dict[str, IpfsClient], tmp_path: Path) -> None:
    store, key = ArtifactStore(nodes), new_data_key()
    with pytest.raises(ArtifactError, match="artifact a-1: a data key has 32 bytes, not 31 bytes"):
        await store.put("a-1", b"x", key[:31], home="Manufacturer")
    with pytest.raises(ArtifactError, match="an artifact id is a non-empty string, not ''"):
        await store.put("", b"x", key, home="Manufacturer")
    with pytest.raises(
        ArtifactError, match=r"artifact a-2: .*missing.bin does not exist; put_file takes a file"
    ):
        await store.put_file("a-2", tmp_path / "missing.bin", key, home="Manufacturer")
    with pytest.raises(ArtifactError, match="is not a regular file"):
        await store.put_file("a-3", tmp_path, key, home="Manufacturer")
    with pytest.raises(
        ArtifactError, match="artifact a-4: piece 1 of the plaintext is a str; pieces are bytes"
    ):
        await store.put_stream("a-4", [b"ok", "not bytes"], key, home="Manufacturer")  # type: ignore[list-item]
    with pytest.raises(ArtifactError, match="no IPFS node of organisation 'Nobody'"):
        await store.put("a-5", b"x", key, home="Nobody")
    good = await store.put("a-6", b"six", key, home="Manufacturer")
    bad_records: list[tuple[str, Any, str]] = [
        ("sha256", "ABC", "sha256 is 64 lowercase hex digits, not 'ABC'"),
        ("size", -1, "size is a byte count"),
        ("cid", "", "cid is a non-empty CID string"),
        ("cid", "bafy-not-a-cid", "cid 'bafy-not-a-cid' is malformed"),
        ("cid", "Qm!!!", "cid 'Qm!!!' is malformed"),
    ]
    for field, value, message in bad_records:
        with pytest.raises(ArtifactError, match=f"artifact a-6: {message}"):
            await store.get(replace(good, **{field: value}), key, via="Manufacturer")
    with pytest.raises(ArtifactError, match=r"the folder .*nowhere of .* does not exist"):
        await store.get_to_file(good, key, via="Manufacturer", path=tmp_path / "nowhere" / "a-6.bin")
    with pytest.raises(ArtifactError, match="is a folder; name a file to write"):
        await store.get_to_file(good, key, via="Manufacturer", path=tmp_path)


async def test_a_file_streams_in_and_out(nodes: dict[str, IpfsClient], tmp_path: Path) -> None:
    source = tmp_path / "images.bin"
    source.write_bytes(secrets.token_bytes(5 * CHUNK_PLAINTEXT + 123))
    key = new_data_key()
    store = ArtifactStore(nodes)
    stored = await store.put_file("images-1", source, key, home="ModelTrainer")
    assert stored.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert stored.size == source.stat().st_size
    out = tmp_path / "out" / "images.bin"
    out.parent.mkdir()
    await store.get_to_file(stored, key, via="QualityControl", path=out)  # a node that must fetch it
    assert out.read_bytes() == source.read_bytes()
    assert list(out.parent.iterdir()) == [out]
    await store.verify(stored, key, via="ModelTrainer")


async def test_moved_dropped_or_cut_chunks_are_reported_as_altered(
    nodes: dict[str, IpfsClient], tmp_path: Path
) -> None:
    key = new_data_key()
    plaintext = secrets.token_bytes(FIRST_CHUNK_PLAINTEXT + 2 * CHUNK_PLAINTEXT + 4000)
    blob = encrypt(key, plaintext, artifact_id="scan-4")
    first = len(FORMAT) + SEGMENT_BYTES
    c = [blob[:first], *(blob[i : i + SEGMENT_BYTES] for i in range(first, len(blob), SEGMENT_BYTES))]
    assert len(c) == 4
    recorded = hashlib.sha256(plaintext).hexdigest(), len(plaintext)
    # (stored bytes, size recorded with them, what is reported); the sizes a tamperer would also have
    # to change on the ledger show that each chunk is checked, not only the length.
    cases = [
        (c[0] + c[2] + c[1] + c[3], recorded[1], "chunk 1 fails authentication"),
        (c[0] + c[1] + c[3], recorded[1], "holds .* bytes, but the encrypted form of the recorded"),
        (c[0] + c[1] + c[3], recorded[1] - CHUNK_PLAINTEXT, "chunk 2 fails authentication"),
        (c[0] + c[1], recorded[1], "holds .* bytes, but the encrypted form of the recorded"),
        (c[0] + c[1], FIRST_CHUNK_PLAINTEXT + CHUNK_PLAINTEXT, "chunk 2 fails authentication: .*cut off"),
    ]
    store = ArtifactStore(nodes)
    for i, (stored_bytes, size, reported) in enumerate(cases):
        cid = await nodes["Manufacturer"].add_stream(one_piece(stored_bytes))
        stored = StoredArtifact("scan-4", cid, recorded[0], size, ("Manufacturer",))
        try:
            with pytest.raises(ArtifactAltered, match=f"artifact scan-4: .*{reported}") as err:
                await store.verify(stored, key, via="ConditionMonitor")
            if "chunk" in reported:
                assert isinstance(err.value, ChunkAltered)
            out = tmp_path / f"scan-4-{i}.bin"
            with pytest.raises(ArtifactAltered):
                await store.get_to_file(stored, key, via="Manufacturer", path=out)
            assert list(tmp_path.iterdir()) == []  # neither the file nor a partial one
        finally:
            await nodes["Manufacturer"].unpin(cid)


async def test_a_changed_byte_on_every_node_is_reported_as_altered(
    network: RunningNetwork, nodes: dict[str, IpfsClient]
) -> None:
    key = new_data_key()
    plaintext = b"inspection results " + secrets.token_bytes(1024)
    stored = await ArtifactStore(nodes).put("results-3", plaintext, key, home="ConditionMonitor")
    blob = await nodes["ConditionMonitor"].cat(stored.cid)
    touched = 0
    for org in stored.pinned_on:
        for path in block_files(network, org, blob):
            data = bytearray(path.read_bytes())
            data[len(data) // 2] ^= 0x01
            path.write_bytes(bytes(data))
            touched += 1
    assert touched == len(stored.pinned_on)
    for org in stored.pinned_on:
        with pytest.raises(ArtifactAltered, match="results-3"):
            await ArtifactStore(nodes).get(stored, key, via=org)


async def test_a_swapped_file_is_reported_as_altered(nodes: dict[str, IpfsClient]) -> None:
    key = new_data_key()
    store = ArtifactStore(nodes)
    model_a = await store.put("model-a", b"weights A " + secrets.token_bytes(512), key, home="ModelTrainer")
    model_b = await store.put("model-b", b"weights B " + secrets.token_bytes(512), key, home="ModelTrainer")
    swapped = StoredArtifact("model-a", model_b.cid, model_a.sha256, model_a.size, model_a.pinned_on)
    with pytest.raises(ArtifactAltered, match="model-a"):
        await store.get(swapped, key, via="Manufacturer")


async def test_content_no_node_has_is_reported_missing(
    network: RunningNetwork, nodes: dict[str, IpfsClient]
) -> None:
    absent = await nodes["Manufacturer"].cid_of(b"never stored " + secrets.token_bytes(32))
    stored = StoredArtifact("ghost", absent, "0" * 64, 45, ("Manufacturer",))
    short = {o.name: IpfsClient(o.ipfs, timeout=3) for o in network.consortium.peer_organisations if o.ipfs}
    try:
        with pytest.raises(ArtifactMissing, match="ghost"):
            await ArtifactStore(short).get(stored, new_data_key(), via="Manufacturer")
    finally:
        for c in short.values():
            await c.close()


async def test_a_member_who_left_cannot_read_what_comes_after(
    network: RunningNetwork, nodes: dict[str, IpfsClient]
) -> None:
    alice = member(network, "ModelTrainer", "ds-alice")
    bob = member(network, "Manufacturer", "eng-bob")
    key1, epoch1 = rotate(None, [alice[0], bob[0]])
    store = ArtifactStore(nodes)
    before = await store.put(
        "labels-1", b"labels before " + secrets.token_bytes(64), key1, home="Manufacturer"
    )
    # bob leaves the project: a new epoch, wrapped for alice only
    key2, epoch2 = rotate(epoch1, [alice[0]])
    assert (epoch1.epoch, epoch2.epoch) == (1, 2)
    assert (
        len(epoch1.recipients) == 2 and len(epoch2.recipients) == 1 and epoch2.recipients < epoch1.recipients
    )
    after = await store.put("labels-2", b"labels after " + secrets.token_bytes(64), key2, home="ModelTrainer")
    with pytest.raises(KeyWrapError, match="holds no copy of the data key of epoch 2"):
        epoch2.unwrap(*bob)
    # bob keeps what he could read before; alice reads both epochs
    assert await store.get(before, epoch1.unwrap(*bob), via="Manufacturer") == await store.get(
        before, epoch1.unwrap(*alice), via="ModelTrainer"
    )
    assert await store.get(after, epoch2.unwrap(*alice), via="QualityControl")
    with pytest.raises(ArtifactAltered):
        await store.get(after, key1, via="Manufacturer")


def test_rotation_refuses_an_empty_or_repeated_membership(network: RunningNetwork) -> None:
    alice = member(network, "ModelTrainer", "ds-alice")
    with pytest.raises(KeyWrapError, match="at least one member"):
        rotate(None, [])
    with pytest.raises(KeyWrapError, match="listed twice"):
        rotate(None, [alice[0], alice[0]])


async def test_a_record_the_ledger_refuses_leaves_no_pin_on_any_node(
    governance: Governance, store: ArtifactStore, nodes: dict[str, IpfsClient]
) -> None:
    """Each bad record input gets the contract's specific refusal, and record_or_remove unpins the
    content it had stored: every node pins exactly what it pinned before."""
    provenance = governance.founder("Manufacturer").provenance(PROJECT)
    good: dict[str, Any] = {"kind": "dataset", "media_type": "image/png", "wrapped_key_epoch": 1}
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("orphan-1", {"media_type": "image"}, 'mediaType "image" is not a lowercase type/subtype'),
        ("orphan-2", {"kind": "spreadsheet"}, 'kind "spreadsheet" is not an artifact kind'),
        ("orphan-3", {"parents": ("no-such-parent",)}, '"no-such-parent" does not exist'),
        ("orphan-4", {"wrapped_key_epoch": 999}, "wrappedKeyEpoch 999 is not a recorded key epoch"),
        ("o" * 300, {}, "is 300 characters long: use at most"),
    ]
    before = await all_pins(nodes)
    for artifact_id, bad, reason in cases:
        stored = await store.put(artifact_id, secrets.token_bytes(2048), new_data_key(), home="Manufacturer")
        assert all(
            stored.cid in pins for org, pins in (await all_pins(nodes)).items() if org in stored.pinned_on
        )
        with pytest.raises(LedgerError) as refused:
            await record_or_remove(provenance, store, stored, **{**good, **bad})
        assert refused.value.stage == "endorse" and reason in refused.value.said, refused.value.said
        assert await all_pins(nodes) == before, f"{artifact_id}'s content is still pinned"
