"""Issue 10's provenance holes on the running network: a project channel takes writes only from the
members on its list whose standing the registry on mainchain confirms (a cross-channel query on each
endorsing peer), and a phase only from the role and organisation the channel's parameters give it. The
rules themselves are unit-tested role by role on the stub (chaincode/provenance holes_test.go,
members_test.go)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from gateway.artifacts.store import StoredArtifact
from gateway.fabric import proposal as proposal_module
from gateway.ledger import LedgerError, ProjectMemberArgument, client_id, open_ledger
from tests.integration.conftest import CID, PROJECT
from tests.integration.founding import Governance, certificate_of, refusal


def artifact(artifact_id: str) -> StoredArtifact:
    return StoredArtifact(artifact_id, CID, "0" * 64, 1, ("Manufacturer", "ModelTrainer"))


async def test_a_member_off_the_channels_list_is_refused_until_its_organisation_lists_it(
    governance: Governance,
) -> None:
    identity_dir = await governance.enrolled(
        "ModelTrainer",
        "hole-newcomer",
        role="admin",
        attributes={"identity": "Nina Newcomer"},
    )
    consortium = governance.network.consortium
    async with open_ledger(consortium, organisation="ModelTrainer", identity_dir=identity_dir) as own:
        record = own.provenance(PROJECT).record_artifact
        reason = await refusal(
            record(artifact("hole-newcomer-1"), kind="dataset", media_type="text/plain", wrapped_key_epoch=1)
        )
        assert f"not a member of project channel {PROJECT}" in reason, reason
        # Listed by another organisation's admin: refused; by its own organisation's admin: listed.
        entry = ProjectMemberArgument(
            "hole-newcomer", client_id(certificate_of(identity_dir)), "admin", "ModelTrainer"
        )
        assert "own organisation" in await refusal(
            governance.founder("Manufacturer").provenance(PROJECT).add_member(entry)
        )
        listing = await governance.founder("ModelTrainer").provenance(PROJECT).add_member(entry)
        await governance.settle(listing.transaction_id, PROJECT)
        committed = await record(
            artifact("hole-newcomer-1"), kind="dataset", media_type="text/plain", wrapped_key_epoch=1
        )
    assert committed.block_number > 0
    listed = (
        await governance.founder("ConditionMonitor").provenance(PROJECT).get_project_member("hole-newcomer")
    )
    assert listed.status == "listed"


async def test_a_suspended_member_on_the_list_is_refused(governance: Governance) -> None:
    identity_dir = await governance.project_member(
        "Manufacturer", "hole-suspect", role="admin", attributes={"identity": "Sid Suspect"}, project=PROJECT
    )
    await governance.suspend(
        "hole-suspect",
        requested_by="ModelTrainer",
        approvers=("ConditionMonitor", "QualityControl"),
        reason="audit",
    )
    consortium = governance.network.consortium
    async with open_ledger(consortium, organisation="Manufacturer", identity_dir=identity_dir) as own:
        reason = await refusal(
            own.provenance(PROJECT).record_artifact(
                artifact("hole-suspect-1"), kind="dataset", media_type="text/plain", wrapped_key_epoch=1
            )
        )
    assert "suspended" in reason, reason


async def test_a_phase_is_refused_to_a_role_the_channel_does_not_give_it(governance: Governance) -> None:
    """An admin opens a model certificate (any writer may) but cannot write its requirements, which the
    channel gives to Manufacturer's company members: the phase writer table, not the opener, decides."""
    founder = governance.founder("Manufacturer").provenance(PROJECT)
    opened = await founder.open_model_certificate("hole-model-cert", model_name="surface-cnn", version="1")
    await governance.settle(opened.transaction_id, PROJECT)
    try:
        await founder.add_phase(
            "hole-model-cert",
            phase="requirements",
            fields={"goals": "detect scratches", "decisions": "binary classifier"},
            creator_certificate_id="cert-none",
        )
    except LedgerError as refused:
        reason = " | ".join(refused.reasons)
    else:
        raise AssertionError("an admin wrote the requirements phase")
    assert "requirements" in reason and "company" in reason, reason
    certificate = await founder.get_model_certificate("hole-model-cert")
    assert certificate.phases == ()


