"""The monitoring stage (ConditionMonitor): whether the images the line sends now still look like the
ones the model was trained on.

A profile of the training images (their pooled gray-level histogram and the spread of per-image
brightness and contrast) is kept with the model; each batch from the line is compared with it on
three measures, each against a warning and an alert threshold:

- gray-level drift: the population stability index (PSI) between the batch's pooled histogram and the
  profile's; the usual reading is below 0.1 stable, 0.1 to 0.25 drifting, above 0.25 shifted;
- brightness shift: how far the batch's mean brightness lies from the training mean, in training
  standard deviations of per-image brightness (a lamp ageing, a new camera gain);
- contrast change: |ln| of the ratio of the batch's mean per-image contrast to the training one (a
  lens out of focus or dirty lowers it, a noisier sensor raises it).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import NDArray

BINS = 32
LEVELS = ("ok", "warning", "alert")


@dataclass(frozen=True)
class InputProfile:
    """InputProfile: statistics of the training images that drift is measured against. Brightness
    and contrast are each image's mean and standard deviation of gray level, scaled to [0, 1]."""

    images: int
    histogram: tuple[float, ...]  # share of pixels in each of BINS equal gray-level bins
    brightness_mean: float
    brightness_std: float
    contrast_mean: float

    @classmethod
    def from_images(cls, images: NDArray[np.uint8]) -> InputProfile:
        """from_images profiles uint8 grayscale images [n, height, width] (n of at least two)."""
        _check(images)
        if len(images) < 2:
            raise ValueError("a profile needs at least two images")
        brightness, contrast = _brightness_contrast(images)
        return cls(
            images=len(images),
            histogram=tuple(float(v) for v in _histogram(images)),
            brightness_mean=float(brightness.mean()),
            brightness_std=float(max(brightness.std(), 1e-6)),
            contrast_mean=float(contrast.mean()),
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> InputProfile:
        raw = json.loads(text)
        return cls(
            images=int(raw["images"]),
            histogram=tuple(float(v) for v in raw["histogram"]),
            brightness_mean=float(raw["brightness_mean"]),
            brightness_std=float(raw["brightness_std"]),
            contrast_mean=float(raw["contrast_mean"]),
        )


@dataclass(frozen=True)
class Thresholds:
    """Thresholds: the value of each measure from which it warns and from which it alerts."""

    psi_warning: float = 0.1
    psi_alert: float = 0.25
    brightness_warning: float = 1.0
    brightness_alert: float = 2.0
    contrast_warning: float = 0.15
    contrast_alert: float = 0.3

    def __post_init__(self) -> None:
        for measure in ("psi", "brightness", "contrast"):
            warning, alert = getattr(self, f"{measure}_warning"), getattr(self, f"{measure}_alert")
            if not 0 < warning <= alert:
                raise ValueError(f"{measure}: need 0 < warning ({warning}) <= alert ({alert})")


@dataclass(frozen=True)
class Measure:
    """Measure: one drift measure of a batch, its thresholds and its level (ok, warning or alert)."""

    name: str
    value: float
    warning: float
    alert: float
    level: str


@dataclass(frozen=True)
class DriftReport:
    """DriftReport: every measure of one batch; level is the worst of theirs."""

    images: int
    measures: tuple[Measure, ...]
    level: str

    @property
    def alerts(self) -> tuple[Measure, ...]:
        """alerts lists the measures at alert level."""
        return tuple(m for m in self.measures if m.level == "alert")

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1) + "\n"


def check_drift(
    profile: InputProfile, images: NDArray[np.uint8], thresholds: Thresholds = Thresholds()
) -> DriftReport:
    """check_drift measures a batch of uint8 grayscale images [n, height, width] against profile."""
    _check(images)
    brightness, contrast = _brightness_contrast(images)
    values = {
        "gray-level PSI": (_psi(np.asarray(profile.histogram), _histogram(images)), "psi"),
        "brightness shift": (
            abs(brightness.mean() - profile.brightness_mean) / profile.brightness_std,
            "brightness",
        ),
        "contrast change": (
            abs(math.log(max(contrast.mean(), 1e-6) / max(profile.contrast_mean, 1e-6))),
            "contrast",
        ),
    }
    measures = []
    for name, (value, key) in values.items():
        warning, alert = getattr(thresholds, f"{key}_warning"), getattr(thresholds, f"{key}_alert")
        level = "alert" if value >= alert else "warning" if value >= warning else "ok"
        measures.append(Measure(name=name, value=float(value), warning=warning, alert=alert, level=level))
    worst = max((LEVELS.index(m.level) for m in measures), default=0)
    return DriftReport(images=len(images), measures=tuple(measures), level=LEVELS[worst])


def _check(images: NDArray[np.uint8]) -> None:
    if images.dtype != np.uint8 or images.ndim != 3 or len(images) == 0:
        raise ValueError(
            f"images must be a non-empty uint8 array [n, height, width], not {images.dtype} {images.shape}"
        )


def _brightness_contrast(images: NDArray[np.uint8]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    scaled = images.reshape(len(images), -1) / 255.0
    return scaled.mean(axis=1), scaled.std(axis=1)


def _histogram(images: NDArray[np.uint8]) -> NDArray[np.float64]:
    counts = np.bincount((images.ravel() // (256 // BINS)).astype(np.intp), minlength=BINS)
    return np.asarray(counts / counts.sum(), dtype=np.float64)


def _psi(expected: NDArray[np.float64], actual: NDArray[np.float64]) -> float:
    # Empty bins get a small floor so the logarithm stays finite; the usual practice for PSI.
    p, q = np.maximum(expected, 1e-4), np.maximum(actual, 1e-4)
    return float(np.sum((q - p) * np.log(q / p)))
