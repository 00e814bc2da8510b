"""The whole consortium (CAs, Kubo nodes, orderers, peers, chaincode servers) on the bench's network:
`make up` time with a warm binary cache (a fresh run directory, and again over existing data), resident
memory at idle, and the commit latency of a lone transaction against the orderers' batch timeout.

Rows (bench/_results.py): lone-commit p50 against BatchTimeout (network/ledger.sh), at most 1.5x; idle
resident memory against the machine's (the CI machine has 24 GiB) and the up times, no target. Memory
under load is bench/clients.py's row.
"""

from __future__ import annotations

import secrets
import statistics
import time
from decimal import Decimal
from pathlib import Path

from _network import CID, PROJECT, PROJECT_ORGS, BenchNetwork
from _results import Row, p99

from gateway import runtime
from gateway.artifacts.store import StoredArtifact
from gateway.consortium import load_consortium
from gateway.ledger import DataBounds, open_ledger

IDLE_SECONDS, QUICK_IDLE_SECONDS = 20, 3
LONE_TRANSACTIONS, QUICK_LONE_TRANSACTIONS = 40, 15
BATCH_TIMEOUT_S = 0.25  # network/ledger.sh BATCH_TIMEOUT


async def commit_latencies(run_dir: str, count: int) -> list[float]:
    """commit_latencies submits count transactions one after another as Manufacturer, each alone in
    flight, and returns each one's time from submission to its commit status."""
    consortium = load_consortium(Path(run_dir))
    org = consortium.organisation(PROJECT_ORGS[0])
    out = []
    async with open_ledger(consortium, organisation=org.name, identity_dir=org.admin_dir) as ledger:
        provenance = ledger.provenance(PROJECT)
        for _ in range(count):
            artifact_id = f"lone-{secrets.token_hex(6)}"
            stored = StoredArtifact(
                artifact_id,
                CID,
                "0" * 64,
                1,
                PROJECT_ORGS,
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


def machine_memory_kib() -> int:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    return int(next(line for line in meminfo if line.startswith("MemTotal:")).split()[1])


def rows(network: BenchNetwork, quick: bool) -> list[Row]:
    """rows measures the founded network: idle memory, a warm restart, then lone commits on a project
    channel (run.py made it)."""
    time.sleep(QUICK_IDLE_SECONDS if quick else IDLE_SECONDS)
    per = network.resident_kib()
    network.script("down.sh")
    again = network.script("up.sh")
    count = QUICK_LONE_TRANSACTIONS if quick else LONE_TRANSACTIONS
    lone = runtime.run(commit_latencies(str(network.run_dir), count))
    idle = sum(per.values())
    p50, slowest = statistics.median(lone), p99(lone)
    up, founding = network.seconds["up"], network.seconds["founding"]
    print(f"up, fresh run dir, warm binary cache: {up:.1f} s; consortium founded: {founding:.1f} s")
    print(f"up again over existing data: {again:.1f} s")
    for name, kib in per.items():
        print(f"  {name:30s} {kib / 1024:7.1f} MiB")
    machine = machine_memory_kib()
    return [
        Row(
            "lone transaction commit latency p50",
            "orderers' BatchTimeout",
            f"{BATCH_TIMEOUT_S * 1000:.0f} ms",
            f"{p50 * 1000:.0f} ms (p99 {slowest * 1000:.0f} ms, {len(lone)} tx)",
            p50 / BATCH_TIMEOUT_S,
            1.5,
            at_most=True,
        ),
        Row(
            f"network resident memory, idle ({len(per)} processes)",
            "machine memory",
            f"{machine / 1024**2:.1f} GiB",
            f"{idle / 1024:.0f} MiB",
            idle / machine,
            None,
        ),
        Row(
            "make up, warm cache: fresh run directory / over existing data",
            "fresh run directory",
            f"{up:.1f} s",
            f"{again:.1f} s",
            again / up,
            None,
        ),
    ]
