"""The surface-inspection model: its configuration, the device it runs on, the small Keras CNN, and the
model card written beside every saved model.

The card records, with the model file's sha256, everything that went into it (classes, input size,
configuration, data digest, device, library versions, the model it was retrained from), so that a
certified digest always comes with the parameters that produced it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import platform
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

CARD_FORMAT = "bcmlp-surface-model/1"


@dataclass(frozen=True)
class TrainingConfig:
    """TrainingConfig: every setting of a training run. The defaults train the seven synthetic classes
    to at least 99 % held-out accuracy in about two minutes on two CPU cores."""

    epochs: int = 12
    batch_size: int = 32
    learning_rate: float = 4e-3  # the peak; it decays along a cosine to 2 % of it by the last step
    image_size: int = 64
    width: int = 12  # filters of the first convolution block; each later block doubles them
    seed: int = 0
    # Same seed, same weights: seeds Python, NumPy and TensorFlow and makes every op deterministic.
    # Op determinism is process-wide once on (TensorFlow cannot turn it off again).
    deterministic: bool = True

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size", "image_size", "width"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")
        if self.image_size < 16:
            raise ValueError(f"image_size must be at least 16 (three poolings), not {self.image_size}")
        if not 0 < self.learning_rate < 1:
            raise ValueError(f"learning_rate must lie in (0, 1), not {self.learning_rate}")


@dataclass(frozen=True)
class Device:
    """Device: where the model runs. On a GPU, mixed precision (float16 compute, float32 weights) and
    XLA compilation; on a CPU neither, since neither is faster there for a model this small."""

    kind: str  # "gpu" or "cpu"
    name: str
    mixed_precision: bool
    jit_compile: bool


def select_device(config: TrainingConfig) -> Device:
    """select_device seeds everything (and, in deterministic mode, turns on op determinism), picks the
    first GPU TensorFlow sees, else the CPU, and sets Keras's precision policy to match."""
    keras.utils.set_random_seed(config.seed)
    if config.deterministic:
        tf.config.experimental.enable_op_determinism()
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        for gpu in gpus:
            # RuntimeError: already initialised by an earlier run in this process; the setting stands.
            with contextlib.suppress(RuntimeError):
                tf.config.experimental.set_memory_growth(gpu, True)
        keras.mixed_precision.set_global_policy("mixed_float16")
        details = tf.config.experimental.get_device_details(gpus[0])
        return Device("gpu", str(details.get("device_name", gpus[0].name)), True, True)
    keras.mixed_precision.set_global_policy("float32")
    return Device("cpu", _cpu_name(), False, False)


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def build_model(classes: tuple[str, ...], config: TrainingConfig) -> keras.Model:
    """build_model returns the CNN for classes: four convolution blocks (batch-normalised), global
    average and max pooling side by side (a single small defect should count as much as a spread one),
    and a softmax over the classes computed in float32 whatever the precision policy. No dropout: with
    augmentation the model underfits rather than overfits in a run this short."""
    inputs = keras.Input((config.image_size, config.image_size, 1), name="surface")
    # Surface images sit around mid-gray with a spread of about 0.1, so centred and scaled here. Left at
    # [0, 1], each first-block channel's mean is large against its spread and moves as the weights
    # learn; batch normalisation's moving averages lagged behind it, and the trained model answered
    # mostly one or two classes in inference mode (41 % held out where training reported 94 %).
    # Every layer is named: Keras would number unnamed ones by a process-wide counter, so a second
    # model built in the same process would get other names in its saved file and its weight paths.
    x = keras.layers.Normalization(mean=0.5, variance=0.01, name="centre")(inputs)
    for block in range(1, 5):
        x = keras.layers.Conv2D(
            config.width * 2 ** (block - 1), 3, padding="same", use_bias=False, name=f"block{block}_conv"
        )(x)
        # Momentum 0.9: a training run here is a few hundred steps, too short for the default 0.99.
        x = keras.layers.BatchNormalization(momentum=0.9, name=f"block{block}_norm")(x)
        x = keras.layers.ReLU(name=f"block{block}_relu")(x)
        if block < 4:
            x = keras.layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
    pooled = keras.layers.Concatenate(name="pooled")(
        [
            keras.layers.GlobalAveragePooling2D(name="average")(x),
            keras.layers.GlobalMaxPooling2D(name="peak")(x),
        ]
    )
    outputs = keras.layers.Dense(len(classes), activation="softmax", dtype="float32", name="classes")(pooled)
    return keras.Model(inputs, outputs, name="surface_inspection")


