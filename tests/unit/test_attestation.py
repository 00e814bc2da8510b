"""Birth certificates as in-toto/SLSA attestations. The inputs are the provenance contract's own golden
records (chaincode/provenance/testdata), so a change of the record format breaks these tests too."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

import pytest

from gateway.ledger.attestation import (
    MODEL_BUILD_TYPE,
    SLSA_PROVENANCE,
    ArtifactRef,
    AttestationError,
    model_attestation,
    pipeline_attestation,
    validate,
)
from tests.conftest import ROOT

GOLDEN = ROOT / "chaincode" / "provenance" / "testdata"


def golden(name: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((GOLDEN / name).read_text())
    return record


def refs(certificate: dict[str, Any]) -> dict[str, ArtifactRef]:
    out = {}
    for phase in certificate["phases"]:
        for artifact_id in phase["artifacts"]:
            sha = hashlib.sha256(artifact_id.encode()).hexdigest()
            kind = "model" if artifact_id == certificate["modelArtifactId"] else "dataset"
            out[artifact_id] = ArtifactRef(artifact_id, kind, "bafkrei" + "a" * 52, sha)
    return out


def test_a_certified_model_exports_and_validates() -> None:
    cert = golden("model_certificate.json")
    statement = model_attestation(cert, channel="inspection", artifacts=refs(cert))
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["predicateType"] == SLSA_PROVENANCE
    assert statement["subject"] == [
        {
            "name": "surface-inspector@1.0.0",
            "digest": {"sha256": cert["modelSha256"]},
            "annotations": {"artifactId": "model-1", "certificateId": "cert-1"},
        }
    ]
    build = statement["predicate"]["buildDefinition"]
    assert build["buildType"] == MODEL_BUILD_TYPE
    assert list(build["externalParameters"]["phases"]) == [
        "requirements",
        "data-collection",
        "data-cleaning",
        "data-labelling",
        "feature-engineering",
        "training",
        "evaluation",
        "deployment",
        "monitoring",
    ]
    assert build["externalParameters"]["phases"]["requirements"] == {
        "goals": "detect scratches",
        "decisions": "binary classifier",
    }
    cited = [(d["name"], d["annotations"]["phase"]) for d in build["resolvedDependencies"]]
    assert cited == [p for p in ((a, ph["phase"]) for ph in cert["phases"] for a in ph["artifacts"])]
    run = statement["predicate"]["runDetails"]
    assert run["builder"]["id"] == "urn:bcmlp:channel:inspection:chaincode:provenance"
    assert run["metadata"] == {
        "invocationId": "tx-8",
        "startedOn": cert["timestamp"],
        "finishedOn": cert["certifiedAt"],
    }
    assert len(run["byproducts"]) == 9 + len(cert["approvals"])
    # the export is plain JSON, ready for a DSSE envelope
    assert json.loads(json.dumps(statement)) == statement


def test_a_pipeline_exports_and_validates() -> None:
    cert = golden("pipeline_certificate.json")
    statement = pipeline_attestation(cert, channel="inspection")
    assert statement["subject"][0]["digest"] == {"sha256": cert["configurationSha256"]}
    assert hashlib.sha256(cert["configuration"].encode()).hexdigest() == cert["configurationSha256"]
    architecture = statement["predicate"]["buildDefinition"]["externalParameters"]["architecture"]
    assert [c["stage"] for c in architecture] == [c["stage"] for c in cert["components"]]
    software = [d["uri"] for d in statement["predicate"]["buildDefinition"]["resolvedDependencies"]]
    assert "pkg:generic/opencv@4.10.0" in software


def test_export_fails_closed() -> None:
    cert = golden("model_certificate.json")
    uncertified = {**cert, "status": "complete"}
    with pytest.raises(AttestationError, match="is 'complete', not certified"):
        model_attestation(uncertified, channel="inspection", artifacts=refs(cert))
    partial = refs(cert)
    del partial["labels-1"]
    with pytest.raises(AttestationError, match="phase data-labelling cites artifact 'labels-1'"):
        model_attestation(cert, channel="inspection", artifacts=partial)


def strip_dependency(statement: dict[str, Any]) -> None:
    dependency = statement["predicate"]["buildDefinition"]["resolvedDependencies"][0]
    del dependency["uri"], dependency["digest"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda s: s.update(_type="https://in-toto.io/Statement/v0.1"), "Wrong statement type"),
        (lambda s: s.update(subject=[]), "At least one subject required"),
        (lambda s: s["subject"][0].pop("digest"), "At least one digest required"),
        (lambda s: s["predicate"]["buildDefinition"].pop("buildType"), "buildType is required"),
        (lambda s: s["predicate"]["runDetails"]["builder"].pop("id"), "builder.id is required"),
        (lambda s: s["predicate"]["buildDefinition"].update(recipe={}), "recipe"),
        (lambda s: s["predicate"]["runDetails"]["metadata"].update(startedOn="yesterday"), "startedOn"),
        (strip_dependency, "uri, digest"),
    ],
)
def test_the_validator_refuses_what_the_schemas_refuse(mutate: Any, message: str) -> None:
    cert = golden("model_certificate.json")
    statement = copy.deepcopy(model_attestation(cert, channel="inspection", artifacts=refs(cert)))
    mutate(statement)
    with pytest.raises(AttestationError, match=message):
        validate(statement)
