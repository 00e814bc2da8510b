"""gateway.ledger sends each contract function its exact arguments and reads the contracts' own records.

The peer is scripted at the gRPC stub, as in the gateway.fabric tests: it records the proposals it
receives and answers with the golden records the Go contracts' tests write (chaincode/*/testdata).
"""

import datetime
import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.x509.oid import NameOID
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.peer import (
    chaincode_pb2,
    proposal_pb2,
    proposal_response_pb2,
    transaction_pb2,
)
from google.protobuf import any_pb2
from google.rpc import status_pb2

from gateway.artifacts import KeyEpoch, MemberKey, StoredArtifact, key_id_of
from gateway.fabric import EcdsaSigner, Gateway, X509Identity
from gateway.fabric.errors import STATUS_DETAILS_KEY
from gateway.ledger import (
    DEFAULT_PHASE_WRITERS,
    Component,
    DataBounds,
    Document,
    FeedbackEvidence,
    Founder,
    LedgerError,
    ProjectMemberArgument,
    ProvenanceClient,
    RecordError,
    RegistryClient,
    SnapshotFeedback,
    SnapshotRef,
    SoftwareVersion,
    TrustAtWrite,
    TrustSnapshot,
    client_id,
    load_member_identity,
)
from gateway.ledger.provenance import Artifact
from gateway.ledger.registry import Member
from tests.unit.certs import self_signed_pem

ROOT = Path(__file__).resolve().parents[2]
REGISTRY_GOLDEN = ROOT / "chaincode" / "registry" / "testdata"
PROVENANCE_GOLDEN = ROOT / "chaincode" / "provenance" / "testdata"
DOC = Document("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e", "b9" * 32, "register extract")


@dataclass(frozen=True)
class Org:
    msp_id: str


class Directory:
    """The part of gateway.consortium.Consortium the ledger clients use: names to MSP ids."""

    def organisation(self, name: str) -> Org:
        if name not in ("Manufacturer", "ModelTrainer", "QualityControl"):
            raise LookupError(f"unknown organisation {name!r}")
        return Org(f"{name}MSP")


def endorsed_envelope(*, channel: str, tx_id: str, result: bytes) -> Any:
    action = proposal_pb2.ChaincodeAction(response=proposal_response_pb2.Response(status=200, payload=result))
    response_payload = proposal_response_pb2.ProposalResponsePayload(extension=action.SerializeToString())
    action_payload = transaction_pb2.ChaincodeActionPayload(
        action=transaction_pb2.ChaincodeEndorsedAction(
            proposal_response_payload=response_payload.SerializeToString()
        )
    )
    transaction = transaction_pb2.Transaction(
        actions=[transaction_pb2.TransactionAction(payload=action_payload.SerializeToString())]
    )
    header = common_pb2.ChannelHeader(
        type=common_pb2.HeaderType.ENDORSER_TRANSACTION, channel_id=channel, tx_id=tx_id
    )
    payload = common_pb2.Payload(
        header=common_pb2.Header(channel_header=header.SerializeToString()),
        data=transaction.SerializeToString(),
    )
    return common_pb2.Envelope(payload=payload.SerializeToString())


@dataclass
class Call:
    channel: str
    chaincode: str
    function: str
    args: list[str]
    tx_id: str


class ScriptedPeer:
    """A Gateway service that records each proposal and answers from `answers` (by function)."""

    def __init__(self) -> None:
        self.answers: dict[str, bytes] = {}
        self.calls: list[Call] = []
        self.refusal: grpc.aio.AioRpcError | None = None
        self.validation_code = transaction_pb2.TxValidationCode.VALID

    def _record(self, signed_proposal: Any) -> Call:
        proposal = proposal_pb2.Proposal.FromString(signed_proposal.proposal_bytes)
        header = common_pb2.ChannelHeader.FromString(
            common_pb2.Header.FromString(proposal.header).channel_header
        )
        payload = proposal_pb2.ChaincodeProposalPayload.FromString(proposal.payload)
        spec = chaincode_pb2.ChaincodeInvocationSpec.FromString(payload.input).chaincode_spec
        function, *args = [arg.decode() for arg in spec.input.args]
        call = Call(header.channel_id, spec.chaincode_id.name, function, args, header.tx_id)
        self.calls.append(call)
        return call

    async def Evaluate(self, request: Any, timeout: float) -> Any:
        call = self._record(request.proposed_transaction)
        if self.refusal is not None:
            raise self.refusal
        answer = proposal_response_pb2.Response(status=200, payload=self.answers.get(call.function, b""))
        return gateway_pb2.EvaluateResponse(result=answer)

    async def Endorse(self, request: Any, timeout: float) -> Any:
        call = self._record(request.proposed_transaction)
        if self.refusal is not None:
            raise self.refusal
        envelope = endorsed_envelope(
            channel=call.channel, tx_id=call.tx_id, result=self.answers.get(call.function, b"")
        )
        return gateway_pb2.EndorseResponse(prepared_transaction=envelope)

    async def Submit(self, request: Any, timeout: float) -> Any:
        return gateway_pb2.SubmitResponse()

    async def CommitStatus(self, signed_request: Any, timeout: float) -> Any:
        return gateway_pb2.CommitStatusResponse(result=self.validation_code, block_number=7)

    def last(self) -> tuple[str, list[str]]:
        return self.calls[-1].function, self.calls[-1].args


