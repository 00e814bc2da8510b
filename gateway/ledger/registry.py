"""The registry contract on the main chain, typed: genesis, members, organisations, certificates, parameters,
trust, projects and the period clock.

``RegistryClient`` has one method per transaction and query of chaincode/registry; the records it
returns mirror the contract's (chaincode/registry/model.go), fixed-point numbers as exact Decimals.
Organisations are named as in the consortium description and converted to MSP ids here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from gateway.artifacts.keys import key_id_of, public_key_pem
from gateway.fabric import Gateway

from ._chaincode import (
    Committed,
    ContractCalls,
    Fields,
    Organisations,
    id_list,
    object_argument,
    parse_flag,
    to_fixed,
    to_json,
)
from .errors import RecordError
from .provenance import SnapshotFeedback, TrustSnapshot

AttributeValue = str | int
"""AttributeValue is a certified attribute as given: text, or a whole number where the schema wants one."""


@dataclass(frozen=True, slots=True)
class Document:
    """Document is a file on IPFS that backs an enrolment or a certificate."""

    cid: str
    sha256: str  # lowercase hex SHA-256 of the document's bytes
    name: str  # what the document is, e.g. "commercial register extract"

    @classmethod
    def from_fields(cls, f: Fields) -> Document:
        """from_fields reads a document of a record."""
        return cls(f.text("cid"), f.text("sha256"), f.text("name"))

    def to_json(self) -> dict[str, str]:
        """to_json is the document as the contract reads it."""
        return {"cid": self.cid, "sha256": self.sha256, "name": self.name}


@dataclass(frozen=True, slots=True)
class Approval:
    """Approval is one member's approval or vote; committee actions need two organisations'."""

    member_id: str
    organisation: str  # the approving member's MSP id
    tx_id: str
    at: str

    @classmethod
    def from_fields(cls, f: Fields) -> Approval:
        """from_fields reads an approval of a record."""
        return cls(f.text("memberId"), f.text("organisation"), f.text("txId"), f.text("at"))


@dataclass(frozen=True, slots=True)
class Member:
    """Member is a certified participant bound to one X.509 identity (``client_id``)."""

    member_id: str
    msp_id: str
    identity: str
    role: str
    organisation: str  # the member's organisation's MSP id
    status: str  # pending, active, suspended or revoked
    attributes: Mapping[str, str]  # integers in decimal
    documents: tuple[Document, ...]
    request_id: str
    founder: bool
    created_at: str
    updated_at: str
    status_reason: str

    @classmethod
    def from_json(cls, payload: bytes) -> Member:
        """from_json reads the JSON GetMember returns (and MemberEnrolled carries)."""
        return cls.from_fields(Fields.of(payload, "member record"))

    @classmethod
    def from_fields(cls, f: Fields) -> Member:
        """from_fields reads a member record."""
        return cls(
            member_id=f.text("id"),
            msp_id=f.text("mspId"),
            identity=f.text("identity"),
            role=f.text("role"),
            organisation=f.text("organisation"),
            status=f.text("status"),
            attributes=f.text_map("attributes"),
            documents=tuple(Document.from_fields(d) for d in f.objects("documents")),
            request_id=f.text("requestId"),
            founder=f.flag("founder"),
            created_at=f.text("createdAt"),
            updated_at=f.text("updatedAt"),
            status_reason=f.text("statusReason"),
        )


@dataclass(frozen=True, slots=True)
class OrganisationEnrolment:
    """OrganisationEnrolment is an organisation (MSP) and the state of its enrolment."""

    msp_id: str
    name: str
    status: str  # pending, approved or rejected
    founding: bool
    request_id: str
    created_at: str
    decided_at: str

    @classmethod
    def from_json(cls, payload: bytes) -> OrganisationEnrolment:
        """from_json reads the JSON GetOrganisationEnrolment returns."""
        f = Fields.of(payload, "organisation record")
        return cls(
            msp_id=f.text("mspId"),
            name=f.text("name"),
            status=f.text("status"),
            founding=f.flag("founding"),
            request_id=f.text("requestId"),
            created_at=f.text("createdAt"),
            decided_at=f.text("decidedAt"),
        )


@dataclass(frozen=True, slots=True)
class EnrolmentRequest:
    """EnrolmentRequest is a request to admit a member or an organisation, and the committee's answers."""

    request_id: str
    kind: str  # member or organisation
    subject: str  # member id or MSP id
    role: str
    name: str
    msp_id: str
    requester: str
    requester_msp: str
    sponsor: str
    attributes: Mapping[str, str]
    documents: tuple[Document, ...]
    status: str
    approvals: tuple[Approval, ...]
    rejected_by: str
    reason: str
    created_at: str
    decided_at: str

    @classmethod
    def from_json(cls, payload: bytes) -> EnrolmentRequest:
        """from_json reads the JSON GetEnrolment returns."""
        f = Fields.of(payload, "enrolment request")
        return cls(
            request_id=f.text("id"),
            kind=f.text("kind"),
            subject=f.text("subject"),
            role=f.text("role"),
            name=f.text("name"),
            msp_id=f.text("mspId"),
            requester=f.text("requester"),
            requester_msp=f.text("requesterMsp"),
            sponsor=f.text("sponsor"),
            attributes=f.text_map("attributes"),
            documents=tuple(Document.from_fields(d) for d in f.objects("documents")),
            status=f.text("status"),
            approvals=tuple(Approval.from_fields(a) for a in f.objects("approvals")),
            rejected_by=f.text("rejectedBy"),
            reason=f.text("reason"),
            created_at=f.text("createdAt"),
            decided_at=f.text("decidedAt"),
        )


