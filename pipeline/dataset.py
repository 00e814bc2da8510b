"""Surface-image folders in the NEU surface defect database's layout, and the tf.data input pipeline
that feeds them to the model.

A folder holds one sub-folder per class, named as NEU names them (crazing, inclusion, patches,
pitted_surface, rolled-in_scale, scratches) or defect-free, our seventh; any subset of them will do.
Images are BMP, PNG or JPEG files, 8-bit grayscale or colour (colour is converted to grayscale). Any
size is accepted and resized to the model's input, which is what the model sees anyway; the aspect
ratio is not kept, so non-square images are stretched (NEU's are 200 x 200). Hidden files are skipped;
anything else is refused by name, as is an unknown class folder, an empty one or an image that does
not decode: scan_folder reads every image once, so a bad file is named before training starts rather
than failing somewhere inside TensorFlow.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf
from numpy.typing import NDArray
from PIL import Image, UnidentifiedImageError

from pipeline.records import CLASSES

IMAGE_SUFFIXES = (".bmp", ".png", ".jpg", ".jpeg")
# 8-bit grayscale and colour; a palette image is accepted only when its palette is a gray ramp, since
# TensorFlow decodes an 8-bit BMP's indices and ignores its palette.
ACCEPTED_MODES = ("L", "RGB", "RGBA")


class DatasetError(ValueError):
    """DatasetError: a surface folder that cannot be used; the message names the path and the fix."""


@dataclass(frozen=True)
class LabelledImage:
    """LabelledImage: one image file and its class, a name in CLASSES."""

    path: Path
    label: str


@dataclass(frozen=True)
class SurfaceFolder:
    """SurfaceFolder: the images of a NEU-layout folder, sorted by class (in CLASSES order) and name.

    classes lists the classes present, in CLASSES order; a model trained on the folder predicts these.
    """

    root: Path
    images: tuple[LabelledImage, ...]
    classes: tuple[str, ...]

    def digest(self) -> str:
        """digest is images_sha256 of every image of the folder: its identity as a data-collection
        phase would record it."""
        return images_sha256(self.images, self.root)

    def counts(self) -> dict[str, int]:
        """counts maps each class present to its number of images."""
        return {label: sum(1 for image in self.images if image.label == label) for label in self.classes}


def images_sha256(images: tuple[LabelledImage, ...], root: Path) -> str:
    """images_sha256 is the sha256 over each image's class, path relative to root and content sha256,
    one line each, in order: it changes when any image, label or the selection does."""
    outer = hashlib.sha256()
    for image in images:
        inner = hashlib.sha256(image.path.read_bytes()).hexdigest()
        outer.update(f"{image.label}\t{image.path.relative_to(root).as_posix()}\t{inner}\n".encode())
    return outer.hexdigest()


def scan_folder(root: Path) -> SurfaceFolder:
    """scan_folder lists and checks every image under root; raises DatasetError naming what is wrong."""
    if not root.is_dir():
        raise DatasetError(f"{root}: no such folder; give a folder with one sub-folder per class")
    folders = sorted(entry for entry in root.iterdir() if entry.is_dir() and not entry.name.startswith("."))
    unknown = [folder.name for folder in folders if folder.name not in CLASSES]
    if unknown:
        raise DatasetError(
            f"{root}: unknown class folder(s) {', '.join(unknown)}: class folders must be named "
            f"{', '.join(CLASSES)} (NEU's names, and defect-free)"
        )
    if not folders:
        raise DatasetError(f"{root}: no class folders; expected some of {', '.join(CLASSES)}")
    present = {folder.name: folder for folder in folders}
    classes = tuple(label for label in CLASSES if label in present)
    images: list[LabelledImage] = []
    for label in classes:
        files = sorted(entry for entry in present[label].iterdir() if not entry.name.startswith("."))
        if not files:
            raise DatasetError(f"{present[label]}: class folder without images; remove it or add images")
        for path in files:
            _check_image(path)
            images.append(LabelledImage(path=path, label=label))
    return SurfaceFolder(root=root, images=tuple(images), classes=classes)


def _check_image(path: Path) -> None:
    if not path.is_file() or path.suffix.lower() not in IMAGE_SUFFIXES:
        raise DatasetError(
            f"{path}: not an image file; class folders hold only {', '.join(IMAGE_SUFFIXES)} files"
        )
    try:
        with Image.open(path) as image:
            image.load()
            mode, palette = image.mode, image.getpalette() if image.mode == "P" else None
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as error:
        raise DatasetError(f"{path}: unreadable image ({error}); replace or remove the file") from error
    gray_ramp = palette is not None and palette[: 3 * 256] == [v for v in range(256) for _ in range(3)]
    if mode not in ACCEPTED_MODES and not gray_ramp:
        raise DatasetError(
            f"{path}: image mode {mode} is not supported; save it as 8-bit grayscale (mode L) or RGB"
        )


def split_folder(
    folder: SurfaceFolder, *, held_out: float, seed: int
) -> tuple[tuple[LabelledImage, ...], tuple[LabelledImage, ...]]:
    """split_folder splits the images into a training and a held-out part, held_out of each class
    (rounded, at least one image when a class has two or more) drawn by seed."""
    if not 0 < held_out < 1:
        raise ValueError(f"held_out must lie strictly between 0 and 1, not {held_out}")
    rng = np.random.default_rng(seed)
    train: list[LabelledImage] = []
    test: list[LabelledImage] = []
    for label in folder.classes:
        members = [image for image in folder.images if image.label == label]
        order = rng.permutation(len(members))
        count = max(1, round(held_out * len(members))) if len(members) > 1 else 0
        test.extend(members[i] for i in sorted(order[:count]))
        train.extend(members[i] for i in sorted(order[count:]))
    return tuple(train), tuple(test)


def preprocess(images: tf.Tensor, image_size: int) -> tf.Tensor:
    """preprocess turns uint8 grayscale images ([..., height, width, 1]) into the model's input:
    float32 in [0, 1], image_size x image_size. Training and inference both go through it."""
    resized = tf.image.resize(tf.cast(images, tf.float32), (image_size, image_size), method="area")
    return resized / 255.0


def _decode(path: tf.Tensor) -> tf.Tensor:
    image = tf.io.decode_image(tf.io.read_file(path), channels=0, expand_animations=False)
    channels = tf.shape(image)[-1]
    return tf.cond(
        channels == 1,
        lambda: image,
        lambda: tf.cast(tf.image.rgb_to_grayscale(image[..., :3]), tf.uint8),
    )


def _augment(image: tf.Tensor, seeds: tf.Tensor) -> tf.Tensor:
    # The dihedral group of the square: a surface defect keeps its class under flips and quarter turns
    # (strips are photographed both ways round). Stateless ops so the same seed gives the same batches
    # whatever the thread schedule.
    image = tf.image.stateless_random_flip_left_right(image, seeds[0])
    image = tf.image.stateless_random_flip_up_down(image, seeds[1])
    turns = tf.random.stateless_uniform([], seeds[2], minval=0, maxval=2, dtype=tf.int32)
    return tf.image.rot90(image, k=turns)


def surface_dataset(
    images: tuple[LabelledImage, ...],
    classes: tuple[str, ...],
    *,
    image_size: int,
    batch_size: int,
    seed: int,
    training: bool,
) -> tf.data.Dataset:
    """surface_dataset is the input pipeline: decode, resize (preprocess), cache in memory; when
    training, shuffle by seed each epoch and augment on the fly; then batch and prefetch. Elements are
    (images [batch, size, size, 1] float32, labels [batch] int32, an index into classes)."""
    unknown = sorted({image.label for image in images} - set(classes))
    if unknown:
        raise DatasetError(f"labels {', '.join(unknown)} are not among the model's classes {classes}")
    if not images:
        raise DatasetError("no images to feed: the folder or its split is empty")
    paths = tf.constant([str(image.path) for image in images])
    labels = tf.constant([classes.index(image.label) for image in images], dtype=tf.int32)
    dataset = (
        tf.data.Dataset.from_tensor_slices((paths, labels))
        .map(
            lambda path, label: (preprocess(_decode(path), image_size), label),
            num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=True,
        )
        .cache()
    )
    if training:
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(6)
        shuffled = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
        dataset = tf.data.Dataset.zip((shuffled, seeds)).map(
            lambda element, s: (_augment(element[0], tf.reshape(s, (3, 2))), element[1]),
            num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=True,
        )
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def load_images(paths: list[Path]) -> NDArray[np.uint8]:
    """load_images reads image files as one uint8 array [n, height, width] of grayscale, as the
    inspection station hands them over; all must have the same size."""
    arrays = []
    for path in paths:
        _check_image(path)
        with Image.open(path) as image:
            arrays.append(np.asarray(image.convert("L"), dtype=np.uint8))
    if len({array.shape for array in arrays}) > 1:
        raise DatasetError("images of different sizes: inspect them in separate batches")
    return np.stack(arrays) if arrays else np.zeros((0, 0, 0), dtype=np.uint8)
