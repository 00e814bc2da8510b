"""The pipeline's birth certificate from what runs (pipeline/birth.py): each component's software is the
installed version of what its modules import, the configuration carries the settings and the digest of
each stage module's source, and changing either changes the certificate."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import platform
from dataclasses import replace

from pipeline import birth
from pipeline.model import TrainingConfig
from pipeline.monitor import Thresholds


def test_software_is_what_each_stage_imports_at_the_installed_version() -> None:
    found = {c.name: {s.name: s.version for s in c.software} for c in birth.components("cert-1")}
    assert list(found) == [s.name for s in birth.STAGES]
    assert found["train"]["keras"] == importlib.metadata.version("keras")
    assert found["collect"]["scikit-image"] == importlib.metadata.version("scikit-image")
    assert "keras" not in found["monitor"] and "scikit-image" not in found["train"]
    for versions in found.values():
        assert versions["python"] == platform.python_version()
        assert versions["bcmlp"] == importlib.metadata.version("bcmlp")
    models = {c.name: c.model for c in birth.components("cert-1")}
    assert models == {
        "collect": "",
        "preprocess": "",
        "train": "cert-1",
        "evaluate": "cert-1",
        "inspect": "cert-1",
        "monitor": "cert-1",
    }


def test_the_configuration_names_every_setting_and_the_code_that_runs() -> None:
    settings = {"training": TrainingConfig(), "heldOut": 0.25, "drift": Thresholds()}
    text = birth.configuration(settings)
    data = json.loads(text)
    assert data["settings"]["training"]["epochs"] == TrainingConfig().epochs
    source = birth._source("pipeline.infer").read_bytes()
    assert data["code"]["pipeline.infer"] == hashlib.sha256(source).hexdigest()
    assert set(data["code"]) == {m for s in birth.STAGES for m in s.modules}
    assert text == birth.configuration(dict(settings))  # canonical: the same settings, the same bytes
    assert text != birth.configuration({**settings, "training": replace(TrainingConfig(), seed=1)})