async def test_a_phase_citing_another_organisations_company_certificate_is_refused(
    governance: Governance,
) -> None:
    """A company member of the Manufacturer, whom the channel gives the requirements, cites the
    ModelTrainer's company certificate as its own: the contract reads it from the registry on mainchain
    and refuses it, naming whose it is; citing its own organisation's, the phase is recorded."""
    await governance.company_certificates(("Manufacturer", "ModelTrainer"), prefix="hole-company")
    identity_dir = await governance.project_member(
        "Manufacturer",
        "hole-company",
        role="company",
        attributes={"legalEntity": "Manufacturer Surfaces GmbH"},
        project=PROJECT,
    )
    consortium = governance.network.consortium
    own_msp = consortium.organisation("Manufacturer").msp_id
    other_msp = consortium.organisation("ModelTrainer").msp_id
    requirements = {"goals": "detect scratches", "decisions": "binary classifier"}
    async with open_ledger(consortium, organisation="Manufacturer", identity_dir=identity_dir) as own:
        provenance = own.provenance(PROJECT)
        opened = await provenance.open_model_certificate(
            "hole-cited-cert", model_name="surface-cnn", version="1"
        )
        await governance.settle(opened.transaction_id, PROJECT)
        reason = await refusal(
            provenance.add_phase(
                "hole-cited-cert",
                phase="requirements",
                fields=requirements,
                creator_certificate_id="hole-company-modeltrainer",
            )
        )
        committed = await provenance.add_phase(
            "hole-cited-cert",
            phase="requirements",
            fields=requirements,
            creator_certificate_id="hole-company-manufacturer",
        )
        await governance.settle(committed.transaction_id, PROJECT)
        certificate = await provenance.get_model_certificate("hole-cited-cert")
    assert (
        f'certificate "hole-company-modeltrainer" is about organisation {other_msp}, not yours ({own_msp})'
        in reason
    ), reason
    assert [(p.phase, p.creator_certificate_id) for p in certificate.phases] == [
        ("requirements", "hole-company-manufacturer")
    ]


async def test_a_backdated_rating_is_refused(governance: Governance, monkeypatch: pytest.MonkeyPatch) -> None:
    """A client dates its rating's transaction before the open period opened (the timestamp is the
    client's to set): dated seconds before, the contract refuses it; dated a year before, the peers
    refuse it already (their 15-minute time window). Sent again dated now, it counts in the open period."""
    creator = governance.founder("Manufacturer").provenance(PROJECT)
    rater = governance.founder("ModelTrainer").provenance(PROJECT)
    recorded = await creator.record_artifact(
        artifact("hole-rated"),
        kind="dataset",
        media_type="text/plain",
        wrapped_key_epoch=1,
        request_feedback=True,
    )
    await governance.settle(recorded.transaction_id, PROJECT)
    # A period that opened moments ago, so that "before it opened" is inside the peers' time window.
    clock = await creator.get_period_clock()
    await asyncio.sleep(
        max(0.0, datetime.fromisoformat(clock.opened_at).timestamp() + clock.period_seconds - time.time())
    )
    await governance.settle((await creator.close_period()).transaction_id, PROJECT)
    clock = await rater.get_period_clock()
    opened = datetime.fromisoformat(clock.opened_at).timestamp()

    def dated(seconds: float) -> Callable[[Any], None]:
        def stamp(timestamp: Any) -> None:
            timestamp.seconds, timestamp.nanos = int(seconds), 0

        return stamp

    refusals = []
    for when in (opened - 5, time.time() - 365 * 24 * 3600):
        with monkeypatch.context() as patched:
            patched.setattr(proposal_module, "set_timestamp_now", dated(when))
            refusals.append(
                await refusal(rater.rate_record("hole-rated", score=Decimal(1), comment="backdated"))
            )
    assert f"before period {clock.open_period} opened" in refusals[0], refusals[0]
    assert "cannot be backdated" in refusals[0], refusals[0]
    assert "incorrect timestamp" in refusals[1], refusals[1]
    assert await rater.get_feedback("hole-rated") == ()
    committed = await rater.rate_record("hole-rated", score=Decimal(1), comment="dated now")
    await governance.settle(committed.transaction_id, PROJECT)
    [feedback] = await rater.get_feedback("hole-rated")
    assert feedback.period == clock.open_period