@dataclass(frozen=True, slots=True)
class TrustParams:
    """TrustParams are the trust rule's parameters (README "Trust rule")."""

    same_org_factor: Decimal
    decay: Decimal
    prior_weight: Decimal
    band_caps: tuple[Decimal, Decimal, Decimal]  # low, high, very high band; every band is capped

    @classmethod
    def from_fields(cls, f: Fields) -> TrustParams:
        """from_fields reads the trust parameters of a record."""
        caps = f.fixed_list("bandCaps")
        if len(caps) != 3:
            raise RecordError(f"{f.what}.bandCaps has {len(caps)} entries, not 3")
        return cls(
            f.fixed("sameOrgFactor"), f.fixed("decay"), f.fixed("priorWeight"), (caps[0], caps[1], caps[2])
        )

    def to_json(self) -> dict[str, object]:
        """to_json is the parameters as the contract reads them (fixed-point)."""
        return {
            "sameOrgFactor": to_fixed(self.same_org_factor, "trust.sameOrgFactor"),
            "decay": to_fixed(self.decay, "trust.decay"),
            "priorWeight": to_fixed(self.prior_weight, "trust.priorWeight"),
            "bandCaps": [to_fixed(cap, f"trust.bandCaps[{i}]") for i, cap in enumerate(self.band_caps)],
        }


@dataclass(frozen=True, slots=True)
class ConsortiumParams:
    """ConsortiumParams are the consortium's parameters, changed only by committee vote."""

    committee_size: int  # n
    approvals: int  # k
    trust_floor: Decimal
    period_seconds: int  # the least time between two ClosePeriod transactions
    trust: TrustParams

    @classmethod
    def from_fields(cls, f: Fields) -> ConsortiumParams:
        """from_fields reads consortium parameters of a record."""
        return cls(
            committee_size=f.integer("committeeSize"),
            approvals=f.integer("approvals"),
            trust_floor=f.fixed("trustFloor"),
            period_seconds=f.integer("periodSeconds"),
            trust=TrustParams.from_fields(f.object("trust")),
        )

    def to_json(self) -> dict[str, object]:
        """to_json is the parameters as the contract reads them (fixed-point)."""
        return {
            "committeeSize": self.committee_size,
            "approvals": self.approvals,
            "trustFloor": to_fixed(self.trust_floor, "trustFloor"),
            "periodSeconds": self.period_seconds,
            "trust": self.trust.to_json(),
        }


@dataclass(frozen=True, slots=True)
class Parameters:
    """Parameters is the parameter set in force and where it came from."""

    version: int
    params: ConsortiumParams
    proposal_id: str
    changed_at: str

    @classmethod
    def from_json(cls, payload: bytes) -> Parameters:
        """from_json reads the JSON GetParameters returns."""
        f = Fields.of(payload, "parameters record")
        return cls(
            f.integer("version"),
            ConsortiumParams.from_fields(f.object("params")),
            f.text("proposalId"),
            f.text("changedAt"),
        )


@dataclass(frozen=True, slots=True)
class ParametersProposal:
    """ParametersProposal is a proposed parameter set and the committee's votes on it."""

    proposal_id: str
    proposer: str
    base_version: int
    params: ConsortiumParams
    votes: tuple[Approval, ...]
    status: str  # pending or applied
    created_at: str
    applied_at: str

    @classmethod
    def from_json(cls, payload: bytes) -> ParametersProposal:
        """from_json reads the JSON GetProposal returns."""
        f = Fields.of(payload, "parameters proposal")
        return cls(
            proposal_id=f.text("id"),
            proposer=f.text("proposer"),
            base_version=f.integer("baseVersion"),
            params=ConsortiumParams.from_fields(f.object("params")),
            votes=tuple(Approval.from_fields(v) for v in f.objects("votes")),
            status=f.text("status"),
            created_at=f.text("createdAt"),
            applied_at=f.text("appliedAt"),
        )


