"""Fixtures of the inspection-pipeline tests: a tiny synthetic set and a model trained on it once per
session, in seconds (one epoch of 42 images at 32 x 32). TensorFlow is imported only when a test asks
for them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pipeline.dataset import SurfaceFolder
    from pipeline.model import TrainingConfig
    from pipeline.train import TrainingResult


@pytest.fixture(scope="session")
def tiny_config() -> TrainingConfig:
    from pipeline.model import TrainingConfig

    return TrainingConfig(epochs=1, batch_size=8, learning_rate=1e-2, image_size=32, width=4, seed=11)


@pytest.fixture(scope="session")
def tiny_set(tmp_path_factory: pytest.TempPathFactory) -> SurfaceFolder:
    from pipeline.dataset import scan_folder
    from pipeline.synthetic import GeneratorParams, write_surface_set

    root = tmp_path_factory.mktemp("surfaces") / "set"
    write_surface_set(root, GeneratorParams(seed=1, per_class=6))
    return scan_folder(root)


@pytest.fixture(scope="session")
def trained(
    tiny_set: SurfaceFolder, tiny_config: TrainingConfig, tmp_path_factory: pytest.TempPathFactory
) -> TrainingResult:
    from pipeline.train import train

    out_dir: Path = tmp_path_factory.mktemp("model")
    return train(tiny_set, tiny_set.images, config=tiny_config, out_dir=out_dir, progress=None)
