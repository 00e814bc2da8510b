"""Pid files name a process by pid and start time (network/lib.sh), so a stale one whose pid the kernel
has handed to another process makes the scripts neither signal that process nor report it as theirs."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import NETWORK


def lib(run_dir: Path, snippet: str) -> subprocess.CompletedProcess[str]:
    """lib runs a bash snippet with network/lib.sh sourced and BCMLP_RUN=run_dir."""
    return subprocess.run(
        ["bash", "-c", f'set -euo pipefail; source "{NETWORK}/lib.sh"; {snippet}'],
        env={**os.environ, "BCMLP_RUN": str(run_dir)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def start_time(pid: int) -> str:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.rindex(")") + 2 :].split()[19]  # field 22; the name in field 2 may hold spaces


@pytest.fixture
def bystander() -> Iterator[subprocess.Popen[bytes]]:
    """bystander is a live process that is none of the network's, in a process group of its own as the
    network's daemons are."""
    proc = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize(
    "record", ["{pid} 1", "{pid}", "{pid} -"], ids=["wrong-start", "pid-only", "no-start"]
)
def test_stale_pid_file_neither_signals_nor_counts_a_live_unrelated_process(
    tmp_path: Path, bystander: subprocess.Popen[bytes], record: str
) -> None:
    (tmp_path / "pids").mkdir()
    (tmp_path / "pids/ca-x.pid").write_text(record.format(pid=bystander.pid) + "\n")

    proc = lib(tmp_path, "if is_running ca-x; then echo running; else echo stopped; fi; stop_bg ca-x")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "stopped\n"
    assert bystander.poll() is None, "stop_bg signalled a process that was not the network's"
    assert not (tmp_path / "pids/ca-x.pid").exists()  # the stale record is gone


def test_start_bg_records_pid_and_start_time_and_stop_bg_stops_it(tmp_path: Path) -> None:
    proc = lib(
        tmp_path,
        f'start_bg cc-x "{tmp_path}/logs/cc-x.log" sleep 60; is_running cc-x; cat "$BCMLP_RUN/pids/cc-x.pid"',
    )
    assert proc.returncode == 0, proc.stderr
    pid, start = proc.stdout.split()
    try:
        assert start == start_time(int(pid))
        proc = lib(tmp_path, "stop_bg cc-x; is_running cc-x || echo stopped")
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == "stopped\n"
        stat = Path(f"/proc/{pid}/stat")
        assert not stat.exists() or stat.read_text().split(") ")[1].startswith("Z")  # exited (maybe unreaped)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), 9)


def test_start_time_is_read_past_a_command_name_with_spaces_and_parentheses(tmp_path: Path) -> None:
    odd = tmp_path / "a) b 1 2 (c"
    odd.symlink_to("/bin/sleep")
    proc = subprocess.Popen([str(odd), "60"])
    try:
        out = lib(tmp_path, f"proc_start {proc.pid}")
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == start_time(proc.pid)
    finally:
        proc.kill()
        proc.wait()
