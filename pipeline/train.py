"""The training stage (ModelTrainer): trains the surface-inspection model on a NEU-layout folder, or
retrains a saved one on new data, showing progress one line per epoch; saves the model as a .keras
file with its model card and reports how long it took.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import keras

from pipeline.dataset import LabelledImage, SurfaceFolder, images_sha256, surface_dataset
from pipeline.model import (
    ModelCard,
    TrainingConfig,
    build_model,
    card_path,
    file_sha256,
    library_versions,
    select_device,
    weights_sha256,
)

MODEL_FILE = "model.keras"


@dataclass(frozen=True)
class TrainingResult:
    """TrainingResult: the saved model, its card and the run's timings. images_per_second counts every
    image of every epoch over the whole run; steady_images_per_second leaves out the first epoch,
    which also decodes and caches the images and traces the model."""

    model_path: Path
    card: ModelCard
    seconds: float
    images_per_second: float
    steady_images_per_second: float
    history: dict[str, list[float]]


class ProgressLine(keras.callbacks.Callback):  # type: ignore[misc]
    """ProgressLine times each epoch and, unless stream is None, writes one line per epoch: loss,
    accuracy, seconds and images per second."""

    def __init__(self, stream: TextIO | None, *, epochs: int, images: int) -> None:
        super().__init__()
        self.stream, self.epochs, self.images = stream, epochs, images
        self.seconds: list[float] = []
        self._started = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        seconds = time.perf_counter() - self._started
        self.seconds.append(seconds)
        if self.stream is None:
            return
        logs = logs or {}
        print(
            f"epoch {epoch + 1}/{self.epochs}: loss {logs.get('loss', float('nan')):.4f}, "
            f"accuracy {logs.get('accuracy', float('nan')):.4f}, {seconds:.1f} s, "
            f"{self.images / seconds:.0f} images/s",
            file=self.stream,
            flush=True,
        )


def train(
    folder: SurfaceFolder,
    images: tuple[LabelledImage, ...],
    *,
    config: TrainingConfig,
    out_dir: Path,
    retrain_from: tuple[keras.Model, ModelCard] | None = None,
    progress: TextIO | None = sys.stdout,
) -> TrainingResult:
    """train fits the model on images (a part of folder, usually split_folder's training part) and
    saves it as out_dir/model.keras with its card out_dir/model.json.

    Retraining: retrain_from is a model and its card as pipeline.model.load_model gives them (which
    checked its digest); training continues from its weights, and the new card names it as parent.
    It must know the same classes at the same input size. Progress goes to progress (None: silent).
    """
    device = select_device(config)
    classes = folder.classes
    parent: str | None = None
    if retrain_from is not None:
        model, parent_card = retrain_from
        if parent_card.classes != classes or parent_card.image_size != config.image_size:
            raise ValueError(
                f"the model to retrain knows {', '.join(parent_card.classes)} "
                f"at {parent_card.image_size} px, "
                f"but the data has {', '.join(classes)} and the configuration {config.image_size} px: "
                "train a new model instead"
            )
        parent = parent_card.sha256
    else:
        model = build_model(classes, config)
    steps = -(-len(images) // config.batch_size) * config.epochs
    schedule = keras.optimizers.schedules.CosineDecay(config.learning_rate, decay_steps=steps, alpha=0.02)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        jit_compile=device.jit_compile,
    )
    dataset = surface_dataset(
        images,
        classes,
        image_size=config.image_size,
        batch_size=config.batch_size,
        seed=config.seed,
        training=True,
    )
    line = ProgressLine(progress, epochs=config.epochs, images=len(images))
    started = time.perf_counter()
    history = model.fit(dataset, epochs=config.epochs, verbose=0, callbacks=[line])
    seconds = time.perf_counter() - started
    out_dir.mkdir(parents=True, exist_ok=True)
    model_path = out_dir / MODEL_FILE
    model.save(model_path)
    card = ModelCard(
        sha256=file_sha256(model_path),
        weights_sha256=weights_sha256(model),
        classes=classes,
        image_size=config.image_size,
        config=config,
        device=device,
        data={
            "root": str(folder.root),
            "training_images": len(images),
            "training_sha256": images_sha256(images, folder.root),
        },
        versions=library_versions(),
        parent_sha256=parent,
    )
    card_path(model_path).write_text(card.to_json())
    steady = line.seconds[1:]
    return TrainingResult(
        model_path=model_path,
        card=card,
        seconds=seconds,
        images_per_second=len(images) * config.epochs / seconds,
        steady_images_per_second=len(images) * len(steady) / sum(steady) if steady else 0.0,
        history={key: [float(v) for v in values] for key, values in history.history.items()},
    )


def main(argv: list[str] | None = None) -> int:
    """python -m pipeline.train DATA OUT [options]: trains on DATA's training part (DATA is a NEU-layout
    folder), saves OUT/model.keras and its card, prints a line per epoch and, last, one JSON line
    {"result": ...} with the model's sha256, timings, history and card; exit 2 with the reason on bad input.
    The gateway service's training runs (gateway/api/training.py) run it as a child process, so that the
    service itself never loads TensorFlow."""
    import argparse
    import json

    from pipeline.dataset import DatasetError, scan_folder, split_folder
    from pipeline.model import load_model

    parser = argparse.ArgumentParser(prog="python -m pipeline.train", description=main.__doc__)
    parser.add_argument("data", type=Path)
    parser.add_argument("out", type=Path)
    defaults = TrainingConfig()
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument("--learning-rate", type=float, default=defaults.learning_rate)
    parser.add_argument("--image-size", type=int, default=defaults.image_size)
    parser.add_argument("--width", type=int, default=defaults.width)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--held-out", type=float, default=0.25, help="share of each class kept back")
    parser.add_argument("--retrain", type=Path, help="a saved model to continue training")
    parser.add_argument("--retrain-sha256", help="the digest the model to retrain must have")
    args = parser.parse_args(argv)
    try:
        config = TrainingConfig(
            epochs=args.epochs,
            batch_size=args.batch_size,
            learning_rate=args.learning_rate,
            image_size=args.image_size,
            width=args.width,
            seed=args.seed,
        )
        folder = scan_folder(args.data)
        training, held_out = split_folder(folder, held_out=args.held_out, seed=args.seed)
        retrain_from = None
        if args.retrain is not None:
            if not args.retrain_sha256:
                raise ValueError("--retrain needs --retrain-sha256: a model is loaded only under its digest")
            retrain_from = load_model(args.retrain, expected_sha256=args.retrain_sha256)
        result = train(
            folder, training, config=config, out_dir=args.out, retrain_from=retrain_from, progress=sys.stdout
        )
    except (DatasetError, ValueError) as error:
        print(f"python -m pipeline.train: {error}", file=sys.stderr)
        return 2
    summary = {
        "modelSha256": result.card.sha256,
        "classes": list(result.card.classes),
        "trainingImages": len(training),
        "heldOutImages": len(held_out),
        "seconds": round(result.seconds, 3),
        "imagesPerSecond": round(result.images_per_second, 1),
        "history": result.history,
        # The card travels with the result, so that whoever records the model can record its card too.
        "card": json.loads(result.card.to_json()),
    }
    print(json.dumps({"result": summary}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
