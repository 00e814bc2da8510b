"""`make demo`'s pipeline (pipeline/demo.py) on the session's network, small enough to train in seconds:
a project channel of the four organisations, its members provisioned, every stage through its owner's
gateway service, the nine phases in order by their owners, certification by founders who wrote none, a
swapped model file and a black frame refused, a workpiece's proof verifying and failing once its verdict
changes, the ratings aggregated into the trust table, and the audit reports written as HTML; then a second
run on the same network reusing the members. A project without the four organisations is refused."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.report import PHASES
from tests.conftest import ROOT
from tests.integration.conftest import PROJECT, RunningNetwork
from tests.integration.founding import Governance

SURFACES = "surfaces"
ORGS = "Manufacturer ModelTrainer ConditionMonitor QualityControl"
SMALL = ["--per-class", "12", "--line-per-class", "3", "--epochs", "1", "--image-size", "32", "--width", "4"]
OWNERS = {
    "requirements": "demo-line-owner",
    "data-collection": "demo-line-owner",
    "data-cleaning": "demo-scientist",
    "data-labelling": "demo-scientist",
    "feature-engineering": "demo-scientist",
    "training": "demo-scientist",
    "evaluation": "demo-scientist",
    "deployment": "demo-line-owner",
    "monitoring": "demo-monitor",
}


def demo(network: RunningNetwork, project: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.demo", "--project", project, *flags],
        cwd=ROOT,
        env={**os.environ, **network.env},
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def surfaces(governance: Governance) -> str:
    proc = governance.network.make("project", f"NAME={SURFACES}", f"ORGS={ORGS}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return SURFACES


def test_the_demo_runs_the_certified_pipeline_through_the_services(
    governance: Governance, surfaces: str
) -> None:
    proc = demo(governance.network, surfaces, *SMALL)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    tag = re.search(r"run ([0-9a-f]{6}) on project surfaces", out)
    assert tag, out
    for member in ("demo-line-owner", "demo-scientist", "demo-monitor", "demo-auditor"):
        assert f"{member} (" in out and "listed on surfaces" in out, out
    phases = re.findall(r"phase (\S+) by (\S+) of (\S+), tx [0-9a-f]{12}", out)
    assert [p[0] for p in phases] == list(PHASES), phases
    assert {p[0]: p[1] for p in phases} == OWNERS
    approvers = re.search(r"model certificate surface-cnn-\w+: certified by (.+)", out)
    assert approvers, out
    assert set(approvers[1].split(", ")) <= {
        "gov-founder-qualitycontrol",
        "gov-founder-conditionmonitor",
        "gov-founder-modeltrainer",
    }
    assert "the engine refused the swapped model file: model_digest_mismatch" in out
    assert "the engine refused the black frame: input_out_of_bounds" in out
    assert re.search(r"\(as recorded\): exit 0, intact workpiece", out), out
    assert re.search(r"\(verdict changed\): exit 1, altered workpiece", out), out
    assert re.search(r"snapshot job: registry period \d+ applied", out), out
    # The review's ratings reached the trust table: the scientist's rows before and after differ.
    trust = re.search(r"trust of demo-scientist: (\S+) \(.*\) -> (\S+) \(", out)
    assert trust and trust[1] != trust[2], out
    share = re.search(r"certification: ([\d.]+) s of the pipeline's ([\d.]+) s", out)
    assert share and 0 < float(share[1]) < float(share[2]), out
    for subject in ("model", "artifact"):
        page = re.search(rf"audit report of .*: (\S+/{subject}-\S+\.html)", out)
        assert page, out
        text = Path(page[1]).read_text()
        assert "every record intact" in text, page[1]
    model_page = Path(re.findall(r"audit report of the deployed model: (\S+)", out)[0]).read_text()
    for phase, owner in OWNERS.items():
        assert phase in model_page and owner in model_page
    # The evaluation's confusion matrix is in the report as a picture.
    assert '<img src="data:image/png;base64,' in model_page
    assert f'alt="confusion-matrix-{tag[1]}"' in model_page

    again = demo(governance.network, surfaces, *SMALL)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "demo-scientist (data-scientist of ModelTrainer): ready from before" in again.stdout


def test_the_demo_refuses_a_project_it_cannot_run_on(network: RunningNetwork) -> None:
    proc = demo(network, "nowhere")
    assert proc.returncode == 2
    assert "project channel 'nowhere' does not exist" in proc.stderr
    proc = demo(network, PROJECT)
    assert proc.returncode == 2
    assert "lacks QualityControl: the demonstration needs the four organisations" in proc.stderr
