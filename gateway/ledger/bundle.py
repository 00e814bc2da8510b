"""Self-contained ledger bundles that verify offline (`bcmlp export`, `bcmlp verify --bundle`).

A bundle carries, for every record of a subject (an artifact and its lineage, a model's birth
certificate with the artifacts it cites, a pipeline certificate), the whole block that holds the
transaction that wrote it, and the record's bytes as that transaction wrote them; plus the channel's
configuration blocks those blocks name. Nothing in it is trusted: `verify_bundle` checks it against the
consortium's root certificates, which the auditor holds from elsewhere (`bcmlp roots` writes them once,
on a machine of the network), and needs no network:

1. every block's data hash is the hash of its transactions; the block headers chain, each naming
   the previous one's hash, from the channel's configuration block to the last record's block; and an
   orderer whose certificate the ordering organisation's root issued signed each record's block (Raft:
   one orderer signature suffices). The genesis block carries no signature: the chain vouches for it;
2. each configuration block's organisations carry exactly the trusted roots of their MSP ids, so the
   bundle cannot bring a CA of its own; the application organisations there are the channel's;
3. the record's transaction is in its block, marked valid by the committing peers, and signed by its
   creator, whose certificate a trusted root of its MSP issued;
4. its endorsements are valid signatures of peers (NodeOU `peer`) of a majority of the channel's
   organisations — the channel's Endorsement policy, which the chaincodes are committed with;
5. the record's bytes are exactly what the endorsed transaction wrote under the chaincode's namespace.

Each record is reported intact or altered, with every problem named; `verify_content` compares an
off-chain copy's SHA-256 with the one its (verified) record states. Certificates must be issued
directly by a root, as each organisation's Fabric CA does here; intermediate CAs are not followed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from asn1crypto import core  # type: ignore[import-untyped]
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from gateway.fabric._protos import (
    common_pb2,
    configtx_pb2,
    identities_pb2,
    kv_rwset_pb2,
    msp_config_pb2,
    proposal_pb2,
    proposal_response_pb2,
    protobuf_message,
    rwset_pb2,
    transaction_pb2,
)

if TYPE_CHECKING:
    from gateway.ledger.connect import Ledger

FORMAT = "bcmlp-bundle/1"
KINDS = ("artifact", "model-certificate", "pipeline-certificate")
# The JSON field that names a record, of every kind (chaincode/provenance model.go).
ID_FIELD = "id"

_SIGNATURES = common_pb2.BlockMetadataIndex.Value("SIGNATURES")
_TRANSACTIONS_FILTER = common_pb2.BlockMetadataIndex.Value("TRANSACTIONS_FILTER")
_ENDORSER_TRANSACTION = common_pb2.HeaderType.Value("ENDORSER_TRANSACTION")
_CONFIG = common_pb2.HeaderType.Value("CONFIG")


class BundleError(Exception):
    """BundleError is a bundle that cannot be read at all: not JSON, or a field missing or malformed."""


@dataclass(frozen=True)
class BundleRecord:
    """BundleRecord is one record, the block whose transaction wrote it, and its bytes as written."""

    kind: str
    record_id: str
    tx_id: str
    block_number: int
    block: bytes
    value: bytes


@dataclass(frozen=True)
class Bundle:
    """Bundle is a subject's records with their blocks and the configuration blocks they name."""

    channel: str
    chaincode: str
    subject_kind: str
    subject_id: str
    config_blocks: tuple[bytes, ...]
    records: tuple[BundleRecord, ...]
    # serialized BlockHeaders of every block from the first configuration block to the last record's
    headers: tuple[bytes, ...] = ()

    def to_json(self) -> str:
        def b64(data: bytes) -> str:
            return base64.b64encode(data).decode()

        return json.dumps(
            {
                "format": FORMAT,
                "channel": self.channel,
                "chaincode": self.chaincode,
                "subject": {"kind": self.subject_kind, "id": self.subject_id},
                "configBlocks": [b64(b) for b in self.config_blocks],
                "headers": [b64(h) for h in self.headers],
                "records": [
                    {
                        "kind": r.kind,
                        "id": r.record_id,
                        "txId": r.tx_id,
                        "blockNumber": r.block_number,
                        "block": b64(r.block),
                        "value": b64(r.value),
                    }
                    for r in self.records
                ],
            },
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> Bundle:
        """from_json reads a bundle, raising BundleError naming the first field that is not as written."""
        try:
            raw = json.loads(text)
        except ValueError as error:
            raise BundleError(f"the bundle is not JSON: {error}") from error
        top = _Fields(raw, "bundle")
        if (fmt := top.text("format")) != FORMAT:
            raise BundleError(f"bundle.format is {fmt!r}: this reader knows {FORMAT!r}")
        subject = _Fields(top.get("subject", dict), "bundle.subject")
        records = []
        for i, item in enumerate(top.get("records", list)):
            r = _Fields(item, f"bundle.records[{i}]")
            kind = r.text("kind")
            if kind not in KINDS:
                raise BundleError(f"bundle.records[{i}].kind {kind!r} is not one of {', '.join(KINDS)}")
            records.append(
                BundleRecord(
                    kind,
                    r.text("id"),
                    r.text("txId"),
                    r.integer("blockNumber"),
                    r.b64("block"),
                    r.b64("value"),
                )
            )
        if not records:
            raise BundleError("bundle.records is empty: a bundle holds at least its subject's record")
        configs = tuple(
            _decode_b64(v, f"bundle.configBlocks[{i}]") for i, v in enumerate(top.get("configBlocks", list))
        )
        headers = tuple(
            _decode_b64(v, f"bundle.headers[{i}]") for i, v in enumerate(top.get("headers", list))
        )
        return cls(
            top.text("channel"),
            top.text("chaincode"),
            subject.text("kind"),
            subject.text("id"),
            configs,
            tuple(records),
            headers,
        )


class _Fields:
    def __init__(self, raw: object, where: str) -> None:
        if not isinstance(raw, dict):
            raise BundleError(f"{where} is not a JSON object")
        self.raw: dict[str, Any] = raw
        self.where = where

    def get(self, name: str, kind: type) -> Any:
        value = self.raw.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise BundleError(f"{self.where}.{name} is missing or not a {kind.__name__}")
        return value

    def text(self, name: str) -> str:
        value: str = self.get(name, str)
        if not value:
            raise BundleError(f"{self.where}.{name} is empty")
        return value

    def integer(self, name: str) -> int:
        value: int = self.get(name, int)
        return value

    def b64(self, name: str) -> bytes:
        return _decode_b64(self.get(name, str), f"{self.where}.{name}")


def _decode_b64(value: object, where: str) -> bytes:
    if not isinstance(value, str):
        raise BundleError(f"{where} is not a base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error as error:
        raise BundleError(f"{where} is not base64: {error}") from error


# Trusted roots.

Roots = Mapping[str, Sequence[x509.Certificate]]


def roots_to_json(roots: Roots) -> str:
    """roots_to_json writes trusted roots as {msp id: [PEM, ...]}."""
    from cryptography.hazmat.primitives.serialization import Encoding

    return json.dumps(
        {msp: [c.public_bytes(Encoding.PEM).decode() for c in certs] for msp, certs in sorted(roots.items())},
        indent=1,
    )


def load_roots(path: Path) -> dict[str, list[x509.Certificate]]:
    """load_roots reads trusted roots written by roots_to_json, raising BundleError on anything else."""
    try:
        raw = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise BundleError(f"{path}: cannot read the trusted roots: {error}") from error
    if not isinstance(raw, dict) or not raw:
        raise BundleError(f"{path}: the trusted roots are not a JSON object of MSP ids")
    roots: dict[str, list[x509.Certificate]] = {}
    for msp, pems in raw.items():
        if not isinstance(pems, list) or not pems or not all(isinstance(p, str) for p in pems):
            raise BundleError(f"{path}: {msp} is not a list of PEM certificates")
        try:
            roots[msp] = [x509.load_pem_x509_certificate(p.encode()) for p in pems]
        except ValueError as error:
            raise BundleError(f"{path}: {msp}: {error}") from error
    return roots


# Verification.


@dataclass(frozen=True)
class Finding:
    """Finding is one record's verdict: intact, or altered with every problem found."""

    kind: str
    record_id: str
    tx_id: str
    block_number: int
    problems: tuple[str, ...] = ()
    record: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def status(self) -> str:
        return "altered" if self.problems else "intact"

    def line(self) -> str:
        head = f"{self.status:8} {self.kind} {self.record_id} (block {self.block_number}, tx {self.tx_id})"
        return head + "".join(f"\n         - {p}" for p in self.problems)


class _Altered(Exception):
    pass


# What reading changed bytes raises: protobuf, PEM and JSON decoding errors, a missing map entry.
_MALFORMED = (protobuf_message.DecodeError, ValueError, KeyError, IndexError)


class _Header(core.Sequence):  # type: ignore[misc]
    """A block header as orderers sign it (protoutil.BlockHeaderBytes): DER of its three fields."""

    _fields: ClassVar = [
        ("number", core.Integer),
        ("previous_hash", core.OctetString),
        ("data_hash", core.OctetString),
    ]


def header_bytes(header: Any) -> bytes:
    der: bytes = _Header(
        {"number": header.number, "previous_hash": header.previous_hash, "data_hash": header.data_hash}
    ).dump()
    return der


def header_hash(header: Any) -> bytes:
    """header_hash is a block header's hash, which the next block names as its previous hash."""
    return hashlib.sha256(header_bytes(header)).digest()


def _identity(serialized: bytes, what: str) -> tuple[str, x509.Certificate]:
    try:
        sid = identities_pb2.SerializedIdentity.FromString(serialized)
        return str(sid.mspid), x509.load_pem_x509_certificate(bytes(sid.id_bytes))
    except _MALFORMED as error:
        raise _Altered(f"{what} is not a serialized X.509 identity: {error}") from error


def _check_signed(
    serialized: bytes, signature: bytes, data: bytes, roots: Roots, what: str, *, at: datetime | None = None
) -> tuple[str, x509.Certificate]:
    """_check_signed checks that serialized identity's certificate, issued by a trusted root of its MSP,
    signed data with signature; returns its MSP id and certificate."""
    msp, cert = _identity(serialized, what)
    issuers = roots.get(msp)
    if not issuers:
        raise _Altered(f"{what} claims MSP {msp}, which has no trusted root")
    if not any(_issued_by(cert, root) for root in issuers):
        raise _Altered(
            f"{what}'s certificate ({cert.subject.rfc4514_string()}) was not issued by {msp}'s root"
        )
    if at is not None and not (cert.not_valid_before_utc <= at <= cert.not_valid_after_utc):
        raise _Altered(f"{what}'s certificate was not valid at {at.isoformat()}")
    key = cert.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise _Altered(f"{what}'s certificate has no ECDSA key")
    try:
        key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise _Altered(f"{what}'s signature does not verify") from None
    return msp, cert


def _issued_by(cert: x509.Certificate, root: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(root)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _parse_block(raw: bytes, what: str) -> Any:
    try:
        return common_pb2.Block.FromString(raw)
    except _MALFORMED as error:
        raise _Altered(f"{what} is not a Fabric block: {error}") from error


def _check_block(block: Any, roots: Roots, orderer_msps: Iterable[str], what: str) -> Any:
    """_check_block checks a block's data hash and an orderer's signature of its header; returns the
    orderer metadata (OrdererBlockMetadata) the signatures cover."""
    if hashlib.sha256(b"".join(block.data.data)).digest() != block.header.data_hash:
        raise _Altered(f"{what}'s transactions do not hash to its header's data hash")
    if len(block.metadata.metadata) <= _SIGNATURES:
        raise _Altered(f"{what} carries no orderer signatures")
    metadata = common_pb2.Metadata.FromString(block.metadata.metadata[_SIGNATURES])
    header = header_bytes(block.header)
    orderers = set(orderer_msps)
    problems = []
    for sig in metadata.signatures:
        try:
            creator = common_pb2.SignatureHeader.FromString(sig.signature_header).creator
            msp, _ = _check_signed(
                creator, sig.signature, metadata.value + sig.signature_header + header, roots, "the orderer"
            )
        except _Altered as refused:
            problems.append(str(refused))
            continue
        if msp in orderers:
            return common_pb2.OrdererBlockMetadata.FromString(metadata.value)
        problems.append(f"the block signer's MSP {msp} is no ordering organisation of the channel")
    raise _Altered(f"{what} has no valid orderer signature ({'; '.join(problems) or 'none'})")


@dataclass(frozen=True)
class _ChannelConfig:
    number: int
    application: frozenset[str]
    orderers: frozenset[str]
    header: Any


def _check_chain(headers: Sequence[bytes]) -> dict[int, Any]:
    """_check_chain parses the bundle's block headers and checks that each names the previous one's hash,
    so that a signed block vouches for every block before it (the genesis block carries no orderer
    signature: the chain is what authenticates it); returns them by number."""
    chain: dict[int, Any] = {}
    previous = None
    for i, raw in enumerate(headers):
        header = common_pb2.BlockHeader.FromString(raw)
        if previous is not None:
            if header.number != previous.number + 1:
                raise _Altered(f"bundle.headers[{i}] is block {header.number}, not {previous.number + 1}")
            if header.previous_hash != header_hash(previous):
                raise _Altered(f"block {header.number}'s header does not name block {previous.number}'s hash")
        chain[int(header.number)] = header
        previous = header
    return chain


def _check_config(raw: bytes, roots: Roots) -> _ChannelConfig:
    block = _parse_block(raw, "a configuration block")
    what = f"configuration block {block.header.number}"
    envelope = common_pb2.Envelope.FromString(block.data.data[0])
    payload = common_pb2.Payload.FromString(envelope.payload)
    channel_header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
    if channel_header.type != _CONFIG:
        raise _Altered(f"{what} holds no channel configuration")
    config = configtx_pb2.ConfigEnvelope.FromString(payload.data).config
    groups = config.channel_group.groups
    msps: dict[str, frozenset[str]] = {}
    for section in ("Application", "Orderer"):
        names = set()
        for org, group in groups[section].groups.items():
            msp_config = msp_config_pb2.FabricMSPConfig.FromString(
                msp_config_pb2.MSPConfig.FromString(group.values["MSP"].value).config
            )
            trusted = roots.get(msp_config.name)
            given = {x509.load_pem_x509_certificate(bytes(c)) for c in msp_config.root_certs}
            if not trusted or given != set(trusted):
                raise _Altered(
                    f"{what}: organisation {org} ({msp_config.name}) has roots the auditor does not trust"
                )
            names.add(str(msp_config.name))
        msps[section] = frozenset(names)
    if hashlib.sha256(b"".join(block.data.data)).digest() != block.header.data_hash:
        raise _Altered(f"{what}'s content does not hash to its header's data hash")
    return _ChannelConfig(int(block.header.number), msps["Application"], msps["Orderer"], block.header)


def _find_transaction(block: Any, tx_id: str) -> tuple[int, Any, Any, Any] | None:
    """_find_transaction returns transaction tx_id's position in block, its envelope, payload and channel
    header, or None."""
    for index, data in enumerate(block.data.data):
        envelope = common_pb2.Envelope.FromString(data)
        payload = common_pb2.Payload.FromString(envelope.payload)
        channel_header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
        if channel_header.tx_id == tx_id:
            return index, envelope, payload, channel_header
    return None


def _writes(action_payload: Any, chaincode: str) -> tuple[list[tuple[str, bytes]], bytes]:
    """_writes returns the keys and values the endorsed action wrote under chaincode's namespace (deletes
    left out), and the proposal response payload the endorsers signed."""
    endorsed = action_payload.action
    prp = proposal_response_pb2.ProposalResponsePayload.FromString(endorsed.proposal_response_payload)
    action = proposal_pb2.ChaincodeAction.FromString(prp.extension)
    rwset = rwset_pb2.TxReadWriteSet.FromString(action.results)
    writes = []
    for ns in rwset.ns_rwset:
        if ns.namespace == chaincode:
            writes += [
                (w.key, bytes(w.value))
                for w in kv_rwset_pb2.KVRWSet.FromString(ns.rwset).writes
                if not w.is_delete
            ]
    return writes, bytes(endorsed.proposal_response_payload)


def transaction_writes(block: Any, tx_id: str, chaincode: str) -> list[tuple[str, bytes]]:
    """transaction_writes returns the keys and values transaction tx_id of block wrote under chaincode's
    namespace; BundleError when the block does not hold it, holds it marked invalid, or it is no
    chaincode transaction."""
    found = _find_transaction(block, tx_id)
    if found is None:
        raise BundleError(f"transaction {tx_id} is not in block {block.header.number}")
    index, _, payload, channel_header = found
    flags = (
        block.metadata.metadata[_TRANSACTIONS_FILTER]
        if len(block.metadata.metadata) > _TRANSACTIONS_FILTER
        else b""
    )
    if index >= len(flags) or flags[index] != 0:
        raise BundleError(f"transaction {tx_id} was marked invalid by the committing peers: it wrote nothing")
    if channel_header.type != _ENDORSER_TRANSACTION:
        raise BundleError(f"transaction {tx_id} is a configuration transaction, not a chaincode's")
    transaction = transaction_pb2.Transaction.FromString(payload.data)
    action_payload = transaction_pb2.ChaincodeActionPayload.FromString(transaction.actions[0].payload)
    return _writes(action_payload, chaincode)[0]


def _check_record(
    record: BundleRecord,
    bundle: Bundle,
    configs: Mapping[int, _ChannelConfig],
    chain: Mapping[int, Any],
    roots: Roots,
) -> dict[str, Any]:
    block = _parse_block(record.block, f"block {record.block_number}")
    if block.header.number != record.block_number:
        raise _Altered(f"the block is number {block.header.number}, not {record.block_number}")
    orderers = frozenset().union(*(c.orderers for c in configs.values())) if configs else frozenset()
    orderer_metadata = _check_block(block, roots, orderers, f"block {record.block_number}")
    config = configs.get(int(orderer_metadata.last_config.index))
    if config is None:
        raise _Altered(
            f"the bundle lacks configuration block {orderer_metadata.last_config.index}, "
            f"which block {record.block_number} names"
        )
    for number, header in ((record.block_number, block.header), (config.number, config.header)):
        if chain.get(number) != header:
            raise _Altered(f"block {number} is not the one the bundle's chain of headers holds")
    flags = (
        block.metadata.metadata[_TRANSACTIONS_FILTER]
        if len(block.metadata.metadata) > _TRANSACTIONS_FILTER
        else b""
    )
    found = _find_transaction(block, record.tx_id)
    if found is None:
        raise _Altered(f"transaction {record.tx_id} is not in block {record.block_number}")
    index, envelope, payload, channel_header = found
    if channel_header.type != _ENDORSER_TRANSACTION or channel_header.channel_id != bundle.channel:
        raise _Altered(f"transaction {record.tx_id} is no endorsed transaction of channel {bundle.channel}")
    if index >= len(flags) or flags[index] != 0:
        raise _Altered(f"transaction {record.tx_id} was marked invalid by the committing peers")
    at = datetime.fromtimestamp(channel_header.timestamp.seconds, UTC)
    creator = common_pb2.SignatureHeader.FromString(payload.header.signature_header).creator
    _check_signed(creator, envelope.signature, envelope.payload, roots, "the transaction's creator", at=at)

    transaction = transaction_pb2.Transaction.FromString(payload.data)
    if len(transaction.actions) != 1:
        raise _Altered(f"transaction {record.tx_id} has {len(transaction.actions)} actions, not one")
    action_payload = transaction_pb2.ChaincodeActionPayload.FromString(transaction.actions[0].payload)
    writes, prp = _writes(action_payload, bundle.chaincode)
    values = [value for _, value in writes]
    endorsing = set()
    problems = []
    for n, endorsement in enumerate(action_payload.action.endorsements):
        try:
            msp, cert = _check_signed(
                endorsement.endorser,
                endorsement.signature,
                prp + endorsement.endorser,
                roots,
                f"endorsement {n + 1}",
                at=at,
            )
        except _Altered as refused:
            problems.append(str(refused))
            continue
        units = {a.value for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)}
        if "peer" not in units:
            problems.append(f"endorsement {n + 1} is by {msp}'s {sorted(units)}, not a peer")
            continue
        if msp in config.application:
            endorsing.add(msp)
    if problems:
        raise _Altered("; ".join(problems))
    if len(endorsing) * 2 <= len(config.application):
        raise _Altered(
            f"endorsed by {len(endorsing)} of the channel's {len(config.application)} organisations "
            f"({', '.join(sorted(endorsing)) or 'none'}): the channel's policy needs a majority"
        )
    if record.value not in values:
        raise _Altered(f"the record is not what transaction {record.tx_id} wrote")
    try:
        parsed = json.loads(record.value)
    except ValueError as error:
        raise _Altered(f"the written record is not JSON: {error}") from error
    if not isinstance(parsed, dict) or parsed.get(ID_FIELD) != record.record_id:
        raise _Altered(f"the written record is not {record.kind} {record.record_id}")
    return parsed


def verify_bundle(bundle: Bundle, roots: Roots) -> list[Finding]:
    """verify_bundle checks every record of bundle against the trusted roots, offline (module doc)."""
    configs: dict[int, _ChannelConfig] = {}
    config_problems = []
    chain: dict[int, Any] = {}
    try:
        chain = _check_chain(bundle.headers)
    except _Altered as refused:
        config_problems.append(str(refused))
    except _MALFORMED as error:
        config_problems.append(f"the bundle's block headers cannot be read: {error}")
    for raw in bundle.config_blocks:
        try:
            config = _check_config(raw, roots)
            configs[config.number] = config
        except _Altered as refused:
            config_problems.append(str(refused))
        except _MALFORMED as error:
            config_problems.append(f"a configuration block cannot be read: {error}")
    findings = []
    for record in bundle.records:
        try:
            parsed = _check_record(record, bundle, configs, chain, roots)
            problems: tuple[str, ...] = ()
        except _Altered as refused:
            parsed, problems = {}, (str(refused),)
        except _MALFORMED as error:
            parsed, problems = {}, (f"the block cannot be read: {error}",)
        findings.append(
            Finding(
                record.kind,
                record.record_id,
                record.tx_id,
                record.block_number,
                (*config_problems, *problems),
                parsed,
            )
        )
    return findings


def verify_content(finding: Finding, content: bytes) -> Finding:
    """verify_content checks an off-chain copy against its verified artifact record's SHA-256."""
    if finding.problems:
        return finding
    stated = finding.record.get("sha256")
    actual = hashlib.sha256(content).hexdigest()
    if stated == actual:
        return finding
    return Finding(
        finding.kind,
        finding.record_id,
        finding.tx_id,
        finding.block_number,
        (f"the off-chain copy hashes to {actual}, the record states {stated}",),
        finding.record,
    )


# Export (online: reads the ledger through the member's peer).

SUBJECTS = {"artifact": "artifact", "model": "model-certificate", "pipeline": "pipeline-certificate"}


async def export_bundle(ledger: Ledger, channel: str, subject: str, subject_id: str) -> Bundle:
    """export_bundle gathers subject ("artifact", "model" or "pipeline") subject_id of project channel
    channel with everything it cites: an artifact and its lineage; a model certificate, written by each
    of its transactions, and the lineage of every artifact its phases cite; a pipeline certificate."""
    if subject not in SUBJECTS:
        raise BundleError(f"subject {subject!r} is not one of {', '.join(SUBJECTS)}")
    provenance = ledger.provenance(channel)
    qscc = ledger.gateway.network(channel).contract("qscc")
    wanted: list[tuple[str, str, str]] = []  # kind, id, tx id
    artifacts: list[str] = []
    if subject == "artifact":
        artifacts.append(subject_id)
    elif subject == "model":
        cert = await provenance.get_model_certificate(subject_id)
        txs = [cert.tx_id, *(p.tx_id for p in cert.phases), *(a.tx_id for a in cert.approvals)]
        wanted += [("model-certificate", subject_id, tx) for tx in dict.fromkeys(txs)]
        artifacts += [a for p in cert.phases for a in p.artifacts]
        if cert.model_artifact_id:
            artifacts.append(cert.model_artifact_id)
    else:
        pipeline = await provenance.get_pipeline_certificate(subject_id)
        wanted.append(("pipeline-certificate", subject_id, pipeline.tx_id))
    seen: set[str] = set()
    for artifact_id in artifacts:
        for artifact in await provenance.get_lineage(artifact_id):
            if artifact.artifact_id not in seen:
                seen.add(artifact.artifact_id)
                wanted.append(("artifact", artifact.artifact_id, artifact.tx_id))

    records = []
    config_numbers: set[int] = set()
    for kind, record_id, tx_id in wanted:
        raw = await qscc.evaluate("GetBlockByTxID", args=[channel, tx_id])
        block = common_pb2.Block.FromString(raw)
        value = _write_of(block, tx_id, ledger.provenance_chaincode, kind, record_id)
        records.append(BundleRecord(kind, record_id, tx_id, int(block.header.number), raw, value))
        metadata = common_pb2.Metadata.FromString(block.metadata.metadata[_SIGNATURES])
        config_numbers.add(int(common_pb2.OrdererBlockMetadata.FromString(metadata.value).last_config.index))
    configs = [
        await qscc.evaluate("GetBlockByNumber", args=[channel, str(n)]) for n in sorted(config_numbers)
    ]
    headers = []
    for n in range(min(config_numbers), max(r.block_number for r in records) + 1):
        block = common_pb2.Block.FromString(await qscc.evaluate("GetBlockByNumber", args=[channel, str(n)]))
        headers.append(block.header.SerializeToString())
    return Bundle(
        channel,
        ledger.provenance_chaincode,
        SUBJECTS[subject],
        subject_id,
        tuple(configs),
        tuple(records),
        tuple(headers),
    )


def _write_of(block: Any, tx_id: str, chaincode: str, kind: str, record_id: str) -> bytes:
    for _, value in transaction_writes(block, tx_id, chaincode):
        try:
            parsed = json.loads(value)
        except ValueError:
            continue
        if isinstance(parsed, dict) and parsed.get(ID_FIELD) == record_id:
            return value
    raise BundleError(f"transaction {tx_id} wrote no {kind} {record_id}")