@pytest.fixture
async def gateway() -> AsyncIterator[Gateway]:
    key = ec.generate_private_key(ec.SECP256R1())
    async with grpc.aio.insecure_channel("localhost:1") as unused:  # never called: the stub answers
        yield Gateway.connect(
            identity=X509Identity("ManufacturerMSP", self_signed_pem(key)),
            signer=EcdsaSigner(key),
            client=unused,
        )


@pytest.fixture
def peer(gateway: Gateway) -> ScriptedPeer:
    scripted = ScriptedPeer()
    object.__setattr__(gateway._context, "gateway_stub", scripted)
    return scripted


@pytest.fixture
def registry(gateway: Gateway) -> RegistryClient:
    return RegistryClient(gateway, Directory())


@pytest.fixture
def provenance(gateway: Gateway) -> ProvenanceClient:
    return ProvenanceClient(gateway, Directory(), channel="project-a")


def golden(directory: Path, name: str) -> bytes:
    return (directory / name).read_bytes()


# Transactions: function names, argument order and formats, and names converted to MSP ids.


async def test_registry_transactions_send_the_contract_arguments(
    registry: RegistryClient, peer: ScriptedPeer
) -> None:
    founder = Founder("m-admin", "Manufacturer", "x509::CN=admin::CN=ca", attributes={"identity": "Ann"})
    peer.answers["registry:InitConsortium"] = b"tx-genesis"
    assert await registry.init_consortium([founder]) == "tx-genesis"  # the proposal id
    call = peer.calls[-1]
    assert (call.channel, call.chaincode, call.function) == (
        "mainchain",
        "registry",
        "registry:InitConsortium",
    )
    assert call.args[0] == "{}"
    assert json.loads(call.args[1]) == [
        {
            "memberId": "m-admin",
            "role": "admin",
            "mspId": "ManufacturerMSP",
            "organisationName": "Manufacturer",
            "identity": "x509::CN=admin::CN=ca",
            "prior": 0,
            "attributes": {"identity": "Ann"},
        }
    ]
    committed = await registry.confirm_consortium("tx-genesis")
    assert (committed.transaction_id, committed.block_number) == (peer.calls[-1].tx_id, 7)
    assert peer.last() == ("registry:ConfirmConsortium", ["tx-genesis"])

    peer.answers["registry:RequestEnrolment"] = b"tx-req"
    attributes = {"expertiseDegree": "doctorate", "workExperienceYears": 4}
    assert await registry.request_enrolment(
        "dana", role="data-scientist", attributes=attributes, documents=[DOC]
    ) == ("tx-req")
    function, args = peer.last()
    assert function == "registry:RequestEnrolment"
    assert args[:2] == ["dana", "data-scientist"]
    assert json.loads(args[2]) == {"expertiseDegree": "doctorate", "workExperienceYears": 4}  # a JSON number
    assert json.loads(args[3]) == [{"cid": DOC.cid, "sha256": DOC.sha256, "name": "register extract"}]

    await registry.request_organisation_enrolment("QualityControl", documents=[DOC], legal_name="QC GmbH")
    assert peer.last()[0] == "registry:RequestOrganisationEnrolment"
    assert peer.last()[1][:2] == ["QualityControlMSP", "QC GmbH"]

    await registry.approve_enrolment("tx-req")
    assert peer.last() == ("registry:ApproveEnrolment", ["tx-req"])
    await registry.reject_enrolment("tx-req", reason="no documents")
    assert peer.last() == ("registry:RejectEnrolment", ["tx-req", "no documents"])
    peer.answers["registry:RequestMemberStatus"] = b"tx-status"
    assert await registry.request_member_status("dana", status="suspended", reason="audit") == "tx-status"
    assert peer.last() == ("registry:RequestMemberStatus", ["dana", "suspended", "audit"])
    await registry.approve_member_status("tx-status")
    assert peer.last() == ("registry:ApproveMemberStatus", ["tx-status"])

    await registry.issue_certificate(
        "cert-m",
        kind="company",
        subject="Manufacturer",
        project_channel="mainchain",
        attributes={"legalEntity": "M GmbH"},
        evidence=[DOC],
    )
    function, args = peer.last()
    assert (function, args[:4]) == (
        "registry:IssueCertificate",
        ["cert-m", "company", "ManufacturerMSP", "local:mainchain"],  # global only by upgrade
    )
    await registry.issue_certificate(
        "data-1",
        kind="data",
        subject="raw-images-1",
        project_channel="project-a",
        attributes={"dataSources": "camera", "dataType": "grey"},
        evidence=[DOC],
    )
    assert peer.last()[1][2:4] == ["raw-images-1", "local:project-a"]
    await registry.upgrade_certificate("data-1")
    assert peer.last() == ("registry:UpgradeCertificate", ["data-1"])
    await registry.revoke_certificate("data-1", reason="mislabelled")
    assert peer.last() == ("registry:RevokeCertificate", ["data-1", "mislabelled"])
    await registry.vote_parameters("tx-11")
    assert peer.last() == ("registry:VoteParameters", ["tx-11"])

    canonical = '{"channel":"project-a","period":3,"feedback":[]}'
    await registry.submit_trust_snapshot(TrustSnapshot.from_json(canonical.encode()))
    assert peer.last() == ("registry:SubmitTrustSnapshot", ["project-a", "3", canonical])

    await registry.register_project("project-a", ["QualityControl", "Manufacturer"])
    assert peer.last() == (
        "registry:RegisterProject",
        ["project-a", '["QualityControlMSP","ManufacturerMSP"]'],
    )
    await registry.close_period()
    assert peer.last() == ("registry:ClosePeriod", [])
    await registry.apply_period(3)
    assert peer.last() == ("registry:ApplyPeriod", ["3"])


