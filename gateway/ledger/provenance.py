"""The provenance contract of a project channel, typed: artifacts, feedback, trust, birth certificates.

``ProvenanceClient`` has one method per transaction and query of chaincode/provenance; the records
it returns mirror the contract's (chaincode/provenance/model.go), fixed-point numbers as exact
Decimals. Stored artifacts (``gateway.artifacts.StoredArtifact``) become RecordArtifact's arguments
here, and organisations named as in the consortium description become MSP ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gateway.artifacts import StoredArtifact
from gateway.artifacts.keys import KeyEpoch, KeyWrapError
from gateway.fabric import Gateway

from ._chaincode import (
    Committed,
    ContractCalls,
    Fields,
    Organisations,
    decimal_text,
    id_list,
    object_argument,
    parse_flag,
    to_json,
)
from .errors import RecordError


@dataclass(frozen=True, slots=True)
class DataBounds:
    """DataBounds is the declared range of a data artifact's values (at most 6 decimals each)."""

    source: str
    data_type: str
    minimum: Decimal
    maximum: Decimal

    def to_json(self) -> dict[str, str]:
        """to_json is the bounds as RecordArtifact reads them (decimal strings)."""
        return {
            "source": self.source,
            "dataType": self.data_type,
            "min": decimal_text(self.minimum),
            "max": decimal_text(self.maximum),
        }


@dataclass(frozen=True, slots=True)
class TrustAtWrite:
    """TrustAtWrite is a writer's consortium trust when its transaction was endorsed, as the record keeps
    it (the registry standing the contract checked before letting it write)."""

    trust: Decimal
    level: str  # e.g. "medium trust"

    @classmethod
    def from_fields(cls, f: Fields) -> TrustAtWrite:
        """from_fields reads a record's creatorTrust or approverTrust object."""
        return cls(f.fixed("trust"), f.text("level"))


@dataclass(frozen=True, slots=True)
class Artifact:
    """Artifact is an artifact's record: its content on IPFS, lineage and creator."""

    artifact_id: str
    kind: str
    cid: str  # of the stored (encrypted) bytes
    sha256: str  # of the plaintext
    size: int  # of the plaintext
    media_type: str
    parents: tuple[str, ...]
    bounds: DataBounds | None
    request_feedback: bool
    pinned_on: tuple[str, ...]  # MSP ids of the organisations whose nodes pin it
    wrapped_key_epoch: int
    creator: str  # client id
    creator_msp: str
    creator_trust: TrustAtWrite
    tx_id: str
    timestamp: str

    @classmethod
    def from_json(cls, payload: bytes) -> Artifact:
        """from_json reads the JSON GetArtifact returns (and ArtifactRecorded carries)."""
        return cls.from_fields(Fields.of(payload, "artifact record"))

    @classmethod
    def from_fields(cls, f: Fields) -> Artifact:
        """from_fields reads an artifact record."""
        bounds = f.optional_object("bounds")
        return cls(
            artifact_id=f.text("id"),
            kind=f.text("kind"),
            cid=f.text("cid"),
            sha256=f.text("sha256"),
            size=f.integer("size"),
            media_type=f.text("mediaType"),
            parents=f.texts("parents"),
            bounds=None
            if bounds is None
            else DataBounds(
                bounds.text("source"), bounds.text("dataType"), bounds.fixed("min"), bounds.fixed("max")
            ),
            request_feedback=f.flag("requestFeedback"),
            pinned_on=f.texts("pinnedOn"),
            wrapped_key_epoch=f.integer("wrappedKeyEpoch"),
            creator=f.text("creator"),
            creator_msp=f.text("creatorMsp"),
            creator_trust=TrustAtWrite.from_fields(f.object("creatorTrust")),
            tx_id=f.text("txId"),
            timestamp=f.text("timestamp"),
        )


