"""A procedural generator of steel-surface images in the NEU surface defect database's layout, so that
neither the demonstration nor the tests need a download.

Each image is 200 x 200 grayscale, like NEU's: a rolled-steel texture (fine grain, streaks along the
rolling direction, uneven scale colour), lit unevenly, with one defect class drawn on it and sensor
noise on top; texture, lighting, defect and noise are drawn from a random generator seeded by (seed,
class, index), so an image depends on nothing else and the same seed always gives the same set.
Each image comes with process, workpiece and order data (pipeline.records), in which the process
parameters lean the way a process engineer would expect (worn tools scratch, hot rolling scales).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from skimage import draw, filters, segmentation

from pipeline.records import (
    CLASSES,
    DEFECT_FREE,
    METADATA_FILE,
    OrderData,
    ProcessData,
    SurfaceRecord,
    WorkpieceData,
    read_metadata,
    write_metadata,
)

SIZE = 200
GENERATOR_VERSION = 1  # raise when a change to this module changes any image or record of a seed

Float = NDArray[np.float64]

# Orders the generated workpieces belong to: (material, quality requirement, minimum quality index).
ORDERS = (
    ("S235JR", "standard", 0.5),
    ("S355J2", "standard", 0.5),
    ("DC01", "visible surface", 0.8),
    ("DC04", "visible surface", 0.8),
    ("1.4301", "critical surface", 0.95),
)
MACHINES = ("mill-1", "mill-2")


@dataclass(frozen=True)
class GeneratorParams:
    """GeneratorParams: everything that decides a generated set; recorded in its metadata file."""

    seed: int = 0
    per_class: int = 300
    image_format: str = "png"  # "png", or "bmp" as NEU's own files are
    version: int = GENERATOR_VERSION


# The reference set: what the accuracy test, bench/ml.py and the demonstration train on (2,100 images),
# with HELD_OUT of each class kept back for evaluation.
REFERENCE = GeneratorParams(seed=0, per_class=300)
HELD_OUT = 0.25


def _unit(field: Float) -> Float:
    spread = field.std()
    return np.asarray((field - field.mean()) / (spread if spread > 0 else 1.0), dtype=np.float64)


def _noise(rng: np.random.Generator, sigma: float | tuple[float, float]) -> Float:
    # Wrapped at the borders: a stationary texture, without the streaks a clamped border leaves.
    return _unit(filters.gaussian(rng.standard_normal((SIZE, SIZE)), sigma=sigma, mode="wrap", truncate=3.0))


def _smooth_noise(rng: np.random.Generator, sigma: float) -> Float:
    # Wide blurs are drawn at an eighth of the size and enlarged bilinearly, wrapping like the noise:
    # the same look as a full-size blur at a tenth of the cost.
    small_size = SIZE // 8
    small = filters.gaussian(rng.standard_normal((small_size, small_size)), sigma=sigma / 8, mode="wrap")
    position = (np.arange(SIZE) + 0.5) / 8 - 0.5
    low = np.floor(position).astype(np.intp)
    weight = position - low
    low, high = low % small_size, (low + 1) % small_size
    rows = small[low] * (1 - weight)[:, None] + small[high] * weight[:, None]
    return _unit(rows[:, low] * (1 - weight)[None, :] + rows[:, high] * weight[None, :])


def surface_texture(rng: np.random.Generator) -> Float:
    """surface_texture returns a defect-free rolled-steel surface in [0, 1], rolling along the rows."""
    grain = _noise(rng, rng.uniform(0.6, 1.2))
    streaks = _noise(rng, (rng.uniform(0.5, 1.5), rng.uniform(6.0, 20.0)))
    scale_colour = _smooth_noise(rng, rng.uniform(20.0, 45.0))
    contrast = rng.uniform(0.025, 0.05)
    image = rng.uniform(0.4, 0.62) + contrast * (
        grain + rng.uniform(0.5, 1.2) * streaks + rng.uniform(0.5, 1.5) * scale_colour
    )
    # Uneven lighting: a linear fall-off in a random direction and a vignette.
    rows, cols = np.mgrid[0:SIZE, 0:SIZE] / (SIZE - 1) - 0.5
    angle = rng.uniform(0, 2 * np.pi)
    image += rng.uniform(0.0, 0.12) * (np.cos(angle) * rows + np.sin(angle) * cols)
    image -= rng.uniform(0.0, 0.12) * (rows**2 + cols**2)
    return np.asarray(image, dtype=np.float64)


def _crazing(image: Float, rng: np.random.Generator) -> None:
    # A fine network of cracks: the borders of irregular cells grown from random seeds over noise.
    markers = np.zeros((SIZE, SIZE), dtype=np.int32)
    count = int(rng.integers(40, 110))
    markers[rng.integers(0, SIZE, count), rng.integers(0, SIZE, count)] = np.arange(1, count + 1)
    cells = segmentation.watershed(_noise(rng, 4.0), markers)
    cracks = segmentation.find_boundaries(cells, mode="inner").astype(np.float64)
    # Cracks fade in and out along their length rather than drawing every border.
    cracks *= np.clip(_noise(rng, 6.0) + rng.uniform(0.8, 1.4), 0.0, 1.0)
    image -= rng.uniform(0.2, 0.4) * filters.gaussian(cracks, 0.5)


def _inclusion(image: Float, rng: np.random.Generator) -> None:
    # Dark spots stretched along the rolling direction, alone or in a short chain.
    mask = np.zeros((SIZE, SIZE))
    for _ in range(int(rng.integers(1, 4))):
        length, width = rng.uniform(12, 40), rng.uniform(2.5, 5.0)
        row, col = rng.uniform(20, SIZE - 20), rng.uniform(length, SIZE - length)
        # A chain goes on only while its next spot lies inside the image.
        for _ in range(int(rng.integers(1, 4))):
            if col > SIZE - length:
                break
            rr, cc = draw.ellipse(
                row, col, width, length, shape=(SIZE, SIZE), rotation=rng.uniform(-0.25, 0.25)
            )
            mask[rr, cc] = np.maximum(mask[rr, cc], rng.uniform(0.6, 1.0))
            col += length * rng.uniform(1.5, 2.5)
    image -= rng.uniform(0.35, 0.6) * filters.gaussian(mask, rng.uniform(0.8, 1.3))


def _patches(image: Float, rng: np.random.Generator) -> None:
    # Blotchy regions: smooth noise above a threshold, with soft edges.
    blotches = _noise(rng, rng.uniform(7.0, 14.0))
    mask = (blotches > np.quantile(blotches, rng.uniform(0.6, 0.85))).astype(np.float64)
    image -= rng.uniform(0.15, 0.35) * filters.gaussian(mask, rng.uniform(1.5, 4.0))


def _pitted_surface(image: Float, rng: np.random.Generator) -> None:
    # Many small round pits, more densely in a few clusters; drawn all at once (a loop of disks costs
    # more than the rest of the image).
    count = int(rng.integers(60, 180))
    clusters = rng.uniform(0, SIZE, (int(rng.integers(1, 4)), 2))
    clustered = clusters[rng.integers(len(clusters), size=count)] + rng.normal(0, 25, (count, 2))
    centres = np.where(rng.random((count, 1)) < 0.6, clustered, rng.uniform(0, SIZE, (count, 2)))
    radii = rng.uniform(1.5, 3.5, count)
    depths = rng.uniform(0.6, 1.0, count)
    offsets = np.indices((9, 9)).reshape(2, -1).T - 4
    pixels = np.round(centres)[:, None, :] + offsets[None, :, :]
    inside = (np.linalg.norm(pixels - centres[:, None, :], axis=-1) <= radii[:, None]) & np.all(
        (pixels >= 0) & (pixels < SIZE), axis=-1
    )
    rows, cols = pixels[inside].astype(np.intp).T
    mask = np.zeros((SIZE, SIZE))
    np.maximum.at(mask, (rows, cols), np.broadcast_to(depths[:, None], inside.shape)[inside])
    image -= rng.uniform(0.3, 0.55) * filters.gaussian(mask, 0.6)


def _rolled_in_scale(image: Float, rng: np.random.Generator) -> None:
    # Scale pressed into the surface: flakes stretched along the rolling direction in a few bands,
    # dark with a brighter rim.
    flakes = _noise(rng, (rng.uniform(1.5, 3.0), rng.uniform(5.0, 12.0)))
    rows = np.arange(SIZE)[:, None]
    bands = np.zeros((SIZE, 1))
    for centre in rng.uniform(0, SIZE, int(rng.integers(1, 4))):
        bands += np.exp(-(((rows - centre) / rng.uniform(20, 50)) ** 2))
    mask = ((flakes * np.clip(bands, 0, 1)) > rng.uniform(0.3, 0.6)).astype(np.float64)
    soft = filters.gaussian(mask, 0.8)
    rim = filters.gaussian(mask, 2.5) - soft
    image += rng.uniform(0.08, 0.16) * np.clip(rim, 0, None) - rng.uniform(0.2, 0.4) * soft


def _scratches(image: Float, rng: np.random.Generator) -> None:
    # Thin long lines, straight or gently curved, mostly along the rolling direction; bright or dark.
    lines = np.zeros((SIZE, SIZE))
    for _ in range(int(rng.integers(1, 5))):
        angle = rng.normal(0, 0.35) if rng.random() < 0.75 else rng.uniform(0, np.pi)
        centre = rng.uniform(60, SIZE - 60, 2)
        half = rng.uniform(0.6, 1.0) * SIZE * 0.7
        direction = np.array([np.sin(angle), np.cos(angle)])
        start, end = centre - half * direction, centre + half * direction
        bend = centre + rng.normal(0, 12, 2)
        (r0, c0), (r1, c1), (r2, c2) = (np.round(point).astype(int) for point in (start, bend, end))
        rr, cc = draw.bezier_curve(r0, c0, r1, c1, r2, c2, 1, shape=(SIZE, SIZE))
        lines[rr, cc] = rng.uniform(0.6, 1.0)
    lines = filters.gaussian(lines, rng.uniform(0.7, 1.3))
    sign = 1.0 if rng.random() < 0.5 else -1.0
    image += sign * rng.uniform(0.35, 0.55) * lines / max(lines.max(), 1e-9)


DEFECTS: dict[str, Callable[[Float, np.random.Generator], None]] = {
    "crazing": _crazing,
    "inclusion": _inclusion,
    "patches": _patches,
    "pitted_surface": _pitted_surface,
    "rolled-in_scale": _rolled_in_scale,
    "scratches": _scratches,
}


def surface_image(label: str, *, seed: int, index: int) -> NDArray[np.uint8]:
    """surface_image returns image number index of class label for seed: 200 x 200 uint8 grayscale."""
    if label not in CLASSES:
        raise ValueError(f"label must be one of {', '.join(CLASSES)}, not {label!r}")
    rng = np.random.default_rng([seed, CLASSES.index(label), index])
    image = surface_texture(rng)
    if label != DEFECT_FREE:
        DEFECTS[label](image, rng)
    image += rng.normal(0.0, rng.uniform(0.005, 0.025), image.shape)
    # Strips are photographed both ways round: half the images roll along the columns.
    if rng.random() < 0.5:
        image = image.T
    return np.asarray(np.round(np.clip(image, 0.0, 1.0) * 255), dtype=np.uint8)


def surface_data(
    label: str, *, seed: int, index: int, image: str
) -> tuple[WorkpieceData, ProcessData, OrderData]:
    """surface_data returns the workpiece, process and order data of image number index of label."""
    # A random generator of its own, so the data can change without changing any image.
    rng = np.random.default_rng([seed, CLASSES.index(label), index, 1])
    order_index = int(rng.integers(len(ORDERS)))
    material, requirement, min_quality = ORDERS[order_index]
    machine = int(rng.integers(len(MACHINES)))
    wear = rng.beta(5, 2) if label == "scratches" else rng.beta(2, 3)
    temperature = rng.normal(1080 if label == "rolled-in_scale" else 1010, 30)
    workpiece = WorkpieceData(
        workpiece_id=f"wp-{seed}-{CLASSES.index(label)}-{index:05d}", image=image, width=SIZE, height=SIZE
    )
    process = ProcessData(
        machine_id=MACHINES[machine],
        tool_id=f"roll-{machine + 1}{int(rng.integers(1, 5)):02d}",
        tool_wear=round(float(wear), 3),
        speed_m_per_min=round(float(rng.normal(180, 15)), 1),
        feed_mm=round(float(rng.normal(2.5, 0.2)), 2),
        temperature_c=round(float(temperature), 1),
    )
    order = OrderData(
        order_id=f"ord-{seed}-{order_index + 1:02d}",
        material=material,
        quality_requirement=requirement,
        min_quality_index=min_quality,
    )
    return workpiece, process, order


def write_surface_set(
    root: Path, params: GeneratorParams = GeneratorParams(), *, workers: int | None = None
) -> list[SurfaceRecord]:
    """write_surface_set writes params.per_class images of every class in CLASSES under root, one
    folder per class as NEU's, and the records in root/metadata.json (written last, so a set cut short
    has none). A root that already holds the set of the same params is kept as it is (the demo's warm
    cache); any other non-empty root is refused.

    workers processes draw the images (default: one per CPU, one for small sets); every image depends
    only on its seed, so the set is the same whatever the number."""
    if params.image_format not in ("png", "bmp"):
        raise ValueError(f"image_format must be 'png' or 'bmp', not {params.image_format!r}")
    if params.per_class < 1:
        raise ValueError(f"per_class must be at least 1, not {params.per_class}")
    wanted: dict[str, Any] = asdict(params)
    if root.exists() and any(root.iterdir()):
        if (root / METADATA_FILE).is_file():
            generator, records = read_metadata(root)
            if generator == wanted and all((root / r.workpiece.image).is_file() for r in records):
                return records
        raise FileExistsError(
            f"{root} is not empty and does not hold a generated set of {wanted}: choose an empty folder"
        )
    names = {
        (label, index): f"{label}/{label}_{index + 1:04d}.{params.image_format}"
        for label in CLASSES
        for index in range(params.per_class)
    }
    for label in CLASSES:
        (root / label).mkdir(parents=True, exist_ok=True)
    jobs = [(root, params.seed, label, index, name) for (label, index), name in names.items()]
    if workers is None:
        workers = 1 if len(jobs) < 200 else min(os.cpu_count() or 1, 8)
    if workers > 1:
        # Spawned, not forked: the caller may hold TensorFlow's thread pools, which a fork would copy
        # mid-flight. The workers import only NumPy, scikit-image and Pillow.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            list(pool.map(_write_image, jobs, chunksize=max(1, len(jobs) // (8 * workers))))
    else:
        for job in jobs:
            _write_image(job)
    records = []
    for (label, index), name in names.items():
        workpiece, process, order = surface_data(label, seed=params.seed, index=index, image=name)
        records.append(SurfaceRecord(label=label, workpiece=workpiece, process=process, order=order))
    write_metadata(root, records, generator=wanted)
    return records


def _write_image(job: tuple[Path, int, str, int, str]) -> None:
    root, seed, label, index, name = job
    Image.fromarray(surface_image(label, seed=seed, index=index)).save(root / name)
