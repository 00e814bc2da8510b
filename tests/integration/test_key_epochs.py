"""The project's data-key epochs on the running network, and `bcmlp verify artifact` (issue 10): the session's
project got epoch 1 at `make project-init` for its founders; an artifact one organisation stores under the
recorded epoch verifies intact as another organisation's admin, with keys read from the ledger; a member
that holds no copy of an epoch, an unknown project, artifact or organisation each get a specific error;
and an artifact cannot be recorded under an epoch that is not on the channel."""

from __future__ import annotations

import pytest

from gateway.artifacts import NotARecipient
from gateway.artifacts.project_keys import (
    current_data_key,
    data_key_for_epoch,
    member_keyring,
    rotate_project_key,
)
from gateway.artifacts.store import ArtifactStore, StoredArtifact
from gateway.ledger import ProjectMemberArgument, client_id
from tests.integration.conftest import PROJECT, PROJECT_ORGS
from tests.integration.founding import Governance, certificate_of, founder_id, refusal


async def store_and_record(
    governance: Governance,
    store: ArtifactStore,
    artifact_id: str,
    content: bytes,
    parents: tuple[str, ...] = (),
) -> StoredArtifact:
    """store_and_record stores content as Manufacturer's founder under the project's current data key, opened
    from the ledger with its own keyring, and records it under that epoch."""
    ledger = governance.founder("Manufacturer")
    admin_dir = governance.network.consortium.organisation("Manufacturer").admin_dir
    epoch, key = await current_data_key(ledger, PROJECT, await member_keyring(ledger, PROJECT, admin_dir))
    stored = await store.put(artifact_id, content, key, home="Manufacturer")
    committed = await ledger.provenance(PROJECT).record_artifact(
        stored,
        kind="dataset",
        media_type="application/octet-stream",
        wrapped_key_epoch=epoch,
        parents=parents,
    )
    await governance.settle(committed.transaction_id, PROJECT)
    return stored


async def test_make_project_recorded_epoch_1_for_the_founders(governance: Governance) -> None:
    provenance = governance.founder("ConditionMonitor").provenance(PROJECT)
    first = (await provenance.get_key_epochs())[0]
    assert first.epoch == 1
    assert set(first.members) == {founder_id(org) for org in PROJECT_ORGS}
    recorded = await provenance.get_key_epoch(1)
    for org in PROJECT_ORGS:
        copy = recorded.epoch.copy_for(founder_id(org))
        key = await governance.founder(org).registry.get_key_agreement_keys(founder_id(org))
        assert copy.recipient in {k.key_id for k in key}


async def test_an_artifact_verifies_intact_as_another_organisations_admin(
    governance: Governance, store: ArtifactStore
) -> None:
    await store_and_record(governance, store, "epochs-raw", b"raw images under the project key " * 500)
    await store_and_record(governance, store, "epochs-model", b"model weights " * 700, ("epochs-raw",))
    proc = governance.network.bcmlp(
        "verify",
        "artifact",
        "epochs-model",
        "--project",
        PROJECT,
        "--organisation",
        "ConditionMonitor",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"verified as ConditionMonitor's admin (member {founder_id('ConditionMonitor')})" in proc.stdout
    lines = [line.split() for line in proc.stdout.splitlines() if line.startswith("intact")]
    assert [line[2] for line in lines] == ["epochs-model", "epochs-raw"], proc.stdout
    assert "2 intact, 0 altered, 0 missing, 0 distrusted" in proc.stdout
    # the default organisation is the project's first
    proc = governance.network.bcmlp("verify", "artifact", "epochs-raw", "--project", PROJECT)
    assert proc.returncode == 0 and "as Manufacturer's admin" in proc.stdout, proc.stdout + proc.stderr


async def test_bad_input_is_named(governance: Governance) -> None:
    for args, message in [
        (("no-such-artifact", "--project", PROJECT), "project inspection has no artifact 'no-such-artifact'"),
        (("x", "--project", "nowhere"), "'nowhere' is not a project channel of this network"),
        (
            ("x", "--project", PROJECT, "--organisation", "QualityControl"),
            "QualityControl is not one of inspection's organisations",
        ),
    ]:
        proc = governance.network.bcmlp("verify", "artifact", *args)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert message in proc.stderr, proc.stderr


async def test_a_member_without_a_copy_gets_a_specific_error(
    governance: Governance, store: ArtifactStore
) -> None:
    """ModelTrainer's founder leaves the project; the next epoch is made without it; it is listed again
    but holds no copy of that epoch, so it cannot verify what is encrypted under it (but others can), until
    a writer records the next epoch, which must include it."""
    trainer = governance.founder("ModelTrainer")
    manufacturer = governance.founder("Manufacturer")
    trainer_id = founder_id("ModelTrainer")
    admin_dir = governance.network.consortium.organisation("ModelTrainer").admin_dir
    await governance.settle(
        (await trainer.provenance(PROJECT).remove_member(trainer_id, reason="key epoch test")).transaction_id,
        PROJECT,
    )
    rotation = await rotate_project_key(manufacturer, PROJECT)
    await governance.settle(rotation.tx_id, PROJECT)
    summary = (await manufacturer.provenance(PROJECT).get_key_epochs())[-1]
    assert summary.epoch == rotation.epoch and trainer_id not in summary.members
    await store_and_record(governance, store, "epochs-secret", b"after the trainer left " * 300)
    member = ProjectMemberArgument(trainer_id, client_id(certificate_of(admin_dir)), "admin", "ModelTrainer")
    await governance.settle((await trainer.provenance(PROJECT).add_member(member)).transaction_id, PROJECT)

    with pytest.raises(NotARecipient, match=f"holds no copy of the data key of epoch {rotation.epoch}"):
        await data_key_for_epoch(
            trainer, PROJECT, await member_keyring(trainer, PROJECT, admin_dir), rotation.epoch
        )
    proc = governance.network.bcmlp(
        "verify",
        "artifact",
        "epochs-secret",
        "--project",
        PROJECT,
        "--organisation",
        "ModelTrainer",
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert (
        f"ModelTrainer's admin (member {trainer_id}) cannot open the data key of epoch {rotation.epoch}"
        in proc.stderr
    )
    assert "verify as another organisation (--organisation)" in proc.stderr
    proc = governance.network.bcmlp(
        "verify",
        "artifact",
        "epochs-secret",
        "--project",
        PROJECT,
        "--organisation",
        "ConditionMonitor",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr

    # The next epoch includes it again: the contract refuses one that leaves out a listed member with a key.
    again = await rotate_project_key(manufacturer, PROJECT)
    await governance.settle(again.tx_id, PROJECT)
    assert trainer_id in (await trainer.provenance(PROJECT).get_key_epoch(again.epoch)).epoch.members


async def test_an_artifact_under_an_epoch_not_recorded_is_refused(governance: Governance) -> None:
    provenance = governance.founder("Manufacturer").provenance(PROJECT)
    latest = (await provenance.get_key_epochs())[-1].epoch
    stored = StoredArtifact(
        "epochs-future",
        "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
        "ab" * 32,
        1,
        ("Manufacturer", "ModelTrainer"),
    )
    reason = await refusal(
        provenance.record_artifact(
            stored, kind="dataset", media_type="application/octet-stream", wrapped_key_epoch=latest + 1
        )
    )
    assert f"wrappedKeyEpoch {latest + 1} is not a recorded key epoch of project channel {PROJECT}" in reason