@dataclass(frozen=True, slots=True)
class FeedbackEvidence:
    """FeedbackEvidence is content on IPFS a rating rests on."""

    cid: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Feedback:
    """Feedback is one member's rating of a record (the paper's attached transaction)."""

    artifact_id: str
    artifact_tx_id: str
    rater: str  # client id
    rater_msp: str
    ratee: str  # client id of the rated record's creator
    score: Decimal  # in [-1, 1]
    comment: str
    evidence: tuple[FeedbackEvidence, ...]
    period: int
    tx_id: str
    timestamp: str

    @classmethod
    def from_fields(cls, f: Fields) -> Feedback:
        """from_fields reads a feedback record."""
        return cls(
            artifact_id=f.text("artifactId"),
            artifact_tx_id=f.text("artifactTxId"),
            rater=f.text("rater"),
            rater_msp=f.text("raterMsp"),
            ratee=f.text("ratee"),
            score=f.fixed("score"),
            comment=f.text("comment"),
            evidence=tuple(FeedbackEvidence(e.text("cid"), e.text("sha256")) for e in f.objects("evidence")),
            period=f.integer("period"),
            tx_id=f.text("txId"),
            timestamp=f.text("timestamp"),
        )


@dataclass(frozen=True, slots=True)
class PeriodClock:
    """PeriodClock is the channel's project settings and trust period clock.

    InitProject sets it once (``initialised`` is False and the rest empty before); each
    ClosePeriod advances ``open_period``. Ratings count in the open period when they commit;
    every period from ``first_period`` below it is closed and has a trust snapshot.
    """

    initialised: bool
    period_seconds: int  # the least time a period stays open, the registry's periodSeconds
    first_period: int  # the registry's open period when the project was registered
    organisations: tuple[str, ...]  # MSP ids, sorted; their admins close periods
    initialised_by: str
    initialised_by_msp: str
    init_tx_id: str
    open_period: int
    opened_at: str  # timestamp of the transaction that opened open_period
    opened_tx_id: str
    opened_by: str
    certificate_approvals: int  # k of every model certificate, from at least two organisations
    phase_writers: tuple[PhaseWriters, ...]  # per phase, in life-cycle order

    @classmethod
    def from_json(cls, payload: bytes) -> PeriodClock:
        """from_json reads the JSON GetPeriodClock returns."""
        f = Fields.of(payload, "period clock")
        return cls(
            initialised=f.flag("initialised"),
            period_seconds=f.integer("periodSeconds"),
            first_period=f.integer("firstPeriod"),
            organisations=f.texts("organisations"),
            initialised_by=f.text("initialisedBy"),
            initialised_by_msp=f.text("initialisedByMsp"),
            init_tx_id=f.text("initTxId"),
            open_period=f.integer("openPeriod"),
            opened_at=f.text("openedAt"),
            opened_tx_id=f.text("openedTxId"),
            opened_by=f.text("openedBy"),
            certificate_approvals=f.integer("certificateApprovals"),
            phase_writers=tuple(
                PhaseWriters(w.text("phase"), w.texts("roles"), w.texts("organisations"))
                for w in f.objects("phaseWriters")
            ),
        )


@dataclass(frozen=True, slots=True)
class PhaseWriters:
    """PhaseWriters is who writes one model certificate phase: members of these roles and MSPs."""

    phase: str
    roles: tuple[str, ...]  # registry roles
    organisations: tuple[str, ...]  # MSP ids


# DEFAULT_PHASE_WRITERS is DESIGN.md section 5's table by consortium organisation name:
# requirements and deployment by the Manufacturer's company, data collection by the Manufacturer or
# the ConditionMonitor, the data and model phases by the ModelTrainer's data scientists, monitoring
# by the ConditionMonitor.
DEFAULT_PHASE_WRITERS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "requirements": (("company",), ("Manufacturer",)),
    "data-collection": (("company", "condition-monitor"), ("Manufacturer", "ConditionMonitor")),
    "data-cleaning": (("data-scientist",), ("ModelTrainer",)),
    "data-labelling": (("data-scientist",), ("ModelTrainer",)),
    "feature-engineering": (("data-scientist",), ("ModelTrainer",)),
    "training": (("data-scientist",), ("ModelTrainer",)),
    "evaluation": (("data-scientist",), ("ModelTrainer",)),
    "deployment": (("company",), ("Manufacturer",)),
    "monitoring": (("condition-monitor",), ("ConditionMonitor",)),
}