async def test_parameters_go_back_as_the_fixed_point_json_they_came_as(
    registry: RegistryClient, peer: ScriptedPeer
) -> None:
    peer.answers["registry:GetParameters"] = golden(REGISTRY_GOLDEN, "parameters.json")
    current = await registry.get_parameters()
    assert current.params.trust_floor == Decimal("0.1")
    assert current.params.trust.band_caps == (Decimal(2), Decimal(6), Decimal(20))

    peer.answers["registry:ProposeParameters"] = b"tx-12"
    assert await registry.propose_parameters(replace(current.params, trust_floor=Decimal("0.25"))) == "tx-12"
    sent = json.loads(peer.last()[1][0])
    expected = json.loads(golden(REGISTRY_GOLDEN, "parameters.json"))["params"]
    assert sent == {**expected, "trustFloor": 250_000}

    with pytest.raises(ValueError, match="more than 6 decimals"):
        await registry.propose_parameters(replace(current.params, trust_floor=Decimal("0.0000001")))


async def test_provenance_transactions_send_the_contract_arguments(
    provenance: ProvenanceClient, peer: ScriptedPeer
) -> None:
    stored = StoredArtifact("raw-1", DOC.cid, "ab" * 32, 11, ("Manufacturer", "QualityControl"))
    bounds = DataBounds("camera-3", "uint8", Decimal("-0.5"), Decimal(255))
    await provenance.record_artifact(
        stored,
        kind="raw-data",
        media_type="image/png",
        wrapped_key_epoch=2,
        parents=["p-1"],
        request_feedback=True,
        bounds=bounds,
    )
    call = peer.calls[-1]
    assert (call.channel, call.chaincode, call.function) == (
        "project-a",
        "provenance",
        "provenance:RecordArtifact",
    )
    assert call.args == [
        "raw-1",
        "raw-data",
        DOC.cid,
        "ab" * 32,
        "11",
        "image/png",
        '["p-1"]',
        '["ManufacturerMSP","QualityControlMSP"]',
        "2",
        "true",
        '{"source":"camera-3","dataType":"uint8","min":"-0.5","max":"255"}',
    ]
    await provenance.record_artifact(stored, kind="code", media_type="text/x-python", wrapped_key_epoch=1)
    assert peer.last()[1][6:] == ["[]", '["ManufacturerMSP","QualityControlMSP"]', "1", "false", ""]

    await provenance.rate_record(
        "raw-1", score=Decimal("-0.25"), evidence=[FeedbackEvidence(DOC.cid, "cd" * 32)]
    )
    assert peer.last() == (
        "provenance:RateRecord",
        ["raw-1", "-0.25", "", f'[{{"cid":"{DOC.cid}","sha256":"{"cd" * 32}"}}]'],
    )
    member = ProjectMemberArgument("m-1", "x509::CN=m-1::CN=ca", "company", "Manufacturer")
    await provenance.init_project(
        period_seconds=86400,
        first_period=4,
        organisations=["QualityControl", "Manufacturer"],
        certificate_approvals=2,
        members=[member],
    )
    function, args = peer.last()
    sent = json.loads(args[0])
    assert function == "provenance:InitProject"
    assert (
        sent["periodSeconds"],
        sent["firstPeriod"],
        sent["organisations"],
        sent["certificateApprovals"],
    ) == (
        86400,
        4,
        ["QualityControlMSP", "ManufacturerMSP"],
        2,
    )
    assert sent["members"] == [
        {
            "memberId": "m-1",
            "identity": "x509::CN=m-1::CN=ca",
            "role": "company",
            "organisation": "ManufacturerMSP",
        }
    ]
    # Without a ModelTrainer or ConditionMonitor, their phases fall to every project organisation.
    assert sent["phaseWriters"]["requirements"] == {
        "roles": ["company"],
        "organisations": ["ManufacturerMSP"],
    }
    assert sent["phaseWriters"]["training"] == {
        "roles": ["data-scientist"],
        "organisations": ["QualityControlMSP", "ManufacturerMSP"],
    }
    assert list(sent["phaseWriters"]) == list(DEFAULT_PHASE_WRITERS)
    await provenance.add_member(member)
    assert peer.last() == (
        "provenance:AddMember",
        [
            '{"memberId":"m-1","identity":"x509::CN=m-1::CN=ca","role":"company","organisation":"ManufacturerMSP"}'
        ],
    )
    await provenance.remove_member("m-1", reason="left")
    assert peer.last() == ("provenance:RemoveMember", ["m-1", "left"])
    await provenance.close_period()
    assert peer.last() == ("provenance:ClosePeriod", [])

    await provenance.open_model_certificate("cert-1", model_name="inspector", version="1.0.0")
    assert peer.last() == ("provenance:OpenModelCertificate", ["cert-1", "inspector", "1.0.0"])
    await provenance.add_phase(
        "cert-1",
        phase="evaluation",
        fields={"metrics": {"accuracy": Decimal("0.973")}},
        artifacts=["model-1"],
        creator_certificate_id="member-bob",
    )
    assert peer.last() == (
        "provenance:AddPhase",
        ["cert-1", "evaluation", '{"metrics":{"accuracy":"0.973"}}', '["model-1"]', "member-bob"],
    )
    await provenance.approve_model_certificate("cert-1")
    assert peer.last() == ("provenance:ApproveModelCertificate", ["cert-1"])

    configuration = '{"camera":{"exposureUs":800}}'
    component = Component(
        "train",
        "training",
        "ModelTrainer",
        ["fit"],
        [SoftwareVersion("torch", "2.5.1")],
        ["dataset"],
        ["model"],
    )
    await provenance.record_pipeline_certificate(
        "pipe-1", version="1.0.0", components=[component], configuration=configuration
    )
    function, args = peer.last()
    assert (function, args[:2], args[3]) == (
        "provenance:RecordPipelineCertificate",
        ["pipe-1", "1.0.0"],
        configuration,
    )
    assert json.loads(args[2]) == [
        {
            "name": "train",
            "stage": "training",
            "owner": "ModelTrainerMSP",
            "steps": ["fit"],
            "software": [{"name": "torch", "version": "2.5.1"}],
            "inputs": ["dataset"],
            "outputs": ["model"],
            "model": "",
        }
    ]


