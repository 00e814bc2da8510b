"""The inference engine's guard (issue 12): a model runs only as the consortium certified it, and only on
input inside the bounds its data collection declared. Each refusal is an InferenceRefused with its code:

- certificate_incomplete, certificate_revoked, creator_distrusted: the ledger's answer for the model
  certificate (gateway.usability, read through the gateway service's route
  /v1/projects/{p}/models/{certId}/usability or a member's own ledger connection);
- model_digest_mismatch: the model file is not the bytes the certificate certifies;
- input_out_of_bounds: an image is outside a declared range (the data-collection phase's artifacts'
  bounds). What a range bounds is its data type, per image: "uint8", every gray level (its minimum and
  maximum); "gray-mean", its mean gray level (a black frame from a failed camera, a blown-out one);
- bounds_unsupported: a declared range of a data type this engine cannot check (checked when the
  engine opens: an engine never runs with a bound it would ignore).

The check of the input costs one min, max or mean per image, so certification stays off the hot path.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from gateway.usability import Usability
from pipeline.infer import Inspection, Inspector
from pipeline.model import ModelDigestMismatch


def _values(flat: NDArray[np.uint8]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    return flat.min(axis=1).astype(np.float64), flat.max(axis=1).astype(np.float64)


def _mean(flat: NDArray[np.uint8]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    means = flat.mean(axis=1, dtype=np.float64)
    return means, means


# The data types of declared bounds this engine checks: what is measured per image, and how (module doc).
_MEASURES = {"uint8": ("values", _values), "gray-mean": ("mean gray level", _mean)}


class InferenceRefused(Exception):
    """InferenceRefused is the engine refusing to run: a code (module doc) and what is wrong."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class CertifiedInspector:
    """CertifiedInspector is an Inspector that was loaded under its certificate and checks its inputs."""

    def __init__(self, inspector: Inspector, usability: Usability) -> None:
        self.inspector = inspector
        self.usability = usability

    @classmethod
    def open(cls, usability: Usability, model_path: Path, *, batch_size: int = 64) -> CertifiedInspector:
        """open refuses a model the ledger does not stand behind, then loads model_path only under the
        certified digest."""
        if not usability.usable:
            first = usability.refusals[0]
            detail = "; ".join(r.detail for r in usability.refusals)
            raise InferenceRefused(first.code, f"model certificate {usability.cert_id}: {detail}")
        unsupported = sorted({b.data_type for b in usability.bounds} - set(_MEASURES))
        if unsupported:
            raise InferenceRefused(
                "bounds_unsupported",
                f"model certificate {usability.cert_id}: the data collection declared bounds of "
                f"{', '.join(unsupported)}; this engine checks {', '.join(_MEASURES)} only",
            )
        try:
            inspector = Inspector.load(
                model_path, expected_sha256=usability.model_sha256, batch_size=batch_size
            )
        except ModelDigestMismatch as error:
            raise InferenceRefused("model_digest_mismatch", str(error)) from None
        return cls(inspector, usability)

    def check_bounds(self, images: NDArray[np.uint8], workpiece_ids: Sequence[str]) -> None:
        """check_bounds raises input_out_of_bounds for the first image outside a declared range."""
        if not self.usability.bounds or len(images) == 0:
            return
        flat = images.reshape(len(images), -1)
        measured: dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]] = {}
        for bounds in self.usability.bounds:
            if bounds.data_type not in measured:
                measured[bounds.data_type] = _MEASURES[bounds.data_type][1](flat)
            lows, highs = measured[bounds.data_type]
            low, high = float(bounds.minimum), float(bounds.maximum)
            outside = np.flatnonzero((lows < low) | (highs > high))
            if outside.size:
                i = int(outside[0])
                shown = f"{lows[i]:g}" if lows[i] == highs[i] else f"{lows[i]:g}..{highs[i]:g}"
                raise InferenceRefused(
                    "input_out_of_bounds",
                    f"workpiece {workpiece_ids[i]}: its image has {_MEASURES[bounds.data_type][0]} {shown}, "
                    f"outside the range {bounds.minimum}..{bounds.maximum} ({bounds.data_type}) that "
                    f"{bounds.source} declared; {outside.size} of {len(images)} images are",
                )

    def inspect(
        self,
        images: NDArray[np.uint8],
        *,
        workpiece_ids: Sequence[str],
        min_quality: Sequence[float] | float,
    ) -> list[Inspection]:
        """inspect is Inspector.inspect after the bounds check (nothing is inspected when one is out)."""
        if len(workpiece_ids) != len(images):
            raise ValueError(f"{len(images)} images but {len(workpiece_ids)} workpiece ids")
        self.check_bounds(images, workpiece_ids)
        return self.inspector.inspect(images, workpiece_ids=workpiece_ids, min_quality=min_quality)
