"""The inference engine's guard (pipeline/certified.py): a model the ledger does not stand behind, a model
file of other bytes, and an image outside the declared bounds are each refused with their own code;
inside them the certified engine answers exactly what the bare one does."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest

from gateway.ledger import DataBounds
from gateway.usability import Refusal, Usability
from pipeline.certified import CertifiedInspector, InferenceRefused
from pipeline.dataset import SurfaceFolder, load_images
from pipeline.infer import Inspector
from pipeline.train import TrainingResult

CAMERA = DataBounds("camera-3", "uint8", Decimal(10), Decimal(245))


def usable(trained: TrainingResult) -> Usability:
    return Usability("cert-1", "model-1", trained.card.sha256, (CAMERA,))


def test_a_model_the_ledger_does_not_stand_behind_is_refused(trained: TrainingResult) -> None:
    refusals = (
        Refusal("certificate_revoked", "phase data-collection cites registry certificate c-1, revoked"),
        Refusal("creator_distrusted", "the model's creator dana is suspended"),
    )
    with pytest.raises(InferenceRefused) as refused:
        CertifiedInspector.open(replace(usable(trained), refusals=refusals), trained.model_path)
    assert refused.value.code == "certificate_revoked"
    assert "dana is suspended" in refused.value.detail  # every reason is told, the first one coded
    with pytest.raises(InferenceRefused) as refused:
        CertifiedInspector.open(replace(usable(trained), model_sha256="ab" * 32), trained.model_path)
    assert refused.value.code == "model_digest_mismatch"


def test_inputs_outside_the_declared_bounds_are_refused_and_inside_answer_as_uncertified(
    trained: TrainingResult, tiny_set: SurfaceFolder
) -> None:
    engine = CertifiedInspector.open(usable(trained), trained.model_path)
    images = np.clip(load_images([image.path for image in tiny_set.images[::6]]), 10, 245)
    ids = [f"wp-{i}" for i in range(len(images))]
    bare = Inspector.load(trained.model_path, expected_sha256=trained.card.sha256)
    assert engine.inspect(images, workpiece_ids=ids, min_quality=0.5) == bare.inspect(
        images, workpiece_ids=ids, min_quality=0.5
    )
    saturated = images.copy()
    saturated[3, 0, 0] = 255
    with pytest.raises(InferenceRefused) as refused:
        engine.inspect(saturated, workpiece_ids=ids, min_quality=0.5)
    assert refused.value.code == "input_out_of_bounds"
    assert "workpiece wp-3" in refused.value.detail and "camera-3" in refused.value.detail


def test_a_frame_whose_mean_gray_level_is_outside_the_declared_range_is_refused(
    trained: TrainingResult, tiny_set: SurfaceFolder
) -> None:
    """A gray-mean bound (what the demo's data collection declares) refuses a black or blown-out frame
    even though each of its values is a valid gray level; a bound of a type the engine cannot check
    stops it from opening at all."""
    exposure = DataBounds("line camera", "gray-mean", Decimal("40.5"), Decimal(200))
    engine = CertifiedInspector.open(replace(usable(trained), bounds=(exposure,)), trained.model_path)
    images = load_images([image.path for image in tiny_set.images[:4]])
    means = images.reshape(4, -1).mean(axis=1)
    assert means.min() >= 40.5 and means.max() <= 200, means
    ids = [f"wp-{i}" for i in range(4)]
    assert len(engine.inspect(images, workpiece_ids=ids, min_quality=0.5)) == 4
    dark = images.copy()
    dark[2] = 40
    with pytest.raises(InferenceRefused) as refused:
        engine.inspect(dark, workpiece_ids=ids, min_quality=0.5)
    assert refused.value.code == "input_out_of_bounds"
    assert "workpiece wp-2: its image has mean gray level 40, outside" in refused.value.detail
    with pytest.raises(InferenceRefused) as refused:
        CertifiedInspector.open(
            replace(usable(trained), bounds=(DataBounds("line camera", "celsius", Decimal(0), Decimal(1)),)),
            trained.model_path,
        )
    assert refused.value.code == "bounds_unsupported" and "celsius" in refused.value.detail