def default_phase_writers(
    organisations: Sequence[str],
) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """default_phase_writers is DEFAULT_PHASE_WRITERS for a project of these organisations (names).

    Each phase keeps the default organisations the project has; a phase none of whose default
    organisations is in the project is written by the phase's roles of every project organisation.
    """
    table: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for phase, (roles, writers) in DEFAULT_PHASE_WRITERS.items():
        present = tuple(name for name in writers if name in organisations)
        table[phase] = (roles, present or tuple(organisations))
    return table


@dataclass(frozen=True, slots=True)
class ProjectMemberArgument:
    """ProjectMemberArgument is a member to list on a project channel, as the registry records it."""

    member_id: str
    identity: str  # the client id the registry binds, "x509::<subject>::<issuer>"
    role: str  # its registry role
    organisation: str  # consortium name of its organisation


@dataclass(frozen=True, slots=True)
class MembershipChange:
    """MembershipChange is one addition to (action "listed") or removal from the member list."""

    action: str
    by: str
    by_msp: str
    reason: str
    tx_id: str
    timestamp: str


@dataclass(frozen=True, slots=True)
class ProjectMember:
    """ProjectMember is one entry of a project channel's member list; removed members stay listed."""

    member_id: str
    identity: str
    role: str
    organisation: str  # MSP id
    status: str  # listed or removed
    changes: tuple[MembershipChange, ...]

    @classmethod
    def from_fields(cls, f: Fields) -> ProjectMember:
        """from_fields reads one member entry as GetMembers and GetProjectMember return it."""
        return cls(
            member_id=f.text("memberId"),
            identity=f.text("identity"),
            role=f.text("role"),
            organisation=f.text("organisation"),
            status=f.text("status"),
            changes=tuple(
                MembershipChange(
                    c.text("action"),
                    c.text("by"),
                    c.text("byMsp"),
                    c.text("reason"),
                    c.text("txId"),
                    c.text("timestamp"),
                )
                for c in f.objects("changes")
            ),
        )


@dataclass(frozen=True, slots=True)
class SnapshotFeedback:
    """SnapshotFeedback is one rating in a trust snapshot."""

    rater: str
    ratee: str
    score: Decimal


@dataclass(frozen=True, slots=True)
class TrustSnapshot:
    """TrustSnapshot is a project channel's feedback of one period, for the registry's trust table.

    ``canonical`` is the JSON text exactly as the channel returned it: the registry compares its
    SHA-256 with the channel's own, so it is submitted unchanged.
    """

    channel: str
    period: int
    feedback: tuple[SnapshotFeedback, ...]
    canonical: str = field(repr=False)

    @classmethod
    def from_json(cls, payload: bytes) -> TrustSnapshot:
        """from_json reads the JSON GetTrustSnapshot returns."""
        f = Fields.of(payload, "trust snapshot")
        entries = tuple(
            SnapshotFeedback(e.text("rater"), e.text("ratee"), e.fixed("score"))
            for e in f.objects("feedback")
        )
        return cls(f.text("channel"), f.integer("period"), entries, payload.decode())


@dataclass(frozen=True, slots=True)
class ApprovalPolicy:
    """ApprovalPolicy is a model certificate's rule, the channel's: k approvals from so many organisations."""

    approvals: int
    min_organisations: int


@dataclass(frozen=True, slots=True)
class PhaseEntry:
    """PhaseEntry is one life-cycle phase of a model birth certificate."""

    phase: str
    fields: Mapping[str, Any]  # the phase's fields as recorded (JSON)
    artifacts: tuple[str, ...]
    creator_certificate_id: str
    creator: str
    creator_msp: str
    creator_member: str
    creator_trust: TrustAtWrite
    tx_id: str
    timestamp: str


@dataclass(frozen=True, slots=True)
class CertificateApproval:
    """CertificateApproval is one member's approval of a complete model certificate."""

    approver: str
    approver_msp: str
    approver_member: str
    approver_trust: TrustAtWrite
    tx_id: str
    timestamp: str


