"""schemathesis against a running gateway service (issue 11): a bounded, deterministic run of generated
requests over every operation of the OpenAPI description, as a signed-in member; no answer may be a
5xx and none may break the description. The event stream is left out: it answers by streaming until the
client leaves, which a request-per-case fuzzer reads as a timeout."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import ROOT
from tests.integration.founding import Governance, founder_id

MAX_EXAMPLES = "6"


def test_generated_requests_get_no_5xx_and_no_answer_outside_the_description(
    governance: Governance, tmp_path: Path
) -> None:
    network = governance.network
    org = network.consortium.organisation("QualityControl")
    assert org.api is not None
    proc = network.bcmlp(
        "wallet",
        "add",
        "--org",
        org.name,
        "--member",
        founder_id(org.name),
        "--identity-dir",
        str(org.admin_dir),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    tls = org.admin_dir / "tls"
    report = tmp_path / "schemathesis.json"
    proc = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "st"),
            "run",
            f"{org.api.url}/openapi.json",
            "--checks",
            "not_a_server_error,response_schema_conformance,content_type_conformance",
            "--phases",
            "coverage,fuzzing",
            "--max-examples",
            MAX_EXAMPLES,
            "--generation-deterministic",
            "--workers",
            "1",
            "--request-timeout",
            "60",
            "--exclude-path-regex",
            "^/v1/events/",
            "--tls-verify",
            str(org.tls_root_cert),
            "--request-cert",
            str(tls / "server.crt"),
            "--request-cert-key",
            str(tls / "server.key"),
            "--report-json-path",
            str(report),
        ],
        cwd=tmp_path,  # schemathesis keeps a .schemathesis/ folder in its working directory
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert proc.returncode == 0, proc.stdout[-12000:] + proc.stderr[-4000:]
    # schemathesis exits 0 when a generator crashes its worker and skips the rest: count what it tested
    operations = json.loads(report.read_text())["operations"]
    assert operations["tested"] == operations["selected"] > 30, operations
    assert operations["errored"] == 0, operations
