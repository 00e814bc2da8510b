"""The evaluation stage (ModelTrainer): a saved model's accuracy, per-class precision and recall and
confusion matrix on held-out images, written as numbers (evaluation.json), as a picture
(confusion_matrix.png) and as a short report that shows both (report.md).
"""

from __future__ import annotations

import io
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import keras
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from pipeline.dataset import LabelledImage, surface_dataset
from pipeline.model import ModelCard

REPORT_FILE, NUMBERS_FILE, PICTURE_FILE = "report.md", "evaluation.json", "confusion_matrix.png"


@dataclass(frozen=True)
class ClassScore:
    """ClassScore: one class's precision (of the images predicted as it, the share that are) and
    recall (of its images, the share predicted as it); None where nothing was predicted as it, or it
    has no images."""

    label: str
    precision: float | None
    recall: float | None
    support: int


@dataclass(frozen=True)
class Evaluation:
    """Evaluation: the scores of a model on a set of images; confusion[i][j] counts the images of
    classes[i] that the model predicted as classes[j]."""

    model_sha256: str
    classes: tuple[str, ...]
    images: int
    accuracy: float
    per_class: tuple[ClassScore, ...]
    confusion: tuple[tuple[int, ...], ...]
    seconds: float

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1) + "\n"


def scores(
    labels: NDArray[np.integer], predictions: NDArray[np.integer], classes: tuple[str, ...]
) -> tuple[float, tuple[ClassScore, ...], tuple[tuple[int, ...], ...]]:
    """scores returns accuracy, per-class scores and the confusion matrix of predicted against true
    class indices."""
    if labels.shape != predictions.shape or labels.ndim != 1 or len(labels) == 0:
        raise ValueError("labels and predictions must be non-empty vectors of the same length")
    confusion = np.zeros((len(classes), len(classes)), dtype=np.int64)
    np.add.at(confusion, (labels, predictions), 1)
    per_class = []
    for i, label in enumerate(classes):
        predicted, support = int(confusion[:, i].sum()), int(confusion[i].sum())
        per_class.append(
            ClassScore(
                label=label,
                precision=float(confusion[i, i] / predicted) if predicted else None,
                recall=float(confusion[i, i] / support) if support else None,
                support=support,
            )
        )
    accuracy = float(np.trace(confusion) / confusion.sum())
    return accuracy, tuple(per_class), tuple(tuple(int(v) for v in row) for row in confusion)


def evaluate(
    model: keras.Model, card: ModelCard, images: tuple[LabelledImage, ...], *, batch_size: int = 64
) -> Evaluation:
    """evaluate predicts every image (no augmentation) with the model that card describes."""
    dataset = surface_dataset(
        images, card.classes, image_size=card.image_size, batch_size=batch_size, seed=0, training=False
    )
    started = time.perf_counter()
    labels, predictions = [], []
    for batch, batch_labels in dataset:
        predictions.append(np.argmax(model.predict_on_batch(batch), axis=1))
        labels.append(batch_labels.numpy())
    seconds = time.perf_counter() - started
    accuracy, per_class, confusion = scores(np.concatenate(labels), np.concatenate(predictions), card.classes)
    return Evaluation(
        model_sha256=card.sha256,
        classes=card.classes,
        images=len(images),
        accuracy=accuracy,
        per_class=per_class,
        confusion=confusion,
        seconds=seconds,
    )


def confusion_picture(evaluation: Evaluation) -> bytes:
    """confusion_picture draws the confusion matrix as a PNG: one cell per (true, predicted) pair,
    shaded by the share of the true class's images, with the count written in it."""
    font = ImageFont.load_default(size=14)
    classes, cell = evaluation.classes, 56
    label_width = max(int(font.getlength(label)) for label in classes) + 16
    top, grid = 40, cell * len(classes)
    width, height = label_width + grid + 16, top + grid + label_width + 24
    picture = Image.new("RGB", (width, height), "white")
    pen = ImageDraw.Draw(picture)
    pen.text(
        (8, 10),
        f"accuracy {evaluation.accuracy:.2%} on {evaluation.images} images (rows: true, columns: predicted)",
        fill="black",
        font=font,
    )
    for i, row in enumerate(evaluation.confusion):
        total = max(sum(row), 1)
        y = top + i * cell
        pen.text((label_width - 8, y + cell // 2), classes[i], fill="black", font=font, anchor="rm")
        for j, count in enumerate(row):
            share = count / total
            shade = (int(255 - 205 * share), int(255 - 150 * share), 255)
            x = label_width + j * cell
            pen.rectangle((x, y, x + cell - 1, y + cell - 1), fill=shade, outline=(200, 200, 200))
            ink = "white" if share > 0.6 else "black"
            pen.text((x + cell // 2, y + cell // 2), str(count), fill=ink, font=font, anchor="mm")
    # Column labels, written sideways under the grid.
    for j, label in enumerate(classes):
        text = Image.new("RGBA", (label_width, cell), (255, 255, 255, 0))
        ImageDraw.Draw(text).text((label_width - 8, cell // 2), label, fill="black", font=font, anchor="rm")
        turned = text.rotate(90, expand=True)
        picture.paste(turned, (label_width + j * cell, top + grid + 8), turned)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def write_report(evaluation: Evaluation, out_dir: Path, *, card: ModelCard) -> Path:
    """write_report writes evaluation.json, confusion_matrix.png and report.md into out_dir and returns
    the report's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / NUMBERS_FILE).write_text(evaluation.to_json())
    (out_dir / PICTURE_FILE).write_bytes(confusion_picture(evaluation))

    def share(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.2%}"

    lines = [
        "# Evaluation of the surface-inspection model",
        "",
        f"Model sha256 `{evaluation.model_sha256}`, {len(card.classes)} classes, input "
        f"{card.image_size} x {card.image_size}, trained on {card.data.get('training_images', '?')} images "
        f"(seed {card.config.seed}, {card.config.epochs} epochs, on {card.device.kind}).",
        "",
        f"Held-out accuracy: **{evaluation.accuracy:.2%}** on {evaluation.images} images "
        f"({evaluation.images / evaluation.seconds:.0f} images/s).",
        "",
        "| class | precision | recall | images |",
        "|---|---|---|---|",
        *(
            f"| {score.label} | {share(score.precision)} | {share(score.recall)} | {score.support} |"
            for score in evaluation.per_class
        ),
        "",
        f"![confusion matrix]({PICTURE_FILE})",
        "",
    ]
    report = out_dir / REPORT_FILE
    report.write_text("\n".join(lines))
    return report