async def test_an_unknown_organisation_is_refused_before_anything_is_sent(
    provenance: ProvenanceClient, peer: ScriptedPeer
) -> None:
    stored = StoredArtifact("raw-1", DOC.cid, "ab" * 32, 11, ("Manufacturer", "Nowhere"))
    with pytest.raises(LookupError, match="Nowhere"):
        await provenance.record_artifact(stored, kind="raw-data", media_type="image/png", wrapped_key_epoch=1)
    assert peer.calls == []


# Queries: each answer is the Go contract's own golden record.


async def test_registry_queries_read_the_contract_records(
    registry: RegistryClient, peer: ScriptedPeer
) -> None:
    for function, name in [
        ("GetMember", "member.json"),
        ("GetEnrolment", "enrolment.json"),
        ("GetOrganisationEnrolment", "organisation.json"),
        ("GetCertificate", "certificate.json"),
        ("GetProposal", "proposal.json"),
        ("GetTrustTable", "trust_table.json"),
        ("GetCommittee", "trust_table.json"),
        ("GetTrustClock", "trust_clock.json"),
        ("GetAppliedSnapshot", "applied_snapshot.json"),
        ("GetGenesisProposal", "genesis_proposal.json"),
        ("GetStatusRequest", "status_request.json"),
        ("GetProject", "project.json"),
        ("GetSubmittedSnapshots", "submitted_snapshots.json"),
        ("GetAppliedPeriod", "applied_period.json"),
    ]:
        peer.answers[f"registry:{function}"] = golden(REGISTRY_GOLDEN, name)
    peer.answers["registry:GetTrust"] = json.dumps(
        json.loads(golden(REGISTRY_GOLDEN, "trust_table.json"))[1]
    ).encode()
    peer.answers["registry:IsCertificateValid"] = b"true"

    member = await registry.get_member("dana")
    assert peer.last() == ("registry:GetMember", ["dana"])
    assert (member.member_id, member.msp_id, member.role, member.status) == (
        "dana",
        "Org1MSP",
        "data-scientist",
        "active",
    )
    assert member.identity == "x509::CN=dana,OU=client::CN=ca.Org1MSP"
    assert member.attributes["workExperienceYears"] == "4"
    assert member.documents[0].name == "register extract"
    assert not member.founder

    request = await registry.get_enrolment("tx-4")
    assert (request.kind, request.subject, request.status) == ("member", "dana", "approved")
    assert [a.member_id for a in request.approvals] == ["f1", "f2"]

    organisation = await registry.get_organisation_enrolment("QualityControl")
    assert peer.last() == ("registry:GetOrganisationEnrolment", ["QualityControlMSP"])
    assert (organisation.msp_id, organisation.name, organisation.status) == ("Org9MSP", "Nine AG", "pending")

    certificate = await registry.get_certificate("data-1")
    assert (certificate.scope, certificate.project_channel, certificate.issuer) == (
        "local",
        "project-a",
        "dana",
    )
    assert certificate.attributes["minimum"] == "-0.5"
    assert certificate.upgrade_approvals[0].member_id == "f2"
    assert await registry.is_certificate_valid("data-1") is True

    proposal = await registry.get_proposal("tx-11")
    assert (proposal.base_version, proposal.status, len(proposal.votes)) == (1, "applied", 2)
    assert proposal.params.trust.decay == Decimal("0.95")

    table = await registry.get_trust_table()
    assert [row.member_id for row in table] == ["dana", "f1", "f2", "f3"]
    assert table[1].trust == Decimal("0.861244")
    assert table[1].level == "very high trust"
    assert table[1].evidence.positive == (Decimal("0.45"), Decimal(0), Decimal(18))
    assert await registry.get_committee() == table
    assert await registry.get_trust("f1") == table[1]

    clock = await registry.get_trust_clock()
    assert (clock.latest_period, clock.open_period) == (1, 3)
    applied = await registry.get_applied_snapshot("project-a", 1)
    assert peer.last() == ("registry:GetAppliedSnapshot", ["project-a", "1"])
    assert (applied.feedback, applied.submitter, applied.sha256[:8]) == (1, "f1", "ac45a670")
    assert applied.applied_in_period == 1
    [rejection] = applied.rejected
    assert (rejection.index, rejection.rater, rejection.score) == (1, "dana", Decimal(1))
    assert rejection.reason == "a member cannot rate its own work (dana)"

    genesis = await registry.get_genesis_proposal("tx-2")
    assert peer.last() == ("registry:GetGenesisProposal", ["tx-2"])
    assert (genesis.proposal_id, genesis.status, genesis.applied_at) == (
        "tx-2",
        "approved",
        "2025-03-01T09:30:03.123456789Z",
    )
    assert genesis.params.approvals == 2
    assert [(f.member.member_id, f.member.founder, f.organisation_name) for f in genesis.founders] == [
        ("f1", True, "Org1MSP"),
        ("f2", True, "Org Two AG"),
        ("f3", True, "Org3MSP"),
    ]
    assert genesis.founders[0].evidence.positive == (Decimal("0.5"), Decimal(0), Decimal(20))
    assert [(c.msp_id, c.tx_id) for c in genesis.confirmations] == [
        ("Org1MSP", "tx-2"),
        ("Org2MSP", "tx-3"),
        ("Org3MSP", "tx-4"),
    ]
    assert genesis.confirmations[1].admin == "x509::CN=adm-Org2MSP,OU=admin::CN=ca.Org2MSP"
    assert genesis.unconfirmed == ()
    assert replace(genesis, confirmations=genesis.confirmations[:1]).unconfirmed == ("Org2MSP", "Org3MSP")

    status = await registry.get_status_request("tx-24")
    assert peer.last() == ("registry:GetStatusRequest", ["tx-24"])
    assert (status.request_id, status.member_id, status.status, status.state) == (
        "tx-24",
        "dana",
        "suspended",
        "pending",
    )
    assert (status.reason, status.requested_by, status.decided_at) == ("audit of label quality", "f1", "")
    assert [(a.member_id, a.organisation) for a in status.approvals] == [("f1", "Org1MSP")]

    project = await registry.get_project("project-a")
    assert peer.last() == ("registry:GetProject", ["project-a"])
    assert (project.channel, project.organisations, project.first_period) == (
        "project-a",
        ("Org1MSP", "Org2MSP"),
        1,
    )
    assert (project.period_seconds, project.registered_by, project.tx_id) == (86400, "f1", "tx-12")

    submitted = await registry.get_submitted_snapshots("project-a")
    assert peer.last() == ("registry:GetSubmittedSnapshots", ["project-a"])
    [waiting] = submitted.snapshots
    assert (submitted.channel, waiting.period, waiting.submitter, waiting.tx_id) == (
        "project-a",
        2,
        "f2",
        "tx-21",
    )
    assert waiting.sha256.startswith("e9ad2409")
    assert waiting.feedback == (
        SnapshotFeedback("x509::CN=f2,OU=client::CN=ca.Org2MSP", "dana", Decimal("-0.25")),
    )

    period = await registry.get_applied_period(1)
    assert peer.last() == ("registry:GetAppliedPeriod", ["1"])
    assert (period.period, period.snapshots, period.late, period.tx_id) == (
        1,
        (SnapshotRef("project-a", 1),),
        (),
        "tx-17",
    )