@dataclass(frozen=True, slots=True)
class ModelCertificate:
    """ModelCertificate is a model's birth certificate: nine phases and the approvals that certify it.

    ``record`` is the JSON record itself, for ``gateway.ledger.attestation.model_attestation``.
    """

    cert_id: str
    model_name: str
    version: str
    policy: ApprovalPolicy
    status: str  # open, complete or certified
    model_artifact_id: str
    model_sha256: str
    phases: tuple[PhaseEntry, ...]
    approvals: tuple[CertificateApproval, ...]
    creator: str
    creator_msp: str
    creator_member: str  # the author, who never approves it
    creator_trust: TrustAtWrite
    tx_id: str
    timestamp: str
    completed_tx_id: str
    completed_at: str
    certified_tx_id: str
    certified_at: str
    record: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, payload: bytes) -> ModelCertificate:
        """from_json reads the JSON GetModelCertificate returns (and the certificate events carry)."""
        f = Fields.of(payload, "model certificate")
        policy = f.object("policy")
        return cls(
            cert_id=f.text("id"),
            model_name=f.text("modelName"),
            version=f.text("version"),
            policy=ApprovalPolicy(policy.integer("approvals"), policy.integer("minOrganisations")),
            status=f.text("status"),
            model_artifact_id=f.text("modelArtifactId"),
            model_sha256=f.text("modelSha256"),
            phases=tuple(
                PhaseEntry(
                    phase=p.text("phase"),
                    fields=p.json_object("fields"),
                    artifacts=p.texts("artifacts"),
                    creator_certificate_id=p.text("creatorCertificateId"),
                    creator=p.text("creator"),
                    creator_msp=p.text("creatorMsp"),
                    creator_member=p.text("creatorMember"),
                    creator_trust=TrustAtWrite.from_fields(p.object("creatorTrust")),
                    tx_id=p.text("txId"),
                    timestamp=p.text("timestamp"),
                )
                for p in f.objects("phases")
            ),
            approvals=tuple(
                CertificateApproval(
                    a.text("approver"),
                    a.text("approverMsp"),
                    a.text("approverMember"),
                    TrustAtWrite.from_fields(a.object("approverTrust")),
                    a.text("txId"),
                    a.text("timestamp"),
                )
                for a in f.objects("approvals")
            ),
            creator=f.text("creator"),
            creator_msp=f.text("creatorMsp"),
            creator_member=f.text("creatorMember"),
            creator_trust=TrustAtWrite.from_fields(f.object("creatorTrust")),
            tx_id=f.text("txId"),
            timestamp=f.text("timestamp"),
            completed_tx_id=f.text("completedTxId"),
            completed_at=f.text("completedAt"),
            certified_tx_id=f.text("certifiedTxId"),
            certified_at=f.text("certifiedAt"),
            record=f.value,
        )


@dataclass(frozen=True, slots=True)
class SoftwareVersion:
    """SoftwareVersion is one piece of software a pipeline component runs."""

    name: str
    version: str


@dataclass(frozen=True, slots=True)
class Component:
    """Component is one component of a pipeline to record, in execution order.

    ``owner`` is the organisation that runs it, by its consortium name; ``model`` a model
    certificate id, or "" for none.
    """

    name: str
    stage: str
    owner: str
    steps: Sequence[str]
    software: Sequence[SoftwareVersion]
    inputs: Sequence[str]
    outputs: Sequence[str]
    model: str = ""


@dataclass(frozen=True, slots=True)
class PipelineComponent:
    """PipelineComponent is one recorded component of a pipeline certificate."""

    name: str
    stage: str
    owner_msp: str
    steps: tuple[str, ...]
    software: tuple[SoftwareVersion, ...]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    model: str  # "" for none
    model_sha256: str  # the model certificate's model digest when recorded, "" for none


