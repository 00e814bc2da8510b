"""A 5 GiB artifact streams: stored, replicated and verified by a process that stays under 256 MiB."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from gateway.ipfs import IpfsClient
from tests.conftest import ROOT
from tests.integration.conftest import RunningNetwork

# BCMLP_TEST_LARGE_ARTIFACT_BYTES shrinks it for a quick local run; CI keeps 5 GiB.
SIZE = int(os.environ.get("BCMLP_TEST_LARGE_ARTIFACT_BYTES") or 5 << 30)
RESIDENT_LIMIT = 256 << 20
TIME_LIMIT = 1200  # seconds; on 2 cores it takes about 260 (put 200, verify 56)


async def test_a_5_gib_artifact_is_stored_and_verified_in_bounded_memory(
    network: RunningNetwork, tmp_path: Path
) -> None:
    out, err = tmp_path / "result.json", tmp_path / "stderr.txt"
    started = time.monotonic()
    try:
        with out.open("w") as stdout, err.open("w") as stderr:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.integration.large_artifact",
                    str(network.run_dir),
                    str(SIZE),
                    "Manufacturer",
                ],
                cwd=ROOT,
                stdout=stdout,
                stderr=stderr,
            )
        timer = threading.Timer(TIME_LIMIT, proc.kill)
        timer.start()
        try:
            # wait4, not wait: it returns this child's own resource usage, its peak resident memory too.
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.monotonic() - started
        assert proc.returncode == 0, (
            f"exit {proc.returncode} after {elapsed:.0f} s:\n{err.read_text()[-3000:]}"
        )
        result = json.loads(out.read_text())
        peak = usage.ru_maxrss * 1024  # kilobytes on Linux
        print(
            f"\n{SIZE} bytes: put {result['put_seconds']} s, verify {result['verify_seconds']} s, "
            f"{elapsed:.0f} s in all, peak resident {peak / (1 << 20):.0f} MiB"
        )
        stored = result["stored"]
        assert stored["size"] == SIZE
        assert stored["sha256"] == result["independent_sha256"]
        assert len(stored["pinned_on"]) == 2
        assert peak < RESIDENT_LIMIT, (
            f"peak resident memory {peak >> 20} MiB, limit {RESIDENT_LIMIT >> 20} MiB"
        )
        for org in network.consortium.peer_organisations:  # removed again: no node pins it
            assert org.ipfs is not None
            async with IpfsClient(org.ipfs, timeout=60) as node:
                assert stored["cid"] not in await node.pins(), org.name
    finally:
        # Give the space back (gigabytes per node), whatever happened.
        for org in network.consortium.peer_organisations:
            assert org.ipfs is not None
            async with IpfsClient(org.ipfs, timeout=120) as node:
                await node.collect_garbage()
