"""Issue 4's acceptance points that need a project channel, on the running network (issue 10): an
organisation outside the project cannot read the channel; phases out of order and a pipeline whose
architecture breaks the data order are refused; the creator's rating of its own record and a second
rating by the same member are refused. Each refusal leaves the ledger as it was."""

from __future__ import annotations

from decimal import Decimal

from gateway.artifacts.store import StoredArtifact
from gateway.ledger import (
    Component,
    LedgerError,
    SoftwareVersion,
    open_ledger,
)
from tests.integration.conftest import CID, PROJECT, PROJECT_ORGS
from tests.integration.founding import Governance, refusal


async def test_an_organisation_outside_the_project_cannot_read_its_channel(governance: Governance) -> None:
    outsider = "QualityControl"
    assert outsider not in PROJECT_ORGS
    recorded = (
        await governance.founder("Manufacturer")
        .provenance(PROJECT)
        .record_artifact(
            StoredArtifact("channel-private", CID, "0" * 64, 1, ("Manufacturer", "ModelTrainer")),
            kind="dataset",
            media_type="text/plain",
            wrapped_key_epoch=1,
        )
    )
    await governance.settle(recorded.transaction_id, PROJECT)
    try:
        await governance.founder(outsider).provenance(PROJECT).get_artifact("channel-private")
    except LedgerError as refused:
        reason = " | ".join((*refused.reasons, refused.message))
    else:
        raise AssertionError(f"{outsider} read {PROJECT}'s record")
    # Its own peer has not joined the channel, and no project peer serves an organisation outside it.
    assert PROJECT in reason or "access denied" in reason.lower(), reason
    # ... while a project organisation reads it through its own peer.
    record = await governance.founder("ConditionMonitor").provenance(PROJECT).get_artifact("channel-private")
    assert record.creator_msp == "ManufacturerMSP"


async def test_the_creators_own_rating_and_a_second_rating_are_refused(governance: Governance) -> None:
    creator = governance.founder("Manufacturer").provenance(PROJECT)
    rater = governance.founder("ModelTrainer").provenance(PROJECT)
    recorded = await creator.record_artifact(
        StoredArtifact("channel-rated", CID, "0" * 64, 1, ("Manufacturer", "ModelTrainer")),
        kind="dataset",
        media_type="text/plain",
        wrapped_key_epoch=1,
        request_feedback=True,
    )
    await governance.settle(recorded.transaction_id, PROJECT)
    own = await refusal(creator.rate_record("channel-rated", score=Decimal(1), comment="mine is great"))
    assert "the creator cannot rate its own record" in own, own
    first = await rater.rate_record("channel-rated", score=Decimal("0.5"), comment="fine")
    await governance.settle(first.transaction_id, PROJECT)
    again = await refusal(rater.rate_record("channel-rated", score=Decimal(1), comment="better now"))
    assert "you already rated artifact" in again and first.transaction_id in again, again
    [feedback] = await creator.get_feedback("channel-rated")
    assert (feedback.score, feedback.tx_id) == (Decimal("0.5"), first.transaction_id)


async def test_phases_out_of_order_are_refused(governance: Governance) -> None:
    """A company member of Manufacturer, whom the channel gives both requirements and data collection,
    writes data collection first: refused, and the certificate keeps no phase."""
    identity_dir = await governance.project_member(
        "Manufacturer",
        "channel-company",
        role="company",
        attributes={"legalEntity": "Manufacturer Surfaces GmbH"},
        project=PROJECT,
    )
    async with open_ledger(
        governance.network.consortium, organisation="Manufacturer", identity_dir=identity_dir
    ) as own:
        provenance = own.provenance(PROJECT)
        opened = await provenance.open_model_certificate(
            "channel-cert", model_name="surface-cnn", version="1"
        )
        await governance.settle(opened.transaction_id, PROJECT)
        reason = await refusal(
            provenance.add_phase(
                "channel-cert",
                phase="data-collection",
                fields={"acquisition": "line camera", "sensors": "2 cameras"},
                creator_certificate_id="cert-none",
            )
        )
        certificate = await provenance.get_model_certificate("channel-cert")
    assert "requirements" in reason, reason
    assert certificate.phases == ()


async def test_an_architecture_that_breaks_the_data_order_is_refused(governance: Governance) -> None:
    provenance = governance.founder("ModelTrainer").provenance(PROJECT)
    tools = [SoftwareVersion("python", "3.11")]
    components = [
        Component("serve", "inference", "Manufacturer", ["predict"], tools, ["model"], ["inference-results"]),
        Component("fit", "training", "ModelTrainer", ["fit"], tools, ["dataset"], ["model"]),
    ]
    reason = await refusal(
        provenance.record_pipeline_certificate(
            "channel-pipeline", version="1", components=components, configuration="{}"
        )
    )
    assert "reorder the components" in reason, reason  # a stage or an input out of the data order
    assert "does not exist" in await refusal(provenance.get_pipeline_certificate("channel-pipeline"))
