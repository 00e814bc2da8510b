"""The procedural generator of surface images: deterministic by seed (and whatever the number of
worker processes), each defect visible and of its own kind, the set in NEU's layout with its process,
workpiece and order data, and metadata errors named by field."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from skimage import measure

from pipeline.records import CLASSES, NEU_CLASSES, MetadataError, read_metadata
from pipeline.synthetic import (
    DEFECTS,
    SIZE,
    GeneratorParams,
    surface_image,
    surface_texture,
    write_surface_set,
)


def test_same_seed_same_image_and_another_seed_another() -> None:
    for label in CLASSES:
        first = surface_image(label, seed=7, index=3)
        assert first.shape == (SIZE, SIZE) and first.dtype == np.uint8
        assert np.array_equal(first, surface_image(label, seed=7, index=3))
        assert not np.array_equal(first, surface_image(label, seed=8, index=3))
        assert not np.array_equal(first, surface_image(label, seed=7, index=4))


def defect_mask(label: str, index: int) -> np.ndarray:
    """defect_mask is where drawing label's defect changed the texture by at least 0.1 (of full scale)."""
    rng = np.random.default_rng([99, index])
    texture = surface_texture(rng)
    drawn = texture.copy()
    DEFECTS[label](drawn, rng)
    return np.asarray(np.abs(drawn - texture) >= 0.1)


@pytest.mark.parametrize("label", NEU_CLASSES)
def test_every_defect_is_visible(label: str) -> None:
    for index in range(8):
        assert defect_mask(label, index).mean() >= 0.002, f"{label} {index} draws almost nothing"


def test_defects_have_their_own_shapes() -> None:
    def mean(label: str, measure_of: Callable[[np.ndarray], float]) -> float:
        return float(np.mean([measure_of(defect_mask(label, i)) for i in range(8)]))

    def area(mask: np.ndarray) -> float:
        return float(mask.mean())

    def spots(mask: np.ndarray) -> float:
        return float(measure.label(mask).max())

    def spread(mask: np.ndarray) -> float:
        # How many of the 4x4 tiles of the image the defect reaches.
        tiles = mask.reshape(4, SIZE // 4, 4, SIZE // 4).any(axis=(1, 3))
        return float(tiles.sum())

    # Patches cover large areas, inclusions small ones; pits are many separate spots; crazing spreads
    # over the whole surface, an inclusion stays local.
    assert mean("patches", area) > 3 * mean("inclusion", area)
    assert mean("pitted_surface", spots) > 3 * mean("inclusion", spots)
    assert mean("crazing", spread) > 12 > mean("inclusion", spread)
    # A scratch is long and thin: it reaches many tiles with little area.
    assert mean("scratches", spread) > mean("inclusion", spread)
    assert mean("scratches", area) < mean("patches", area)


def test_generated_set_has_the_neu_layout_and_its_data(tmp_path: Path) -> None:
    root = tmp_path / "set"
    records = write_surface_set(root, GeneratorParams(seed=3, per_class=2))
    assert sorted(p.name for p in root.iterdir()) == sorted([*CLASSES, "metadata.json"])
    assert len(records) == 2 * len(CLASSES)
    generator, read = read_metadata(root)
    assert read == records and generator["seed"] == 3 and generator["per_class"] == 2
    first = records[0]
    assert (root / first.workpiece.image).is_file() and first.label == "crazing"
    assert 0 <= first.process.tool_wear <= 1 and first.order.min_quality_index in (0.5, 0.8, 0.95)
    # Same parameters again: kept as it is; other parameters on the same folder: refused.
    assert write_surface_set(root, GeneratorParams(seed=3, per_class=2)) == records
    with pytest.raises(FileExistsError, match="choose an empty folder"):
        write_surface_set(root, GeneratorParams(seed=4, per_class=2))


def test_the_set_is_the_same_whatever_the_number_of_workers(tmp_path: Path) -> None:
    params = GeneratorParams(seed=9, per_class=2, image_format="bmp")
    one, two = tmp_path / "one", tmp_path / "two"
    assert write_surface_set(one, params, workers=1) == write_surface_set(two, params, workers=2)
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert len(files) == 2 * len(CLASSES) + 1 and str(files[0]).endswith(".bmp")
    assert all((one / f).read_bytes() == (two / f).read_bytes() for f in files)


def test_metadata_errors_name_the_field(tmp_path: Path) -> None:
    root = tmp_path / "set"
    write_surface_set(root, GeneratorParams(seed=1, per_class=1))
    document = json.loads((root / "metadata.json").read_text())
    del document["records"][2]["process"]["tool_wear"]
    (root / "metadata.json").write_text(json.dumps(document))
    with pytest.raises(MetadataError, match=r"records\[2\]\.process\.tool_wear is missing"):
        read_metadata(root)
    document["records"][2]["process"]["tool_wear"] = "worn"
    (root / "metadata.json").write_text(json.dumps(document))
    with pytest.raises(MetadataError, match=r"tool_wear must be a float"):
        read_metadata(root)
    with pytest.raises(MetadataError, match="no metadata file"):
        read_metadata(tmp_path)
