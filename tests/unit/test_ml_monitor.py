"""The monitoring stage: quiet on images of the line the model was trained on, alerting on a
brighter lamp and on lost contrast; bad thresholds and inputs refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.dataset import LabelledImage, load_images, scan_folder, split_folder
from pipeline.monitor import InputProfile, Thresholds, check_drift
from pipeline.synthetic import GeneratorParams, write_surface_set


def generated(label_images: tuple[LabelledImage, ...]) -> np.ndarray:
    return load_images([image.path for image in label_images])


def test_monitor_is_quiet_on_the_same_line_and_alerts_on_a_shifted_one(tmp_path: Path) -> None:
    write_surface_set(tmp_path / "set", GeneratorParams(seed=4, per_class=12))
    reference, batch = split_folder(scan_folder(tmp_path / "set"), held_out=0.3, seed=0)
    profile = InputProfile.from_images(generated(reference))
    assert InputProfile.from_json(profile.to_json()) == profile
    images = generated(batch)
    same = check_drift(profile, images)
    assert same.level == "ok", same
    # A brighter lamp: every gray level up by 40.
    brighter = check_drift(profile, np.clip(images.astype(np.int16) + 40, 0, 255).astype(np.uint8))
    assert brighter.level == "alert"
    assert {m.name for m in brighter.alerts} >= {"gray-level PSI", "brightness shift"}
    # A lens out of focus: contrast halves around the same mean.
    mean = images.mean(axis=(1, 2), keepdims=True)
    blurred = check_drift(profile, np.round(mean + (images - mean) * 0.5).astype(np.uint8))
    assert "contrast change" in {m.name for m in blurred.alerts}
    assert '"level": "alert"' in brighter.to_json()


def test_monitor_refuses_bad_thresholds_and_inputs() -> None:
    with pytest.raises(ValueError, match="psi: need 0 < warning"):
        Thresholds(psi_warning=0.3, psi_alert=0.2)
    with pytest.raises(ValueError, match="uint8"):
        InputProfile.from_images(np.zeros((3, 4, 4), dtype=np.float32))
    with pytest.raises(ValueError, match="at least two"):
        InputProfile.from_images(np.zeros((1, 4, 4), dtype=np.uint8))
