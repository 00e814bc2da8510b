"""The inference stage: class probabilities, the quality index and sort-out decisions per workpiece,
each against its order's requirement; a model without the defect-free class gives no quality index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.dataset import SurfaceFolder, load_images, scan_folder
from pipeline.infer import Inspector
from pipeline.model import TrainingConfig
from pipeline.records import CLASSES, NEU_CLASSES, read_metadata
from pipeline.synthetic import surface_image
from pipeline.train import TrainingResult, train


def test_inference_gives_probabilities_quality_and_sort_out(
    trained: TrainingResult, tiny_set: SurfaceFolder
) -> None:
    inspector = Inspector.load(trained.model_path, expected_sha256=trained.card.sha256)
    images = load_images([image.path for image in tiny_set.images[::6]])
    probabilities = inspector.probabilities(images)
    assert probabilities.shape == (len(CLASSES), len(CLASSES))
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5) and (probabilities >= 0).all()
    ids = [f"wp-{i}" for i in range(len(images))]
    inspections = inspector.inspect(images, workpiece_ids=ids, min_quality=0.5)
    for inspection, row in zip(inspections, probabilities, strict=True):
        assert 0 <= inspection.quality_index <= 1
        assert inspection.quality_index == pytest.approx(float(row[CLASSES.index("defect-free")]))
        assert inspection.sort_out == (inspection.quality_index < 0.5)
        assert inspection.label == CLASSES[int(np.argmax(row))]
    # Nothing passes a requirement of 1 unless the model is certain; everything passes one of 0.
    assert all(
        i.sort_out
        for i in inspector.inspect(images, workpiece_ids=ids, min_quality=1.0)
        if i.quality_index < 1
    )
    assert not any(i.sort_out for i in inspector.inspect(images, workpiece_ids=ids, min_quality=0.0))
    # Images of another size are resized as in training.
    assert inspector.probabilities(images[:, :100, :120]).shape == (len(images), len(CLASSES))
    with pytest.raises(ValueError, match="uint8 grayscale"):
        inspector.probabilities(images.astype(np.float32))
    with pytest.raises(ValueError, match="workpiece ids"):
        inspector.inspect(images, workpiece_ids=ids[1:], min_quality=0.5)


def test_inference_of_recorded_workpieces_uses_each_orders_requirement(
    trained: TrainingResult, tiny_set: SurfaceFolder
) -> None:
    _, records = read_metadata(tiny_set.root)
    inspector = Inspector.load(trained.model_path, expected_sha256=trained.card.sha256)
    inspections = inspector.inspect_records(tiny_set.root, records[:10])
    assert [i.workpiece_id for i in inspections] == [r.workpiece.workpiece_id for r in records[:10]]
    assert [i.min_quality_index for i in inspections] == [r.order.min_quality_index for r in records[:10]]


def test_a_model_without_the_defect_free_class_gives_no_quality_index(
    tmp_path: Path, tiny_config: TrainingConfig
) -> None:
    root = tmp_path / "neu"
    for label in NEU_CLASSES:
        (root / label).mkdir(parents=True)
        for index in range(2):
            Image.fromarray(surface_image(label, seed=2, index=index)).save(root / label / f"{index}.bmp")
    folder = scan_folder(root)
    result = train(folder, folder.images, config=tiny_config, out_dir=tmp_path / "model", progress=None)
    assert result.card.classes == NEU_CLASSES
    with pytest.raises(ValueError, match="defect-free class"):
        Inspector.load(result.model_path, expected_sha256=result.card.sha256)
