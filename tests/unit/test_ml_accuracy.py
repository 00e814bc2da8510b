"""Issue 12's acceptance: trained with the default configuration on the reference synthetic set, the
model reaches at least 99 % accuracy on the held-out quarter of the seven classes, as the evaluation
stage reports it. Generates 2,100 images and trains for one to two minutes on two cores (marked slow:
`pytest -m 'not slow'` leaves it out of a quick run; `make test` runs it)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pipeline.dataset import scan_folder, split_folder
from pipeline.evaluate import evaluate, write_report
from pipeline.model import TrainingConfig, load_model
from pipeline.records import CLASSES
from pipeline.synthetic import HELD_OUT, REFERENCE, write_surface_set
from pipeline.train import train


@pytest.mark.slow
def test_held_out_accuracy_on_the_seven_synthetic_classes(tmp_path: Path) -> None:
    started = time.perf_counter()
    write_surface_set(tmp_path / "surfaces", REFERENCE)
    generated = time.perf_counter() - started
    folder = scan_folder(tmp_path / "surfaces")
    assert folder.classes == CLASSES
    training, held_out = split_folder(folder, held_out=HELD_OUT, seed=REFERENCE.seed)
    result = train(folder, training, config=TrainingConfig(), out_dir=tmp_path / "model")
    model, card = load_model(result.model_path, expected_sha256=result.card.sha256)
    evaluation = evaluate(model, card, held_out)
    report = write_report(evaluation, tmp_path / "evaluation", card=card)
    print(
        f"generated {len(folder.images)} images in {generated:.1f} s; trained on {len(training)} in "
        f"{result.seconds:.1f} s ({result.images_per_second:.0f} images/s); held-out accuracy "
        f"{evaluation.accuracy:.2%} on {evaluation.images}"
    )
    assert evaluation.images == len(held_out) == 7 * round(HELD_OUT * REFERENCE.per_class)
    assert evaluation.accuracy >= 0.99, report.read_text()
    assert all(score.recall is not None and score.recall >= 0.95 for score in evaluation.per_class), (
        evaluation
    )