async def test_a_member_registers_its_key_agreement_key_and_reads_the_history(
    registry: RegistryClient, peer: ScriptedPeer
) -> None:
    [first, current] = json.loads(golden(REGISTRY_GOLDEN, "key_agreement_keys.json"))
    public = serialization.load_pem_public_key(current["publicKey"].encode())
    assert isinstance(public, X25519PublicKey)
    peer.answers["registry:RegisterKeyAgreementKey"] = current["keyId"].encode()
    committed = await registry.register_key_agreement_key(public)
    assert committed.transaction_id == peer.calls[-1].tx_id
    # the PEM alone: no member id, so nobody names someone else
    assert peer.last() == ("registry:RegisterKeyAgreementKey", [current["publicKey"]])

    peer.answers["registry:RegisterKeyAgreementKey"] = first["keyId"].encode()
    with pytest.raises(RecordError, match="disagree on key ids"):
        await registry.register_key_agreement_key(public)

    peer.answers["registry:GetKeyAgreementKeys"] = golden(REGISTRY_GOLDEN, "key_agreement_keys.json")
    peer.answers["registry:GetKeyAgreementKey"] = golden(REGISTRY_GOLDEN, "key_agreement_key.json")
    old, new = await registry.get_key_agreement_keys("dana")
    assert peer.last() == ("registry:GetKeyAgreementKeys", ["dana"])
    assert (old.number, old.current, old.retired_tx_id) == (1, False, new.tx_id)
    assert (new.number, new.current, new.retired_at) == (2, True, "")
    assert (new.member_id, new.algorithm, new.key_id) == ("dana", "X25519", key_id_of(public))
    assert await registry.get_key_agreement_key("dana") == new
    assert peer.last() == ("registry:GetKeyAgreementKey", ["dana"])
    # the record is what gateway.artifacts wraps data keys for
    assert MemberKey.from_pem(member_id=new.member_id, public_key_pem=new.public_key_pem, key_id=new.key_id)


