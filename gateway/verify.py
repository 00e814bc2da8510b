"""Online verification of a record's whole history (`bcmlp verify`, issue 4): an artifact, a model's
birth certificate, a pipeline's birth certificate, or whatever a transaction wrote.

Everything is read through the member's own peer: the ledger records and the blocks that hold them, the
standing of each record's signers in the registry on mainchain, and each artifact's content, read
through a Kubo node of an organisation that pins it, decrypted chunk by chunk with the project's data
key of the record's key epoch and re-hashed against the SHA-256 the record states.

- An artifact is verified with every ancestor in its lineage.
- A model certificate is verified with every artifact its phases cite (and their lineages). It also
  checks that the model artifact it certifies still records the certified digest, and that its author,
  phase writers and approvers are all in good standing now.
- A pipeline certificate is verified with every model certificate its components run. It checks its
  configuration against the recorded SHA-256, and that each model still has the digest recorded with
  the pipeline.
- A transaction is mapped to the artifact or certificate it wrote (a rating: the rated artifact), which
  is then verified as above.

Each record gets one verdict, with the block and transaction that wrote it (a model certificate: the
transaction that certified it, or that opened it while uncertified):

- intact: the record, its signers' standing and its content agree;
- altered: the content is not the recorded one (a changed byte on the node that served it, another
  artifact's or model's bytes in its place, a truncated or reordered ciphertext), or a certificate's
  digests disagree with what they certify;
- missing: no node that pins it serves the content;
- distrusted: the record is intact but a signer of it is suspended, revoked or of negative trust now;
- uncertified: a model certificate that lacks phases or approvals (an auditor's "verified" must mean
  certified, so this counts as a failure, like the three above).

The data keys come from the caller (`data_key_for(epoch)`, awaited once per epoch): the project's key
epochs on its channel wrap each for every member's key-agreement key, and the member opens its own
copy with its keyring (gateway.artifacts.project_keys.data_key_for_epoch; `bcmlp verify` does so as an
organisation's admin).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

from gateway.artifacts.errors import ArtifactAltered, ArtifactError, ArtifactMissing
from gateway.artifacts.store import ArtifactStore, StoredArtifact
from gateway.fabric import GatewayError
from gateway.fabric._protos import common_pb2
from gateway.ledger import Ledger, LedgerError
from gateway.ledger.bundle import BundleError, transaction_writes
from gateway.ledger.provenance import Artifact, ModelCertificate

STATUSES = ("intact", "altered", "missing", "distrusted", "uncertified")
SUBJECTS = ("artifact", "model", "pipeline", "tx")
NINE = 9  # phases of a complete model certificate

# The chaincode's composite-key object types (chaincode/provenance model.go) of the records a
# transaction can be verified by, in order of precedence when it wrote several, and the subject each
# one leads to.
_KEY_SUBJECTS = (
    ("modelCertificate", "model"),
    ("pipelineCertificate", "pipeline"),
    ("artifact", "artifact"),
    ("feedback", "artifact"),  # keyed (artifact id, rater): the rated artifact
)


class VerifyError(Exception):
    """VerifyError is a subject that cannot be verified at all: unknown, or no record of the channel."""


def stored_artifact(ledger: Ledger, store: ArtifactStore, record: Artifact) -> StoredArtifact:
    """stored_artifact is what the store reads for record: its content's address and digest, and the
    organisations (by name, as the store knows them) whose nodes pin it."""
    names = {ledger.organisations.organisation(o).msp_id: o for o in store.organisations}
    pinned = tuple(names.get(msp, msp) for msp in record.pinned_on)
    return StoredArtifact(record.artifact_id, record.cid, record.sha256, record.size, pinned)


@dataclass(frozen=True)
class Verdict:
    """Verdict is one record's verification: what it is, its status, where it is on the ledger, and why."""

    kind: str  # artifact, model certificate, pipeline certificate
    record_id: str
    status: str
    block_number: int
    tx_id: str
    creator: str  # the signer's MSP id
    why: str = ""

    def line(self) -> str:
        where = f"(block {self.block_number}, tx {self.tx_id})"
        return f"{self.status:11} {self.kind} {self.record_id} {where}" + (
            f"\n            - {self.why}" if self.why else ""
        )


DataKeys = Callable[[int], Awaitable[bytes]]


async def block_number(ledger: Ledger, project: str, tx_id: str) -> int:
    """block_number is the number of project's block that holds transaction tx_id, as the member's peer
    answers it (qscc GetBlockByTxID), or -1 when the peer knows no such transaction."""
    qscc = ledger.gateway.network(project).contract("qscc")
    try:
        block = common_pb2.Block.FromString(await qscc.evaluate("GetBlockByTxID", args=[project, tx_id]))
    except GatewayError:
        return -1
    return int(block.header.number)


