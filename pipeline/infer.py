"""The inference stage (Manufacturer): each workpiece's surface image through the certified model, to
class probabilities, a quality index and a sort-out decision.

The quality index is the model's probability that the surface is defect-free, in [0, 1]. A
workpiece is sorted out when its index is below the minimum its order's quality requirement sets
(OrderData.min_quality_index), so the same surface may pass for a structural order and fail for a
visible-surface one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from numpy.typing import NDArray

from pipeline.dataset import load_images, preprocess
from pipeline.model import ModelCard, load_model
from pipeline.records import DEFECT_FREE, SurfaceRecord


@dataclass(frozen=True)
class Inspection:
    """Inspection: the result for one workpiece. probabilities are in the model's class order."""

    workpiece_id: str
    label: str
    probabilities: dict[str, float]
    quality_index: float
    min_quality_index: float
    sort_out: bool


class Inspector:
    """Inspector runs one loaded model over batches of surface images."""

    def __init__(self, model: keras.Model, card: ModelCard, *, batch_size: int = 64) -> None:
        if DEFECT_FREE not in card.classes:
            raise ValueError(
                f"the model knows only {', '.join(card.classes)}: a quality index needs a model trained "
                f"with the {DEFECT_FREE} class as well"
            )
        self.model, self.card, self.batch_size = model, card, batch_size
        self._good = card.classes.index(DEFECT_FREE)
        size = card.image_size
        self._forward = tf.function(
            lambda batch: model(preprocess(batch, size), training=False),
            input_signature=[tf.TensorSpec((None, None, None, 1), tf.uint8)],
            reduce_retracing=True,
        )

    @classmethod
    def load(cls, path: Path, *, expected_sha256: str, batch_size: int = 64) -> Inspector:
        """load opens the model saved at path only if its sha256 is expected_sha256 (see
        pipeline.model.load_model, which raises ModelDigestMismatch otherwise)."""
        model, card = load_model(path, expected_sha256=expected_sha256)
        return cls(model, card, batch_size=batch_size)

    def probabilities(self, images: NDArray[np.uint8]) -> NDArray[np.float32]:
        """probabilities returns [n, classes] for uint8 grayscale images [n, height, width] (any size;
        resized as in training)."""
        if (
            images.dtype != np.uint8
            or images.ndim not in (3, 4)
            or (images.ndim == 4 and images.shape[-1] != 1)
        ):
            raise ValueError(
                f"images must be uint8 grayscale [n, height, width], not {images.dtype} {images.shape}"
            )
        batch = images.reshape(*images.shape[:3], 1)
        parts = [
            np.asarray(self._forward(tf.constant(batch[start : start + self.batch_size])), dtype=np.float32)
            for start in range(0, len(batch), self.batch_size)
        ]
        return np.concatenate(parts) if parts else np.zeros((0, len(self.card.classes)), np.float32)

    def inspect(
        self,
        images: NDArray[np.uint8],
        *,
        workpiece_ids: Sequence[str],
        min_quality: Sequence[float] | float,
    ) -> list[Inspection]:
        """inspect gives each workpiece its inspection; min_quality is one minimum quality index for
        all, or one per workpiece (its order's)."""
        if len(workpiece_ids) != len(images):
            raise ValueError(f"{len(images)} images but {len(workpiece_ids)} workpiece ids")
        minimums = (
            [float(min_quality)] * len(images) if isinstance(min_quality, float | int) else list(min_quality)
        )
        if len(minimums) != len(images) or not all(0 <= m <= 1 for m in minimums):
            raise ValueError("min_quality must be one value in [0, 1] or one such value per image")
        results = []
        for workpiece, minimum, row in zip(workpiece_ids, minimums, self.probabilities(images), strict=True):
            quality = float(np.clip(row[self._good], 0.0, 1.0))
            results.append(
                Inspection(
                    workpiece_id=workpiece,
                    label=self.card.classes[int(np.argmax(row))],
                    probabilities={label: float(p) for label, p in zip(self.card.classes, row, strict=True)},
                    quality_index=quality,
                    min_quality_index=minimum,
                    sort_out=quality < minimum,
                )
            )
        return results

    def inspect_records(self, root: Path, records: Sequence[SurfaceRecord]) -> list[Inspection]:
        """inspect_records inspects recorded workpieces (images under root), each against its order's
        minimum quality index."""
        images = load_images([root / record.workpiece.image for record in records])
        return self.inspect(
            images,
            workpiece_ids=[record.workpiece.workpiece_id for record in records],
            min_quality=[record.order.min_quality_index for record in records],
        )