@dataclass(frozen=True, slots=True)
class StatusRequest:
    """StatusRequest is a committee request to suspend, reinstate or revoke a member, and its approvals.

    The request counts as its requester's approval; at k approvals from two organisations the
    member's status changes and ``state`` becomes "approved".
    """

    request_id: str
    member_id: str
    status: str  # the status requested: active (reinstatement), suspended or revoked
    reason: str
    requested_by: str
    approvals: tuple[Approval, ...]  # the requester's first
    state: str  # pending or approved
    created_at: str
    decided_at: str

    @classmethod
    def from_json(cls, payload: bytes) -> StatusRequest:
        """from_json reads the JSON GetStatusRequest returns (and MemberStatusRequested carries)."""
        f = Fields.of(payload, "status request")
        return cls(
            request_id=f.text("id"),
            member_id=f.text("memberId"),
            status=f.text("status"),
            reason=f.text("reason"),
            requested_by=f.text("requestedBy"),
            approvals=tuple(Approval.from_fields(a) for a in f.objects("approvals")),
            state=f.text("state"),
            created_at=f.text("createdAt"),
            decided_at=f.text("decidedAt"),
        )


@dataclass(frozen=True, slots=True)
class Confirmation:
    """Confirmation is a founding organisation's consent to a genesis proposal, given by one of its admins."""

    msp_id: str
    admin: str  # the client id of the confirming admin identity
    tx_id: str
    at: str

    @classmethod
    def from_fields(cls, f: Fields) -> Confirmation:
        """from_fields reads a confirmation of a genesis proposal."""
        return cls(f.text("mspId"), f.text("admin"), f.text("txId"), f.text("at"))


@dataclass(frozen=True, slots=True)
class GenesisFounder:
    """GenesisFounder is one founder of a genesis proposal: its member record and genesis evidence."""

    member: Member  # active once the consortium starts
    organisation_name: str
    evidence: Evidence  # its prior and the genesis evidence

    @classmethod
    def from_fields(cls, f: Fields) -> GenesisFounder:
        """from_fields reads a founder of a genesis proposal."""
        return cls(
            Member.from_fields(f.object("member")),
            f.text("organisationName"),
            Evidence.from_fields(f.object("evidence")),
        )


@dataclass(frozen=True, slots=True)
class GenesisProposal:
    """GenesisProposal is a proposal to found the consortium and its founding organisations' confirmations.

    The consortium starts from it once every founding organisation has confirmed (``status``
    becomes "approved").
    """

    proposal_id: str
    params: ConsortiumParams
    founders: tuple[GenesisFounder, ...]
    confirmations: tuple[Confirmation, ...]  # the proposer's first
    status: str  # pending or approved
    created_at: str
    applied_at: str

    @classmethod
    def from_json(cls, payload: bytes) -> GenesisProposal:
        """from_json reads the JSON GetGenesisProposal returns."""
        f = Fields.of(payload, "genesis proposal")
        return cls(
            proposal_id=f.text("id"),
            params=ConsortiumParams.from_fields(f.object("params")),
            founders=tuple(GenesisFounder.from_fields(g) for g in f.objects("founders")),
            confirmations=tuple(Confirmation.from_fields(c) for c in f.objects("confirmations")),
            status=f.text("status"),
            created_at=f.text("createdAt"),
            applied_at=f.text("appliedAt"),
        )

    @property
    def unconfirmed(self) -> tuple[str, ...]:
        """unconfirmed are the MSP ids of the founding organisations that have not confirmed yet."""
        confirmed = {c.msp_id for c in self.confirmations}
        return tuple(g.member.msp_id for g in self.founders if g.member.msp_id not in confirmed)


@dataclass(frozen=True, slots=True)
class Certificate:
    """Certificate is a typed certificate, local to a project channel or global."""

    cert_id: str
    kind: str
    subject: str
    scope: str  # local or global
    project_channel: str  # the channel a local certificate was issued for, kept after an upgrade
    attributes: Mapping[str, str]
    evidence: tuple[Document, ...]
    issuer: str
    issuer_msp: str
    status: str  # valid or revoked
    upgrade_approvals: tuple[Approval, ...]
    revocation_approvals: tuple[Approval, ...]  # the committee's, when others than the issuer revoke it
    revoked_by: str
    revocation_reason: str
    issued_at: str
    upgraded_at: str
    revoked_at: str
    tx_id: str

    @classmethod
    def from_json(cls, payload: bytes) -> Certificate:
        """from_json reads the JSON GetCertificate returns (and the certificate events carry)."""
        f = Fields.of(payload, "certificate record")
        return cls(
            cert_id=f.text("id"),
            kind=f.text("kind"),
            subject=f.text("subject"),
            scope=f.text("scope"),
            project_channel=f.text("projectChannel"),
            attributes=f.text_map("attributes"),
            evidence=tuple(Document.from_fields(d) for d in f.objects("evidence")),
            issuer=f.text("issuer"),
            issuer_msp=f.text("issuerMsp"),
            status=f.text("status"),
            upgrade_approvals=tuple(Approval.from_fields(a) for a in f.objects("upgradeApprovals")),
            revocation_approvals=tuple(Approval.from_fields(a) for a in f.objects("revocationApprovals")),
            revoked_by=f.text("revokedBy"),
            revocation_reason=f.text("revocationReason"),
            issued_at=f.text("issuedAt"),
            upgraded_at=f.text("upgradedAt"),
            revoked_at=f.text("revokedAt"),
            tx_id=f.text("txId"),
        )


