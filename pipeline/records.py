"""The surface classes and the data recorded with each surface image: process data of the machine
(process and tool parameters), workpiece data and order data (quality requirement, material), as the
paper's figure 4 lists them, and the metadata file that carries them beside a NEU-layout folder.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

# The six defect classes of the NEU surface defect database, spelt as its class folders are, then ours.
NEU_CLASSES = ("crazing", "inclusion", "patches", "pitted_surface", "rolled-in_scale", "scratches")
DEFECT_FREE = "defect-free"
# A label is an index into CLASSES: the order is fixed so that a label means the same class everywhere.
CLASSES = (*NEU_CLASSES, DEFECT_FREE)

METADATA_FILE = "metadata.json"
METADATA_FORMAT = "bcmlp-surfaces/1"


class MetadataError(ValueError):
    """MetadataError: a metadata file that cannot be read as METADATA_FORMAT; the message names the
    file and the field."""


# Fields of the records below are in a fixed order and serialised in that order: the metadata file is
# hashed when a data-collection phase is certified, so the same records must give the same bytes.
@dataclass(frozen=True)
class ProcessData:
    """ProcessData: the machine's process and tool parameters while the workpiece was made."""

    machine_id: str
    tool_id: str
    tool_wear: float  # fraction of the tool's life used, 0 (new) to 1 (due for change)
    speed_m_per_min: float
    feed_mm: float
    temperature_c: float


@dataclass(frozen=True)
class OrderData:
    """OrderData: the customer order a workpiece belongs to. A workpiece whose quality index is below
    min_quality_index does not meet the order's quality requirement and is sorted out."""

    order_id: str
    material: str
    quality_requirement: str
    min_quality_index: float


@dataclass(frozen=True)
class WorkpieceData:
    """WorkpieceData: the workpiece and its surface image (path relative to the folder's root)."""

    workpiece_id: str
    image: str
    width: int
    height: int


@dataclass(frozen=True)
class SurfaceRecord:
    """SurfaceRecord: one surface image with its label (a name in CLASSES) and its data."""

    label: str
    workpiece: WorkpieceData
    process: ProcessData
    order: OrderData


def write_metadata(root: Path, records: list[SurfaceRecord], *, generator: dict[str, Any]) -> Path:
    """write_metadata writes root/METADATA_FILE: the generator's parameters and every record, in order."""
    document = {
        "format": METADATA_FORMAT,
        "generator": generator,
        "records": [asdict(record) for record in records],
    }
    path = root / METADATA_FILE
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    return path


def read_metadata(root: Path) -> tuple[dict[str, Any], list[SurfaceRecord]]:
    """read_metadata reads root/METADATA_FILE and returns the generator's parameters and the records.

    Raises MetadataError naming the field that is missing or of the wrong type."""
    path = root / METADATA_FILE
    try:
        document = json.loads(path.read_text())
    except FileNotFoundError:
        raise MetadataError(
            f"{path}: no metadata file (a real NEU folder has none; only generated sets do)"
        ) from None
    except (OSError, ValueError) as error:
        raise MetadataError(f"{path}: not readable as JSON: {error}") from error
    if not isinstance(document, dict) or document.get("format") != METADATA_FORMAT:
        raise MetadataError(f"{path}: format must be {METADATA_FORMAT!r}")
    generator = document.get("generator")
    if not isinstance(generator, dict):
        raise MetadataError(f"{path}: generator must be an object")
    raw = document.get("records")
    if not isinstance(raw, list):
        raise MetadataError(f"{path}: records must be a list")
    records = []
    for index, item in enumerate(raw):
        where = f"{path}: records[{index}]"
        if not isinstance(item, dict):
            raise MetadataError(f"{where} must be an object")
        label = item.get("label")
        if label not in CLASSES:
            raise MetadataError(f"{where}.label must be one of {', '.join(CLASSES)}, not {label!r}")
        records.append(
            SurfaceRecord(
                label=label,
                workpiece=_record(WorkpieceData, item, "workpiece", where),
                process=_record(ProcessData, item, "process", where),
                order=_record(OrderData, item, "order", where),
            )
        )
    return generator, records


_JSON_TYPES: dict[str, type | tuple[type, ...]] = {"str": str, "float": (int, float), "int": int}


def _record(kind: type[T], item: dict[str, Any], key: str, where: str) -> T:
    value = item.get(key)
    if not isinstance(value, dict):
        raise MetadataError(f"{where}.{key} must be an object")
    fields = kind.__dataclass_fields__  # type: ignore[attr-defined]
    values: dict[str, Any] = {}
    for name, field in fields.items():
        if name not in value:
            raise MetadataError(f"{where}.{key}.{name} is missing")
        expected = _JSON_TYPES[str(field.type)]
        if not isinstance(value[name], expected) or isinstance(value[name], bool):
            raise MetadataError(f"{where}.{key}.{name} must be a {field.type}, not {value[name]!r}")
        values[name] = float(value[name]) if field.type == "float" else value[name]
    return kind(**values)
