"""The evaluation stage: precision, recall and the confusion matrix counted right, and a saved
model's evaluation written as numbers, a picture and a report."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.dataset import SurfaceFolder
from pipeline.evaluate import PICTURE_FILE, confusion_picture, evaluate, scores, write_report
from pipeline.model import load_model
from pipeline.records import CLASSES
from pipeline.train import TrainingResult


def test_scores_count_precision_and_recall() -> None:
    labels = np.array([0, 0, 0, 1, 1, 2])
    predictions = np.array([0, 0, 1, 1, 1, 1])
    accuracy, per_class, confusion = scores(labels, predictions, ("a", "b", "c"))
    assert accuracy == pytest.approx(4 / 6)
    assert confusion == ((2, 1, 0), (0, 2, 0), (0, 1, 0))
    a, b, c = per_class
    assert a.precision == 1.0 and a.recall == pytest.approx(2 / 3) and a.support == 3
    assert (b.precision, b.recall) == (0.5, 1.0)
    assert (c.precision, c.recall) == (None, 0.0)  # never predicted: precision undefined


def test_evaluation_writes_numbers_and_a_picture(
    trained: TrainingResult, tiny_set: SurfaceFolder, tmp_path: Path
) -> None:
    model, card = load_model(trained.model_path, expected_sha256=trained.card.sha256)
    evaluation = evaluate(model, card, tiny_set.images)
    assert evaluation.images == len(tiny_set.images) == sum(map(sum, evaluation.confusion))
    assert 0 <= evaluation.accuracy <= 1 and [s.label for s in evaluation.per_class] == list(CLASSES)
    report = write_report(evaluation, tmp_path, card=card)
    text = report.read_text()
    assert f"{evaluation.accuracy:.2%}" in text and f"]({PICTURE_FILE})" in text and "pitted_surface" in text
    with Image.open(tmp_path / PICTURE_FILE) as picture:
        assert picture.format == "PNG" and picture.width > 7 * 56 and picture.height > 7 * 56
    # The picture shades the diagonal of a perfect evaluation darker than its empty cells.
    perfect = replace(
        evaluation, confusion=tuple(tuple(9 if i == j else 0 for j in range(7)) for i in range(7))
    )
    pixels = np.asarray(Image.open(io.BytesIO(confusion_picture(perfect))).convert("L"))
    assert pixels.min() < 100
