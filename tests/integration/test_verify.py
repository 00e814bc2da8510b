"""Online verification of an artifact's history on the running network (gateway.verify, issue 4's tamper
tests): an untouched lineage verifies intact; one byte of a stored artifact changed on every node that
holds it, and a model's stored bytes replaced by another model's, are each reported altered, naming the
record, while its untouched parent stays intact; a record whose creator has since been suspended is
reported distrusted."""

from __future__ import annotations

from gateway.artifacts.keys import new_data_key
from gateway.artifacts.store import ArtifactStore, StoredArtifact
from gateway.ledger import open_ledger
from gateway.verify import verify
from tests.integration.conftest import PROJECT
from tests.integration.founding import Governance

KEY = new_data_key()


async def key(epoch: int) -> bytes:
    """key is the data key of every epoch here: these tests store under one key of their own."""
    return KEY


async def record(
    governance: Governance,
    store: ArtifactStore,
    artifact_id: str,
    content: bytes,
    parents: tuple[str, ...] = (),
) -> StoredArtifact:
    stored = await store.put(artifact_id, content, KEY, home="Manufacturer")
    committed = (
        await governance.founder("Manufacturer")
        .provenance(PROJECT)
        .record_artifact(
            stored,
            kind="model" if parents else "dataset",
            media_type="application/octet-stream",
            wrapped_key_epoch=1,
            parents=parents,
        )
    )
    await governance.settle(committed.transaction_id, PROJECT)
    return stored


async def verdicts(
    governance: Governance, store: ArtifactStore, artifact_id: str
) -> dict[str, tuple[str, str]]:
    found = await verify(
        governance.founder("ConditionMonitor"), store, PROJECT, "artifact", artifact_id, data_key_for=key
    )
    return {v.record_id: (v.status, v.why) for v in found}


async def test_an_untouched_lineage_verifies_intact(governance: Governance, store: ArtifactStore) -> None:
    await record(governance, store, "verify-raw", b"raw surface images " * 1000)
    await record(governance, store, "verify-model", b"model weights " * 1000, ("verify-raw",))
    found = await verify(
        governance.founder("ConditionMonitor"), store, PROJECT, "artifact", "verify-model", data_key_for=key
    )
    assert [(v.record_id, v.status) for v in found] == [
        ("verify-model", "intact"),
        ("verify-raw", "intact"),
    ]
    assert all(v.block_number > 0 for v in found)


async def test_one_byte_changed_on_every_node_is_reported_altered(
    governance: Governance, store: ArtifactStore
) -> None:
    await record(governance, store, "verify-raw-2", b"raw surface images, second batch " * 800)
    stored = await record(
        governance, store, "verify-model-2", b"model weights, second " * 900, ("verify-raw-2",)
    )
    for path in governance.network.block_files(stored):
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x01
        path.write_bytes(bytes(data))
    found = await verdicts(governance, store, "verify-model-2")
    assert found["verify-model-2"][0] == "altered", found
    assert "verify-model-2" in found["verify-model-2"][1]
    assert found["verify-raw-2"] == ("intact", "")


async def test_a_model_replaced_by_another_model_is_reported_altered(
    governance: Governance, store: ArtifactStore
) -> None:
    stored = await record(governance, store, "verify-model-3", b"the certified model " * 900)
    other = await store.put("verify-other-model", b"a substituted model " * 900, KEY, home="Manufacturer")
    [source, *_] = governance.network.block_files(other)
    for path in governance.network.block_files(stored):
        path.write_bytes(source.read_bytes())
    found = await verdicts(governance, store, "verify-model-3")
    assert found["verify-model-3"][0] == "altered", found


async def test_a_record_of_a_member_since_suspended_is_reported_distrusted(
    governance: Governance, store: ArtifactStore
) -> None:
    identity_dir = await governance.project_member(
        "Manufacturer", "verify-suspect", role="admin", attributes={"identity": "Val Verify"}, project=PROJECT
    )
    stored = await store.put("verify-by-suspect", b"inspection report " * 500, KEY, home="Manufacturer")
    async with open_ledger(
        governance.network.consortium, organisation="Manufacturer", identity_dir=identity_dir
    ) as own:
        committed = await own.provenance(PROJECT).record_artifact(
            stored, kind="report", media_type="application/json", wrapped_key_epoch=1
        )
    await governance.settle(committed.transaction_id, PROJECT)
    assert (await verdicts(governance, store, "verify-by-suspect"))["verify-by-suspect"] == ("intact", "")
    await governance.suspend(
        "verify-suspect",
        requested_by="ModelTrainer",
        approvers=("ConditionMonitor", "QualityControl"),
        reason="falsified reports",
    )
    status, why = (await verdicts(governance, store, "verify-by-suspect"))["verify-by-suspect"]
    assert (status, why) == ("distrusted", "signed by verify-suspect, now suspended")