class _Verifier:
    """_Verifier verifies records of one project, each at most once, keeping the verdicts in order."""

    def __init__(
        self,
        ledger: Ledger,
        store: ArtifactStore,
        project: str,
        data_key_for: DataKeys,
        via: Sequence[str] | None,
    ) -> None:
        self.ledger = ledger
        self.store = store
        self.project = project
        self.provenance = ledger.provenance(project)
        self.data_key_for = data_key_for
        self.via = via
        self.verdicts: list[Verdict] = []
        self._done: set[tuple[str, str]] = set()
        self._members: dict[str, str] | None = None
        self._keys: dict[int, bytes] = {}

    def _first(self, kind: str, record_id: str) -> bool:
        if (kind, record_id) in self._done:
            return False
        self._done.add((kind, record_id))
        return True

    async def _block_number(self, tx_id: str) -> int:
        return await block_number(self.ledger, self.project, tx_id)

    async def _member_of(self, identity: str) -> str | None:
        """_member_of is the member id the channel's member list gives a client id, or None."""
        if self._members is None:
            self._members = {m.identity: m.member_id for m in await self.provenance.get_members()}
        return self._members.get(identity)

    async def _distrust(self, member_ids: Iterable[str]) -> str:
        """_distrust says which of member_ids is not in good standing in the registry now, or ""."""
        found = []
        for member_id in dict.fromkeys(member_ids):
            try:
                standing = await self.ledger.registry.get_standing(member_id)
            except LedgerError as error:
                found.append(f"{member_id} has no standing in the registry: {' | '.join(error.reasons)}")
                continue
            if standing.status in ("suspended", "revoked"):
                found.append(f"signed by {member_id}, now {standing.status}")
            elif standing.trust < 0:
                found.append(
                    f"signed by {member_id}, now distrusted (trust {standing.trust}, {standing.level})"
                )
        return "; ".join(found)

    async def _key(self, epoch: int) -> bytes:
        if epoch not in self._keys:
            self._keys[epoch] = await self.data_key_for(epoch)
        return self._keys[epoch]

    async def _content(self, record: Artifact) -> tuple[str, str]:
        stored = stored_artifact(self.ledger, self.store, record)
        servers = [o for o in (self.via or stored.pinned_on) if o in self.store.organisations]
        status, why = "missing", f"none of the nodes that pin it ({', '.join(stored.pinned_on)}) is reachable"
        key = await self._key(record.wrapped_key_epoch)
        for org in servers:
            try:
                await self.store.verify(stored, key, via=org)
            except ArtifactMissing as missing:
                why = f"{org}'s node: {missing}"
                continue
            except (ArtifactAltered, ArtifactError) as altered:
                return "altered", f"as {org}'s node serves it: {altered}"
            return "intact", ""
        return status, why

    async def artifact(self, artifact_id: str) -> None:
        """artifact verifies artifact_id and its lineage."""
        if ("artifact", artifact_id) in self._done:
            return
        for record in await self.provenance.get_lineage(artifact_id):
            if not self._first("artifact", record.artifact_id):
                continue
            status, why = await self._content(record)
            if status == "intact":
                member = await self._member_of(record.creator)
                if member is None:
                    status, why = (
                        "distrusted",
                        f"its creator {record.creator} is on no member list of the channel",
                    )
                elif distrust := await self._distrust([member]):
                    status, why = "distrusted", distrust
            block = await self._block_number(record.tx_id)
            self.verdicts.append(
                Verdict("artifact", record.artifact_id, status, block, record.tx_id, record.creator_msp, why)
            )

    async def _model_record(self, cert: ModelCertificate) -> tuple[str, str]:
        if cert.model_artifact_id:
            model = await self.provenance.get_artifact(cert.model_artifact_id)
            if model.sha256 != cert.model_sha256:
                return "altered", (
                    f"it certifies model digest {cert.model_sha256}, but its model artifact "
                    f"{cert.model_artifact_id} records {model.sha256}"
                )
        signers = [cert.creator_member, *(p.creator_member for p in cert.phases)]
        signers += [a.approver_member for a in cert.approvals]
        if distrust := await self._distrust(signers):
            return "distrusted", distrust
        if cert.status != "certified":
            policy = cert.policy
            return "uncertified", (
                f"it is {cert.status}: {len(cert.phases)} of {NINE} phases, {len(cert.approvals)} of the "
                f"{policy.approvals} approvals (from at least {policy.min_organisations} organisations) "
                "that certify it"
            )
        return "intact", ""

    async def model(self, cert_id: str) -> None:
        """model verifies model certificate cert_id and every artifact its phases cite."""
        if not self._first("model certificate", cert_id):
            return
        cert = await self.provenance.get_model_certificate(cert_id)
        status, why = await self._model_record(cert)
        tx_id = cert.certified_tx_id or cert.tx_id
        block = await self._block_number(tx_id)
        self.verdicts.append(
            Verdict("model certificate", cert_id, status, block, tx_id, cert.creator_msp, why)
        )
        cited = [a for p in cert.phases for a in p.artifacts]
        for artifact_id in dict.fromkeys(
            [*cited, *([cert.model_artifact_id] if cert.model_artifact_id else [])]
        ):
            await self.artifact(artifact_id)

    async def pipeline(self, cert_id: str) -> None:
        """pipeline verifies pipeline certificate cert_id and every model certificate it runs."""
        if not self._first("pipeline certificate", cert_id):
            return
        pipeline = await self.provenance.get_pipeline_certificate(cert_id)
        problems = []
        digest = hashlib.sha256(pipeline.configuration.encode()).hexdigest()
        if digest != pipeline.configuration_sha256:
            problems.append(
                f"its configuration hashes to {digest}, not the recorded {pipeline.configuration_sha256}"
            )
        models = []
        for component in pipeline.components:
            if not component.model:
                continue
            models.append(component.model)
            cert = await self.provenance.get_model_certificate(component.model)
            if component.model_sha256 and cert.model_sha256 != component.model_sha256:
                problems.append(
                    f"component {component.name} runs model certificate {component.model}, recorded with "
                    f"model digest {component.model_sha256}, which now certifies {cert.model_sha256}"
                )
        status, why = ("altered", "; ".join(problems)) if problems else ("intact", "")
        if status == "intact":
            member = await self._member_of(pipeline.creator)
            if member is None:
                status, why = (
                    "distrusted",
                    f"its creator {pipeline.creator} is on no member list of the channel",
                )
            elif distrust := await self._distrust([member]):
                status, why = "distrusted", distrust
        block = await self._block_number(pipeline.tx_id)
        self.verdicts.append(
            Verdict("pipeline certificate", cert_id, status, block, pipeline.tx_id, pipeline.creator_msp, why)
        )
        for model in dict.fromkeys(models):
            await self.model(model)


