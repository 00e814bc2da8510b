"""Training runs (data scientists): a member of registry role data-scientist asks its organisation's
service to train the inspection model on a dataset artifact of a project; the service does so, one run at
a time, and records the trained model as a new artifact signed by that member, its parent the dataset.

- Submitting is refused before anything runs, each with its own code: no TensorFlow on this service
  (501 training_unavailable: the `ml` extra is not installed), a caller of another role (403
  not_a_data_scientist), a run id already used in the project (409 run_exists), a model artifact id
  already recorded (409 artifact_exists), a dataset that is no dataset or raw-data artifact (422
  not_a_dataset) or not a tar archive (422 not_an_archive; plain or gzip-compressed, of a NEU-layout
  folder: one sub-folder per class), a dataset whose data key the caller holds no copy of (403
  no_data_key), or a full queue (429; at most QUEUE_BOUND runs wait).
- A run: the dataset's plaintext is read through the organisation's Kubo node, decrypted and checked
  against its recorded SHA-256 as it streams; unpacked (members, links and paths outside the folder
  refused: tarfile's "data" filter); trained by `python -m pipeline.train` in a child process, so the
  service itself never loads TensorFlow and a crash of the training loses the run, not the service;
  then the model file is stored and recorded (record_or_remove: a record the ledger refuses is unpinned
  again). A run that fails anywhere records nothing and says where it failed; its files are removed.
- Runs are kept in the service's memory: a restarted service forgets its runs (the models they recorded
  stay on the ledger, under their ids). Every signed-in member of the organisation may read the runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import importlib.util
import json
import os
import re
import sys
import tarfile
import tempfile
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gateway.api.callers import Caller
from gateway.api.problems import ApiError
from gateway.api.science import source
from gateway.artifacts.errors import ArtifactError
from gateway.artifacts.keys import KeyWrapError
from gateway.artifacts.project_keys import current_data_key, data_key_for_epoch
from gateway.artifacts.recording import record_or_remove
from gateway.artifacts.store import ArtifactStore
from gateway.ledger import Artifact, LedgerError

QUEUE_BOUND = 4
DATASET_KINDS = ("dataset", "raw-data")
ARCHIVE_TYPES = ("application/x-tar", "application/gzip", "application/x-gzip")
MODEL_MEDIA_TYPE = "application/zip"  # a .keras file is a zip archive
_EPOCH = re.compile(r"epoch (\d+)/(\d+):")


def training_available() -> bool:
    """training_available is whether this environment can train (the `ml` extra is installed)."""
    return importlib.util.find_spec("tensorflow") is not None


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


@dataclass
class Run:
    """Run is one training run and how far it got."""

    run_id: str
    project: str
    member_id: str
    dataset: str
    model_artifact_id: str
    config: dict[str, Any]
    status: str = "queued"  # queued, running, succeeded, failed
    epoch: int = 0
    epochs: int = 0
    error: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    transaction_id: str = ""
    submitted_at: str = field(default_factory=_now)
    finished_at: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "runId": self.run_id,
            "project": self.project,
            "memberId": self.member_id,
            "datasetArtifactId": self.dataset,
            "modelArtifactId": self.model_artifact_id,
            "config": self.config,
            "status": self.status,
            "epoch": self.epoch,
            "epochs": self.epochs,
            "error": self.error,
            "result": self.result,
            "transactionId": self.transaction_id,
            "submittedAt": self.submitted_at,
            "finishedAt": self.finished_at,
        }


@dataclass(frozen=True)
class _Job:
    """_Job is a queued run with what submitting it found: the caller, its store, the dataset's record
    (records are immutable) and the data key that opens it."""

    run: Run
    who: Caller
    store: ArtifactStore
    dataset: Artifact
    key: bytes


class RunFailed(Exception):
    """RunFailed ends a run: where it failed and why."""


def _flags(config: dict[str, Any]) -> list[str]:
    names = {
        "epochs": "--epochs",
        "batchSize": "--batch-size",
        "learningRate": "--learning-rate",
        "imageSize": "--image-size",
        "width": "--width",
        "seed": "--seed",
        "heldOut": "--held-out",
    }
    return [flag for key, option in names.items() if key in config for flag in (option, str(config[key]))]


def _data_root(folder: Path) -> Path:
    """_data_root is the NEU-layout folder in an unpacked archive: the archive's root, or its one folder."""
    entries = [e for e in folder.iterdir() if not e.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir() and any(e.is_dir() for e in entries[0].iterdir()):
        return entries[0]
    return folder


class TrainingRuns:
    """TrainingRuns queues and runs one organisation's training runs (module doc)."""

    def __init__(self, *, home: str, work_dir: Path | None = None, bound: int = QUEUE_BOUND) -> None:
        self.home = home
        self.work_dir = work_dir
        self.bound = bound
        self._runs: dict[tuple[str, str], Run] = {}
        self._queue: deque[_Job] = deque()
        self._wake = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self._child: asyncio.subprocess.Process | None = None

    def get(self, project: str, run_id: str) -> Run:
        run = self._runs.get((project, run_id))
        if run is None:
            raise ApiError(
                404, "not_found", f"project {project} has no training run {run_id!r} on this service"
            )
        return run

    def runs(self, project: str) -> list[Run]:
        return [run for (p, _), run in self._runs.items() if p == project]

    async def submit(self, who: Caller, store: ArtifactStore, project: str, body: dict[str, Any]) -> Run:
        """submit checks the request (module doc) and queues the run."""
        if not training_available():
            raise ApiError(
                501,
                "training_unavailable",
                "this service cannot train: TensorFlow is not installed with it (the `ml` extra)",
            )
        if who.standing.role != "data-scientist":
            raise ApiError(
                403,
                "not_a_data_scientist",
                f"member {who.member_id} is of role {who.standing.role}: training runs are submitted by "
                "members of role data-scientist",
            )
        run_id = body["runId"]
        if (project, run_id) in self._runs:
            raise ApiError(409, "run_exists", f"project {project} already has training run {run_id!r}")
        provenance = who.ledger.provenance(project)
        dataset = await provenance.get_artifact(body["datasetArtifactId"])
        if dataset.kind not in DATASET_KINDS:
            raise ApiError(
                422,
                "not_a_dataset",
                f"artifact {dataset.artifact_id} is of kind {dataset.kind}, not {' or '.join(DATASET_KINDS)}",
            )
        if dataset.media_type not in ARCHIVE_TYPES:
            raise ApiError(
                422,
                "not_an_archive",
                f"artifact {dataset.artifact_id} is {dataset.media_type}; a training run reads a tar archive "
                f"({', '.join(ARCHIVE_TYPES)}) of a folder with one sub-folder of images per class",
            )
        model_id = body["modelArtifactId"]
        try:
            await provenance.get_artifact(model_id)
        except LedgerError as error:
            if "does not exist" not in error.said:
                raise
        else:
            raise ApiError(
                409, "artifact_exists", f"artifact {model_id} is already recorded: name the model anew"
            )
        try:
            key = await data_key_for_epoch(who.ledger, project, who.keyring, dataset.wrapped_key_epoch)
        except KeyWrapError as error:
            raise ApiError(403, "no_data_key", str(error)) from None
        if len(self._queue) >= self.bound:
            raise ApiError(
                429, "too_many_requests", f"{self.bound} training runs are waiting: submit again later"
            )
        config = dict(body.get("config", {}))
        run = Run(run_id, project, who.member_id, dataset.artifact_id, model_id, config)
        run.epochs = int(config.get("epochs", 12))
        self._runs[(project, run_id)] = run
        self._queue.append(_Job(run, who, store, dataset, key))
        self._wake.set()
        if self._worker is None:
            self._worker = asyncio.create_task(self._work())
        return run

    async def close(self) -> None:
        """close stops the worker and any training child."""
        if self._child is not None and self._child.returncode is None:
            self._child.kill()
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker

    async def _work(self) -> None:
        while True:
            while not self._queue:
                self._wake.clear()
                await self._wake.wait()
            job = self._queue.popleft()
            run = job.run
            run.status = "running"
            try:
                await self._run(job)
            except RunFailed as failed:
                run.status, run.error = "failed", str(failed)
            except Exception as error:  # a run's failure never stops the worker
                run.status, run.error = "failed", f"{type(error).__name__}: {error}"
            else:
                run.status = "succeeded"
            run.finished_at = _now()

    async def _run(self, job: _Job) -> None:
        run, who, store = job.run, job.who, job.store
        provenance = who.ledger.provenance(run.project)
        with tempfile.TemporaryDirectory(prefix="bcmlp-run-", dir=self.work_dir) as tmp:
            folder = Path(tmp)
            archive = folder / "dataset"
            try:
                stored, via = source(who, store, job.dataset, self.home)
            except ApiError as error:
                raise RunFailed(f"reading the dataset: {error.detail}") from None
            try:
                with archive.open("wb") as sink:
                    async for chunk in store.read(stored, job.key, via=via):
                        sink.write(chunk)
            except ArtifactError as error:
                raise RunFailed(f"reading the dataset: {error}") from None
            data = folder / "data"
            try:
                with tarfile.open(archive) as tar:
                    tar.extractall(data, filter="data")
            except (tarfile.TarError, OSError) as error:
                raise RunFailed(f"unpacking the dataset: {error}") from None
            archive.unlink()
            out = folder / "model"
            await self._train(run, _data_root(data), out)
            model_file = out / "model.keras"
            try:
                epoch, current = await current_data_key(who.ledger, run.project, who.keyring)
                model = await store.put_file(run.model_artifact_id, model_file, current, home=self.home)
            except (KeyWrapError, ArtifactError) as error:
                raise RunFailed(f"storing the model: {error}") from None
            if model.sha256 != run.result.get("modelSha256"):
                await store.remove(model)
                raise RunFailed("storing the model: the stored file is not the one training reported")
            try:
                committed = await record_or_remove(
                    provenance,
                    store,
                    model,
                    kind="model",
                    media_type=MODEL_MEDIA_TYPE,
                    wrapped_key_epoch=epoch,
                    parents=(run.dataset,),
                )
            except LedgerError as error:
                raise RunFailed(
                    f"recording the model (unpinned again): {' | '.join(error.reasons)}"
                ) from None
            run.transaction_id = committed.transaction_id

    async def _train(self, run: Run, data: Path, out: Path) -> None:
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "pipeline.train",
            str(data),
            str(out),
            *_flags(run.config),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        self._child = child
        said: deque[str] = deque(maxlen=20)

        async def progress() -> None:
            assert child.stdout is not None
            async for raw in child.stdout:
                line = raw.decode(errors="replace").strip()
                if found := _EPOCH.match(line):
                    run.epoch, run.epochs = int(found.group(1)), int(found.group(2))
                elif line.startswith('{"result"'):
                    run.result = json.loads(line)["result"]

        async def errors() -> None:
            assert child.stderr is not None
            async for raw in child.stderr:
                said.append(raw.decode(errors="replace").rstrip())

        await asyncio.gather(progress(), errors())
        code = await child.wait()
        self._child = None
        if code != 0:
            reason = next(
                (line for line in reversed(said) if line.startswith("python -m pipeline.train")), ""
            )
            raise RunFailed(f"training (exit {code}): {reason or ' / '.join(list(said)[-3:])}")
        if not run.result:
            raise RunFailed("training: it ended without reporting its result")