def file_sha256(path: Path) -> str:
    """file_sha256 is the hex sha256 of the file's bytes: the digest a model certificate records."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for piece in iter(lambda: file.read(1 << 20), b""):
            digest.update(piece)
    return digest.hexdigest()


def weights_sha256(model: keras.Model) -> str:
    """weights_sha256 is the sha256 over every weight array's shape and bytes, in layer order. Unlike
    the .keras file's digest (the archive holds the time it was saved) it is the same for two runs that
    computed the same weights."""
    digest = hashlib.sha256()
    for weight in model.weights:
        array = np.ascontiguousarray(keras.ops.convert_to_numpy(weight))
        digest.update(f"{weight.path}:{array.dtype}:{array.shape}\n".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class ModelCard:
    """ModelCard: what a saved model is and what produced it; written as <model>.json beside it."""

    sha256: str
    weights_sha256: str
    classes: tuple[str, ...]
    image_size: int
    config: TrainingConfig
    device: Device
    data: dict[str, Any]
    versions: dict[str, str] = field(default_factory=dict)
    parent_sha256: str | None = None  # the model it was retrained from

    def to_json(self) -> str:
        return json.dumps({"format": CARD_FORMAT, **asdict(self)}, indent=1) + "\n"

    @classmethod
    def read(cls, path: Path) -> ModelCard:
        """read loads a card written by to_json; raises ValueError naming the file when it is not one."""
        try:
            raw = json.loads(path.read_text())
            if raw.pop("format") != CARD_FORMAT:
                raise ValueError(f"format is not {CARD_FORMAT}")
            return cls(
                sha256=raw["sha256"],
                weights_sha256=raw["weights_sha256"],
                classes=tuple(raw["classes"]),
                image_size=int(raw["image_size"]),
                config=TrainingConfig(**raw["config"]),
                device=Device(**raw["device"]),
                data=dict(raw["data"]),
                versions=dict(raw["versions"]),
                parent_sha256=raw["parent_sha256"],
            )
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}: not a model card of format {CARD_FORMAT}: {error}") from error


class ModelDigestMismatch(ValueError):
    """ModelDigestMismatch: a model file whose sha256 is not the one expected; it was not loaded."""

    def __init__(self, message: str, *, path: Path, expected: str, actual: str) -> None:
        super().__init__(message)
        self.path, self.expected, self.actual = path, expected, actual


def load_model(path: Path, *, expected_sha256: str) -> tuple[keras.Model, ModelCard]:
    """load_model loads the model saved at path, and its card, only if the file's sha256 is
    expected_sha256 (a certified digest; for an uncertified baseline, the card's own) and the card
    describes that file; otherwise raises ModelDigestMismatch and loads nothing.

    The bytes that were hashed are the bytes loaded (from a private copy), so the file cannot be
    swapped between the check and the load. Keras's safe mode stays on: no code in the file runs."""
    if len(expected_sha256) != 64 or any(c not in "0123456789abcdef" for c in expected_sha256):
        raise ValueError(f"expected_sha256 must be 64 lowercase hex digits, not {expected_sha256!r}")
    content = path.read_bytes()
    actual = hashlib.sha256(content).hexdigest()
    if actual != expected_sha256:
        raise ModelDigestMismatch(
            f"{path}: sha256 {actual} is not the expected {expected_sha256}; refusing to load it",
            path=path,
            expected=expected_sha256,
            actual=actual,
        )
    card = ModelCard.read(card_path(path))
    if card.sha256 != actual:
        raise ModelDigestMismatch(
            f"{card_path(path)} describes a model of sha256 {card.sha256}, not {path} ({actual})",
            path=path,
            expected=card.sha256,
            actual=actual,
        )
    with tempfile.TemporaryDirectory(prefix="bcmlp-model-") as private:
        copy = Path(private) / "model.keras"
        copy.write_bytes(content)
        model = keras.models.load_model(copy, compile=False)
    return model, card


def card_path(model_path: Path) -> Path:
    """card_path is where the card of the model saved at model_path lives: model.keras → model.json."""
    return model_path.with_suffix(".json")


def library_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
    }
