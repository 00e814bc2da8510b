"""Shared test settings: where the repository is and how to run its network scripts."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from gateway import runtime

ROOT = Path(__file__).resolve().parent.parent
NETWORK = ROOT / "network"


def run_script(
    script: str, *args: str, env: dict[str, str], check: bool = True, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """run_script runs network/<script> with env added to the environment, capturing its output."""
    proc = subprocess.run(
        [str(NETWORK / script), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{script} {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> Mapping[str, Callable[[], Any]]:
    """Every async test and fixture runs on the event loop bcmlp's processes run on (gateway/runtime.py)."""
    return {"uvloop": runtime.new_event_loop}
