"""The pipeline's birth certificate from what actually runs (issue 12), never typed by hand.

- Components, in execution order, are the stage modules of STAGES with the organisation that runs each
  (the paper's figure 5): collection (Manufacturer), preprocessing and training and evaluation
  (ModelTrainer), inference (Manufacturer), monitoring (ConditionMonitor).
- Each component's software is read from this environment: the Python that runs it, and every installed
  distribution its module imports, followed through the project's own modules (their source parsed,
  the import statements collected), each at the version installed here (importlib.metadata), bcmlp
  itself included.
- The configuration is every setting the stages run with (training, held-out share, drift thresholds,
  batch size) and the SHA-256 of each stage module's source file, as canonical JSON; the contract keeps
  the text and its digest, so a changed setting or a changed line of code is a new pipeline.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import importlib.util
import json
import platform
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

from gateway.ledger import Component, SoftwareVersion

OWN = ("pipeline", "gateway")


@dataclass(frozen=True)
class Stage:
    """Stage is one component of the pipeline: where it runs, what it does, its code."""

    name: str
    stage: str  # the contract's stage
    owner: str  # the organisation that runs it
    modules: tuple[str, ...]
    steps: tuple[str, ...]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    runs_model: bool = False


STAGES = (
    Stage(
        "collect",
        "collection",
        "Manufacturer",
        ("pipeline.synthetic", "pipeline.records"),
        ("capture surface images", "attach workpiece, process and order data"),
        ("raw-data",),
        ("raw-data",),
    ),
    Stage(
        "preprocess",
        "preprocessing",
        "ModelTrainer",
        ("pipeline.dataset",),
        ("check and label images by class folder", "split training and held-out images"),
        ("raw-data",),
        ("dataset",),
    ),
    Stage(
        "train",
        "training",
        "ModelTrainer",
        ("pipeline.train", "pipeline.model"),
        ("train the CNN deterministically", "save the model with its card"),
        ("dataset",),
        ("model",),
        runs_model=True,
    ),
    Stage(
        "evaluate",
        "training",
        "ModelTrainer",
        ("pipeline.evaluate",),
        ("score held-out images", "draw the confusion matrix"),
        ("dataset", "model"),
        ("report",),
        runs_model=True,
    ),
    Stage(
        "inspect",
        "inference",
        "Manufacturer",
        ("pipeline.certified", "pipeline.infer"),
        ("refuse uncertified models and out-of-bounds input", "quality index and sort-out per workpiece"),
        ("raw-data",),
        ("inference-results",),
        runs_model=True,
    ),
    Stage(
        "monitor",
        "monitoring",
        "ConditionMonitor",
        ("pipeline.monitor",),
        ("compare input with the training images", "warn and alert on drift"),
        ("raw-data",),
        ("report",),
        runs_model=True,
    ),
)


def _source(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ValueError(f"module {module} is not installed here")
    return Path(spec.origin)


@cache
def _imports(module: str) -> frozenset[str]:
    """_imports are the top-level names module imports, with those of the project's modules it imports."""
    tree = ast.parse(_source(module).read_text(), filename=str(_source(module)))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    found = {name.split(".")[0] for name in names}
    for name in names:
        if name.split(".")[0] in OWN and name != module and importlib.util.find_spec(name) is not None:
            found |= _imports(name)
    return frozenset(found)


def software(modules: tuple[str, ...]) -> list[SoftwareVersion]:
    """software is the Python running here and each installed distribution modules import (sorted)."""
    by_module = importlib.metadata.packages_distributions()
    # The stage modules are bcmlp's own code, so bcmlp is always part of what runs.
    versions = {"python": platform.python_version(), "bcmlp": importlib.metadata.version("bcmlp")}
    for name in sorted(set().union(*(_imports(m) for m in modules))):
        if name in sys.stdlib_module_names or name == "__future__":
            continue
        for distribution in by_module.get(name, []) if name not in OWN else []:
            versions[distribution] = importlib.metadata.version(distribution)
    return [SoftwareVersion(name, version) for name, version in sorted(versions.items())]


def components(model_cert: str, stages: tuple[Stage, ...] = STAGES) -> list[Component]:
    """components are stages (default: every stage) as the contract records them, the model
    certificate model_cert on each component that runs the model."""
    return [
        Component(
            s.name,
            s.stage,
            s.owner,
            list(s.steps),
            software(s.modules),
            list(s.inputs),
            list(s.outputs),
            model=model_cert if s.runs_model else "",
        )
        for s in stages
    ]


def configuration(settings: Mapping[str, Any]) -> str:
    """configuration is settings (dataclasses or JSON values by name) with the SHA-256 of each stage
    module's source, as canonical JSON."""
    code = {
        module: hashlib.sha256(_source(module).read_bytes()).hexdigest()
        for stage in STAGES
        for module in stage.modules
    }
    values = {name: asdict(v) if hasattr(v, "__dataclass_fields__") else v for name, v in settings.items()}
    return json.dumps({"settings": values, "code": code}, sort_keys=True, separators=(",", ":"))