@dataclass(frozen=True, slots=True)
class PipelineCertificate:
    """PipelineCertificate is a pipeline's birth certificate.

    ``configuration`` is the configuration text byte for byte; ``record`` the JSON record itself,
    for ``gateway.ledger.attestation.pipeline_attestation``.
    """

    cert_id: str
    version: str
    components: tuple[PipelineComponent, ...]
    configuration: str
    configuration_sha256: str
    creator: str
    creator_msp: str
    creator_trust: TrustAtWrite
    tx_id: str
    timestamp: str
    record: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, payload: bytes) -> PipelineCertificate:
        """from_json reads the JSON GetPipelineCertificate returns."""
        f = Fields.of(payload, "pipeline certificate")
        return cls(
            cert_id=f.text("id"),
            version=f.text("version"),
            components=tuple(
                PipelineComponent(
                    name=c.text("name"),
                    stage=c.text("stage"),
                    owner_msp=c.text("owner"),
                    steps=c.texts("steps"),
                    software=tuple(
                        SoftwareVersion(s.text("name"), s.text("version")) for s in c.objects("software")
                    ),
                    inputs=c.texts("inputs"),
                    outputs=c.texts("outputs"),
                    model=c.optional_text("model"),
                    model_sha256=c.optional_text("modelSha256"),
                )
                for c in f.objects("components")
            ),
            configuration=f.text("configuration"),
            configuration_sha256=f.text("configurationSha256"),
            creator=f.text("creator"),
            creator_msp=f.text("creatorMsp"),
            creator_trust=TrustAtWrite.from_fields(f.object("creatorTrust")),
            tx_id=f.text("txId"),
            timestamp=f.text("timestamp"),
            record=f.value,
        )


@dataclass(frozen=True, slots=True)
class ResultBatch:
    """ResultBatch is a batch of per-workpiece results as the ledger keeps it: its Merkle root (RFC 9162
    over each result's canonical JSON, gateway/batches.py), size, results artifact and certified model."""

    batch_id: str
    merkle_root: str  # lowercase hex
    size: int
    results_artifact_id: str
    model_certificate_id: str
    model_sha256: str
    creator: str
    creator_msp: str
    creator_member: str
    creator_trust: TrustAtWrite
    tx_id: str
    timestamp: str

    @classmethod
    def from_json(cls, payload: bytes) -> ResultBatch:
        """from_json reads the JSON GetResultBatch returns (and ResultBatchRecorded carries)."""
        f = Fields.of(payload, "result batch")
        return cls(
            batch_id=f.text("id"),
            merkle_root=f.text("merkleRoot"),
            size=f.integer("size"),
            results_artifact_id=f.text("resultsArtifactId"),
            model_certificate_id=f.text("modelCertificateId"),
            model_sha256=f.text("modelSha256"),
            creator=f.text("creator"),
            creator_msp=f.text("creatorMsp"),
            creator_member=f.text("creatorMember"),
            creator_trust=TrustAtWrite.from_fields(f.object("creatorTrust")),
            tx_id=f.text("txId"),
            timestamp=f.text("timestamp"),
        )


@dataclass(frozen=True, slots=True)
class RecordedKeyEpoch:
    """RecordedKeyEpoch is a data-key epoch as the channel keeps it: the epoch (every listed member's
    copy, ``gateway.artifacts.KeyEpoch``) and the writer and transaction that recorded it."""

    epoch: KeyEpoch
    creator: str
    creator_msp: str
    creator_member: str
    tx_id: str
    timestamp: str

    @classmethod
    def from_json(cls, payload: bytes) -> RecordedKeyEpoch:
        """from_json reads what GetKeyEpoch returns (and KeyEpochRecorded carries)."""
        f = Fields.of(payload, "key epoch")
        try:
            epoch = KeyEpoch.from_json(f.value)
        except KeyWrapError as error:
            raise RecordError(f"key epoch: {error}") from None
        return cls(
            epoch=epoch,
            creator=f.text("creator"),
            creator_msp=f.text("creatorMsp"),
            creator_member=f.text("creatorMember"),
            tx_id=f.text("txId"),
            timestamp=f.text("timestamp"),
        )


