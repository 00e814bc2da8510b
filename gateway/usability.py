"""Whether a model may run inference now (issue 12): what the inference engine asks before it loads a
model, so that it refuses one the consortium has not certified or no longer stands behind.

A model certificate is usable when, as the ledger says now:

- it is certified (all nine phases, the approvals its policy asks for): else `certificate_incomplete`;
- every registry certificate its phases cite (each writer's company or person certificate) is still
  valid: else `certificate_revoked`;
- the model's creator (the training phase's writer, who recorded the model artifact) is active in the
  registry and at or above the consortium's trust floor: else `creator_distrusted`.

The engine then loads the model file only under the digest the certificate certifies
(`pipeline.model.load_model`), which refuses swapped bytes (`model_digest_mismatch`), and checks each
input against the bounds the data-collection phase's artifacts declared (`pipeline/certified.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gateway.ledger import DataBounds, Ledger, LedgerError

TRAINING = "training"
DATA_COLLECTION = "data-collection"


@dataclass(frozen=True)
class Refusal:
    """Refusal is one reason a model may not run: a machine-readable code and what is wrong."""

    code: str
    detail: str


@dataclass(frozen=True)
class Usability:
    """Usability is the answer for one model certificate: the certified digest and the input bounds the
    engine holds the model and its inputs to, and every reason it may not run (none: usable)."""

    cert_id: str
    model_artifact_id: str
    model_sha256: str
    bounds: tuple[DataBounds, ...]  # declared by the data-collection phase's artifacts
    refusals: tuple[Refusal, ...] = field(default=())

    @property
    def usable(self) -> bool:
        return not self.refusals

    def to_json(self) -> dict[str, object]:
        """to_json is the answer of the service's usability route."""
        return {
            "certId": self.cert_id,
            "usable": self.usable,
            "modelArtifactId": self.model_artifact_id,
            "modelSha256": self.model_sha256,
            "bounds": [b.to_json() for b in self.bounds],
            "refusals": [{"code": r.code, "detail": r.detail} for r in self.refusals],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Usability:
        """from_json reads the usability route's answer (what an inference stage gets over HTTP)."""
        return cls(
            cert_id=str(data["certId"]),
            model_artifact_id=str(data["modelArtifactId"]),
            model_sha256=str(data["modelSha256"]),
            bounds=tuple(
                DataBounds(b["source"], b["dataType"], Decimal(b["min"]), Decimal(b["max"]))
                for b in data["bounds"]
            ),
            refusals=tuple(Refusal(r["code"], r["detail"]) for r in data["refusals"]),
        )


async def model_usability(ledger: Ledger, project: str, cert_id: str) -> Usability:
    """model_usability checks model certificate cert_id of project as the module doc says. A LedgerError
    of the lookup (an unknown certificate) propagates as the peers said it."""
    provenance = ledger.provenance(project)
    cert = await provenance.get_model_certificate(cert_id)
    refusals = []
    if cert.status != "certified":
        refusals.append(
            Refusal(
                "certificate_incomplete",
                f"model certificate {cert_id} is {cert.status}: {len(cert.phases)} of 9 phases, "
                f"{len(cert.approvals)} of {cert.policy.approvals} approvals",
            )
        )
    invalid: dict[str, str] = {}  # each cited certificate asked once: "" valid, else why not
    for cited in dict.fromkeys(p.creator_certificate_id for p in cert.phases):
        try:
            invalid[cited] = (
                "" if await ledger.registry.is_certificate_valid(cited) else "revoked in the registry"
            )
        except LedgerError as error:
            invalid[cited] = error.said
    for phase in cert.phases:
        if why := invalid[phase.creator_certificate_id]:
            refusals.append(
                Refusal(
                    "certificate_revoked",
                    f"phase {phase.phase} cites registry certificate {phase.creator_certificate_id}, {why}",
                )
            )
    trainer = next((p.creator_member for p in cert.phases if p.phase == TRAINING), "")
    if trainer:
        standing = await ledger.registry.get_standing(trainer)
        if standing.status != "active":
            refusals.append(
                Refusal("creator_distrusted", f"the model's creator {trainer} is {standing.status}")
            )
        elif standing.trust < standing.trust_floor:
            refusals.append(
                Refusal(
                    "creator_distrusted",
                    f"the model's creator {trainer} has trust {standing.trust} ({standing.level}), below "
                    f"the consortium's floor {standing.trust_floor}",
                )
            )
    bounds = []
    for phase in cert.phases:
        if phase.phase == DATA_COLLECTION:
            for artifact_id in phase.artifacts:
                record = await provenance.get_artifact(artifact_id)
                if record.bounds is not None:
                    bounds.append(record.bounds)
    return Usability(cert_id, cert.model_artifact_id, cert.model_sha256, tuple(bounds), tuple(refusals))
