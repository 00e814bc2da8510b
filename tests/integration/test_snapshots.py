"""The trust snapshot job (`make snapshot PROJECT=…`, gateway/cli/snapshot.py) on the running network
(issue 10): a rating on a project channel reaches the consortium's trust table through the job alone,
moving the rated member's trust exactly as the independent reference computes; a second round files
nothing twice; a project or organisation that is not there is refused."""

from __future__ import annotations

import asyncio
import re
import time
from decimal import Decimal

from gateway.artifacts.store import StoredArtifact
from gateway.ledger import LedgerError, open_ledger
from tests.integration.conftest import CID, RunningNetwork
from tests.integration.founding import (
    FOUNDER_FLOOR,
    Governance,
    S,
    fixed,
    founder_id,
    reference_decay,
    reference_value,
)

NAME = "snapproject"


def snapshot_round(network: RunningNetwork, *args: str) -> str:
    proc = network.make("snapshot", *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


async def test_the_job_carries_a_rating_into_the_trust_table_exactly(governance: Governance) -> None:
    network = governance.network
    # Enrolled before `make project`, which lists it on the channel (viewers write nothing).
    creator_dir = await governance.enrolled(
        "Manufacturer",
        "snap-creator",
        role="admin",
        attributes={"identity": "Sam Snap"},
    )
    proc = network.make("project", f"NAME={NAME}", "ORGS=Manufacturer QualityControl")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    consortium = network.reload()
    auditor = consortium.organisation("QualityControl")
    async with (
        open_ledger(consortium, organisation="Manufacturer", identity_dir=creator_dir) as creator,
        open_ledger(consortium, organisation=auditor.name, identity_dir=auditor.admin_dir) as rater,
    ):
        await creator.provenance(NAME).record_artifact(
            StoredArtifact("snap-model", CID, "0" * 64, 1, ("Manufacturer", "QualityControl")),
            kind="model",
            media_type="application/octet-stream",
            wrapped_key_epoch=1,
            request_feedback=True,
        )
        registry = rater.registry
        # The job applies what is due before it files: read the evidence the period starts from once
        # every closed registry period is applied, so that only the periods after it are to model.
        snapshot_round(network, f"PROJECT={NAME}")
        await rater.provenance(NAME).rate_record("snap-model", score=Decimal(1), comment="surface fine")
        period = (await rater.provenance(NAME).get_period_clock()).open_period
        start = await registry.get_trust_clock()
        assert start.latest_period == start.open_period - 1 or start.latest_period == start.open_period - 2
        before = await registry.get_trust("snap-creator")
        rater_before = await registry.get_trust(founder_id("QualityControl"))
        trust = (await registry.get_parameters()).params.trust

        rounds: list[str] = []
        deadline = time.monotonic() + 60
        while True:
            rounds.append(snapshot_round(network, f"PROJECT={NAME}"))
            try:
                applied = await registry.get_applied_snapshot(NAME, period)
                break
            except LedgerError:
                assert time.monotonic() < deadline, rounds
                await asyncio.sleep(0.5)
        after = await registry.get_trust("snap-creator")
        again = snapshot_round(network, f"PROJECT={NAME}")
        assert await registry.get_applied_snapshot(NAME, period) == applied

    assert applied.feedback == 1 and applied.rejected == (), applied
    assert applied.submitter == founder_id("Manufacturer"), applied  # the job runs as the first org's admin
    assert f"{NAME} period {period} submitted (1 ratings)" in "".join(rounds), rounds
    assert f"period {period} submitted" not in again, again

    # The reference: from the evidence at start.latest_period, every period up to the one the snapshot
    # was applied in decays both members once (the founder no lower than its floor), weighing the
    # rating by the rater's trust just before; the rating adds in the period it was applied in.
    pos, neg = [fixed(v) for v in before.evidence.positive], [fixed(v) for v in before.evidence.negative]
    rpos = [fixed(v) for v in rater_before.evidence.positive]
    rneg = [fixed(v) for v in rater_before.evidence.negative]
    for step in range(start.latest_period + 1, applied.applied_in_period + 1):
        weight = reference_value(rpos, rneg, trust)
        pos, neg = reference_decay(pos, neg, trust, 0)
        rpos, rneg = reference_decay(rpos, rneg, trust, FOUNDER_FLOOR)
        if step == applied.applied_in_period:
            band = 2 if weight > 750_000 else 1 if weight > 500_000 else 0
            pos[band] += max(weight, 0) * (S + S) // (2 * S)  # score 1.0
    assert [fixed(v) for v in after.evidence.positive] == pos, (before, after)
    assert [fixed(v) for v in after.evidence.negative] == neg, (before, after)
    assert fixed(after.trust) == reference_value(pos, neg, trust)
    assert fixed(after.trust) > 0


def test_the_job_refuses_a_project_or_organisation_that_is_not_there(governance: Governance) -> None:
    network = governance.network
    nowhere = network.make("snapshot", "PROJECT=nowhere")
    assert nowhere.returncode != 0
    assert "'nowhere' is not a project channel of this network" in nowhere.stderr
    outsider = network.make("snapshot", "PROJECT=inspection", "ORG=QualityControl")
    assert outsider.returncode != 0
    assert re.search(r"QualityControl is not one of inspection's organisations", outsider.stderr), outsider


async def test_the_background_job_files_a_projects_snapshot_on_its_own(governance: Governance) -> None:
    """`make snapshot-job ORG=…` runs rounds for every project of the organisation whenever a period is
    due: a rating reaches the trust table with nobody running `make snapshot`."""
    network, name = governance.network, "jobproject"
    creator_dir = await governance.enrolled(
        "ConditionMonitor",
        "job-creator",
        role="admin",
        attributes={"identity": "Jo Job"},
    )
    proc = network.make("project", f"NAME={name}", "ORGS=ConditionMonitor QualityControl")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    consortium = network.reload()
    auditor = consortium.organisation("QualityControl")
    log = network.run_dir / "logs" / "snapshot-conditionmonitor.log"
    async with (
        open_ledger(consortium, organisation="ConditionMonitor", identity_dir=creator_dir) as creator,
        open_ledger(consortium, organisation=auditor.name, identity_dir=auditor.admin_dir) as rater,
    ):
        await creator.provenance(name).record_artifact(
            StoredArtifact("job-model", CID, "0" * 64, 1, ("ConditionMonitor", "QualityControl")),
            kind="model",
            media_type="application/octet-stream",
            wrapped_key_epoch=1,
            request_feedback=True,
        )
        await rater.provenance(name).rate_record("job-model", score=Decimal("0.5"), comment="fine")
        period = (await rater.provenance(name).get_period_clock()).open_period
        started = network.make("snapshot-job", "ORG=ConditionMonitor")
        assert started.returncode == 0, started.stdout + started.stderr
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    applied = await rater.registry.get_applied_snapshot(name, period)
                    break
                except LedgerError:
                    assert time.monotonic() < deadline, log.read_text() if log.exists() else "no log"
                    await asyncio.sleep(1)
        finally:
            stopped = network.make("snapshot-job", "ORG=ConditionMonitor", "STOP=1")
            assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert applied.feedback == 1 and applied.submitter == founder_id("ConditionMonitor"), applied
    assert f"{name} period {period} submitted (1 ratings)" in log.read_text()
    assert not (network.run_dir / "pids" / "snapshot-conditionmonitor.pid").exists()


def test_the_background_job_refuses_an_unknown_organisation(governance: Governance) -> None:
    proc = governance.network.make("snapshot-job", "ORG=Nobody")
    assert proc.returncode != 0
    assert "unknown organisation 'Nobody'" in proc.stderr
