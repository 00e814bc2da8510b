"""The certified surface-inspection pipeline end to end, as `make demo` runs it on a project channel of the
four organisations (the paper's section 6 and figure 5).

Each stage acts through its organisation's gateway service as the member that owns it (pipeline/service.py),
so every record is signed by that member's own key:

1. provisioning (the consortium's admins, gateway/provision.py): a company member of the Manufacturer,
   a data scientist of the ModelTrainer, a condition monitor of the ConditionMonitor and a quality
   auditor of QualityControl, each enrolled, approved, listed on the project and in its service's wallet;
2. collection (Manufacturer): the synthetic surface set with its process, workpiece and order data,
   recorded as raw data with declared bounds (each frame's mean gray level, as the line camera gave
   them); the model's birth certificate opened; phases requirements and data collection;
3. preparation (ModelTrainer): the raw set read back through its own service, every image checked by
   the loader and its label against the collection's record; recorded as the dataset; phases data
   cleaning, data labelling, feature engineering;
4. training (ModelTrainer): a training run of its service (the model recorded as the scientist's) and its
   card; phase training;
5. evaluation (ModelTrainer): accuracy, per-class precision and recall and the confusion matrix on the
   held-out images, recorded as numbers and as a picture; phase evaluation; the training part of the
   pipeline's birth certificate, read from what runs (pipeline/birth.py);
6. deployment (Manufacturer): phase deployment, citing that pipeline certificate;
7. monitoring set-up (ConditionMonitor): the profile of the training images and the alert thresholds;
   phase monitoring;
8. review (QualityControl): the labels and the evaluation rated through the QC routes;
9. certification: founders who wrote no phase approve through their own services until certified; the
   whole pipeline's birth certificate recorded;
10. inspection (Manufacturer): the engine opens the model only under its certificate (a swapped model
    file and a black frame are refused first, to show it), inspects a batch of new workpieces (quality
    index, sort-out per order), records the results and their Merkle root; one workpiece's proof is
    checked with `bcmlp verify workpiece`, and a changed verdict fails it;
11. monitoring (ConditionMonitor): the new frames against the training profile, recorded as a report;
12. trust aggregation (an admin's snapshot job rounds, gateway/cli/snapshot.py) once the period with
    the ratings has closed, when the consortium's period is short enough to wait for (`make demo`
    founds its consortium with one of DEMO_PERIOD_SECONDS; one founded with a day's waits for the job);
13. audit: the quality auditor's reports of the deployed model and of the workpiece's results, as HTML
    under run/reports/, and a summary: what each stage recorded, the scores, and the share of the
    pipeline's time spent waiting for the ledger and storage (certification).

Ids carry a run tag, so that the demonstration runs again on the same network. Exit 0 when every step
held, 1 when a step failed (its error printed), 2 on a project it cannot run on.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import io
import json
import math
import os
import secrets
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from gateway import runtime
from gateway.batches import batch_proofs, canonical
from gateway.cli.client import Refused
from gateway.cli.snapshot import due, run_round
from gateway.consortium import Consortium, ConsortiumError, load_consortium
from gateway.ledger import Component, DataBounds, LedgerError
from gateway.provision import PlannedMember, Provisioned, Provisioner, ProvisionError, company_certificate_id
from gateway.usability import Usability
from pipeline import birth
from pipeline.certified import CertifiedInspector, InferenceRefused
from pipeline.dataset import DatasetError, SurfaceFolder, load_images, scan_folder, split_folder
from pipeline.evaluate import Evaluation, confusion_picture, evaluate
from pipeline.model import TrainingConfig, load_model
from pipeline.monitor import InputProfile, Thresholds, check_drift
from pipeline.records import CLASSES, MetadataError, read_metadata
from pipeline.service import MemberService
from pipeline.synthetic import HELD_OUT, REFERENCE, GeneratorParams, write_surface_set

T = TypeVar("T")
ORGANISATIONS = ("Manufacturer", "ModelTrainer", "ConditionMonitor", "QualityControl")
MEMBERS = {
    "Manufacturer": PlannedMember(
        "Manufacturer",
        "demo-line-owner",
        "company",
        {"legalEntity": "Manufacturer GmbH", "companyCertificate": ""},
    ),
    "ModelTrainer": PlannedMember(
        "ModelTrainer",
        "demo-scientist",
        "data-scientist",
        {
            "identity": "Dana Weber",
            "affiliation": "ModelTrainer",
            "companyCertificate": "",
            "expertiseDegree": "master",
            "workExperienceYears": 6,
        },
    ),
    "ConditionMonitor": PlannedMember(
        "ConditionMonitor",
        "demo-monitor",
        "condition-monitor",
        {"identity": "Mo Berger", "affiliation": "ConditionMonitor", "companyCertificate": ""},
    ),
    "QualityControl": PlannedMember(
        "QualityControl",
        "demo-auditor",
        "quality-auditor",
        {"identity": "Quinn Roth", "affiliation": "QualityControl", "companyCertificate": ""},
    ),
}
# The founders who approve the certificate: none of them writes a phase.
APPROVERS = ("QualityControl", "ConditionMonitor", "ModelTrainer", "Manufacturer")
# Trust aggregation is awaited only when the period is at most this long.
MAX_PERIOD_WAIT = 300
TAR = "application/x-tar"


class StepFailed(Exception):
    """StepFailed is a stage that could not do its work: which and why."""


@dataclass(frozen=True)
class Settings:
    """Settings are what the demonstration runs with (its command line)."""

    project: str
    per_class: int = REFERENCE.per_class
    line_per_class: int = 10
    training: TrainingConfig = field(default_factory=TrainingConfig)
    seed: int = REFERENCE.seed
    work: Path | None = None  # default: <run>/demo


@dataclass
class Run:
    """Run is what the stages made and measured, in the order they made it."""

    tag: str
    started: float = field(default_factory=time.monotonic)
    ids: dict[str, str] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    waiting_seconds: float = 0.0  # spent waiting for a period to close (not the pipeline's work)

    def say(self, line: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f} s] {line}", flush=True)


def tar_folder(root: Path) -> bytes:
    """tar_folder is root's class folders and metadata file as a tar archive, in a fixed order."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            info = tar.gettarinfo(str(path), arcname=str(path.relative_to(root)))
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            with path.open("rb") as data:
                tar.addfile(info, data)
    return out.getvalue()


