"""Birth certificates exported as in-toto attestations with a SLSA provenance v1 predicate, so that
existing supply-chain verifiers can read what the ledger certifies.

A model's attestation names the trained model (its sha256) as subject; the build definition carries the
nine phases' recorded fields as external parameters and every artifact the phases cite as a resolved
dependency (ipfs:// URI and sha256); run details name the project channel's provenance contract as
builder, the certificate's transactions as invocation and time span, and each phase's and approval's
signer as byproducts. A pipeline's attestation names its configuration as subject. Export fails closed:
an uncertified model, or a phase citing an artifact whose record is not given, raises AttestationError.
The result is checked against the in-toto Statement and SLSA Provenance definitions before it is
returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format
from in_toto_attestation.predicates.provenance.v1 import provenance_pb2
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.resource_descriptor import ResourceDescriptor
from in_toto_attestation.v1.statement import Statement

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
SLSA_PROVENANCE = "https://slsa.dev/provenance/v1"
MODEL_BUILD_TYPE = "urn:bcmlp:build-type:model-birth-certificate:v1"
PIPELINE_BUILD_TYPE = "urn:bcmlp:build-type:pipeline-birth-certificate:v1"


class AttestationError(Exception):
    """AttestationError says why a certificate cannot be exported."""


@dataclass(frozen=True, slots=True)
class ArtifactRef:
    """ArtifactRef is what an attestation needs of an artifact record."""

    artifact_id: str
    kind: str
    cid: str
    sha256: str


def _builder(channel: str) -> dict[str, Any]:
    return {"id": f"urn:bcmlp:channel:{channel}:chaincode:provenance"}


def _signer(entry: Mapping[str, Any], name: str) -> dict[str, Any]:
    notes = {
        k: entry[k]
        for k in ("creator", "creatorMsp", "creatorCertificateId", "approver", "approverMsp")
        if k in entry
    }
    return {
        "name": name,
        "uri": f"urn:bcmlp:tx:{entry['txId']}",
        "annotations": {**notes, "txId": entry["txId"], "timestamp": entry["timestamp"]},
    }


def model_attestation(
    certificate: Mapping[str, Any], *, channel: str, artifacts: Mapping[str, ArtifactRef]
) -> dict[str, Any]:
    """model_attestation exports a certified model birth certificate (the provenance record as JSON)."""
    if certificate.get("status") != "certified":
        raise AttestationError(
            f"model certificate {certificate.get('id')!r} is {certificate.get('status')!r}, not certified: "
            "only certified models are attested"
        )
    dependencies = []
    for phase in certificate["phases"]:
        for artifact_id in phase["artifacts"]:
            ref = artifacts.get(artifact_id)
            if ref is None:
                raise AttestationError(
                    f"phase {phase['phase']} cites artifact {artifact_id!r}, whose record was not given"
                )
            dependencies.append(
                {
                    "name": artifact_id,
                    "uri": f"ipfs://{ref.cid}",
                    "digest": {"sha256": ref.sha256},
                    "annotations": {"phase": phase["phase"], "kind": ref.kind},
                }
            )
    statement = {
        "_type": STATEMENT_TYPE,
        "subject": [
            {
                "name": f"{certificate['modelName']}@{certificate['version']}",
                "digest": {"sha256": certificate["modelSha256"]},
                "annotations": {
                    "artifactId": certificate["modelArtifactId"],
                    "certificateId": certificate["id"],
                },
            }
        ],
        "predicateType": SLSA_PROVENANCE,
        "predicate": {
            "buildDefinition": {
                "buildType": MODEL_BUILD_TYPE,
                "externalParameters": {
                    "modelName": certificate["modelName"],
                    "version": certificate["version"],
                    "phases": {p["phase"]: p["fields"] for p in certificate["phases"]},
                },
                "internalParameters": {
                    "channel": channel,
                    "certificateId": certificate["id"],
                    "policy": certificate["policy"],
                },
                "resolvedDependencies": dependencies,
            },
            "runDetails": {
                "builder": _builder(channel),
                "metadata": {
                    "invocationId": certificate["txId"],
                    "startedOn": certificate["timestamp"],
                    "finishedOn": certificate["certifiedAt"],
                },
                "byproducts": [_signer(p, f"phase/{p['phase']}") for p in certificate["phases"]]
                + [_signer(a, f"approval/{i}") for i, a in enumerate(certificate["approvals"])],
            },
        },
    }
    validate(statement)
    return statement


def pipeline_attestation(certificate: Mapping[str, Any], *, channel: str) -> dict[str, Any]:
    """pipeline_attestation exports a pipeline birth certificate (the provenance record as JSON)."""
    dependencies = []
    for component in certificate["components"]:
        for software in component["software"]:
            dependencies.append(
                {
                    "name": software["name"],
                    "uri": f"pkg:generic/{software['name']}@{software['version']}",
                    "annotations": {"component": component["name"], "version": software["version"]},
                }
            )
        if component.get("modelSha256"):
            dependencies.append(
                {
                    "name": component["model"],
                    "uri": f"urn:bcmlp:model-certificate:{component['model']}",
                    "digest": {"sha256": component["modelSha256"]},
                    "annotations": {"component": component["name"]},
                }
            )
    statement = {
        "_type": STATEMENT_TYPE,
        "subject": [
            {
                "name": f"pipeline/{certificate['id']}@{certificate['version']}",
                "digest": {"sha256": certificate["configurationSha256"]},
            }
        ],
        "predicateType": SLSA_PROVENANCE,
        "predicate": {
            "buildDefinition": {
                "buildType": PIPELINE_BUILD_TYPE,
                "externalParameters": {
                    "architecture": [
                        {k: c[k] for k in ("name", "stage", "owner", "steps", "inputs", "outputs")}
                        for c in certificate["components"]
                    ],
                    "configuration": certificate["configuration"],
                },
                "internalParameters": {"channel": channel, "certificateId": certificate["id"]},
                "resolvedDependencies": dependencies,
            },
            "runDetails": {
                "builder": _builder(channel),
                "metadata": {
                    "invocationId": certificate["txId"],
                    "startedOn": certificate["timestamp"],
                    "finishedOn": certificate["timestamp"],
                },
                "byproducts": [_signer(certificate, "recorded")],
            },
        },
    }
    validate(statement)
    return statement


def validate(statement: Mapping[str, Any]) -> None:
    """validate checks a statement against the in-toto Statement v1 and SLSA Provenance v1 definitions.

    Unknown fields, wrong types and missing required fields raise AttestationError.
    """
    try:
        pb = json_format.ParseDict(dict(statement), statement_pb2.Statement())
        Statement.copy_from_pb(pb).validate()
        if pb.predicate_type != SLSA_PROVENANCE:
            raise ValueError(f"predicateType must be {SLSA_PROVENANCE}")
        provenance = json_format.ParseDict(statement["predicate"], provenance_pb2.Provenance())
        # SLSA v1 requires these; the proto definition cannot say so
        if not provenance.build_definition.build_type:
            raise ValueError("predicate.buildDefinition.buildType is required")
        if not provenance.build_definition.HasField("external_parameters"):
            raise ValueError("predicate.buildDefinition.externalParameters is required")
        if not provenance.run_details.builder.id:
            raise ValueError("predicate.runDetails.builder.id is required")
        for rd in [*provenance.build_definition.resolved_dependencies, *provenance.run_details.byproducts]:
            ResourceDescriptor.copy_from_pb(rd).validate()
            # the in-toto v1 specification is stricter than the bindings' check
            if not (rd.uri or rd.digest or rd.content):
                raise ValueError(f"resource {rd.name!r} needs at least one of uri, digest, content")
    except (json_format.ParseError, ValueError, KeyError) as exc:
        raise AttestationError(f"the attestation does not validate: {exc}") from None
