"""One consortium per test session: real Fabric CAs and real Kubo daemons, started by the project's
own scripts in a temporary run directory on ports of their own (so a `make up` network may run beside),
and stopped at the end whatever happened."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.consortium import Consortium, load_consortium
from tests.conftest import run_script


@dataclass(frozen=True)
class RunningNetwork:
    env: dict[str, str]
    run_dir: Path
    consortium: Consortium

    def script(self, script: str, *args: str, check: bool = True) -> tuple[int, str]:
        proc = run_script(script, *args, env=self.env, check=check)
        return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture(scope="session")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNetwork]:
    run_dir = tmp_path_factory.mktemp("run")
    env = {"BCMLP_RUN": str(run_dir), "BCMLP_PORT_BASE": os.environ.get("BCMLP_TEST_PORT_BASE", "27000")}
    try:
        run_script("up.sh", "identities", "storage", env=env)
        yield RunningNetwork(env=env, run_dir=run_dir, consortium=load_consortium(run_dir))
    finally:
        run_script("down.sh", env=env, check=False)