def untar(content: bytes, into: Path) -> Path:
    """untar unpacks an archive of a surface folder into into (tarfile's data filter: nothing outside it)."""
    with tarfile.open(fileobj=io.BytesIO(content)) as tar:
        tar.extractall(into, filter="data")
    return into


def class_metrics(evaluation: Evaluation) -> dict[str, str]:
    """class_metrics are each class's precision and recall as the evaluation phase records metrics
    (name to decimal string); a class nothing was predicted as has no precision."""
    metrics = {}
    for score in evaluation.per_class:
        for name, value in (("precision", score.precision), ("recall", score.recall)):
            if value is not None:
                metrics[f"{name}.{score.label}"] = f"{value:.4f}"
    return metrics


def component_json(component: Component) -> dict[str, Any]:
    return {
        "name": component.name,
        "stage": component.stage,
        "owner": component.owner,
        "steps": list(component.steps),
        "software": [{"name": s.name, "version": s.version} for s in component.software],
        "inputs": list(component.inputs),
        "outputs": list(component.outputs),
        "model": component.model,
    }


class Demo:
    """Demo runs the stages of the module's doc for one project, as the provisioned members."""

    def __init__(self, consortium: Consortium, settings: Settings, run: Run) -> None:
        self.consortium, self.settings, self.run = consortium, settings, run
        self.project = settings.project
        self.work = (settings.work or consortium.run_dir / "demo") / run.tag
        self.members: dict[str, Provisioned] = {}
        self.services: dict[str, MemberService] = {}
        self.founders: dict[str, MemberService] = {}
        self.certificates: dict[str, str] = {}

    def id(self, name: str) -> str:
        return self.run.ids.setdefault(name, f"{name}-{self.run.tag}")

    async def stage(self, name: str, work: Awaitable[T]) -> T:
        started = time.monotonic()
        try:
            return await work
        finally:
            self.run.stage_seconds[name] = self.run.stage_seconds.get(name, 0.0) + time.monotonic() - started

    # 1. provisioning

    async def provision(self, provisioner: Provisioner) -> None:
        for org in ORGANISATIONS:
            member = await provisioner.member(MEMBERS[org])
            self.members[org] = member
            self.certificates[org] = company_certificate_id(org)
            done = "; ".join(member.done) or "ready from before"
            self.run.say(f"{member.plan.member_id} ({member.plan.role} of {org}): {done}")
        await provisioner.founders_in_wallets()
        epoch = await provisioner.key_epoch("Manufacturer")
        if epoch is not None:
            self.run.say(f"data key epoch {epoch} of {self.project} recorded for every listed member")
        for org, member in self.members.items():
            self.services[org] = MemberService(
                self.consortium, org, member.plan.member_id, member.identity_dir, self.project
            )
        for org in APPROVERS:
            self.founders[org] = MemberService(
                self.consortium,
                org,
                provisioner.founder_ids[org],
                self.consortium.organisation(org).admin_dir,
                self.project,
            )

    async def close(self) -> None:
        for service in (*self.services.values(), *self.founders.values()):
            await service.close()

    # 2. collection (Manufacturer)

    async def collect(self) -> dict[str, Any]:
        owner = self.services["Manufacturer"]
        params = GeneratorParams(seed=self.settings.seed, per_class=self.settings.per_class)
        surfaces = self.work.parent / f"surfaces-{params.seed}-{params.per_class}"
        records = await asyncio.to_thread(write_surface_set, surfaces, params)
        images = await asyncio.to_thread(load_images, [surfaces / r.workpiece.image for r in records])
        # The declared range: the frames' mean gray levels as collected, widened by a tenth of their
        # span on each side (the line's lighting varies a little more than one collection shows), so
        # that a dark or blown-out frame is refused but the next day's strips are not.
        means = images.reshape(len(images), -1).mean(axis=1)
        margin = (means.max() - means.min()) / 10
        bounds = DataBounds(
            "line camera 1",
            "gray-mean",
            Decimal(max(0, math.floor(means.min() - margin))),
            Decimal(min(255, math.ceil(means.max() + margin))),
        )
        raw = self.id("surfaces")
        archive = await asyncio.to_thread(tar_folder, surfaces)
        committed = await owner.upload(raw, archive, kind="raw-data", media_type=TAR, bounds=bounds)
        self.run.say(
            f"Manufacturer recorded {raw}: {len(records)} surface images of {len(CLASSES)} classes with "
            f"process, workpiece and order data ({len(archive) / 1e6:.1f} MB), "
            f"bounds {bounds.minimum}..{bounds.maximum} "
            f"({bounds.data_type}), tx {committed['transactionId'][:12]}"
        )
        cert = self.id("surface-cnn")
        await owner.call(
            "POST",
            f"{owner.base}/models",
            {"certId": cert, "modelName": "surface-cnn", "version": self.run.tag},
        )
        requirements = {
            order.quality_requirement: order.min_quality_index for order in (r.order for r in records)
        }
        await self.phase(
            "Manufacturer",
            "requirements",
            {
                "goals": "sort out strips whose surface does not meet their order's quality requirement ("
                + ", ".join(f"{k}: quality index at least {v}" for k, v in sorted(requirements.items()))
                + ")",
                "decisions": f"a CNN over {len(CLASSES)} surface classes; quality index = P(defect-free)",
            },
        )
        await self.phase(
            "Manufacturer",
            "data-collection",
            {
                "acquisition": "line camera after the last rolling stand, 200 x 200 px, 8-bit gray",
                "sensors": "line camera 1; process data of the mill per workpiece",
                "environment": {
                    "processData": [f.name for f in dataclasses.fields(records[0].process)],
                    "images": str(len(records)),
                    "generator": dataclasses.asdict(params),
                },
            },
            (raw,),
        )
        return {"records": len(records), "bounds": bounds}

    async def phase(
        self, org: str, name: str, fields: dict[str, Any], artifacts: tuple[str, ...] = ()
    ) -> None:
        committed = await self.services[org].phase(
            self.id("surface-cnn"), name, fields, artifacts, self.certificates[org]
        )
        member = self.members[org].plan.member_id
        self.run.say(f"  phase {name} by {member} of {org}, tx {committed['transactionId'][:12]}")

    # 3. preparation (ModelTrainer)

    async def prepare(self) -> SurfaceFolder:
        scientist = self.services["ModelTrainer"]
        archive = await scientist.content(self.id("surfaces"))
        data = await asyncio.to_thread(untar, archive, self.work / "data")
        try:
            folder = await asyncio.to_thread(scan_folder, data)
            _, records = read_metadata(data)
        except (DatasetError, MetadataError) as error:
            raise StepFailed(f"the raw set does not load: {error}") from None
        mislabelled = [r.workpiece.image for r in records if not r.workpiece.image.startswith(f"{r.label}/")]
        if mislabelled or len(records) != len(folder.images):
            raise StepFailed(
                f"labels disagree with the collection's record: {len(mislabelled)} images in another class's "
                f"folder, {len(folder.images)} images for {len(records)} records"
            )
        dataset = self.id("dataset")
        committed = await scientist.upload(
            dataset,
            archive,
            kind="dataset",
            media_type=TAR,
            parents=(self.id("surfaces"),),
            request_feedback=True,
        )
        self.run.say(
            f"ModelTrainer checked {len(folder.images)} images (decoded, 200 x 200 gray, labels as recorded) "
            f"and recorded {dataset}, tx {committed['transactionId'][:12]}"
        )
        await self.phase(
            "ModelTrainer",
            "data-cleaning",
            {
                "method": "every image decoded and checked for size and channels; none dropped",
                "software": " ".join(f"{s.name} {s.version}" for s in birth.software(("pipeline.dataset",))),
                "parameters": {"images": str(len(folder.images)), "dropped": "0"},
            },
            (dataset,),
        )
        await self.phase(
            "ModelTrainer",
            "data-labelling",
            {
                "method": "class folders of the NEU layout, checked against the collection's records",
                "instructions": "one class per image: six defect classes or defect-free",
                "labeller": "Manufacturer's line inspectors; reviewed by QualityControl",
            },
        )
        training = self.settings.training
        await self.phase(
            "ModelTrainer",
            "feature-engineering",
            {
                "augmentation": "random flips, quarter turns, brightness and contrast (pipeline/dataset.py)",
                "parameters": {"imageSize": str(training.image_size)},
            },
        )
        return folder

    # 4. training (ModelTrainer)

    async def train(self) -> dict[str, Any]:
        scientist = self.services["ModelTrainer"]
        config = self.settings.training
        run_id, model = self.id("train"), self.id("model")
        body = {
            "runId": run_id,
            "datasetArtifactId": self.id("dataset"),
            "modelArtifactId": model,
            "config": {
                "epochs": config.epochs,
                "batchSize": config.batch_size,
                "learningRate": config.learning_rate,
                "imageSize": config.image_size,
                "width": config.width,
                "seed": config.seed,
                "heldOut": HELD_OUT,
            },
        }
        await scientist.call("POST", f"{scientist.base}/training-runs", body)
        seen = 0
        while True:
            state = await scientist.call("GET", f"{scientist.base}/training-runs/{run_id}")
            if state["epoch"] > seen:
                seen = state["epoch"]
                self.run.say(f"  training run {run_id}: epoch {seen}/{state['epochs']}")
            if state["status"] in ("succeeded", "failed"):
                break
            await asyncio.sleep(1.0)
        if state["status"] != "succeeded":
            raise StepFailed(f"training run {run_id} failed: {state['error']}")
        result = state["result"]
        card = self.id("model-card")
        await scientist.upload(
            card,
            json.dumps(result["card"], indent=1).encode(),
            kind="configuration",
            media_type="application/json",
            parents=(model,),
        )
        self.run.say(
            f"ModelTrainer's service trained {model} in {result['seconds']:.0f} s "
            f"({result['imagesPerSecond']:.0f} images/s) and recorded it as "
            f"{self.members['ModelTrainer'].plan.member_id}'s, tx {state['transactionId'][:12]}; card {card}"
        )
        await self.phase(
            "ModelTrainer",
            "training",
            {
                "hyperparameters": body["config"],
                "software": " ".join(f"{k} {v}" for k, v in sorted(result["card"]["versions"].items())),
            },
            (model, card),
        )
        return dict(result)

    async def model_files(self, service: MemberService, into: Path) -> tuple[Path, str]:
        """model_files reads the model and its card through service (verified against their records)
        into into/, and answers the model's path and recorded digest."""
        record = await service.call("GET", f"{service.base}/artifacts/{self.id('model')}")
        into.mkdir(parents=True, exist_ok=True)
        path = into / "model.keras"
        path.write_bytes(await service.content(self.id("model")))
        (into / "model.json").write_bytes(await service.content(self.id("model-card")))
        return path, str(record["sha256"])

    # 5. evaluation (ModelTrainer)

    async def evaluate(self, folder: SurfaceFolder) -> Evaluation:
        scientist = self.services["ModelTrainer"]
        path, digest = await self.model_files(scientist, self.work / "evaluation-model")
        model, card = load_model(path, expected_sha256=digest)
        _, held_out = split_folder(folder, held_out=HELD_OUT, seed=self.settings.training.seed)
        evaluation = await asyncio.to_thread(evaluate, model, card, held_out)
        numbers, picture = self.id("evaluation"), self.id("confusion-matrix")
        await scientist.upload(
            numbers,
            evaluation.to_json().encode(),
            kind="report",
            media_type="application/json",
            parents=(self.id("model"), self.id("dataset")),
            request_feedback=True,
        )
        await scientist.upload(
            picture, confusion_picture(evaluation), kind="report", media_type="image/png", parents=(numbers,)
        )
        self.run.say(
            f"ModelTrainer evaluated {self.id('model')} on {evaluation.images} held-out images: accuracy "
            f"{evaluation.accuracy:.2%}; recorded {numbers} and the confusion matrix {picture}"
        )
        await self.phase(
            "ModelTrainer",
            "evaluation",
            {
                "metrics": {"accuracy": f"{evaluation.accuracy:.4f}", **class_metrics(evaluation)},
            },
            (numbers, picture),
        )
        pipeline = await self.record_pipeline("ModelTrainer", "training-pipeline", birth.STAGES[:4])
        self.run.say(
            f"ModelTrainer recorded the training pipeline's birth certificate {pipeline} (from what ran)"
        )
        return evaluation

    async def record_pipeline(self, org: str, name: str, stages: tuple[birth.Stage, ...]) -> str:
        """record_pipeline records the birth certificate of these stages of the pipeline, as they run here
        (pipeline/birth.py), as org's member; answers its id."""
        service, pipeline = self.services[org], self.id(name)
        await service.call(
            "POST",
            f"{service.base}/pipelines",
            {
                "certId": pipeline,
                "version": self.run.tag,
                "components": [component_json(c) for c in birth.components(self.id("surface-cnn"), stages)],
                "configuration": birth.configuration(self.pipeline_settings()),
            },
        )
        return pipeline

    def pipeline_settings(self) -> dict[str, Any]:
        return {
            "training": self.settings.training,
            "heldOut": HELD_OUT,
            "drift": Thresholds(),
            "batchSize": 64,
        }

    # 6. deployment (Manufacturer) and 7. monitoring set-up (ConditionMonitor)

    async def deploy(self) -> None:
        await self.phase(
            "Manufacturer",
            "deployment",
            {
                "pipelineRef": self.id("training-pipeline"),
            },
        )

    async def monitoring_setup(self) -> InputProfile:
        monitor = self.services["ConditionMonitor"]
        archive = await monitor.content(self.id("dataset"))
        with tempfile.TemporaryDirectory(prefix="bcmlp-monitor-") as tmp:
            folder = scan_folder(untar(archive, Path(tmp)))
            training, _ = split_folder(folder, held_out=HELD_OUT, seed=self.settings.training.seed)
            images = await asyncio.to_thread(load_images, [image.path for image in training])
        profile = InputProfile.from_images(images)
        thresholds = Thresholds()
        recorded = self.id("drift-profile")
        await monitor.upload(
            recorded,
            json.dumps(
                {"profile": json.loads(profile.to_json()), "thresholds": dataclasses.asdict(thresholds)}
            ).encode(),
            kind="configuration",
            media_type="application/json",
            parents=(self.id("dataset"),),
        )
        self.run.say(f"ConditionMonitor profiled {profile.images} training images and recorded {recorded}")
        await self.phase(
            "ConditionMonitor",
            "monitoring",
            {
                "alertThresholds": {k: str(v) for k, v in dataclasses.asdict(thresholds).items()},
            },
            (recorded,),
        )
        return profile

    # 8. review (QualityControl)

    async def review(self, folder: SurfaceFolder, evaluation: Evaluation) -> dict[str, str]:
        auditor = self.services["QualityControl"]
        data = folder.root
        awaiting = await auditor.call("GET", f"{auditor.base}/feedback/awaiting")
        waiting = {item["artifactId"] for item in awaiting["artifacts"]}
        _, records = read_metadata(data)
        # The labelling review: a sample of every class's records, each image in its label's folder.
        sample = records[:: max(1, len(records) // 70)]
        agree = sum(
            (data / r.workpiece.image).is_file() and r.workpiece.image.startswith(f"{r.label}/")
            for r in sample
        )
        scores = {
            self.id("dataset"): (
                "1" if agree == len(sample) else "-0.5",
                f"labelling review: {agree} of {len(sample)} sampled labels agree with the images' classes",
            ),
            self.id("evaluation"): (
                "1" if evaluation.accuracy >= 0.99 else "-0.5",
                f"output check: held-out accuracy {evaluation.accuracy:.2%} against the requirement of 99 %",
            ),
        }
        given = {}
        for record, (score, comment) in scores.items():
            if record not in waiting:
                raise StepFailed(f"{record} does not await feedback: {sorted(waiting)}")
            # A new member's rating weighs its trust (README "Trust rule"): the auditor's counts for
            # nothing until it has earned some, so QualityControl's founder countersigns the review.
            for rater in (auditor, self.founders["QualityControl"]):
                await rater.call(
                    "POST", f"{rater.base}/artifacts/{record}/ratings", {"score": score, "comment": comment}
                )
                self.run.say(f"QualityControl's {rater.member_id} rated {record} {score}: {comment}")
            given[record] = score
        return given

    # 9. certification

    async def certify(self) -> list[str]:
        cert = self.id("surface-cnn")
        approved = []
        for org in APPROVERS:
            founder = self.founders[org]
            await founder.call("POST", f"{founder.base}/models/{cert}/approvals")
            approved.append(founder.member_id)
            status = (await founder.call("GET", f"{founder.base}/models/{cert}"))["status"]
            self.run.say(f"{founder.member_id} approved {cert}: {status}")
            if status == "certified":
                break
        else:
            raise StepFailed(f"{cert} is not certified after every founder approved")
        pipeline = await self.record_pipeline("Manufacturer", "pipeline", birth.STAGES)
        self.run.say(f"Manufacturer recorded the whole pipeline's birth certificate {pipeline}")
        return approved

    # 10. inspection (Manufacturer)

    async def inspect(self) -> dict[str, Any]:
        owner = self.services["Manufacturer"]
        cert = self.id("surface-cnn")
        usability = Usability.from_json(await owner.call("GET", f"{owner.base}/models/{cert}/usability"))
        path, _ = await self.model_files(owner, self.work / "line-model")
        refusals = {}
        swapped = self.work / "swapped" / "model.keras"
        swapped.parent.mkdir(parents=True, exist_ok=True)
        content = bytearray(path.read_bytes())
        content[len(content) // 2] ^= 0xFF
        swapped.write_bytes(bytes(content))
        (swapped.parent / "model.json").write_bytes((path.parent / "model.json").read_bytes())
        try:
            CertifiedInspector.open(usability, swapped)
        except InferenceRefused as refused:
            refusals["swapped model file"] = refused.code
        engine = CertifiedInspector.open(usability, path)
        params = GeneratorParams(seed=self.settings.seed + 1, per_class=self.settings.line_per_class)
        line_dir = self.work.parent / f"line-{params.seed}-{params.per_class}"
        records = await asyncio.to_thread(write_surface_set, line_dir, params)
        images = await asyncio.to_thread(load_images, [line_dir / r.workpiece.image for r in records])
        ids = [r.workpiece.workpiece_id for r in records]
        try:
            engine.inspect(
                np.zeros((1, *images.shape[1:]), np.uint8), workpiece_ids=["black-frame"], min_quality=0.5
            )
        except InferenceRefused as refused:
            refusals["black frame"] = refused.code
        for what, code in refusals.items():
            self.run.say(f"the engine refused the {what}: {code}")
        frames = self.id("line-frames")
        await owner.upload(
            frames, await asyncio.to_thread(tar_folder, line_dir), kind="raw-data", media_type=TAR
        )
        inspections = engine.inspect(
            images, workpiece_ids=ids, min_quality=[r.order.min_quality_index for r in records]
        )
        results = [
            {
                "workpieceId": i.workpiece_id,
                "label": i.label,
                "qualityIndex": f"{i.quality_index:.4f}",
                "minQualityIndex": f"{i.min_quality_index:.2f}",
                "sortOut": i.sort_out,
            }
            for i in inspections
        ]
        batch, results_id = self.id("batch"), self.id("results")
        merkle_root, proofs = batch_proofs(batch, results)
        await owner.upload(
            results_id,
            canonical({"results": results}),
            kind="inference-results",
            media_type="application/json",
            parents=(frames, self.id("model")),
        )
        committed = await owner.call(
            "POST",
            f"{owner.base}/result-batches",
            {
                "batchId": batch,
                "merkleRoot": merkle_root.hex(),
                "size": len(results),
                "resultsArtifactId": results_id,
                "modelCertId": cert,
            },
        )
        proof_dir = self.work / "proofs"
        proof_dir.mkdir(parents=True, exist_ok=True)
        for proof in proofs:
            (proof_dir / f"{proof.workpiece_id}.json").write_text(proof.to_json())
        sorted_out = sum(bool(r["sortOut"]) for r in results)
        right = sum(i.label == r.label for i, r in zip(inspections, records, strict=True))
        self.run.say(
            f"Manufacturer inspected {len(results)} workpieces ({right} of {len(results)} classes right): "
            f"{sorted_out} sorted out; batch {batch} root {merkle_root.hex()[:16]}... recorded, "
            f"tx {committed['transactionId'][:12]}; proofs under {proof_dir}"
        )
        # One workpiece proven as its customer would, and the same proof with its verdict changed.
        chosen = next((p for p in proofs if p.result["sortOut"]), proofs[0])
        verdicts = {
            "as recorded": self.verify_workpiece(
                chosen.workpiece_id, proof_dir / f"{chosen.workpiece_id}.json"
            )
        }
        changed = dataclasses.replace(
            chosen, result={**chosen.result, "sortOut": not chosen.result["sortOut"]}
        )
        altered = self.work / "altered-proof.json"
        altered.write_text(changed.to_json())
        verdicts["verdict changed"] = self.verify_workpiece(chosen.workpiece_id, altered)
        for what, (exit_code, said) in verdicts.items():
            self.run.say(f"bcmlp verify workpiece {chosen.workpiece_id} ({what}): exit {exit_code}, {said}")
        return {
            "workpieces": len(results),
            "sortedOut": sorted_out,
            "right": right,
            "workpiece": chosen.workpiece_id,
            "verdicts": {k: v[0] for k, v in verdicts.items()},
            "refusals": refusals,
        }

    def verify_workpiece(self, workpiece: str, proof: Path) -> tuple[int, str]:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "gateway.cli.bcmlp",
                "verify",
                "workpiece",
                workpiece,
                "--proof",
                str(proof),
                "--project",
                self.project,
                "--organisation",
                "QualityControl",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ},
        )
        said = (proc.stdout or proc.stderr).strip().splitlines()
        return proc.returncode, " ".join(said[0].split()) if said else ""

    # 11. monitoring (ConditionMonitor)

    async def monitor(self, profile: InputProfile) -> str:
        monitor = self.services["ConditionMonitor"]
        archive = await monitor.content(self.id("line-frames"))
        with tempfile.TemporaryDirectory(prefix="bcmlp-line-") as tmp:
            folder = scan_folder(untar(archive, Path(tmp)))
            images = await asyncio.to_thread(load_images, [image.path for image in folder.images])
        report = check_drift(profile, images, Thresholds())
        recorded = self.id("drift-report")
        await monitor.upload(
            recorded,
            report.to_json().encode(),
            kind="report",
            media_type="application/json",
            parents=(self.id("line-frames"), self.id("drift-profile")),
        )
        measures = ", ".join(f"{m.name} {m.value:.3f} {m.level}" for m in report.measures)
        self.run.say(
            f"ConditionMonitor checked {len(images)} line frames for drift ({measures}): {report.level}; "
            f"recorded {recorded}"
        )
        return report.level

    # 12. trust aggregation (an admin's snapshot job)

    async def aggregate(self, provisioner: Provisioner) -> list[str]:
        admin = provisioner.founders[self.consortium.channels[self.project][0]]
        provenance = admin.provenance(self.project)
        clock = await provenance.get_period_clock()
        rated = clock.open_period  # the ratings were counted in the period open now, or an earlier one
        if clock.period_seconds > MAX_PERIOD_WAIT:
            return [
                f"the ratings count in period {rated}; periods here last {clock.period_seconds} s, so the "
                "snapshot job (make snapshot-job) aggregates them when it closes"
            ]
        lines: list[str] = []
        deadline = time.monotonic() + 3 * clock.period_seconds + 120
        while (await admin.registry.get_trust_clock()).latest_period < rated:
            if time.monotonic() > deadline:
                raise StepFailed(f"period {rated} was not applied in time: {'; '.join(lines)}")
            clock = await provenance.get_period_clock()
            wait = max(0.0, due(clock.opened_at, clock.period_seconds, time.time()))
            started = time.monotonic()
            await asyncio.sleep(min(wait, clock.period_seconds) + 0.5)
            self.run.waiting_seconds += time.monotonic() - started
            lines += (await run_round(admin, self.project)).done
        return lines

    # 13. audit

    async def audit(self) -> dict[str, Path]:
        auditor = self.services["QualityControl"]
        reports = self.consortium.run_dir / "reports"
        reports.mkdir(exist_ok=True)
        written = {}
        for subject, record in (("model", self.id("surface-cnn")), ("artifact", self.id("results"))):
            page = await auditor.fetch(f"{auditor.base}/reports/{subject}/{record}", format="html")
            path = reports / f"{subject}-{record}.html"
            path.write_bytes(page)
            written[subject] = path
        return written


async def trust_rows(service: MemberService, members: list[str]) -> dict[str, str]:
    rows = {}
    for member in members:
        row = await service.call("GET", f"/v1/trust/{member}")
        rows[member] = f"{row['trust']} ({row['level']})"
    return rows


async def demo(settings: Settings) -> int:
    consortium = load_consortium()
    project = settings.project
    organisations = consortium.channels.get(project)
    if organisations is None or project == "mainchain":
        print(
            f"project channel {project!r} does not exist: make project NAME={project} ORGS=...",
            file=sys.stderr,
        )
        return 2
    missing = [o for o in ORGANISATIONS if o not in organisations]
    if missing:
        print(
            f"project {project} lacks {', '.join(missing)}: the demonstration needs the four organisations "
            f'{", ".join(ORGANISATIONS)} (make project NAME=... ORGS="{" ".join(ORGANISATIONS)}")',
            file=sys.stderr,
        )
        return 2
    run = Run(secrets.token_hex(3))
    run.say(f"run {run.tag} on project {project}")
    async with Provisioner(consortium, project) as provisioner:
        demo = Demo(consortium, settings, run)
        try:
            await demo.stage("provisioning", demo.provision(provisioner))
            started = time.monotonic()
            await demo.stage("collection", demo.collect())
            folder = await demo.stage("preparation", demo.prepare())
            trained = await demo.stage("training", demo.train())
            evaluation = await demo.stage("evaluation", demo.evaluate(folder))
            await demo.stage("deployment", demo.deploy())
            profile = await demo.stage("monitoring set-up", demo.monitoring_setup())
            rated = await demo.stage("review", demo.review(folder, evaluation))
            approvers = await demo.stage("certification", demo.certify())
            inspected = await demo.stage("inspection", demo.inspect())
            drift = await demo.stage("monitoring", demo.monitor(profile))
            pipeline_seconds = time.monotonic() - started
            ledger_seconds = sum(s.seconds for s in demo.services.values()) + sum(
                s.seconds for s in demo.founders.values()
            )
            members = [m.plan.member_id for m in demo.members.values()]
            before = await trust_rows(demo.services["QualityControl"], members)
            aggregated = await demo.stage("trust aggregation", demo.aggregate(provisioner))
            for line in aggregated:
                run.say(f"snapshot job: {line}")
            after = await trust_rows(demo.services["QualityControl"], members)
            reports = await demo.stage("audit", demo.audit())
        finally:
            await demo.close()
            # The unpacked set and the altered copies were working files; the run keeps its model,
            # proofs and reports (run/demo/<tag>, run/reports).
            for scratch in ("data", "swapped", "altered-proof.json"):
                path = demo.work / scratch
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink(missing_ok=True)
    ok = (
        (evaluation.accuracy >= 0.99 or settings.per_class < REFERENCE.per_class)
        and inspected["verdicts"] == {"as recorded": 0, "verdict changed": 1}
        and set(inspected["refusals"].values())
        == {
            "model_digest_mismatch",
            "input_out_of_bounds",
        }
    )
    print()
    print(f"summary of run {run.tag} on {project}")
    print(f"  model certificate {demo.id('surface-cnn')}: certified by {', '.join(approvers)}")
    print(
        f"  held-out accuracy {evaluation.accuracy:.2%} on {evaluation.images} images; training "
        f"{trained['seconds']:.0f} s, {trained['imagesPerSecond']:.0f} images/s"
    )
    print(f"  ratings: {', '.join(f'{r} {s}' for r, s in rated.items())}")
    for member in members:
        print(f"  trust of {member}: {before[member]} -> {after[member]}")
    print(
        f"  inspection: {inspected['workpieces']} workpieces, {inspected['sortedOut']} sorted out, "
        "refused first: " + ", ".join(f"{k} ({v})" for k, v in inspected["refusals"].items())
    )
    print(
        f"  workpiece {inspected['workpiece']}: proof intact (exit {inspected['verdicts']['as recorded']}), "
        f"altered verdict refused (exit {inspected['verdicts']['verdict changed']})"
    )
    print(f"  drift on the line: {drift}")
    print(f"  audit report of the deployed model: {reports['model']}")
    print(f"  audit report of workpiece {inspected['workpiece']}'s results: {reports['artifact']}")
    stages = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in run.stage_seconds.items())
    print(f"  stages: {stages}")
    print(
        f"  certification: {ledger_seconds:.1f} s of the pipeline's {pipeline_seconds:.1f} s waiting for the "
        f"ledger and storage ({ledger_seconds / pipeline_seconds:.1%}: every record, upload and verified "
        f"download through the services; the trust period's wait and the audit not counted)"
    )
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--project", default="demo", help="project channel of the four organisations (default: demo)"
    )
    defaults = TrainingConfig()
    parser.add_argument(
        "--per-class", type=int, default=REFERENCE.per_class, help="images per class to collect"
    )
    parser.add_argument("--line-per-class", type=int, default=10, help="new workpieces per class to inspect")
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--image-size", type=int, default=defaults.image_size)
    parser.add_argument("--width", type=int, default=defaults.width)
    args = parser.parse_args()
    for name in ("per_class", "line_per_class"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    try:
        training = TrainingConfig(epochs=args.epochs, image_size=args.image_size, width=args.width)
    except ValueError as error:
        parser.error(str(error))
    settings = Settings(args.project, args.per_class, args.line_per_class, training)
    try:
        sys.exit(runtime.run(demo(settings)))
    except (ConsortiumError, LedgerError, ProvisionError, StepFailed, Refused, InferenceRefused) as error:
        print(f"demo: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
