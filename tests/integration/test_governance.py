"""The registry's governance on the running network (issue 9, README "Ledger rules"), through gateway.ledger.

Genesis by every founding organisation's consent, enrolment approved automatically (viewers) and by k
committee approvals from two organisations, suspension by the committee, forged and duplicate approvals
refused, bad input named and changing nothing: each on real peers, endorsed by a majority of mainchain's
organisations, with the identities the organisations' CAs issue.

The session fixture `governance` founds the consortium (tests/integration/founding.py) with k = 3, so
that two approvals, from two organisations, are still too few, and keeps what it saw on the way there.
Every test makes its own members and is independent of the others' order.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from dataclasses import replace
from decimal import Decimal
from functools import partial
from pathlib import Path

from fabric_protos.common import ledger_pb2

from gateway.artifacts.store import StoredArtifact
from gateway.fabric import GatewayError
from gateway.ipfs import IpfsClient
from gateway.ledger import (
    ConsortiumParams,
    Ledger,
    LedgerError,
    TrustSnapshot,
    client_id,
    open_ledger,
)
from tests.conftest import ROOT
from tests.integration.conftest import CID, PROJECT, PROJECT_ORGS
from tests.integration.founding import (
    DOC,
    DOC_JSON,
    FOUNDER_FLOOR,
    ORGS,
    PARAMS,
    PERIOD_SECONDS,
    Governance,
    K,
    S,
    apply_through,
    attempt,
    certificate_of,
    close_through,
    fixed,
    founder_id,
    new_identity,
    reference_decay,
    reference_trust,
    reference_value,
    refusal,
)


async def test_genesis_needs_every_founding_admins_confirmation(governance: Governance) -> None:
    gov = governance
    assert len(gov.refusals_before_genesis) == 3
    for reason in gov.refusals_before_genesis:
        assert reason is not None, "GetParameters answered before every founding organisation confirmed"
        assert "the consortium is not initialised" in reason
    assert gov.confirmation_refusals == dict.fromkeys(ORGS[1:])
    assert gov.pending.status == "pending"
    assert gov.pending.unconfirmed == ("QualityControlMSP",)

    registry = gov.founder("ConditionMonitor").registry
    parameters = await registry.get_parameters()
    assert (parameters.version, parameters.params) == (1, PARAMS)
    proposal = await registry.get_genesis_proposal(gov.proposal_id)
    assert (proposal.status, proposal.unconfirmed) == ("approved", ())
    consortium = gov.network.consortium
    assert [(c.msp_id, c.admin) for c in proposal.confirmations] == [
        (f"{org}MSP", client_id(certificate_of(consortium.organisation(org).admin_dir))) for org in ORGS
    ]
    assert proposal.confirmations[0].tx_id == gov.proposal_id
    committee = await registry.get_committee()
    assert {row.member_id for row in committee} == {founder_id(org) for org in ORGS}
    founder = await registry.get_member(founder_id("QualityControl"))
    assert (founder.status, founder.founder, founder.msp_id) == ("active", True, "QualityControlMSP")

    # Founded once: neither a new proposal nor a late confirmation is taken.
    again = await refusal(gov.founder("ModelTrainer").registry.init_consortium(gov.founders))
    assert "already initialised" in again
    assert "already initialised" in await refusal(registry.confirm_consortium(gov.proposal_id))


async def test_a_client_identity_can_neither_propose_nor_confirm_genesis(governance: Governance) -> None:
    gov = governance
    for reason in (gov.clerk_proposal_refusal, gov.clerk_confirmation_refusal):
        assert reason is not None, "a client identity's call was accepted"
        assert 'needs an admin identity of a founding organisation (NodeOU "admin")' in reason
        assert "QualityControlMSP" in reason
    clerk = client_id(certificate_of(gov.clerk_dir))
    assert clerk in str(gov.clerk_confirmation_refusal)
    # The clerk's attempt, made with QualityControl still unconfirmed, did not count for it.
    assert gov.pending.unconfirmed == ("QualityControlMSP",)
    proposal = await gov.founder("Manufacturer").registry.get_genesis_proposal(gov.proposal_id)
    assert clerk not in {c.admin for c in proposal.confirmations}
    # Nor is the clerk anyone after genesis: it is bound to no member.
    assert "not bound to any member" in await refusal(
        _as(gov, gov.clerk_dir, "QualityControl", "ClosePeriod")
    )


async def _as(gov: Governance, identity_dir: Path, organisation: str, function: str, *args: str) -> None:
    async with open_ledger(
        gov.network.consortium, organisation=organisation, identity_dir=identity_dir
    ) as own:
        await _endorse(own, function, *args)


async def _endorse(ledger: Ledger, function: str, *args: str) -> None:
    """_endorse sends registry:function exactly args, bypassing the typed client, and endorses it."""
    contract = ledger.gateway.network("mainchain").contract("registry", "registry")
    try:
        await contract.new_proposal(function, args=args).endorse()
    except GatewayError as error:
        raise LedgerError.from_gateway_error(contract.qualified_name(function), error) from error


async def test_a_viewer_is_enrolled_at_once_and_read_by_another_organisation(governance: Governance) -> None:
    gov = governance
    identity_dir = new_identity(gov.network, "ConditionMonitor", "gov-viewer")
    async with open_ledger(
        gov.network.consortium, organisation="ConditionMonitor", identity_dir=identity_dir
    ) as own:
        request_id = await own.registry.request_enrolment(
            "gov-viewer", role="viewer", attributes={"identity": "Vera"}
        )
    await gov.settle(request_id)

    other = gov.founder("Manufacturer").registry  # another organisation, through its own peer
    member = await other.get_member("gov-viewer")
    assert (member.status, member.role, member.msp_id) == ("active", "viewer", "ConditionMonitorMSP")
    assert member.identity == client_id(certificate_of(identity_dir))
    assert (member.request_id, member.attributes) == (request_id, {"identity": "Vera"})
    request = await other.get_enrolment(request_id)
    assert (request.status, request.approvals, request.subject) == ("approved", (), "gov-viewer")
    assert (await other.get_trust("gov-viewer")).member_id == "gov-viewer"


async def test_a_critical_role_needs_k_approvals_from_two_organisations(governance: Governance) -> None:
    gov = governance
    company = await gov.founder("QualityControl").registry.issue_certificate(
        "gov-company-qc",
        kind="company",
        subject="QualityControl",
        project_channel="mainchain",
        attributes={"legalEntity": "Quality Control GmbH"},
        evidence=[DOC],
    )
    await gov.settle(company.transaction_id)
    identity_dir = new_identity(gov.network, "QualityControl", "gov-auditor")
    attributes: dict[str, str | int] = {"identity": "Ada Auditor", "companyCertificate": "gov-company-qc"}
    async with open_ledger(
        gov.network.consortium, organisation="QualityControl", identity_dir=identity_dir
    ) as own:
        request_id = await own.registry.request_enrolment(
            "gov-auditor", role="quality-auditor", attributes=attributes, documents=[DOC]
        )
        await gov.settle(request_id)
        own_approval = await refusal(own.registry.approve_enrolment(request_id))
    assert 'forged approval: member "gov-auditor" is pending' in own_approval

    reader = gov.founder("ModelTrainer").registry
    for approvals, approver in enumerate(("Manufacturer", "ModelTrainer"), start=1):
        await gov.settle((await gov.founder(approver).registry.approve_enrolment(request_id)).transaction_id)
        request = await reader.get_enrolment(request_id)
        assert (request.status, len(request.approvals)) == ("pending", approvals)
        assert (await reader.get_member("gov-auditor")).status == "pending"
    # Two approvals from two organisations are still fewer than k = 3.
    await gov.settle(
        (await gov.founder("ConditionMonitor").registry.approve_enrolment(request_id)).transaction_id
    )
    request = await reader.get_enrolment(request_id)
    assert request.status == "approved"
    assert [(a.member_id, a.organisation) for a in request.approvals] == [
        (founder_id(org), f"{org}MSP") for org in ("Manufacturer", "ModelTrainer", "ConditionMonitor")
    ]
    member = await reader.get_member("gov-auditor")
    assert (member.status, member.role, member.attributes["companyCertificate"]) == (
        "active",
        "quality-auditor",
        "gov-company-qc",
    )


async def test_a_suspension_takes_k_approvals_and_then_refuses_the_members_writes(
    governance: Governance,
) -> None:
    gov = governance
    identity_dir = await gov.enrolled(
        "ModelTrainer",
        "gov-operator",
        role="admin",
        attributes={"identity": "Otto Operator"},
    )
    reader = gov.founder("Manufacturer").registry
    request_id = await reader.request_member_status("gov-operator", status="suspended", reason="keys leaked")
    await gov.settle(request_id)
    await gov.settle(
        (await gov.founder("QualityControl").registry.approve_member_status(request_id)).transaction_id
    )
    request = await reader.get_status_request(request_id)
    assert (request.state, request.requested_by) == ("pending", founder_id("Manufacturer"))
    assert {a.organisation for a in request.approvals} == {"ManufacturerMSP", "QualityControlMSP"}
    assert (await reader.get_member("gov-operator")).status == "active"

    async with open_ledger(
        gov.network.consortium, organisation="ModelTrainer", identity_dir=identity_dir
    ) as own:

        async def issue(cert_id: str) -> str:
            committed = await own.registry.issue_certificate(
                cert_id,
                kind="company",
                subject="ModelTrainer",
                project_channel="mainchain",
                attributes={"legalEntity": "Model Trainer AG"},
                evidence=[DOC],
            )
            return committed.transaction_id

        # Fewer than k approvals have no effect: the member still writes.
        await gov.settle(await issue("gov-operator-cert-1"))
        assert (await reader.get_certificate("gov-operator-cert-1")).issuer == "gov-operator"

        await gov.settle(
            (await gov.founder("ConditionMonitor").registry.approve_member_status(request_id)).transaction_id
        )
        assert (await reader.get_status_request(request_id)).state == "approved"
        member = await reader.get_member("gov-operator")
        assert (member.status, member.status_reason) == ("suspended", "keys leaked")

        refused = await refusal(issue("gov-operator-cert-2"))
    assert 'member "gov-operator" is suspended' in refused
    assert "does not exist" in await refusal(reader.get_certificate("gov-operator-cert-2"))


async def test_forged_and_duplicate_approvals_are_refused(governance: Governance) -> None:
    gov = governance
    newcomer_dir = new_identity(gov.network, "ConditionMonitor", "gov-newcomer")
    viewer_dir = new_identity(gov.network, "Manufacturer", "gov-onlooker")
    consortium = gov.network.consortium
    async with (
        open_ledger(consortium, organisation="ConditionMonitor", identity_dir=newcomer_dir) as newcomer,
        open_ledger(consortium, organisation="Manufacturer", identity_dir=viewer_dir) as viewer,
        open_ledger(consortium, organisation="QualityControl", identity_dir=gov.clerk_dir) as clerk,
    ):
        request_id = await newcomer.registry.request_enrolment(
            "gov-newcomer", role="admin", attributes={}, documents=[DOC]
        )
        await gov.settle(await viewer.registry.request_enrolment("gov-onlooker", role="viewer"))
        await gov.settle(request_id)
        approver = gov.founder("ModelTrainer").registry
        await gov.settle((await approver.approve_enrolment(request_id)).transaction_id)

        duplicate = await refusal(approver.approve_enrolment(request_id))
        by_viewer = await refusal(viewer.registry.approve_enrolment(request_id))
        by_nobody = await refusal(clerk.registry.approve_enrolment(request_id))
    assert f'member "{founder_id("ModelTrainer")}" has already approved enrolment request' in duplicate
    assert 'forged approval: member "gov-onlooker" is not on the committee' in by_viewer
    assert "forged approval: your identity" in by_nobody
    assert "is not bound to any member" in by_nobody

    request = await gov.founder("QualityControl").registry.get_enrolment(request_id)
    assert request.status == "pending"
    assert [a.member_id for a in request.approvals] == [founder_id("ModelTrainer")]


async def test_a_project_is_registered_with_its_organisations(governance: Governance) -> None:
    """The session's project, registered by `make project-init` as an admin of its first organisation
    once the consortium was founded, then registered again by another: refused."""
    gov = governance
    registry = gov.founder("ConditionMonitor").registry  # an admin of one of the project's organisations
    project = await gov.founder("QualityControl").registry.get_project(PROJECT)
    assert project.organisations == tuple(sorted(f"{org}MSP" for org in PROJECT_ORGS))
    assert (project.first_period, project.period_seconds, project.registered_by) == (
        1,
        PARAMS.period_seconds,
        founder_id(PROJECT_ORGS[0]),
    )
    submitted = await registry.get_submitted_snapshots(PROJECT)
    assert (submitted.channel, submitted.snapshots) == (PROJECT, ())
    assert "already registered" in await refusal(registry.register_project(PROJECT, PROJECT_ORGS))


async def test_make_member_add_enrols_a_viewer_under_its_own_identity(governance: Governance) -> None:
    network = governance.network
    proc = network.make("member-add", "ORG=ConditionMonitor", "NAME=gov-watcher", "ROLE=viewer")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "member gov-watcher of ConditionMonitor as viewer, status active" in proc.stdout
    request_id = proc.stdout.split("enrolment request ")[1].split(":")[0]
    await governance.settle(request_id)
    member = await governance.founder("ModelTrainer").registry.get_member("gov-watcher")
    own = certificate_of(new_identity(network, "ConditionMonitor", "gov-watcher"))
    assert member.identity == client_id(own)
    assert member.status == "active"


async def test_make_member_add_enrols_a_critical_role_on_the_documents_it_publishes(
    governance: Governance, tmp_path: Path
) -> None:
    """A quality auditor waits for the committee; its letter is on its organisation's node, named in the
    request by CID and SHA-256, for the committee to read."""
    network = governance.network
    letter = tmp_path / "appointment.txt"
    letter.write_bytes(b"QualityControl appoints gov-inspector as quality auditor\n")
    attrs = '{"identity": "Ines", "companyCertificate": "gov-company-qualitycontrol"}'
    await governance.company_certificates(("QualityControl",), prefix="gov-company")
    proc = network.make(
        "member-add",
        "ORG=QualityControl",
        "NAME=gov-inspector",
        "ROLE=quality-auditor",
        f"ATTRS={attrs}",
        f"DOCS={letter}",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "member gov-inspector of QualityControl as quality-auditor, status pending" in proc.stdout
    await governance.settle(proc.stdout.split("enrolment request ")[1].split(":")[0])
    member = await governance.founder("Manufacturer").registry.get_member("gov-inspector")
    [document] = member.documents
    assert (document.name, document.sha256) == (
        "appointment.txt",
        hashlib.sha256(letter.read_bytes()).hexdigest(),
    )
    node = network.consortium.organisation("QualityControl").ipfs
    assert node is not None
    async with IpfsClient(node) as client:
        assert await client.cat(document.cid) == letter.read_bytes()


async def test_a_fifth_organisation_joins_after_its_approval_and_its_writes_are_read_by_others(
    governance: Governance,
) -> None:
    network, newcomer = governance.network, "Supplier"
    added = network.run_dir / "added-organisations"

    refused = network.make("org-add", f"ORG={newcomer}")
    assert refused.returncode != 0
    assert f"{newcomer} has no enrolment on chain" in refused.stderr, refused.stderr
    assert not added.exists()
    assert not (network.run_dir / "ca" / newcomer.lower()).exists()

    sponsor = governance.founder("Manufacturer")
    request_id = await sponsor.registry.request_organisation_enrolment(
        newcomer, documents=[DOC], msp_id=f"{newcomer}MSP"
    )
    await governance.settle(request_id)
    for approver in ("ModelTrainer", "ConditionMonitor"):
        await governance.settle(
            (await governance.founder(approver).registry.approve_enrolment(request_id)).transaction_id
        )
    pending = network.make("org-add", f"ORG={newcomer}")
    assert pending.returncode != 0
    assert "not approved" in pending.stderr, pending.stderr
    await governance.settle(
        (await governance.founder("QualityControl").registry.approve_enrolment(request_id)).transaction_id
    )

    joined = network.make("org-add", f"ORG={newcomer}")
    assert joined.returncode == 0, joined.stdout + joined.stderr
    consortium = network.reload()
    assert newcomer in consortium.channels["mainchain"]
    org = consortium.organisation(newcomer)
    async with open_ledger(consortium, organisation=newcomer, identity_dir=org.admin_dir) as own:
        request = await own.registry.request_enrolment("supplier-viewer", role="viewer")
    await governance.settle(request)
    member = await governance.founder("QualityControl").registry.get_member("supplier-viewer")
    assert member.msp_id == f"{newcomer}MSP"
    assert member.status == "active"
    again = network.make("org-add", f"ORG={newcomer}")
    assert again.returncode != 0
    assert f"{newcomer} is a member already" in again.stderr


async def test_make_project_registers_a_minority_project_and_copies_the_registry_clock(
    governance: Governance,
) -> None:
    network, name = governance.network, "govproject"
    proc = network.make("project", f"NAME={name}", "ORGS=ModelTrainer QualityControl")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{name} registered with the registry" in proc.stdout
    consortium = network.reload()
    registry = governance.founder("Manufacturer").registry
    project = await registry.get_project(name)
    assert sorted(project.organisations) == ["ModelTrainerMSP", "QualityControlMSP"]
    parameters, clock = await registry.get_parameters(), await registry.get_trust_clock()
    org = consortium.organisation("QualityControl")
    async with open_ledger(consortium, organisation="QualityControl", identity_dir=org.admin_dir) as own:
        period = await own.provenance(name).get_period_clock()
    assert period.initialised
    assert period.period_seconds == parameters.params.period_seconds
    assert period.first_period <= clock.open_period
    again = network.make("project-init", f"NAME={name}")
    assert again.returncode == 0, again.stderr
    assert "registered" not in again.stdout and "clock set" not in again.stdout


async def test_a_minority_projects_rating_reaches_the_trust_table_exactly_through_state_based_endorsement(
    governance: Governance,
) -> None:
    """Two of four organisations run a project; its snapshot is endorsed by their peers alone (the
    snapshot key's policy), cross-checked there against the project channel, and applied: the rated
    member's trust equals the reference computation to the last fixed-point digit. Submitting the
    applied snapshot again is refused and changes nothing. (An entry of an identity that never
    enrolled can no longer reach a snapshot, since the channel takes writes from its listed members
    only; the registry's rejection of such entries is tested on the stub, rejections_test.go.)"""
    network, name = governance.network, "trustproject"
    # The creator enrols first, so that `make project` lists it on the channel; viewers write nothing.
    creator_dir = await governance.enrolled(
        "ModelTrainer",
        "gov-creator",
        role="admin",
        attributes={"identity": "Carl Creator"},
    )
    proc = network.make("project", f"NAME={name}", "ORGS=ModelTrainer QualityControl")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    consortium = network.reload()
    auditor = consortium.organisation("QualityControl")
    # Issue 9's hole: one rater rating one ratee many times in a period lifted it at will; now the
    # ratings of one rater for one ratee count once, at their mean.
    artifacts = [f"rated-{name}-{n}" for n in range(3)]
    async with (
        open_ledger(consortium, organisation="ModelTrainer", identity_dir=creator_dir) as creator,
        open_ledger(consortium, organisation=auditor.name, identity_dir=auditor.admin_dir) as rater,
    ):
        for artifact in artifacts:
            await creator.provenance(name).record_artifact(
                StoredArtifact(artifact, CID, "0" * 64, 1, ("ModelTrainer", "QualityControl")),
                kind="model",
                media_type="application/octet-stream",
                wrapped_key_epoch=1,
                request_feedback=True,
            )
        clock = await rater.provenance(name).get_period_clock()
        await asyncio.sleep(PERIOD_SECONDS)
        for artifact in artifacts:
            await rater.provenance(name).rate_record(artifact, score=Decimal(1), comment="inspected, fine")
        await rater.provenance(name).close_period()
        period = clock.open_period
        snapshot = await rater.provenance(name).get_trust_snapshot(period)
        assert len(snapshot.feedback) == len(artifacts)

        registry = rater.registry
        await close_through(governance, registry, period)
        # The reference is one period's step: every earlier period must be applied already (other
        # projects' snapshot rounds may have left some closed but not applied).
        await apply_through(governance, registry, period - 1)
        assert (await registry.get_trust_clock()).latest_period == period - 1
        before = await registry.get_trust("gov-creator")
        rater_trust = fixed((await registry.get_trust(founder_id("QualityControl"))).trust)
        parameters = await registry.get_parameters()
        await governance.settle((await registry.submit_trust_snapshot(snapshot)).transaction_id)
        # Other registered projects have not submitted this period: the next one closes, and it applies.
        await apply_through(governance, registry, period)

        applied = await registry.get_applied_snapshot(name, period)
        after = await registry.get_trust("gov-creator")
        table = await registry.get_trust_table()
        replay = await refusal(registry.submit_trust_snapshot(snapshot))
        assert await registry.get_trust_table() == table
        assert await registry.get_applied_snapshot(name, period) == applied
    assert f"period {period} was already applied in transaction {applied.tx_id}" in replay, replay
    assert applied.feedback == len(artifacts)
    assert applied.rejected == ()
    expected = reference_trust(before, rater_trust, S, parameters.params.trust)  # counted once
    assert fixed(after.trust) == expected, (before, after)
    assert fixed(after.trust) > fixed(before.trust)


async def test_hole_a_snapshot_for_an_open_or_future_period_is_refused(governance: Governance) -> None:
    """Issue 9's first hole: an empty snapshot for a far-future period decayed everyone's evidence."""
    registry = governance.founder("QualityControl").registry
    clock = await registry.get_trust_clock()
    for period in (clock.open_period, clock.open_period + 10_000):
        forged = TrustSnapshot.from_json(
            json.dumps(
                {"channel": "govproject", "period": period, "feedback": []}, separators=(",", ":")
            ).encode()
        )
        reason = await refusal(registry.submit_trust_snapshot(forged))
        assert f"period {period} is not closed" in reason, reason
    assert (await registry.get_trust_clock()).open_period == clock.open_period


async def test_hole_a_viewer_issues_no_company_certificate(governance: Governance) -> None:
    """Issue 9's second hole: an automatically approved viewer could issue a company certificate."""
    network = governance.network
    proc = network.make("member-add", "ORG=ModelTrainer", "NAME=gov-bystander", "ROLE=viewer")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    await governance.settle(proc.stdout.split("enrolment request ")[1].split(":")[0])
    identity_dir = new_identity(network, "ModelTrainer", "gov-bystander")
    async with open_ledger(network.consortium, organisation="ModelTrainer", identity_dir=identity_dir) as own:
        reason = await refusal(
            own.registry.issue_certificate(
                "cert-by-a-viewer",
                kind="company",
                subject="ModelTrainer",
                project_channel="mainchain",
                attributes={"legalEntity": "ModelTrainer GmbH"},
                evidence=[DOC],
            )
        )
    assert "viewer" in reason, reason
    assert await attempt(governance.founder("Manufacturer").registry.get_certificate("cert-by-a-viewer"))


async def test_hole_one_committee_member_cannot_revoke_another_alone(governance: Governance) -> None:
    """Issue 9's third hole: one committee member revoked other committee members alone, for good."""
    registry = governance.founder("Manufacturer").registry
    target = founder_id("ConditionMonitor")
    request_id = await registry.request_member_status(target, status="revoked", reason="takeover attempt")
    await governance.settle(request_id)
    assert (await registry.get_status_request(request_id)).state == "pending"
    assert (await governance.founder("ModelTrainer").registry.get_member(target)).status == "active"
    # and the target votes on nothing about itself
    reason = await refusal(governance.founder("ConditionMonitor").registry.approve_member_status(request_id))
    assert "nobody approves their own case" in reason, reason


async def test_hole_no_committee_member_issues_a_global_certificate_alone(governance: Governance) -> None:
    """Issue 9's third hole, second part: one committee member issued global certificates alone."""
    calls = governance.founder("Manufacturer").registry._calls
    reason = await refusal(
        calls.submit(
            "IssueCertificate",
            "cert-global-alone",
            "company",
            "ManufacturerMSP",
            "global",
            '{"legalEntity":"Manufacturer AG"}',
            f"[{DOC_JSON}]",
        )
    )
    assert "global" in reason, reason
    assert await attempt(governance.founder("ModelTrainer").registry.get_certificate("cert-global-alone"))


async def test_a_certificate_is_issued_local_gathers_upgrade_approvals_and_its_revocation_is_final(
    governance: Governance,
) -> None:
    issuer, registry = governance.founder("Manufacturer"), governance.founder("ModelTrainer").registry
    cert_id = "cert-company-qualitycontrol"
    committed = await issuer.registry.issue_certificate(
        cert_id,
        kind="company",
        subject="QualityControl",
        project_channel="mainchain",
        attributes={"legalEntity": "QualityControl AG"},
        evidence=[DOC],
    )
    await governance.settle(committed.transaction_id)
    issued = await registry.get_certificate(cert_id)
    assert (issued.scope, issued.status, issued.project_channel) == ("local", "valid", "mainchain")
    assert await registry.is_certificate_valid(cert_id)
    # The issuer and the subject's organisation never approve its upgrade; one approval of k stays local.
    assert "cannot approve its upgrade" in await refusal(issuer.registry.upgrade_certificate(cert_id))
    assert "cannot approve" in await refusal(
        governance.founder("QualityControl").registry.upgrade_certificate(cert_id)
    )
    await governance.settle((await registry.upgrade_certificate(cert_id)).transaction_id)
    pending = await registry.get_certificate(cert_id)
    assert pending.scope == "local"
    assert len(pending.upgrade_approvals) == 1

    await governance.settle(
        (await issuer.registry.revoke_certificate(cert_id, reason="issued in error")).transaction_id
    )
    revoked = await registry.get_certificate(cert_id)
    assert (revoked.status, revoked.revocation_reason) == ("revoked", "issued in error")
    assert not await registry.is_certificate_valid(cert_id)
    assert "revoked" in await refusal(
        governance.founder("ConditionMonitor").registry.upgrade_certificate(cert_id)
    )


async def test_hole_a_suspended_raters_ratings_do_not_count(governance: Governance) -> None:
    """Issue 9's fourth hole: suspended and revoked members' ratings still counted in snapshots."""
    network, name = governance.network, "suspendproject"
    rater_dir = await governance.enrolled(
        "QualityControl",
        "gov-lapsed-auditor",
        role="admin",
        attributes={"identity": "Lena Lapsed"},
    )
    creator_dir = await governance.enrolled(
        "ModelTrainer",
        "gov-maker",
        role="admin",
        attributes={"identity": "Mia Maker"},
    )
    # Both enrolled first, so that `make project` lists them on the channel.
    proc = network.make("project", f"NAME={name}", "ORGS=ModelTrainer QualityControl")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    consortium = network.reload()
    async with (
        open_ledger(consortium, organisation="ModelTrainer", identity_dir=creator_dir) as creator,
        open_ledger(consortium, organisation="QualityControl", identity_dir=rater_dir) as rater,
    ):
        artifact = f"rated-{name}"
        await creator.provenance(name).record_artifact(
            StoredArtifact(artifact, CID, "0" * 64, 1, ("ModelTrainer", "QualityControl")),
            kind="model",
            media_type="application/octet-stream",
            wrapped_key_epoch=1,
            request_feedback=True,
        )
        await rater.provenance(name).rate_record(artifact, score=Decimal(1), comment="looks fine")
        period = (await rater.provenance(name).get_period_clock()).open_period

    registry = governance.founder("Manufacturer").registry
    request_id = await registry.request_member_status(
        "gov-lapsed-auditor", status="suspended", reason="audit"
    )
    await governance.settle(request_id)
    for approver in ("ModelTrainer", "ConditionMonitor"):
        committed = await governance.founder(approver).registry.approve_member_status(request_id)
        await governance.settle(committed.transaction_id)
    assert (await registry.get_member("gov-lapsed-auditor")).status == "suspended"

    auditor = consortium.organisation("QualityControl")
    async with open_ledger(
        consortium, organisation="QualityControl", identity_dir=auditor.admin_dir
    ) as admin:
        await asyncio.sleep(PERIOD_SECONDS)
        await admin.provenance(name).close_period()
        snapshot = await admin.provenance(name).get_trust_snapshot(period)
        assert len(snapshot.feedback) == 1
        await close_through(governance, admin.registry, period)
        before = await admin.registry.get_trust("gov-maker")
        await governance.settle((await admin.registry.submit_trust_snapshot(snapshot)).transaction_id)
        await apply_through(governance, admin.registry, period)
        applied = await admin.registry.get_applied_snapshot(name, period)
        after = await admin.registry.get_trust("gov-maker")
    assert applied.feedback == 0
    assert [r.reason for r in applied.rejected] and "suspended" in applied.rejected[0].reason, applied
    # The maker's evidence only decayed: the suspended auditor's praise added nothing.
    assert sum(after.evidence.positive) < sum(before.evidence.positive)


def registry_signatures() -> dict[str, list[str]]:
    """registry_signatures reads the contract's own argument table (chaincode/registry/arguments.go)."""
    source = (ROOT / "chaincode" / "registry" / "arguments.go").read_text()
    table = source[
        source.index("var transactionArguments") : source.index(
            "\n}\n", source.index("var transactionArguments")
        )
    ]
    return {
        fn: re.findall(r'"(\w+)"', names) for fn, names in re.findall(r'"(\w+)":\s*args\(([^)]*)\)', table)
    }


def argument_bytes(name: str) -> int:
    """argument_bytes is the byte limit arguments.go's args() gives an argument of this name."""
    if name == "snapshotJSON":
        return 24 << 20
    return 64 << 10 if name.endswith("JSON") else 1024


# The stub world's names in testdata/bad_input.json and the running consortium's: the callers (a1 and
# f1 are Manufacturer's admin, its founder; a2 and f2 ModelTrainer's) and, in arguments, the
# organisations, members, project and certificate that must exist for a call to pass its form checks.
BAD_INPUT_CALLERS = {"a1": "Manufacturer", "f1": "Manufacturer", "a2": "ModelTrainer", "f2": "ModelTrainer"}
BAD_INPUT_PROJECT, BAD_INPUT_CERTIFICATE = "gov-badinput", "cert-badinput"


def real_argument(value: str) -> str:
    """real_argument puts the running consortium's names in place of the stub world's in one argument."""
    exact = {"f1": founder_id("Manufacturer"), "f2": founder_id("ModelTrainer"), "c1": BAD_INPUT_CERTIFICATE}
    if value in exact:
        return exact[value]
    names = {
        "Org1MSP": "ManufacturerMSP",
        "Org2MSP": "ModelTrainerMSP",
        "Org3MSP": "ConditionMonitorMSP",
        "project-a": BAD_INPUT_PROJECT,
    }
    return re.sub("|".join(map(re.escape, names)), lambda m: names[m.group(0)], value)


async def chain_heights(admins: dict[str, Ledger]) -> dict[str, int]:
    """chain_heights is each organisation's peer's mainchain height, read through qscc."""
    heights = {}
    for organisation, ledger in admins.items():
        qscc = ledger.gateway.network("mainchain").contract("qscc")
        info = ledger_pb2.BlockchainInfo.FromString(await qscc.evaluate("GetChainInfo", args=["mainchain"]))
        heights[organisation] = int(info.height)
    return heights


async def test_every_registry_function_names_each_bad_argument_and_commits_nothing(
    governance: Governance,
) -> None:
    """Every registry function, on the running peers, given each bad value of chaincode/registry's
    shared table one argument at a time, answers with an error naming the argument (or the field inside
    a JSON argument) and commits nothing: no peer's mainchain grows while the bad calls run, so the world
    state cannot have changed."""
    table = json.loads((ROOT / "chaincode" / "registry" / "testdata" / "bad_input.json").read_text())
    signatures = registry_signatures()
    assert set(table["validCalls"]) == set(signatures), set(table["validCalls"]) ^ set(signatures)
    founder = governance.founder("Manufacturer")
    await governance.settle(
        (
            await founder.registry.register_project(BAD_INPUT_PROJECT, ("Manufacturer", "ModelTrainer"))
        ).transaction_id
    )
    issued = await founder.registry.issue_certificate(
        BAD_INPUT_CERTIFICATE,
        kind="company",
        subject="Manufacturer",
        project_channel="mainchain",
        attributes={"legalEntity": "Manufacturer AG"},
        evidence=[DOC],
    )
    await governance.settle(issued.transaction_id)

    # (function, caller's organisation, what is bad, arguments, the names the error may give)
    cases: list[tuple[str, str, str, list[str], list[str]]] = []
    for fn, call in sorted(table["validCalls"].items()):
        caller, valid, names = (
            BAD_INPUT_CALLERS[call[0]],
            [real_argument(a) for a in call[1:]],
            signatures[fn],
        )
        assert len(valid) == len(names), fn
        cases.append((fn, caller, "surplus", [*valid, "x"], [f"{fn} takes "]))
        for i, name in enumerate(names):
            cases.append((fn, caller, f"{name} missing", valid[:i], [f"{name} is missing"]))
            size = argument_bytes(name) + 1
            oversized = [*valid[:i], "a" * size, *valid[i + 1 :]]
            cases.append((fn, caller, f"{name} oversized", oversized, [f"{name} is {size} bytes long"]))
            for value in table["badValues"][name]:
                bad = [*valid[:i], real_argument(value), *valid[i + 1 :]]
                cases.append((fn, caller, f"{name}={value[:40]!r}", bad, table["fieldsOf"].get(name, [name])))
    assert len(cases) > 300, len(cases)

    heights = await chain_heights(governance.admins)
    unnamed = []
    for fn, caller, what, args, named in cases:
        calls = governance.founder(caller).registry._calls
        query = fn.startswith(("Get", "Is"))
        reason = await refusal(calls.evaluate(fn, *args) if query else calls.submit(fn, *args))
        if not any(n in reason for n in named):
            unnamed.append(f"{fn} {what}: {reason!r} names none of {named}")
    assert not unnamed, "\n".join(unnamed)
    assert await chain_heights(governance.admins) == heights


async def test_a_local_certificate_becomes_global_after_k_approvals_from_two_organisations(
    governance: Governance,
) -> None:
    company_dir = await governance.enrolled(
        "Manufacturer",
        "gov-company",
        role="company",
        attributes={"legalEntity": "Manufacturer AG"},
    )
    cert_id = "cert-data-surface-images"
    async with open_ledger(
        governance.network.consortium, organisation="Manufacturer", identity_dir=company_dir
    ) as company:
        committed = await company.registry.issue_certificate(
            cert_id,
            kind="data",
            subject="dataset-surface-images",
            project_channel="mainchain",
            attributes={"dataSources": "inspection station 1", "dataType": "uint8 grayscale"},
            evidence=[DOC],
        )
    await governance.settle(committed.transaction_id)
    registry = governance.founder("Manufacturer").registry
    for n, approver in enumerate(("ModelTrainer", "ConditionMonitor", "QualityControl"), start=1):
        assert (await registry.get_certificate(cert_id)).scope == "local", f"global after {n - 1} approvals"
        upgrade = await governance.founder(approver).registry.upgrade_certificate(cert_id)
        await governance.settle(upgrade.transaction_id)
    upgraded = await registry.get_certificate(cert_id)
    assert upgraded.scope == "global"
    assert {a.organisation for a in upgraded.upgrade_approvals} == {
        "ModelTrainerMSP",
        "ConditionMonitorMSP",
        "QualityControlMSP",
    }
    assert await registry.is_certificate_valid(cert_id)


IDLE_PERIODS = 100


async def change_parameters(governance: Governance, params: ConsortiumParams) -> None:
    """change_parameters puts params in force: proposed by one founder, voted by the next k - 1."""
    proposal_id = await governance.founder(ORGS[0]).registry.propose_parameters(params)
    await governance.settle(proposal_id)
    for org in ORGS[1:K]:
        committed = await governance.founder(org).registry.vote_parameters(proposal_id)
        await governance.settle(committed.transaction_id)


async def test_a_member_below_the_trust_floor_is_refused_until_the_floor_falls_below_it(
    governance: Governance,
) -> None:
    """The trust gate on the running peers: the committee raises the floor just above a company member's
    trust, and its certificate is refused naming the floor; lowered again, the same call is taken."""
    company_dir = await governance.enrolled(
        "Manufacturer",
        "gov-floor-company",
        role="company",
        attributes={"legalEntity": "Manufacturer Floor GmbH"},
    )
    registry = governance.founder("Manufacturer").registry
    params = (await registry.get_parameters()).params
    standing = (await registry.get_trust("gov-floor-company")).trust
    await change_parameters(governance, replace(params, trust_floor=standing + Decimal("0.01")))
    try:
        async with open_ledger(
            governance.network.consortium, organisation="Manufacturer", identity_dir=company_dir
        ) as company:
            issue = partial(
                company.registry.issue_certificate,
                "cert-below-the-floor",
                kind="data",
                subject="dataset-floor",
                project_channel="mainchain",
                attributes={"dataSources": "station 2", "dataType": "uint8 grayscale"},
                evidence=[DOC],
            )
            reason = await refusal(issue())
            assert "below the trust floor" in reason, reason
            assert await attempt(registry.get_certificate("cert-below-the-floor"))
            await change_parameters(governance, params)
            await governance.settle((await issue()).transaction_id)
    finally:
        if (await registry.get_parameters()).params != params:
            await change_parameters(governance, params)
    assert (await registry.get_certificate("cert-below-the-floor")).issuer == "gov-floor-company"


async def test_parameters_change_only_with_k_votes_from_two_organisations(governance: Governance) -> None:
    """A committee member proposes shorter periods (its proposal is its vote); with k - 1 votes nothing
    changes, the k-th applies the change, and each vote is on the ledger."""
    registry = governance.founder("Manufacturer").registry
    params = (await registry.get_parameters()).params
    proposal_id = await registry.propose_parameters(replace(params, period_seconds=1))
    await governance.settle(proposal_id)
    assert "already voted" in await refusal(registry.vote_parameters(proposal_id))
    committed = await governance.founder("ModelTrainer").registry.vote_parameters(proposal_id)
    await governance.settle(committed.transaction_id)
    assert (await registry.get_parameters()).params.period_seconds == PERIOD_SECONDS, "changed by k - 1 votes"
    committed = await governance.founder("ConditionMonitor").registry.vote_parameters(proposal_id)
    await governance.settle(committed.transaction_id)
    assert (await registry.get_parameters()).params == replace(params, period_seconds=1)
    proposal = await registry.get_proposal(proposal_id)
    assert proposal.status == "applied"
    assert [v.member_id for v in proposal.votes] == [founder_id(o) for o in ORGS[:K]]


async def test_after_100_idle_periods_the_founders_keep_their_floor_and_the_committee_approves(
    governance: Governance,
) -> None:
    """A hundred periods without feedback pass on the running network (one-second periods, voted by the
    committee in the test above, or whatever length is in force): every founder's evidence equals the
    reference decay with its floor to the last fixed-point digit, it keeps high trust and its seat, and
    k founders of three organisations still approve a critical enrolment."""
    registry = governance.founder("QualityControl").registry
    clock = await registry.get_trust_clock()
    await apply_through(governance, registry, clock.open_period - 1)  # nothing earlier waits
    start = (await registry.get_trust_clock()).latest_period
    trust = (await registry.get_parameters()).params.trust
    before = {org: await registry.get_trust(founder_id(org)) for org in ORGS}

    periods = await apply_through(governance, registry, start + IDLE_PERIODS)

    assert [p.period for p in periods] == list(range(start + 1, start + IDLE_PERIODS + 1))
    assert all(p.snapshots == () for p in periods), "a period was not idle"
    committee = {row.member_id for row in await registry.get_committee()}
    for org, row in before.items():
        pos = [fixed(v) for v in row.evidence.positive]
        neg = [fixed(v) for v in row.evidence.negative]
        for _ in range(IDLE_PERIODS):
            pos, neg = reference_decay(pos, neg, trust, FOUNDER_FLOOR)
        after = await registry.get_trust(founder_id(org))
        assert ([fixed(v) for v in after.evidence.positive], [fixed(v) for v in after.evidence.negative]) == (
            pos,
            neg,
        ), org
        assert fixed(after.trust) == reference_value(pos, neg, trust), org
        assert after.level == "high trust", after
        assert founder_id(org) in committee, committee

    identity_dir = await governance.enrolled(
        "ConditionMonitor",
        "gov-after-idle",
        role="admin",
        attributes={"identity": "Ida Idle"},
    )
    assert identity_dir.is_dir()
    assert (await registry.get_member("gov-after-idle")).status == "active"
