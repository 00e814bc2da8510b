"""The training stage on a tiny synthetic set: the same seed gives the same weights (another seed
other weights), the model card records what made the model, progress is shown per epoch, a saved
model loads only under its digest, and retraining continues from a model and names it."""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from pipeline.dataset import SurfaceFolder
from pipeline.model import (
    ModelCard,
    ModelDigestMismatch,
    TrainingConfig,
    card_path,
    load_model,
    weights_sha256,
)
from pipeline.records import CLASSES
from pipeline.train import TrainingResult, train


def test_same_seed_gives_the_same_weights(
    tiny_set: SurfaceFolder, trained: TrainingResult, tmp_path: Path, tiny_config: TrainingConfig
) -> None:
    again = train(tiny_set, tiny_set.images, config=tiny_config, out_dir=tmp_path / "again", progress=None)
    assert again.card.weights_sha256 == trained.card.weights_sha256
    first, second = (load_model(r.model_path, expected_sha256=r.card.sha256)[0] for r in (trained, again))
    for a, b in zip(first.weights, second.weights, strict=True):
        assert np.array_equal(np.asarray(a), np.asarray(b)), a.path
    other = train(
        tiny_set,
        tiny_set.images,
        config=replace(tiny_config, seed=12),
        out_dir=tmp_path / "other",
        progress=None,
    )
    assert other.card.weights_sha256 != trained.card.weights_sha256


def test_the_card_records_what_made_the_model(
    trained: TrainingResult, tiny_set: SurfaceFolder, tiny_config: TrainingConfig
) -> None:
    card = ModelCard.read(card_path(trained.model_path))
    assert card == trained.card
    assert card.classes == CLASSES and card.image_size == 32 and card.config == tiny_config
    assert card.data["training_images"] == len(tiny_set.images) and len(card.data["training_sha256"]) == 64
    assert card.device.kind in ("cpu", "gpu") and card.versions["tensorflow"]
    assert trained.images_per_second > 0 and trained.history["loss"]


def test_progress_is_shown_one_line_per_epoch(
    tiny_set: SurfaceFolder, tmp_path: Path, tiny_config: TrainingConfig
) -> None:
    shown = io.StringIO()
    train(
        tiny_set,
        tiny_set.images[::4],
        config=replace(tiny_config, epochs=2),
        out_dir=tmp_path,
        progress=shown,
    )
    lines = shown.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["epoch 1/2", "epoch 2/2"]
    assert "images/s" in lines[0] and "accuracy" in lines[0]


def test_a_model_loads_only_under_its_digest(trained: TrainingResult, tmp_path: Path) -> None:
    model, card = load_model(trained.model_path, expected_sha256=trained.card.sha256)
    assert weights_sha256(model) == card.weights_sha256
    with pytest.raises(ModelDigestMismatch, match="refusing to load"):
        load_model(trained.model_path, expected_sha256="0" * 64)
    with pytest.raises(ValueError, match="64 lowercase hex"):
        load_model(trained.model_path, expected_sha256="abc")
    # A changed byte, or a card that describes other bytes, is refused too.
    copy = tmp_path / "model.keras"
    content = bytearray(trained.model_path.read_bytes())
    content[len(content) // 2] ^= 1
    copy.write_bytes(bytes(content))
    card_path(copy).write_text(card_path(trained.model_path).read_text())
    with pytest.raises(ModelDigestMismatch):
        load_model(copy, expected_sha256=trained.card.sha256)
    with pytest.raises(ModelDigestMismatch, match="describes a model of sha256"):
        load_model(copy, expected_sha256=hashlib.sha256(bytes(content)).hexdigest())


def test_retraining_continues_and_names_its_parent(
    trained: TrainingResult, tiny_set: SurfaceFolder, tmp_path: Path, tiny_config: TrainingConfig
) -> None:
    parent = load_model(trained.model_path, expected_sha256=trained.card.sha256)
    result = train(
        tiny_set, tiny_set.images, config=tiny_config, out_dir=tmp_path, retrain_from=parent, progress=None
    )
    assert result.card.parent_sha256 == trained.card.sha256
    assert result.card.weights_sha256 != trained.card.weights_sha256
    with pytest.raises(ValueError, match="train a new model instead"):
        train(
            tiny_set,
            tiny_set.images,
            config=replace(tiny_config, image_size=40),
            out_dir=tmp_path,
            retrain_from=parent,
        )


def test_the_command_line_reports_its_result_or_exits_2_naming_the_input(
    tiny_set: SurfaceFolder, trained: TrainingResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """python -m pipeline.train, which the gateway's training runs start: one JSON result line last;
    exit 2 with the reason for a folder that is no dataset, a bad setting or a model of another digest."""
    import json

    from pipeline.train import main

    assert main([str(tmp_path / "nothing"), str(tmp_path / "out")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert main([str(tiny_set.root), str(tmp_path / "out"), "--epochs", "0"]) == 2
    assert "epochs must be at least 1" in capsys.readouterr().err
    retrain = ["--retrain", str(trained.model_path), "--retrain-sha256", "0" * 64]
    assert main([str(tiny_set.root), str(tmp_path / "out"), *retrain]) == 2
    assert "0" * 64 in capsys.readouterr().err
    flags = ["--epochs", "1", "--image-size", "32", "--width", "4", "--batch-size", "8", "--seed", "11"]
    assert main([str(tiny_set.root), str(tmp_path / "out"), *flags]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("epoch 1/1:")
    result = json.loads(lines[-1])["result"]
    model = tmp_path / "out" / "model.keras"
    assert result["modelSha256"] == hashlib.sha256(model.read_bytes()).hexdigest()
    assert result["trainingImages"] + result["heldOutImages"] == len(tiny_set.images)
    assert result["card"] == json.loads((tmp_path / "out" / "model.json").read_text())