async def test_the_period_clock_of_a_channel_not_yet_initialised_reads_as_such(
    provenance: ProvenanceClient, peer: ScriptedPeer
) -> None:
    peer.answers["provenance:GetPeriodClock"] = (
        b'{"initialised":false,"periodSeconds":0,"firstPeriod":0,"organisations":[],"initialisedBy":"",'
        b'"initialisedByMsp":"","initTxId":"","openPeriod":0,"openedAt":"","openedTxId":"","openedBy":"",'
        b'"certificateApprovals":0,"phaseWriters":[]}'
    )
    clock = await provenance.get_period_clock()
    assert (clock.initialised, clock.open_period, clock.organisations) == (False, 0, ())


async def test_provenance_queries_read_the_contract_records(
    provenance: ProvenanceClient, peer: ScriptedPeer
) -> None:
    for function, name in [
        ("GetArtifact", "artifact.json"),
        ("GetLineage", "lineage.json"),
        ("ListAwaitingFeedback", "lineage.json"),
        ("GetFeedback", "feedback.json"),
        ("GetPeriodClock", "period_clock.json"),
        ("GetTrustSnapshot", "trust_snapshot.json"),
        ("GetModelCertificate", "model_certificate.json"),
        ("GetPipelineCertificate", "pipeline_certificate.json"),
        ("GetMembers", "project_members.json"),
    ]:
        peer.answers[f"provenance:{function}"] = golden(PROVENANCE_GOLDEN, name)
    peer.answers["provenance:IsModelCertified"] = b"false"

    artifact = await provenance.get_artifact("raw-1")
    assert peer.last() == ("provenance:GetArtifact", ["raw-1"])
    assert artifact.bounds == DataBounds("camera-3", "uint8", Decimal("-0.5"), Decimal(255))
    assert (artifact.size, artifact.pinned_on, artifact.wrapped_key_epoch) == (11, ("Org1MSP", "Org2MSP"), 1)

    lineage = await provenance.get_lineage("dataset-1")
    assert [a.artifact_id for a in lineage] == ["dataset-1", "raw-1"]
    assert (lineage[0].parents, lineage[0].bounds, lineage[0].request_feedback) == (("raw-1",), None, True)
    assert await provenance.list_awaiting_feedback() == lineage
    assert peer.last() == ("provenance:ListAwaitingFeedback", [""])

    feedback = await provenance.get_feedback("dataset-1")
    assert [(f.score, f.period) for f in feedback] == [(Decimal("0.75"), 1), (Decimal("-0.25"), 1)]
    assert (
        feedback[0].evidence[0].sha256 == "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
    )

    clock = await provenance.get_period_clock()
    assert (clock.initialised, clock.period_seconds) == (True, 86400)
    assert (clock.first_period, clock.open_period) == (1, 2)
    assert clock.organisations == ("Org1MSP", "Org2MSP", "Org3MSP")
    assert (clock.initialised_by_msp, clock.opened_tx_id) == ("Org1MSP", "tx-7")
    assert clock.certificate_approvals == 2
    assert [w.phase for w in clock.phase_writers] == list(DEFAULT_PHASE_WRITERS)
    assert (clock.phase_writers[5].roles, clock.phase_writers[5].organisations) == (
        ("data-scientist",),
        ("Org2MSP",),
    )

    members = await provenance.get_members()
    assert peer.last() == ("provenance:GetMembers", [])
    assert [(m.member_id, m.status) for m in members if m.status == "removed"] == [("frank", "removed")]
    assert members[0].member_id == "alice" and members[0].changes[0].action == "listed"

    snapshot = await provenance.get_trust_snapshot(1)
    assert peer.last() == ("provenance:GetTrustSnapshot", ["1"])
    assert (snapshot.channel, snapshot.period) == ("project-a", 1)
    assert [entry.score for entry in snapshot.feedback] == [Decimal("0.75"), Decimal("-0.25")]
    assert (
        snapshot.canonical == golden(PROVENANCE_GOLDEN, "trust_snapshot.json").decode()
    )  # sent back unchanged

    model = await provenance.get_model_certificate("cert-1")
    assert (model.status, model.model_artifact_id, model.policy.approvals) == ("certified", "model-1", 2)
    assert [p.phase for p in model.phases][::8] == ["requirements", "monitoring"]
    assert model.phases[5].fields["hyperparameters"] == {"epochs": 20, "learningRate": "0.001"}
    assert model.approvals[1].approver_msp == "Org2MSP"
    assert (model.policy.min_organisations, model.creator_member, model.approvals[2].approver_member) == (
        2,
        "alice",
        "erin",
    )
    assert model.phases[5].creator_member == "bob"
    # Each writer's trust as the record kept it when it wrote (dave's was raised for its approval only).
    assert model.approvals[0].approver_trust == TrustAtWrite(Decimal("0.42"), "medium trust")
    assert model.phases[5].creator_trust == TrustAtWrite(Decimal(0), "low trust/distrust")
    assert artifact.creator_trust.level == "low trust/distrust"
    assert model.record == json.loads(golden(PROVENANCE_GOLDEN, "model_certificate.json"))
    assert await provenance.is_model_certified("cert-1", "ab" * 32) is False
    assert peer.last() == ("provenance:IsModelCertified", ["cert-1", "ab" * 32])

    pipeline = await provenance.get_pipeline_certificate("pipe-1")
    assert hashlib.sha256(pipeline.configuration.encode()).hexdigest() == pipeline.configuration_sha256
    assert [c.name for c in pipeline.components][:2] == ["camera", "clean"]
    assert (pipeline.components[0].owner_msp, pipeline.components[0].model) == ("Org1MSP", "")
    assert pipeline.components[3].software[1] == SoftwareVersion("onnx", "1.17")