@dataclass(frozen=True, slots=True)
class Evidence:
    """Evidence is a member's positive and negative evidence per rater band (low, high, very high)."""

    positive: tuple[Decimal, ...]
    negative: tuple[Decimal, ...]

    @classmethod
    def from_fields(cls, f: Fields) -> Evidence:
        """from_fields reads the evidence of a record."""
        return cls(f.fixed_list("positive"), f.fixed_list("negative"))


@dataclass(frozen=True, slots=True)
class Standing:
    """Standing is what a project channel checks of a writer, in one registry query (GetStanding)."""

    member_id: str
    identity: str
    role: str
    organisation: str  # MSP id
    status: str
    trust: Decimal
    level: str
    trust_floor: Decimal

    @classmethod
    def from_json(cls, payload: bytes) -> Standing:
        """from_json reads GetStanding's answer."""
        f = Fields.of(payload, "standing")
        return cls(
            f.text("memberId"),
            f.text("identity"),
            f.text("role"),
            f.text("organisation"),
            f.text("status"),
            f.fixed("trust"),
            f.text("level"),
            f.fixed("trustFloor"),
        )


@dataclass(frozen=True, slots=True)
class TrustRow:
    """TrustRow is a member's trust, its level (the paper's table 10) and its evidence."""

    member_id: str
    trust: Decimal
    level: str  # e.g. "very high trust"
    evidence: Evidence

    @classmethod
    def from_fields(cls, f: Fields) -> TrustRow:
        """from_fields reads a trust row."""
        return cls(
            f.text("memberId"), f.fixed("trust"), f.text("level"), Evidence.from_fields(f.object("evidence"))
        )


@dataclass(frozen=True, slots=True)
class TrustClock:
    """TrustClock is the period clock: the open period and the latest applied (0 before the first)."""

    latest_period: int
    updated_at: str
    open_period: int  # periods count from 1 at genesis; every earlier one is closed
    opened_at: str

    @classmethod
    def from_json(cls, payload: bytes) -> TrustClock:
        """from_json reads the JSON GetTrustClock returns."""
        f = Fields.of(payload, "trust clock")
        return cls(
            f.integer("latestPeriod"), f.text("updatedAt"), f.integer("openPeriod"), f.text("openedAt")
        )


@dataclass(frozen=True, slots=True)
class Rejection:
    """Rejection is one feedback entry of a snapshot that was not applied, and why."""

    index: int  # the entry's position in the snapshot's feedback
    rater: str
    ratee: str
    score: Decimal
    reason: str

    @classmethod
    def from_fields(cls, f: Fields) -> Rejection:
        """from_fields reads a rejection of an applied snapshot."""
        return cls(f.integer("index"), f.text("rater"), f.text("ratee"), f.fixed("score"), f.text("reason"))


@dataclass(frozen=True, slots=True)
class AppliedSnapshot:
    """AppliedSnapshot records that a project channel's trust snapshot of a period was applied."""

    project_channel: str
    period: int
    applied_in_period: int  # period, or a later one for a snapshot that came late
    sha256: str
    feedback: int  # number of feedback entries applied
    rejected: tuple[Rejection, ...]  # the entries not applied: unknown, suspended, revoked or self-rated
    submitter: str
    submitted_tx_id: str
    tx_id: str
    applied_at: str

    @classmethod
    def from_json(cls, payload: bytes) -> AppliedSnapshot:
        """from_json reads the JSON GetAppliedSnapshot returns."""
        f = Fields.of(payload, "applied snapshot")
        return cls(
            project_channel=f.text("projectChannel"),
            period=f.integer("period"),
            applied_in_period=f.integer("appliedInPeriod"),
            sha256=f.text("sha256"),
            feedback=f.integer("feedback"),
            rejected=tuple(Rejection.from_fields(r) for r in f.objects("rejected")),
            submitter=f.text("submitter"),
            submitted_tx_id=f.text("submittedTxId"),
            tx_id=f.text("txId"),
            applied_at=f.text("appliedAt"),
        )


