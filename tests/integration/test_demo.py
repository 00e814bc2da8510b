"""`make demo`'s demonstration against the session's network: a record written by one organisation is
read back by another, with its block number and transaction id, and its audit report written as HTML;
a missing project is refused."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.integration.conftest import PROJECT, RunningNetwork


def demo(network: RunningNetwork, project: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.demo", "--project", project],
        cwd=ROOT,
        env={**os.environ, **network.env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_demo_writes_as_one_organisation_and_reads_as_another(network: RunningNetwork) -> None:
    proc = demo(network, PROJECT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    written = re.search(r"recorded it on inspection: block (\d+), tx ([0-9a-f]{64})", proc.stdout)
    assert written, proc.stdout
    read = "ModelTrainer read it back through its own peer and node: created by ManufacturerMSP"
    assert f"{read} in tx {written[2]}" in proc.stdout
    report = re.search(r"audit report of (demo-report-[0-9a-f]+): (\S+\.html) \(\1 intact\)", proc.stdout)
    assert report, proc.stdout
    page = Path(report[2]).read_text()
    assert "every record intact" in page and written[2] in page and "Lineage" in page


def test_the_demo_refuses_a_project_that_does_not_exist(network: RunningNetwork) -> None:
    proc = demo(network, "nowhere")
    assert proc.returncode == 2
    assert "project channel 'nowhere' does not exist" in proc.stderr