async def subject_of_transaction(ledger: Ledger, project: str, tx_id: str) -> tuple[str, str]:
    """subject_of_transaction is the subject ("artifact", "model", "pipeline") and id of the record
    transaction tx_id of project wrote: an artifact, a model certificate (opened, a phase added, or
    approved), a pipeline certificate, or a rating (its rated artifact)."""
    qscc = ledger.gateway.network(project).contract("qscc")
    try:
        block = common_pb2.Block.FromString(await qscc.evaluate("GetBlockByTxID", args=[project, tx_id]))
    except GatewayError as error:
        raise VerifyError(f"project {project} has no transaction {tx_id!r}: {error.message}") from None
    try:
        writes = transaction_writes(block, tx_id, ledger.provenance_chaincode)
    except BundleError as error:
        raise VerifyError(str(error)) from None
    keys: dict[str, str] = {}
    for key, _ in writes:
        object_type, *attributes = key.strip("\x00").split("\x00")
        if attributes:
            keys.setdefault(object_type, attributes[0])
    for object_type, subject in _KEY_SUBJECTS:
        if object_type in keys:
            return subject, keys[object_type]
    raise VerifyError(
        f"transaction {tx_id} wrote no artifact, certificate or rating of {project} "
        "(it keeps members, key epochs or periods, which have no content to verify)"
    )


async def verify(
    ledger: Ledger,
    store: ArtifactStore,
    project: str,
    subject: str,
    subject_id: str,
    *,
    data_key_for: DataKeys,
    via: Sequence[str] | None = None,
) -> list[Verdict]:
    """verify verifies subject ("artifact", "model", "pipeline" or "tx") subject_id of project with
    everything it rests on (module doc). via lists the organisations whose nodes may serve content, in
    order of preference (default: each record's own pinning organisations that the store reaches).

    VerifyError when the subject is unknown; a LedgerError of the lookup (for example "does not exist")
    propagates as the peers said it.
    """
    if subject not in SUBJECTS:
        raise VerifyError(f"subject {subject!r} is not one of {', '.join(SUBJECTS)}")
    if subject == "tx":
        subject, subject_id = await subject_of_transaction(ledger, project, subject_id)
    verifier = _Verifier(ledger, store, project, data_key_for, via)
    await {"artifact": verifier.artifact, "model": verifier.model, "pipeline": verifier.pipeline}[subject](
        subject_id
    )
    return verifier.verdicts


async def verify_artifact(
    ledger: Ledger,
    store: ArtifactStore,
    project: str,
    artifact_id: str,
    *,
    data_key_for: DataKeys,
    via: Sequence[str] | None = None,
) -> list[Verdict]:
    """verify_artifact verifies artifact_id of project and its lineage."""
    return await verify(ledger, store, project, "artifact", artifact_id, data_key_for=data_key_for, via=via)