@dataclass(frozen=True, slots=True)
class KeyEpochSummary:
    """KeyEpochSummary is one recorded epoch as GetKeyEpochs lists it: its number and the members it
    is wrapped for (sorted), without the copies."""

    epoch: int
    members: tuple[str, ...]
    creator_member: str
    tx_id: str
    timestamp: str

    @classmethod
    def from_fields(cls, f: Fields) -> KeyEpochSummary:
        """from_fields reads one entry of GetKeyEpochs."""
        return cls(
            epoch=f.integer("epoch"),
            members=f.texts("members"),
            creator_member=f.text("creatorMember"),
            tx_id=f.text("txId"),
            timestamp=f.text("timestamp"),
        )


class ProvenanceClient:
    """ProvenanceClient calls the provenance contract ("provenance:<Fn>") on one project channel.

    Transactions return where they committed; queries return records. Every failure raises
    LedgerError with the transaction id and each peer's reason.
    """

    def __init__(
        self, gateway: Gateway, organisations: Organisations, *, channel: str, chaincode: str = "provenance"
    ) -> None:
        self._calls = ContractCalls(gateway.network(channel).contract(chaincode, "provenance"))
        self._organisations = organisations
        self.channel = channel

    def _msp_id(self, organisation: str) -> str:
        return self._organisations.organisation(organisation).msp_id

    # Transactions (chaincode/provenance artifacts.go, clock.go, feedback.go, certificate.go, pipeline.go).

    async def record_artifact(
        self,
        stored: StoredArtifact,
        *,
        kind: str,
        media_type: str,
        wrapped_key_epoch: int,
        parents: Sequence[str] = (),
        request_feedback: bool = False,
        bounds: DataBounds | None = None,
    ) -> Committed:
        """record_artifact records a stored artifact: its CID, digest, size and the nodes that pin it.

        wrapped_key_epoch is the project data key's epoch it is encrypted under; parents the ids of
        the recorded artifacts it was derived from; bounds only for data kinds.
        """
        committed, _ = await self._calls.submit(
            "RecordArtifact",
            stored.artifact_id,
            kind,
            stored.cid,
            stored.sha256,
            str(stored.size),
            media_type,
            id_list(parents),
            id_list([self._msp_id(organisation) for organisation in stored.pinned_on]),
            str(wrapped_key_epoch),
            "true" if request_feedback else "false",
            "" if bounds is None else to_json(bounds.to_json()),
        )
        return committed

    async def rate_record(
        self,
        artifact_id: str,
        *,
        score: Decimal,
        comment: str = "",
        evidence: Sequence[FeedbackEvidence] = (),
    ) -> Committed:
        """rate_record gives feedback in [-1, 1] (at most 6 decimals) on an artifact that requests it."""
        committed, _ = await self._calls.submit(
            "RateRecord",
            artifact_id,
            decimal_text(score),
            comment,
            to_json([{"cid": e.cid, "sha256": e.sha256} for e in evidence]),
        )
        return committed

    async def init_project(
        self,
        *,
        period_seconds: int,
        first_period: int,
        organisations: Sequence[str],
        certificate_approvals: int,
        members: Sequence[ProjectMemberArgument],
        phase_writers: Mapping[str, tuple[Sequence[str], Sequence[str]]] | None = None,
    ) -> Committed:
        """init_project sets the channel up, once, as an admin of one of the project's organisations.

        period_seconds is the registry's periodSeconds, first_period the registry's open period when
        the project was registered, organisations the project's organisations (consortium names),
        certificate_approvals the registry's approvals (k of every model certificate), members the
        initial member list as the registry records it, and phase_writers per phase the registry
        roles and organisations (names) that write it; default_phase_writers(organisations) if None.
        """
        writers = default_phase_writers(organisations) if phase_writers is None else phase_writers
        committed, _ = await self._calls.submit(
            "InitProject",
            object_argument(
                {
                    "periodSeconds": period_seconds,
                    "firstPeriod": first_period,
                    "organisations": [self._msp_id(organisation) for organisation in organisations],
                    "certificateApprovals": certificate_approvals,
                    "phaseWriters": {
                        phase: {
                            "roles": list(roles),
                            "organisations": [self._msp_id(name) for name in names],
                        }
                        for phase, (roles, names) in writers.items()
                    },
                    "members": [self._member_json(member) for member in members],
                }
            ),
        )
        return committed

    def _member_json(self, member: ProjectMemberArgument) -> dict[str, str]:
        return {
            "memberId": member.member_id,
            "identity": member.identity,
            "role": member.role,
            "organisation": self._msp_id(member.organisation),
        }

    async def add_member(self, member: ProjectMemberArgument) -> Committed:
        """add_member lists a registry member on the channel, as an admin of its own organisation."""
        committed, _ = await self._calls.submit("AddMember", object_argument(self._member_json(member)))
        return committed

    async def remove_member(self, member_id: str, *, reason: str) -> Committed:
        """remove_member marks a member removed, as an admin of its organisation; it stays listed."""
        committed, _ = await self._calls.submit("RemoveMember", member_id, reason)
        return committed

    async def record_key_epoch(self, epoch: KeyEpoch) -> Committed:
        """record_key_epoch records the channel's next data-key epoch, as a writer.

        The contract takes it only as the latest epoch plus one, with one copy per listed member that
        has a key-agreement key, each wrapped for that member's current key (project_keys.rotate_project_key
        makes one).
        """
        committed, _ = await self._calls.submit("RecordKeyEpoch", to_json(epoch.to_json()))
        return committed

    async def close_period(self) -> Committed:
        """close_period closes the open trust period, as an admin of a project organisation.

        The chaincode refuses it before the period length has passed since the period opened.
        """
        committed, _ = await self._calls.submit("ClosePeriod")
        return committed

    async def open_model_certificate(self, cert_id: str, *, model_name: str, version: str) -> Committed:
        """open_model_certificate opens a model's birth certificate, the caller as its author.

        Its approval rule is the channel's: once complete, certificate_approvals approvals from
        members of at least two organisations, none of them its author or a phase writer.
        """
        committed, _ = await self._calls.submit("OpenModelCertificate", cert_id, model_name, version)
        return committed

    async def add_phase(
        self,
        cert_id: str,
        *,
        phase: str,
        fields: Mapping[str, object],
        creator_certificate_id: str,
        artifacts: Sequence[str] = (),
    ) -> Committed:
        """add_phase records the next life-cycle phase; Decimals in fields are sent as decimal strings.

        creator_certificate_id is the caller's own certificate in the registry: valid, about the
        caller's member id (customer, domain-expert, data-scientist) or, a company certificate, about
        its organisation, and global or local to this channel or to mainchain; the contract checks it.
        """
        committed, _ = await self._calls.submit(
            "AddPhase", cert_id, phase, object_argument(fields), id_list(artifacts), creator_certificate_id
        )
        return committed

    async def approve_model_certificate(self, cert_id: str) -> Committed:
        """approve_model_certificate approves a complete model certificate on the caller's behalf."""
        committed, _ = await self._calls.submit("ApproveModelCertificate", cert_id)
        return committed

    async def record_pipeline_certificate(
        self, cert_id: str, *, version: str, components: Sequence[Component], configuration: str
    ) -> Committed:
        """record_pipeline_certificate records a pipeline's birth certificate.

        configuration is the configuration's JSON text, recorded byte for byte with its SHA-256.
        """
        architecture = [
            {
                "name": c.name,
                "stage": c.stage,
                "owner": self._msp_id(c.owner),
                "steps": list(c.steps),
                "software": [{"name": s.name, "version": s.version} for s in c.software],
                "inputs": list(c.inputs),
                "outputs": list(c.outputs),
                "model": c.model,
            }
            for c in components
        ]
        committed, _ = await self._calls.submit(
            "RecordPipelineCertificate", cert_id, version, to_json(architecture), configuration
        )
        return committed

    async def record_result_batch(
        self, batch_id: str, *, merkle_root: str, size: int, results_artifact_id: str, model_cert_id: str
    ) -> Committed:
        """record_result_batch records a batch's Merkle root over size results kept in artifact
        results_artifact_id (recorded by this member), produced by certified model model_cert_id."""
        committed, _ = await self._calls.submit(
            "RecordResultBatch", batch_id, merkle_root, str(size), results_artifact_id, model_cert_id
        )
        return committed

    # Queries (chaincode/provenance queries.go).

    async def get_result_batch(self, batch_id: str) -> ResultBatch:
        """get_result_batch returns a result batch, or raises the contract's "does not exist"."""
        return ResultBatch.from_json(await self._calls.evaluate("GetResultBatch", batch_id))

    async def get_artifact(self, artifact_id: str) -> Artifact:
        """get_artifact returns an artifact's record."""
        return Artifact.from_json(await self._calls.evaluate("GetArtifact", artifact_id))

    async def get_lineage(self, artifact_id: str) -> tuple[Artifact, ...]:
        """get_lineage returns the artifact followed by all its ancestors, breadth-first."""
        payload = await self._calls.evaluate("GetLineage", artifact_id)
        return tuple(Artifact.from_fields(f) for f in Fields.list_of(payload, "lineage"))

    async def get_feedback(self, artifact_id: str) -> tuple[Feedback, ...]:
        """get_feedback returns the ratings of an artifact, ordered by rater."""
        payload = await self._calls.evaluate("GetFeedback", artifact_id)
        return tuple(Feedback.from_fields(f) for f in Fields.list_of(payload, "feedback"))

    async def list_awaiting_feedback(self, rater: str = "") -> tuple[Artifact, ...]:
        """list_awaiting_feedback returns what rater (a client id; "" for the caller) may still rate."""
        payload = await self._calls.evaluate("ListAwaitingFeedback", rater)
        return tuple(Artifact.from_fields(f) for f in Fields.list_of(payload, "artifacts awaiting feedback"))

    async def get_period_clock(self) -> PeriodClock:
        """get_period_clock returns the channel's open period, period length and organisations."""
        return PeriodClock.from_json(await self._calls.evaluate("GetPeriodClock"))

    async def get_trust_snapshot(self, period: int) -> TrustSnapshot:
        """get_trust_snapshot returns a closed period's trust snapshot, for submit_trust_snapshot."""
        return TrustSnapshot.from_json(await self._calls.evaluate("GetTrustSnapshot", str(period)))

    async def get_model_certificate(self, cert_id: str) -> ModelCertificate:
        """get_model_certificate returns a model's birth certificate."""
        return ModelCertificate.from_json(await self._calls.evaluate("GetModelCertificate", cert_id))

    async def is_model_certified(self, cert_id: str, model_sha256: str) -> bool:
        """is_model_certified says whether cert_id certifies exactly the model with this SHA-256 (hex)."""
        payload = await self._calls.evaluate("IsModelCertified", cert_id, model_sha256)
        return parse_flag(payload, "IsModelCertified")

    async def get_members(self) -> tuple[ProjectMember, ...]:
        """get_members returns the channel's member list, removed members included, by member id."""
        payload = await self._calls.evaluate("GetMembers")
        return tuple(ProjectMember.from_fields(f) for f in Fields.list_of(payload, "member list"))

    async def get_project_member(self, member_id: str) -> ProjectMember:
        """get_project_member returns one entry of the channel's member list with its changes."""
        payload = await self._calls.evaluate("GetProjectMember", member_id)
        return ProjectMember.from_fields(Fields.of(payload, "project member"))

    async def get_key_epoch(self, epoch: int) -> RecordedKeyEpoch:
        """get_key_epoch returns a recorded data-key epoch with every member's copy."""
        return RecordedKeyEpoch.from_json(await self._calls.evaluate("GetKeyEpoch", str(epoch)))

    async def get_key_epochs(self) -> tuple[KeyEpochSummary, ...]:
        """get_key_epochs returns every recorded epoch, oldest first, with the members it is wrapped for."""
        payload = await self._calls.evaluate("GetKeyEpochs")
        return tuple(KeyEpochSummary.from_fields(f) for f in Fields.list_of(payload, "key epochs"))

    async def get_pipeline_certificate(self, cert_id: str) -> PipelineCertificate:
        """get_pipeline_certificate returns a pipeline's birth certificate."""
        return PipelineCertificate.from_json(await self._calls.evaluate("GetPipelineCertificate", cert_id))