def test_a_record_of_another_form_names_the_record_and_field() -> None:
    record = json.loads(golden(PROVENANCE_GOLDEN, "artifact.json"))
    with pytest.raises(RecordError, match=r"artifact record\.size is not a whole number"):
        Artifact.from_json(json.dumps({**record, "size": "11"}).encode())
    del record["creatorMsp"]
    with pytest.raises(RecordError, match="artifact record has no field 'creatorMsp'"):
        Artifact.from_json(json.dumps(record).encode())
    with pytest.raises(RecordError, match="member record is not JSON"):
        Member.from_json(b"member dana")


# Failures keep the transaction id and every peer's own message.


def refusal(message: str, *peer_messages: str) -> grpc.aio.AioRpcError:
    status = status_pb2.Status(code=grpc.StatusCode.ABORTED.value[0], message=message)
    for index, text in enumerate(peer_messages):
        detail = any_pb2.Any()
        detail.Pack(
            gateway_pb2.ErrorDetail(address=f"peer{index}:7051", msp_id=f"Org{index}MSP", message=text)
        )
        status.details.append(detail)
    trailers = grpc.aio.Metadata((STATUS_DETAILS_KEY, status.SerializeToString()))
    return grpc.aio.AioRpcError(grpc.StatusCode.ABORTED, grpc.aio.Metadata(), trailers, details=message)


async def test_a_chaincode_refusal_keeps_the_transaction_and_each_peer_message(
    registry: RegistryClient, peer: ScriptedPeer
) -> None:
    reason = (
        'member "dana" has already approved enrolment request "tx-4": each committee member approves once'
    )
    peer.refusal = refusal(
        "failed to endorse transaction, see attached details for more info",
        f"chaincode response 500, {reason}",
        f"chaincode response 500, {reason}",
    )
    with pytest.raises(LedgerError) as raised:
        await registry.approve_enrolment("tx-4")
    error = raised.value
    assert (error.function, error.stage, error.transaction_id) == (
        "registry:ApproveEnrolment",
        "endorse",
        peer.calls[-1].tx_id,
    )
    assert error.reasons == (reason,)
    assert [d.msp_id for d in error.details] == ["Org0MSP", "Org1MSP"]
    assert (
        str(error)
        == f"registry:ApproveEnrolment failed at endorse (transaction {error.transaction_id}): {reason}"
    )

    peer.refusal = refusal("evaluate call to endorser returned error: chaincode response 500, no such member")
    with pytest.raises(LedgerError, match=r"registry:GetMember failed at evaluate .*: no such member$"):
        await registry.get_member("nobody")


async def test_an_invalid_commit_is_a_ledger_error(registry: RegistryClient, peer: ScriptedPeer) -> None:
    peer.validation_code = transaction_pb2.TxValidationCode.MVCC_READ_CONFLICT
    with pytest.raises(LedgerError) as raised:
        await registry.vote_parameters("tx-11")
    assert (raised.value.stage, raised.value.validation_code) == ("commit", "MVCC_READ_CONFLICT")
    assert raised.value.transaction_id == peer.calls[-1].tx_id


# Identities: client ids as the chaincode computes them, identity folders and the connection.