@dataclass(frozen=True, slots=True)
class Project:
    """Project is a registered project channel, whose trust snapshots the registry waits for."""

    channel: str
    organisations: tuple[str, ...]  # MSP ids, sorted; they alone endorse the project's snapshots
    first_period: int  # the period open at registration, the first whose snapshot is awaited
    period_seconds: int  # the period length at registration, which the channel copies
    registered_by: str
    tx_id: str
    registered_at: str

    @classmethod
    def from_json(cls, payload: bytes) -> Project:
        """from_json reads the JSON GetProject returns."""
        f = Fields.of(payload, "project")
        return cls(
            channel=f.text("channel"),
            organisations=f.texts("organisations"),
            first_period=f.integer("firstPeriod"),
            period_seconds=f.integer("periodSeconds"),
            registered_by=f.text("registeredBy"),
            tx_id=f.text("txId"),
            registered_at=f.text("registeredAt"),
        )


@dataclass(frozen=True, slots=True)
class SubmittedSnapshot:
    """SubmittedSnapshot is a project channel's trust snapshot of one period, checked and waiting to apply."""

    period: int
    sha256: str  # of the snapshot's canonical JSON
    feedback: tuple[SnapshotFeedback, ...]
    submitter: str
    tx_id: str
    submitted_at: str

    @classmethod
    def from_fields(cls, f: Fields) -> SubmittedSnapshot:
        """from_fields reads one submitted snapshot."""
        return cls(
            period=f.integer("period"),
            sha256=f.text("sha256"),
            feedback=tuple(
                SnapshotFeedback(e.text("rater"), e.text("ratee"), e.fixed("score"))
                for e in f.objects("feedback")
            ),
            submitter=f.text("submitter"),
            tx_id=f.text("txId"),
            submitted_at=f.text("submittedAt"),
        )


@dataclass(frozen=True, slots=True)
class SubmittedSnapshots:
    """SubmittedSnapshots are a project's submitted trust snapshots not yet applied, oldest period first."""

    channel: str
    snapshots: tuple[SubmittedSnapshot, ...]

    @classmethod
    def from_json(cls, payload: bytes) -> SubmittedSnapshots:
        """from_json reads the JSON GetSubmittedSnapshots returns."""
        f = Fields.of(payload, "submitted snapshots")
        return cls(f.text("channel"), tuple(SubmittedSnapshot.from_fields(s) for s in f.objects("snapshots")))


@dataclass(frozen=True, slots=True)
class SnapshotRef:
    """SnapshotRef names one project channel's snapshot of one period."""

    channel: str
    period: int


@dataclass(frozen=True, slots=True)
class AppliedPeriod:
    """AppliedPeriod is what ApplyPeriod applied for one period, and which projects were late."""

    period: int
    snapshots: tuple[SnapshotRef, ...]  # by channel, then period
    late: tuple[str, ...]  # channels whose snapshot of the period will be applied with a later one
    tx_id: str
    applied_at: str

    @classmethod
    def from_json(cls, payload: bytes) -> AppliedPeriod:
        """from_json reads the JSON GetAppliedPeriod returns."""
        f = Fields.of(payload, "applied period")
        return cls(
            period=f.integer("period"),
            snapshots=tuple(
                SnapshotRef(r.text("channel"), r.integer("period")) for r in f.objects("snapshots")
            ),
            late=f.texts("late"),
            tx_id=f.text("txId"),
            applied_at=f.text("appliedAt"),
        )


@dataclass(frozen=True, slots=True)
class KeyAgreementKey:
    """KeyAgreementKey is a public key a member registered for itself to receive data keys (X25519).

    A member's keys form its history, numbered from 1; the newest is current, and each earlier one
    names the transaction that retired it. ``key_id`` is the hex SHA-256 of the key's
    SubjectPublicKeyInfo, the name wrapped data keys give their recipient key by.
    """

    member_id: str
    number: int
    key_id: str
    algorithm: str  # X25519
    public_key_pem: str
    registered_at: str
    tx_id: str
    retired_at: str  # "" while current
    retired_tx_id: str  # "" while current

    @property
    def current(self) -> bool:
        """current says whether no later key has retired this one."""
        return self.retired_tx_id == ""

    @classmethod
    def from_json(cls, payload: bytes) -> KeyAgreementKey:
        """from_json reads the JSON GetKeyAgreementKey returns (and KeyAgreementKeyRegistered carries)."""
        return cls.from_fields(Fields.of(payload, "key-agreement key"))

    @classmethod
    def from_fields(cls, f: Fields) -> KeyAgreementKey:
        """from_fields reads a key-agreement key record."""
        return cls(
            member_id=f.text("memberId"),
            number=f.integer("number"),
            key_id=f.text("keyId"),
            algorithm=f.text("algorithm"),
            public_key_pem=f.text("publicKey"),
            registered_at=f.text("registeredAt"),
            tx_id=f.text("txId"),
            retired_at=f.text("retiredAt"),
            retired_tx_id=f.text("retiredTxId"),
        )


