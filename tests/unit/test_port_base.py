"""The network scripts refuse a port base whose ports fall in the kernel's ephemeral range (outgoing
connections take those at random, and a daemon then fails to bind) or that is not a number."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import NETWORK


def status(base: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(NETWORK / "status.sh")],
        env={**os.environ, "BCMLP_PORT_BASE": base, "BCMLP_RUN": str(tmp_path / "run")},
        capture_output=True,
        text=True,
        timeout=60,
    )


def ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except OSError:
        return 32768


@pytest.mark.parametrize("offset", [-999, 0, 1000])
def test_a_base_in_the_ephemeral_range_is_refused(tmp_path: Path, offset: int) -> None:
    base = ephemeral_low() + offset
    proc = status(str(base), tmp_path)
    assert proc.returncode == 1, proc
    assert f"BCMLP_PORT_BASE {base} overlaps the kernel's ephemeral ports" in proc.stderr


def test_a_base_below_the_range_is_taken(tmp_path: Path) -> None:
    proc = status(str(ephemeral_low() - 1000), tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "overlaps" not in proc.stderr


def test_a_base_that_is_no_number_is_refused(tmp_path: Path) -> None:
    proc = status("17k", tmp_path)
    assert proc.returncode == 1
    assert "BCMLP_PORT_BASE '17k' is not a number" in proc.stderr