def certificate(subject: x509.Name, issuer: x509.Name, key: ec.EllipticCurvePrivateKey) -> bytes:
    now = datetime.datetime.now(datetime.UTC)
    built = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return built.public_bytes(serialization.Encoding.PEM)


def name(*attributes: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in attributes])


def test_client_id_is_what_fabric_cid_reports() -> None:
    # Expected values computed by Fabric's cid getDN over Go's crypto/x509 for the same certificates.
    key = ec.generate_private_key(ec.SECP256R1())
    issuer = name((NameOID.ORGANIZATION_NAME, "Org1"), (NameOID.COMMON_NAME, "ca.org1.bcmlp"))
    fabric_ca_user = name(
        (NameOID.COUNTRY_NAME, "US"),
        (NameOID.STATE_OR_PROVINCE_NAME, "North Carolina"),
        (NameOID.ORGANIZATION_NAME, "Hyperledger"),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, "client"),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, "org1"),
        (NameOID.COMMON_NAME, "user1"),
    )
    assert client_id(certificate(fabric_ca_user, issuer, key)) == (
        "x509::CN=user1,OU=client+OU=org1,O=Hyperledger,ST=North Carolina,C=US::CN=ca.org1.bcmlp,O=Org1"
    )
    odd = name(
        (NameOID.COMMON_NAME, "first"),
        (NameOID.EMAIL_ADDRESS, "a@b.c"),
        (NameOID.ORGANIZATION_NAME, 'A, B+C "q" <x>;y\\z'),
        (NameOID.COMMON_NAME, " #lead trail "),
        (NameOID.SERIAL_NUMBER, "42"),
        (NameOID.LOCALITY_NAME, "Köln"),
    )
    assert client_id(certificate(odd, issuer, key)) == (
        'x509::SERIALNUMBER=42,CN=\\ #lead trail\\ ,O=A\\, B\\+C \\"q\\" \\<x\\>\\;y\\\\z,L=Köln'
        "::CN=ca.org1.bcmlp,O=Org1"
    )


def write_msp(folder: Path, pem: bytes, key: ec.EllipticCurvePrivateKey) -> None:
    (folder / "signcerts").mkdir(parents=True)
    (folder / "keystore").mkdir()
    (folder / "signcerts" / "cert.pem").write_bytes(pem)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (folder / "keystore" / "0a1b_sk").write_bytes(key_pem)


def test_an_identity_folder_with_a_tls_pair_loads_it_for_mutual_tls(tmp_path: Path) -> None:
    signing_key, tls_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    member = tmp_path / "users" / "alice"
    write_msp(member / "msp", self_signed_pem(signing_key, "alice"), signing_key)
    tls_pem = self_signed_pem(tls_key, "alice-tls")
    write_msp(member / "tls", tls_pem, tls_key)
    (member / "tls" / "keystore" / "00_sk").write_text("not a key")  # a stray file is skipped

    loaded = load_member_identity(member, "ManufacturerMSP")
    assert loaded.tls is not None
    assert loaded.tls.certificate_pem == tls_pem
    assert (
        loaded.tls.sha256
        == hashlib.sha256(
            x509.load_pem_x509_certificate(tls_pem).public_bytes(serialization.Encoding.DER)
        ).digest()
    )
    assert load_member_identity(member / "msp", "ManufacturerMSP").tls is None


async def test_key_epochs_are_sent_as_keys_py_writes_them_and_read_back(
    provenance: ProvenanceClient, peer: ScriptedPeer
) -> None:
    recorded = json.loads(golden(PROVENANCE_GOLDEN, "key_epoch.json"))
    epoch = KeyEpoch.from_json(recorded)
    await provenance.record_key_epoch(epoch)
    function, [argument] = peer.last()
    assert function == "provenance:RecordKeyEpoch"
    assert json.loads(argument) == {"epoch": 1, "wrapped": recorded["wrapped"]}  # exactly to_json

    peer.answers["provenance:GetKeyEpoch"] = golden(PROVENANCE_GOLDEN, "key_epoch.json")
    peer.answers["provenance:GetKeyEpochs"] = golden(PROVENANCE_GOLDEN, "key_epochs.json")
    read = await provenance.get_key_epoch(1)
    assert peer.last() == ("provenance:GetKeyEpoch", ["1"])
    assert read.epoch == epoch and (read.creator_member, read.tx_id) == ("alice", recorded["txId"])
    [summary] = await provenance.get_key_epochs()
    assert (summary.epoch, summary.members[:2], summary.creator_member) == (1, ("alice", "bob"), "alice")


def test_the_peer_connection_takes_messages_as_large_as_fabrics_peers_do() -> None:
    """A trust snapshot of 10,000 ratings is endorsed with a write set of about 6 MB, past gRPC's 4 MiB
    default; the peers' own limits are 100 MiB each way."""
    from gateway.ledger.connect import MESSAGE_LIMITS

    assert dict(MESSAGE_LIMITS) == {
        "grpc.max_receive_message_length": 100 * 1024 * 1024,
        "grpc.max_send_message_length": 100 * 1024 * 1024,
    }
