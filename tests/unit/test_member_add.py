"""member-add.sh checks its input before anything is registered, against the contract's own roles."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import NETWORK, ROOT


def test_the_script_knows_exactly_the_contracts_roles() -> None:
    model = (ROOT / "chaincode" / "registry" / "model.go").read_text()
    block = model[
        model.index("var Roles = []string{") : model.index("}", model.index("var Roles = []string{"))
    ]
    constants = dict(re.findall(r'(Role\w+)\s*=\s*"([^"]+)"', model))
    contract = {
        constants.get(item.strip(), item.strip().strip('"')) for item in block.split("{", 1)[1].split(",")
    }
    contract.discard("")
    script = (NETWORK / "member-add.sh").read_text()
    listed = set(re.search(r"^roles=\(([^)]*)\)", script, re.M)[1].split())  # type: ignore[index]
    assert listed == contract


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", "alice", "viewer"), "ORG, NAME and ROLE are required"),
        (("Acme", "alice", "viewer"), "unknown organisation 'Acme'"),
        (("QualityControl", "Alice!", "viewer"), "NAME 'Alice!' must be"),
        (("QualityControl", "alice", "wizard"), "unknown ROLE 'wizard'"),
        (("QualityControl", "alice", "viewer", "[1]"), "ATTRS is not a JSON object"),
        (("QualityControl", "alice", "quality-auditor", "{}"), "ROLE quality-auditor is critical: give DOCS"),
        (
            ("QualityControl", "alice", "company", "{}", "/no/such/letter.pdf"),
            "'/no/such/letter.pdf', which is not",
        ),
        (("QualityControl", "alice", "viewer", "{}"), "QualityControl's peer is not running"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_made(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    run_dir = tmp_path / "run"
    proc = subprocess.run(
        [str(NETWORK / "member-add.sh"), *args],
        env={**os.environ, "BCMLP_RUN": str(run_dir)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode != 0
    assert message in proc.stderr, proc.stderr
    assert sorted(p.name for p in run_dir.iterdir()) == [".bcmlp-run"]
