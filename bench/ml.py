"""Measures the surface-inspection pipeline on this machine's CPU (or GPU, when TensorFlow sees one),
for issue 12's closing note: generating the reference synthetic set, training the default model on
three quarters of it, the held-out accuracy, and inference, with no ledger and no network (the
uncertified baseline the certified pipeline will be compared with).

Generates the reference set (pipeline.synthetic.REFERENCE: 2,100 images of 200 x 200) into a temporary
folder, or uses BCMLP_BENCH_ML_SET when that names a folder holding it (it is written there if empty),
trains with TrainingConfig's defaults, then times, each the median of RUNS runs:

- batch inference through pipeline.infer.Inspector.inspect (the held-out images as uint8 arrays in memory,
  preprocessing included, batches of 64): images per second;
- the same batches through pipeline.certified.CertifiedInspector, which checks each image against the
  declared input bounds before inference (what certification adds on the hot path; the ledger is asked
  once, when the engine opens the model, not per image): images per second and the ratio to the bare
  engine (issue 12's target: at least 0.9);
- one image at a time: milliseconds per image;
- the drift check of pipeline.monitor on the same images: images per second.

Prints each number, with inference throughput as a ratio to training's, and answers the
certified-inference row of bench/_results.py (target 0.9x). Quick trains a small set briefly (accuracy then
means nothing). Needs no network: bench/run.py runs it after the network is down (`make bench-ml` alone).
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from _results import Row

from gateway.ledger import DataBounds
from gateway.usability import Usability
from pipeline.certified import CertifiedInspector
from pipeline.dataset import load_images, scan_folder, split_folder
from pipeline.evaluate import evaluate
from pipeline.infer import Inspector
from pipeline.model import TrainingConfig, load_model
from pipeline.monitor import InputProfile, check_drift
from pipeline.synthetic import HELD_OUT, REFERENCE, write_surface_set
from pipeline.train import train

RUNS = 3
SINGLES = 30
QUICK_PER_CLASS, QUICK_EPOCHS = 60, 3


def median_seconds(action: Callable[[], object], runs: int = RUNS) -> float:
    """median_seconds runs action once to warm up, then runs times, and returns the median time."""
    action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(work: Path, surfaces: Path, *, quick: bool) -> tuple[list[tuple[str, str]], list[Row]]:
    reused = (surfaces / "metadata.json").is_file()
    params = dataclasses.replace(REFERENCE, per_class=QUICK_PER_CLASS) if quick else REFERENCE
    started = time.perf_counter()
    write_surface_set(surfaces, params)
    generated = time.perf_counter() - started
    folder = scan_folder(surfaces)
    training, held_out = split_folder(folder, held_out=HELD_OUT, seed=params.seed)
    config = TrainingConfig(epochs=QUICK_EPOCHS) if quick else TrainingConfig()
    result = train(folder, training, config=config, out_dir=work / "model")
    model, card = load_model(result.model_path, expected_sha256=result.card.sha256)
    evaluation = evaluate(model, card, held_out)

    inspector = Inspector.load(result.model_path, expected_sha256=result.card.sha256)
    images = load_images([image.path for image in held_out])
    ids = [f"wp-{i}" for i in range(len(images))]
    batch = median_seconds(lambda: inspector.inspect(images, workpiece_ids=ids, min_quality=0.5))
    # Both kinds of declared bounds the engine checks (the demo declares gray-mean), so the worst case.
    bounds = (
        DataBounds("line camera", "uint8", Decimal(0), Decimal(255)),
        DataBounds("line camera", "gray-mean", Decimal(0), Decimal(255)),
    )
    engine = CertifiedInspector(inspector, Usability("bench", "model", result.card.sha256, bounds))
    certified = median_seconds(lambda: engine.inspect(images, workpiece_ids=ids, min_quality=0.5))
    single = median_seconds(lambda: [inspector.probabilities(images[i : i + 1]) for i in range(SINGLES)])
    profile = InputProfile.from_images(load_images([image.path for image in training]))
    drift = median_seconds(lambda: check_drift(profile, images))

    trained_images = len(training) * config.epochs
    inference_rate = len(images) / batch
    device = f"{result.card.device.kind}: {result.card.device.name}, {os.cpu_count()} CPUs"
    row = Row(
        "certified inference (images/s, batches of 64)",
        "uncertified engine",
        f"{inference_rate:.0f} images/s",
        f"{len(images) / certified:.0f} images/s",
        batch / certified,
        0.9,
    )
    return [
        ("device", device),
        (
            "reference set " + ("reused" if reused else "generated"),
            f"{len(folder.images)} images in {generated:.1f} s ({os.cpu_count()} worker processes)",
        ),
        (
            "training (default configuration)",
            f"{result.seconds:.1f} s, {config.epochs} epochs of {len(training)} images at "
            f"{config.image_size} x {config.image_size}",
        ),
        ("training throughput, whole run", f"{trained_images / result.seconds:.0f} images/s"),
        ("training throughput, epochs 2 on", f"{result.steady_images_per_second:.0f} images/s"),
        ("held-out accuracy", f"{evaluation.accuracy:.2%} on {evaluation.images} images (7 classes)"),
        (f"inference, batches of 64 (median of {RUNS})", f"{inference_rate:.0f} images/s"),
        (
            f"inference, certified, batches of 64 (median of {RUNS})",
            f"{len(images) / certified:.0f} images/s",
        ),
        ("certified / uncertified inference", f"{batch / certified:.2f}x"),
        (f"inference, one image at a time (median of {RUNS})", f"{single / SINGLES * 1000:.1f} ms per image"),
        (f"drift check (median of {RUNS})", f"{len(images) / drift:.0f} images/s"),
        ("inference / training throughput", f"{inference_rate / result.images_per_second:.1f}x"),
        ("model", f"{result.model_path.stat().st_size} bytes, sha256 {result.card.sha256[:16]}..."),
    ], [row]


def rows(quick: bool) -> list[Row]:
    """rows trains, then times the engines (BCMLP_BENCH_ML_SET: a folder to keep the reference set in)."""
    given = os.environ.get("BCMLP_BENCH_ML_SET")
    with tempfile.TemporaryDirectory(prefix="bcmlp-bench-ml-") as work:
        surfaces = Path(given) if given else Path(work) / "surfaces"
        lines, out = measure(Path(work), surfaces, quick=quick)
    for label, value in lines:
        print(f"{label + ':':48} {value}")
    return out
