"""Measures the whole consortium (CAs, Kubo nodes, orderers, peers, chaincode servers): start-up time
with a warm binary cache, time to the first committed transaction, resident memory at idle, and the
commit latency of a lone transaction against the orderers' batch timeout.

Starts its own network in a temporary run directory on its own ports, so it can run beside `make up`,
and stops it at the end. Prints one line per measurement with its ratio where there is a reference:
idle memory against the machine's (the CI machine has 24 GiB), lone-commit latency against the
configured BatchTimeout (network/ledger.sh).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from _results import Row, record

from gateway.artifacts.store import StoredArtifact
from gateway.consortium import load_consortium
from gateway.ledger import DataBounds, open_ledger

ROOT = Path(__file__).resolve().parent.parent

IDLE_SECONDS = 20
LONE_TRANSACTIONS = 20
BATCH_TIMEOUT_S = 0.25  # network/ledger.sh BATCH_TIMEOUT
PROJECT = "bench"


def rss_kib(pid: int) -> int:
    """rss_kib is the resident memory of pid and its descendants, from /proc."""
    total = 0
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    todo = [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


async def commit_latencies(run_dir: str, count: int) -> list[float]:
    """commit_latencies submits count transactions one after another as Manufacturer, each alone in
    flight, and returns each one's time from submission to its commit status."""
    consortium = load_consortium(Path(run_dir))
    org = consortium.organisation("Manufacturer")
    out = []
    async with open_ledger(consortium, organisation="Manufacturer", identity_dir=org.admin_dir) as ledger:
        provenance = ledger.provenance(PROJECT)
        for _ in range(count):
            artifact_id = f"lone-{secrets.token_hex(6)}"
            stored = StoredArtifact(
                artifact_id,
                "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
                "0" * 64,
                1,
                ("Manufacturer", "ModelTrainer"),
            )
            t0 = time.perf_counter()
            await provenance.record_artifact(
                stored,
                kind="dataset",
                media_type="application/octet-stream",
                wrapped_key_epoch=1,
                bounds=DataBounds("bench", "uint8", Decimal(0), Decimal(255)),
            )
            out.append(time.perf_counter() - t0)
    return out


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bcmlp-bench-") as run_dir:
        env = {
            **os.environ,
            "BCMLP_RUN": run_dir,
            "BCMLP_PORT_BASE": os.environ.get("BCMLP_BENCH_PORT_BASE", "22000"),
        }

        def timed(script: str, *args: str) -> float:
            t0 = time.perf_counter()
            subprocess.run([str(ROOT / "network" / script), *args], env=env, check=True, capture_output=True)
            return time.perf_counter() - t0

        def timed_module(module: str) -> float:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", module], cwd=ROOT, env=env, check=True, capture_output=True)
            return time.perf_counter() - t0

        try:
            t0 = time.perf_counter()
            first = timed("up.sh")
            # Provenance takes writes only from members of a founded consortium listed on the channel.
            founding = timed_module("gateway.cli.consortium_init")
            project = timed("project.sh", PROJECT, "Manufacturer ModelTrainer")
            first_commit = asyncio.run(commit_latencies(run_dir, 1))[0]
            to_first_commit = time.perf_counter() - t0
            timed("down.sh")
            again = timed("up.sh")
            time.sleep(IDLE_SECONDS)
            per = {
                f.stem: rss_kib(int(f.read_text().split()[0]))
                for f in sorted(Path(run_dir, "pids").glob("*.pid"))
            }
            lone = asyncio.run(commit_latencies(run_dir, LONE_TRANSACTIONS))
        finally:
            subprocess.run([str(ROOT / "network/down.sh")], env=env, check=False, capture_output=True)
    total = sum(per.values())
    mem_total = int(
        next(
            line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal:")
        ).split()[1]
    )
    p50 = statistics.median(lone)
    p99 = sorted(lone)[min(len(lone) - 1, round(0.99 * (len(lone) - 1)))]
    print(f"up, fresh run dir, warm binary cache (CAs, identities, IPFS, ledger): {first:.1f} s")
    print(f"consortium founded (make consortium):                              {founding:.1f} s")
    print(f"project channel of two organisations:                              {project:.1f} s")
    print(f"first committed transaction after up + consortium + project:       {first_commit:.2f} s")
    print(f"from start to the first committed transaction:                     {to_first_commit:.1f} s")
    print(f"up again over existing data (warm):                                {again:.1f} s")
    for name, kib in per.items():
        print(f"  {name:30s} {kib / 1024:7.1f} MiB")
    print(f"idle resident memory after {IDLE_SECONDS} s, {len(per)} processes: {total / 1024:.1f} MiB")
    print(f"ratio idle memory / machine memory: {total / mem_total:.4f}")
    print(
        f"lone transaction commit latency over {len(lone)}: "
        f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms; "
        f"BatchTimeout {BATCH_TIMEOUT_S * 1000:.0f} ms; ratio p50 / BatchTimeout {p50 / BATCH_TIMEOUT_S:.2f}"
    )
    row = Row(
        "lone transaction commit latency p50",
        "orderers' BatchTimeout",
        f"{BATCH_TIMEOUT_S * 1000:.0f} ms",
        f"{p50 * 1000:.0f} ms (p99 {p99 * 1000:.0f} ms)",
        p50 / BATCH_TIMEOUT_S,
        1.5,
        at_most=True,
    )
    return 0 if record("network", [row]) else 1


if __name__ == "__main__":
    sys.exit(main())
