"""The loader for NEU-layout folders: a real NEU folder (its class names, 8-bit .bmp files) loads,
colour, JPEG and other sizes are converted and resized, the training pipeline is shuffled, augmented
and seeded, the split is stratified, and every bad input is named with its fix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.dataset import DatasetError, load_images, scan_folder, split_folder, surface_dataset
from pipeline.records import DEFECT_FREE, NEU_CLASSES
from pipeline.synthetic import SIZE, surface_image


def neu_folder(root: Path, per_class: int = 3) -> Path:
    """neu_folder writes a small folder as the NEU database ships it: its six class folders, 200x200
    8-bit grayscale BMP files named as NEU names them, no metadata."""
    for label in NEU_CLASSES:
        (root / label).mkdir(parents=True)
        for index in range(per_class):
            image = Image.fromarray(surface_image(label, seed=5, index=index))
            image.save(root / label / f"{label}_{index + 1}.bmp")
    return root


def test_a_real_neu_layout_loads(tmp_path: Path) -> None:
    root = neu_folder(tmp_path / "NEU-DET")
    (root / "crazing" / ".DS_Store").write_bytes(b"\0")  # hidden files are skipped
    folder = scan_folder(root)
    assert folder.classes == NEU_CLASSES
    assert folder.counts() == dict.fromkeys(NEU_CLASSES, 3)
    dataset = surface_dataset(
        folder.images, folder.classes, image_size=32, batch_size=5, seed=0, training=False
    )
    images, labels = next(iter(dataset))
    assert images.shape == (5, 32, 32, 1) and images.dtype.name == "float32"
    assert float(images.numpy().min()) >= 0.0 and float(images.numpy().max()) <= 1.0
    assert labels.numpy().tolist() == [0, 0, 0, 1, 1]
    total = sum(int(batch[1].shape[0]) for batch in dataset)
    assert total == 18


def test_colour_jpeg_and_other_sizes_are_converted_and_resized(tmp_path: Path) -> None:
    root = tmp_path / "mixed"
    (root / DEFECT_FREE).mkdir(parents=True)
    gray = surface_image(DEFECT_FREE, seed=1, index=0)
    Image.fromarray(gray).convert("RGB").save(root / DEFECT_FREE / "colour.png")
    Image.fromarray(gray).save(root / DEFECT_FREE / "photo.jpg", quality=95)
    Image.fromarray(gray[:100, :150]).save(root / DEFECT_FREE / "small.bmp")
    Image.fromarray(gray).convert("RGB").save(root / DEFECT_FREE / "colour.bmp")
    folder = scan_folder(root)
    assert folder.classes == (DEFECT_FREE,)
    dataset = surface_dataset(
        folder.images, folder.classes, image_size=40, batch_size=8, seed=0, training=False
    )
    images, _ = next(iter(dataset))
    assert images.shape == (4, 40, 40, 1)
    by_name = {image.path.name: i for i, image in enumerate(folder.images)}
    # The colour copies decode to (nearly) the gray original.
    colour, jpeg = images[by_name["colour.png"]].numpy(), images[by_name["photo.jpg"]].numpy()
    assert np.abs(colour - images[by_name["colour.bmp"]].numpy()).max() < 1e-6
    assert np.abs(colour - jpeg).mean() < 0.01


def test_training_pipeline_is_shuffled_augmented_and_seeded(tmp_path: Path) -> None:
    folder = scan_folder(neu_folder(tmp_path / "neu", per_class=4))

    def first_epoch(seed: int) -> tuple[np.ndarray, np.ndarray]:
        dataset = surface_dataset(
            folder.images, folder.classes, image_size=24, batch_size=24, seed=seed, training=True
        )
        images, labels = next(iter(dataset))
        return images.numpy(), labels.numpy()

    images, labels = first_epoch(0)
    again_images, again_labels = first_epoch(0)
    assert np.array_equal(images, again_images) and np.array_equal(labels, again_labels)
    assert labels.tolist() != sorted(labels.tolist())  # shuffled
    other_images, _ = first_epoch(1)
    assert not np.array_equal(images, other_images)
    # Every augmented image is a flip or quarter turn of its plain version: same pixels, moved.
    plain = surface_dataset(
        folder.images, folder.classes, image_size=24, batch_size=24, seed=0, training=False
    )
    plain_images = next(iter(plain))[0].numpy()
    plain_sums = sorted(float(np.round(x.sum(), 3)) for x in plain_images)
    assert sorted(float(np.round(x.sum(), 3)) for x in images) == plain_sums


def test_split_is_stratified_disjoint_and_seeded(tmp_path: Path) -> None:
    folder = scan_folder(neu_folder(tmp_path / "neu", per_class=4))
    train, held_out = split_folder(folder, held_out=0.25, seed=2)
    assert len(held_out) == len(NEU_CLASSES) and len(train) == 3 * len(NEU_CLASSES)
    assert {image.label for image in held_out} == set(NEU_CLASSES)
    assert not {image.path for image in train} & {image.path for image in held_out}
    assert split_folder(folder, held_out=0.25, seed=2) == (train, held_out)
    assert split_folder(folder, held_out=0.25, seed=3) != (train, held_out)


def bad(root: Path) -> str:
    with pytest.raises(DatasetError) as error:
        scan_folder(root)
    return str(error.value)


def test_bad_folders_are_named_with_the_fix(tmp_path: Path) -> None:
    assert "no such folder" in bad(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    assert "no class folders" in bad(tmp_path / "empty")
    root = neu_folder(tmp_path / "neu", per_class=1)
    (root / "Crazing").mkdir()
    message = bad(root)
    assert "unknown class folder(s) Crazing" in message and "pitted_surface" in message
    (root / "Crazing").rmdir()
    (root / DEFECT_FREE).mkdir()
    assert "class folder without images" in bad(root)
    (root / DEFECT_FREE).rmdir()
    (root / "scratches" / "notes.txt").write_text("operator notes")
    assert "notes.txt: not an image file" in bad(root)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("garbage.bmp", b"BM this is not a bitmap", "unreadable image"),
        ("truncated.png", "truncate", "unreadable image"),
        ("palette.png", "palette", "mode P is not supported"),
        ("deep.png", "16-bit", "mode I;16 is not supported"),
    ],
)
def test_bad_images_are_named(tmp_path: Path, name: str, content: bytes | str, expected: str) -> None:
    root = neu_folder(tmp_path / "neu", per_class=1)
    path = root / "inclusion" / name
    gray = surface_image("inclusion", seed=0, index=0)
    if content == "truncate":
        Image.fromarray(gray).save(path)
        path.write_bytes(path.read_bytes()[:2000])
    elif content == "palette":
        Image.fromarray(gray).convert("RGB").quantize(16).save(path)
    elif content == "16-bit":
        Image.fromarray(gray.astype(np.uint16) * 256).save(path)
    else:
        assert isinstance(content, bytes)
        path.write_bytes(content)
    message = bad(root)
    assert str(path) in message and expected in message


def test_load_images_reads_grayscale_batches(tmp_path: Path) -> None:
    root = neu_folder(tmp_path / "neu", per_class=2)
    paths = sorted((root / "patches").iterdir())
    images = load_images(paths)
    assert images.shape == (2, SIZE, SIZE) and images.dtype == np.uint8
    assert np.array_equal(images[0], surface_image("patches", seed=5, index=0))