@dataclass(frozen=True, slots=True)
class Founder:
    """Founder is one founding member of InitConsortium, one per founding organisation.

    ``identity`` is the founder's client id (``client_id(certificate_pem)``); ``legal_name`` the
    organisation's name on record (its consortium name when None); ``prior`` the attribute-based
    prior in [-1, 1].
    """

    member_id: str
    organisation: str
    identity: str
    role: str = "admin"
    prior: Decimal = Decimal(0)
    attributes: Mapping[str, AttributeValue] = field(default_factory=dict)
    legal_name: str | None = None


def trust_rows(payload: bytes, what: str) -> tuple[TrustRow, ...]:
    """trust_rows reads the JSON list GetTrustTable and GetCommittee return."""
    return tuple(TrustRow.from_fields(f) for f in Fields.list_of(payload, what))


class RegistryClient:
    """RegistryClient calls the registry contract ("registry:<Fn>") of chaincode ``chaincode`` on ``channel``.

    Transactions return where they committed (or the id they create); queries return records.
    Every failure raises LedgerError with the transaction id and each peer's reason.
    """

    def __init__(
        self,
        gateway: Gateway,
        organisations: Organisations,
        *,
        channel: str = "mainchain",
        chaincode: str = "registry",
    ) -> None:
        self._calls = ContractCalls(gateway.network(channel).contract(chaincode, "registry"))
        self._organisations = organisations

    def _msp_id(self, organisation: str) -> str:
        return self._organisations.organisation(organisation).msp_id

    # Transactions (chaincode/registry contract.go, status.go, certificates.go, projects.go, trusttable.go).

    async def init_consortium(
        self,
        founders: Sequence[Founder],
        *,
        params: ConsortiumParams | None = None,
        period_seconds: int | None = None,
    ) -> str:
        """init_consortium proposes to found the consortium; returns the genesis proposal id.

        The caller must hold an admin certificate (NodeOU "admin") of one of the founders'
        organisations; proposing counts as its organisation's confirmation. The consortium starts
        once an admin of every founding organisation has confirmed (confirm_consortium). params
        replaces the defaults when given; period_seconds alone replaces the default period length (the
        contract fills in the other defaults).
        """
        chosen: dict[str, object] = params.to_json() if params else {}
        if period_seconds is not None:
            chosen["periodSeconds"] = period_seconds
        _, result = await self._calls.submit(
            "InitConsortium", to_json(chosen), self._founders_argument(founders)
        )
        return result.decode()

    async def confirm_consortium(self, proposal_id: str) -> Committed:
        """confirm_consortium records the calling admin's organisation's consent to a genesis proposal.

        The caller must hold an admin certificate of a founding organisation of the proposal that has
        not confirmed yet; the last confirmation starts the consortium.
        """
        committed, _ = await self._calls.submit("ConfirmConsortium", proposal_id)
        return committed

    def _founders_argument(self, founders: Sequence[Founder]) -> str:
        return to_json(
            [
                {
                    "memberId": f.member_id,
                    "role": f.role,
                    "mspId": self._msp_id(f.organisation),
                    "organisationName": f.legal_name or f.organisation,
                    "identity": f.identity,
                    "prior": to_fixed(f.prior, f"prior of founder {f.member_id}"),
                    "attributes": dict(f.attributes),
                }
                for f in founders
            ]
        )

    async def request_enrolment(
        self,
        member_id: str,
        *,
        role: str,
        attributes: Mapping[str, AttributeValue] | None = None,
        documents: Sequence[Document] = (),
    ) -> str:
        """request_enrolment asks to enrol the caller's identity as member_id; returns the request id."""
        _, result = await self._calls.submit(
            "RequestEnrolment",
            member_id,
            role,
            object_argument(attributes or {}),
            to_json([d.to_json() for d in documents]),
        )
        return result.decode()

    async def request_organisation_enrolment(
        self,
        organisation: str,
        *,
        documents: Sequence[Document],
        legal_name: str | None = None,
        msp_id: str | None = None,
    ) -> str:
        """request_organisation_enrolment sponsors organisation's enrolment; returns the request id.

        An organisation that is not in the network description yet (it joins with `make org-add`
        once approved) is named by the MSP id it will use, msp_id.
        """
        _, result = await self._calls.submit(
            "RequestOrganisationEnrolment",
            msp_id or self._msp_id(organisation),
            legal_name or organisation,
            to_json([d.to_json() for d in documents]),
        )
        return result.decode()

    async def approve_enrolment(self, request_id: str) -> Committed:
        """approve_enrolment records the calling committee member's approval of a request."""
        committed, _ = await self._calls.submit("ApproveEnrolment", request_id)
        return committed

    async def reject_enrolment(self, request_id: str, *, reason: str) -> Committed:
        """reject_enrolment rejects a request for reason (one committee member suffices)."""
        committed, _ = await self._calls.submit("RejectEnrolment", request_id, reason)
        return committed

    async def request_member_status(self, member_id: str, *, status: str, reason: str) -> str:
        """request_member_status asks the committee to suspend, reinstate ("active") or revoke a member.

        The caller is a committee member other than member_id, and the request counts as its
        approval; the status changes at k approvals from two organisations. Returns the request id.
        """
        _, result = await self._calls.submit("RequestMemberStatus", member_id, status, reason)
        return result.decode()

    async def approve_member_status(self, request_id: str) -> Committed:
        """approve_member_status records the calling committee member's approval of a status request."""
        committed, _ = await self._calls.submit("ApproveMemberStatus", request_id)
        return committed

    async def propose_parameters(self, params: ConsortiumParams) -> str:
        """propose_parameters proposes params as the new parameter set; returns the proposal id.

        Read the parameters in force with get_parameters and change what should change
        (``dataclasses.replace``).
        """
        _, result = await self._calls.submit("ProposeParameters", to_json(params.to_json()))
        return result.decode()

    async def vote_parameters(self, proposal_id: str) -> Committed:
        """vote_parameters records the calling committee member's vote for a proposal."""
        committed, _ = await self._calls.submit("VoteParameters", proposal_id)
        return committed

    async def issue_certificate(
        self,
        cert_id: str,
        *,
        kind: str,
        subject: str,
        project_channel: str,
        attributes: Mapping[str, AttributeValue],
        evidence: Sequence[Document],
    ) -> Committed:
        """issue_certificate issues a certificate of kind about subject, local to project_channel.

        Every certificate is issued local ("local:<project_channel>"; "mainchain" for the
        consortium's own, such as company certificates) and becomes global only by k upgrade
        approvals (upgrade_certificate). For a company certificate subject is the organisation's
        name in the consortium, recorded as its MSP id; for other kinds it is a member, artifact or
        data set id as it is.
        """
        if kind == "company":
            subject = self._msp_id(subject)
        committed, _ = await self._calls.submit(
            "IssueCertificate",
            cert_id,
            kind,
            subject,
            f"local:{project_channel}",
            object_argument(attributes),
            to_json([d.to_json() for d in evidence]),
        )
        return committed

    async def upgrade_certificate(self, cert_id: str) -> Committed:
        """upgrade_certificate records the caller's approval to make a local certificate global."""
        committed, _ = await self._calls.submit("UpgradeCertificate", cert_id)
        return committed

    async def revoke_certificate(self, cert_id: str, *, reason: str) -> Committed:
        """revoke_certificate revokes a certificate for reason; revocation is final.

        Its issuer revokes it at once; from a committee member the call is an approval, and the
        certificate is revoked at k approvals from two organisations.
        """
        committed, _ = await self._calls.submit("RevokeCertificate", cert_id, reason)
        return committed

    async def submit_trust_snapshot(self, snapshot: TrustSnapshot) -> Committed:
        """submit_trust_snapshot applies a project channel's trust snapshot as the channel returned it."""
        committed, _ = await self._calls.submit(
            "SubmitTrustSnapshot", snapshot.channel, str(snapshot.period), snapshot.canonical
        )
        return committed

    async def register_project(self, project_channel: str, organisations: Sequence[str]) -> Committed:
        """register_project registers a project channel of organisations (names in the consortium).

        The caller is a committee member or an admin of one of the organisations (at least two,
        each enrolled); the registry then waits for the project's trust snapshot of every period
        from the one open now.
        """
        committed, _ = await self._calls.submit(
            "RegisterProject", project_channel, id_list([self._msp_id(o) for o in organisations])
        )
        return committed

    async def close_period(self) -> Committed:
        """close_period closes the open trust period and opens the next (an admin or committee member).

        The contract refuses before periodSeconds have passed since the open period opened, by
        ledger time.
        """
        committed, _ = await self._calls.submit("ClosePeriod")
        return committed

    async def apply_period(self, period: int) -> Committed:
        """apply_period applies closed period period, the one after the latest applied, to the trust table."""
        committed, _ = await self._calls.submit("ApplyPeriod", str(period))
        return committed

    async def register_key_agreement_key(self, public_key: X25519PublicKey) -> Committed:
        """register_key_agreement_key registers public_key as the calling member's current key-agreement
        key, retiring the previous one (kept in its history). Any member but a revoked one registers,
        for itself only; a key registered before, by anyone, is refused. Make the key pair with
        gateway.artifacts.provision_key_agreement_key, which keeps the private key in the identity
        folder first.
        """
        committed, result = await self._calls.submit("RegisterKeyAgreementKey", public_key_pem(public_key))
        if result.decode() != key_id_of(public_key):
            raise RecordError(
                f"RegisterKeyAgreementKey answered key id {result[:80]!r}, not {key_id_of(public_key)}: the "
                "contract and this client disagree on key ids"
            )
        return committed

    # Queries (chaincode/registry queries.go).

    async def get_member(self, member_id: str) -> Member:
        """get_member returns member member_id."""
        return Member.from_json(await self._calls.evaluate("GetMember", member_id))

    async def get_standing(self, member_id: str) -> Standing:
        """get_standing returns a member's identity, role, organisation, status and trust in one query."""
        return Standing.from_json(await self._calls.evaluate("GetStanding", member_id))

    async def get_enrolment(self, request_id: str) -> EnrolmentRequest:
        """get_enrolment returns an enrolment request with its approvals."""
        return EnrolmentRequest.from_json(await self._calls.evaluate("GetEnrolment", request_id))

    async def get_organisation_enrolment(
        self, organisation: str, *, msp_id: str | None = None
    ) -> OrganisationEnrolment:
        """get_organisation_enrolment returns the organisation called organisation and its enrolment
        (msp_id names one that is not in the network description yet)."""
        payload = await self._calls.evaluate("GetOrganisationEnrolment", msp_id or self._msp_id(organisation))
        return OrganisationEnrolment.from_json(payload)

    async def get_parameters(self) -> Parameters:
        """get_parameters returns the consortium parameters in force."""
        return Parameters.from_json(await self._calls.evaluate("GetParameters"))

    async def get_proposal(self, proposal_id: str) -> ParametersProposal:
        """get_proposal returns a parameter proposal with its votes."""
        return ParametersProposal.from_json(await self._calls.evaluate("GetProposal", proposal_id))

    async def get_committee(self) -> tuple[TrustRow, ...]:
        """get_committee returns the committee, the most trusted first."""
        return trust_rows(await self._calls.evaluate("GetCommittee"), "committee")

    async def get_certificate(self, cert_id: str) -> Certificate:
        """get_certificate returns certificate cert_id."""
        return Certificate.from_json(await self._calls.evaluate("GetCertificate", cert_id))

    async def is_certificate_valid(self, cert_id: str) -> bool:
        """is_certificate_valid says whether a certificate is not revoked; an unknown one raises."""
        return parse_flag(await self._calls.evaluate("IsCertificateValid", cert_id), "IsCertificateValid")

    async def get_trust(self, member_id: str) -> TrustRow:
        """get_trust returns a member's trust under the parameters in force."""
        return TrustRow.from_fields(Fields.of(await self._calls.evaluate("GetTrust", member_id), "trust row"))

    async def get_trust_table(self) -> tuple[TrustRow, ...]:
        """get_trust_table returns every member's trust, ordered by member id."""
        return trust_rows(await self._calls.evaluate("GetTrustTable"), "trust table")

    async def get_trust_clock(self) -> TrustClock:
        """get_trust_clock returns the period clock: the open period and the latest applied."""
        return TrustClock.from_json(await self._calls.evaluate("GetTrustClock"))

    async def get_applied_snapshot(self, project_channel: str, period: int) -> AppliedSnapshot:
        """get_applied_snapshot returns the record of a project channel's applied snapshot of period."""
        payload = await self._calls.evaluate("GetAppliedSnapshot", project_channel, str(period))
        return AppliedSnapshot.from_json(payload)

    async def get_project(self, project_channel: str) -> Project:
        """get_project returns a registered project channel."""
        return Project.from_json(await self._calls.evaluate("GetProject", project_channel))

    async def get_submitted_snapshots(self, project_channel: str) -> SubmittedSnapshots:
        """get_submitted_snapshots returns a project's submitted snapshots that are not applied yet."""
        return SubmittedSnapshots.from_json(
            await self._calls.evaluate("GetSubmittedSnapshots", project_channel)
        )

    async def get_applied_period(self, period: int) -> AppliedPeriod:
        """get_applied_period returns what ApplyPeriod applied for period."""
        return AppliedPeriod.from_json(await self._calls.evaluate("GetAppliedPeriod", str(period)))

    async def get_status_request(self, request_id: str) -> StatusRequest:
        """get_status_request returns a member status request with its approvals."""
        return StatusRequest.from_json(await self._calls.evaluate("GetStatusRequest", request_id))

    async def get_key_agreement_keys(self, member_id: str) -> tuple[KeyAgreementKey, ...]:
        """get_key_agreement_keys returns every key-agreement key member_id registered, oldest first."""
        payload = await self._calls.evaluate("GetKeyAgreementKeys", member_id)
        return tuple(KeyAgreementKey.from_fields(f) for f in Fields.list_of(payload, "key-agreement keys"))

    async def get_key_agreement_key(self, member_id: str) -> KeyAgreementKey:
        """get_key_agreement_key returns member_id's current key-agreement key (the one to wrap for)."""
        return KeyAgreementKey.from_json(await self._calls.evaluate("GetKeyAgreementKey", member_id))

    async def get_genesis_proposal(self, proposal_id: str) -> GenesisProposal:
        """get_genesis_proposal returns a genesis proposal with its confirmations, also before genesis."""
        return GenesisProposal.from_json(await self._calls.evaluate("GetGenesisProposal", proposal_id))
