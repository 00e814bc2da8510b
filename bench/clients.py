"""Ledger writes through bcmlp's Python Gateway client against the official clients, side by side on one
network (issue 13): the Go client (github.com/hyperledger/fabric-gateway, bench/clients/go) and the Node
client (@hyperledger/fabric-gateway, bench/clients/node).

On the bench's network and its project channel of two organisations (bench/run.py), at 1, 16, 64 and 256
transactions in flight, has each client submit the same transaction as the Manufacturer's admin through
the Manufacturer's peer: `provenance:RecordArtifact` of a small dataset
record (the same arguments but for the artifact id), each waited for until its commit status arrives.
The clients take turns at each level, each in a process of its own that measures itself: committed
transactions per second, p50 and p99 of the time from starting a transaction to its commit status, and
the CPU seconds the client process spent per thousand transactions (set-up left out). The clients share
the machine's two cores with the network, so a client's CPU per transaction is throughput taken from it.

Rows (bench/_results.py): Python's committed transactions per second against each official client's at
each level, target 1.0x; and its CPU per thousand transactions against theirs (theirs / Python's), for
the profile, no target; and the network's resident memory under the load of 256 in flight (its peak,
sampled every half second) against its memory before the first level, no target. Quick runs fewer
transactions per level. A failed transaction fails the bench.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from _network import CID, PROJECT, PROJECT_ORGS, ROOT, BenchNetwork, npm_ci
from _results import Row, p99

from gateway import runtime
from gateway.consortium import load_consortium
from gateway.ledger import open_ledger

LEVELS = (1, 16, 64, 256)
COUNTS = {1: 60, 16: 400, 64: 800, 256: 1280}
QUICK_COUNTS = {1: 12, 16: 96, 64: 192, 256: 384}
GO_DIR = ROOT / "bench" / "clients" / "go"
NODE_DIR = ROOT / "bench" / "clients" / "node"
REFERENCES = {"go": "Go Gateway client", "node": "Node Gateway client"}


def arguments(artifact_id: str) -> list[str]:
    """arguments are RecordArtifact's for a one-byte dataset record pinned on both organisations."""
    return [
        artifact_id,
        "dataset",
        CID,
        "0" * 64,
        "1",
        "application/octet-stream",
        "[]",
        json.dumps([f"{o}MSP" for o in PROJECT_ORGS]),
        "1",
        "false",
        "",
    ]


async def python_client(count: int, in_flight: int, prefix: str) -> dict[str, object]:
    """python_client is the Python side of one level, run in its own process (`worker`)."""
    consortium = load_consortium()
    org = consortium.organisation(PROJECT_ORGS[0])
    async with open_ledger(consortium, organisation=org.name, identity_dir=org.admin_dir) as ledger:
        contract = ledger.gateway.network(PROJECT).contract("provenance", "provenance")
        numbers = iter(range(count))
        latencies: list[float] = []
        failures: list[str] = []

        async def worker() -> None:
            for n in numbers:
                started = time.perf_counter()
                try:
                    await contract.submit("RecordArtifact", args=arguments(f"{prefix}-{n}"))
                except Exception as error:  # counted and reported, as the Go client does
                    failures.append(str(error))
                    continue
                latencies.append(time.perf_counter() - started)

        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu_before = usage.ru_utime + usage.ru_stime
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(in_flight)))
        seconds = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "committed": len(latencies),
        "failed": len(failures),
        "firstError": failures[0] if failures else "",
        "seconds": seconds,
        "latencies": latencies,
        "cpuSeconds": usage.ru_utime + usage.ru_stime - cpu_before,
    }


def build_references() -> dict[str, list[str]]:
    """build_references builds the official clients and answers the command that runs each: Go's into
    the bench's cache (its dependencies from the Go module proxy, pinned by go.sum), Node's packages
    into bench/clients/node/node_modules (`npm ci`, pinned by package-lock.json)."""
    out = Path(os.environ.get("BCMLP_CACHE", Path.home() / ".cache" / "bcmlp")) / "bench" / "gateway-bench"
    subprocess.run(["go", "build", "-o", str(out), "."], cwd=GO_DIR, check=True)
    npm_ci(NODE_DIR)
    return {"go": [str(out)], "node": ["node", str(NODE_DIR / "main.mjs")]}


def run_reference(command: list[str], count: int, in_flight: int, prefix: str) -> dict[str, object]:
    """run_reference runs one level through an official client (both take the same flags)."""
    consortium = load_consortium()
    org = consortium.organisation(PROJECT_ORGS[0])
    assert org.peer is not None
    flags = [
        ("peer", org.peer.address),
        ("tls-root", str(org.tls_root_cert)),
        ("identity", str(org.admin_dir)),
        ("msp", org.msp_id),
        ("channel", PROJECT),
        ("chaincode", "provenance"),
        ("contract", "provenance"),
        ("function", "RecordArtifact"),
        ("args", json.dumps(arguments("{n}"))),
        ("count", str(count)),
        ("in-flight", str(in_flight)),
        ("prefix", prefix),
    ]
    return run_client([*command, *(part for name, value in flags for part in (f"--{name}", value))])


def run_python(count: int, in_flight: int, prefix: str) -> dict[str, object]:
    return run_client([sys.executable, __file__, "worker", str(count), str(in_flight), prefix])


def run_client(command: list[str]) -> dict[str, object]:
    """run_client runs one client's process for one level and answers the JSON result it prints."""
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:2])} exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def summary(result: dict[str, object]) -> tuple[float, float, float, float]:
    """summary is committed per second, p50 and p99 latency (s), and CPU seconds per 1000 committed."""
    latencies = list(result["latencies"])  # type: ignore[call-overload]
    committed = int(result["committed"])  # type: ignore[call-overload]
    if not latencies:
        return 0.0, float("nan"), float("nan"), float("nan")
    per_second = committed / float(result["seconds"])  # type: ignore[arg-type]
    cpu = float(result["cpuSeconds"]) / committed * 1000  # type: ignore[arg-type]
    return per_second, statistics.median(latencies), p99(latencies), cpu


def line(summarised: tuple[float, float, float, float]) -> str:
    per_second, p50, p99, cpu = summarised
    return (
        f"{per_second:6.1f} tx/s p50 {p50 * 1000:6.0f} ms p99 {p99 * 1000:6.0f} ms {cpu:5.1f} CPU s/1000 tx"
    )


class ClientFailed(Exception):
    """ClientFailed: a client's transactions failed; the message says which and the first error."""


def peak_resident_kib(network: BenchNetwork, stop: threading.Event, peak: list[int]) -> None:
    """peak_resident_kib samples the network's resident memory every half second until stop, keeping the
    largest total in peak[0]."""
    while not stop.wait(0.5):
        peak[0] = max(peak[0], sum(network.resident_kib().values()))


def rows(network: BenchNetwork, quick: bool) -> list[Row]:
    """rows runs every level through the three clients in turn."""
    counts = QUICK_COUNTS if quick else COUNTS
    references = build_references()
    out = []
    before = sum(network.resident_kib().values())
    peak = [0]
    for level in LEVELS:
        tag = secrets.token_hex(3)
        measured = {}
        stop = threading.Event()
        sampler = None
        if level == LEVELS[-1]:
            sampler = threading.Thread(target=peak_resident_kib, args=(network, stop, peak))
            sampler.start()
        # The clients take turns, starting one later at each level, so none always meets a fresher ledger.
        clients = ("go", "python", "node")
        start = LEVELS.index(level) % len(clients)
        for client in clients[start:] + clients[:start]:
            prefix = f"{client}-{level}-{tag}"
            if client == "python":
                measured[client] = run_python(counts[level], level, prefix)
            else:
                measured[client] = run_reference(references[client], counts[level], level, prefix)
            if measured[client]["failed"]:
                raise ClientFailed(
                    f"{client} at {level} in flight: {measured[client]['failed']} failed, first: "
                    f"{measured[client]['firstError']}"
                )
        stop.set()
        if sampler is not None:
            sampler.join()
        summaries = {client: summary(result) for client, result in measured.items()}
        print(
            f"{level:3d} in flight: " + " | ".join(f"{c} {line(s)}" for c, s in summaries.items()),
            flush=True,
        )
        py = summaries["python"]
        for client, reference in REFERENCES.items():
            ref = summaries[client]
            out.append(
                Row(
                    f"ledger writes, {level} in flight (committed tx/s)",
                    reference,
                    f"{ref[0]:.1f} tx/s, p50 {ref[1] * 1000:.0f} ms, p99 {ref[2] * 1000:.0f} ms",
                    f"{py[0]:.1f} tx/s, p50 {py[1] * 1000:.0f} ms, p99 {py[2] * 1000:.0f} ms",
                    py[0] / ref[0] if ref[0] else 0.0,
                    1.0,
                )
            )
            out.append(
                Row(
                    f"client CPU per 1000 tx, {level} in flight",
                    reference,
                    f"{ref[3]:.1f} s",
                    f"{py[3]:.1f} s",
                    ref[3] / py[3] if py[3] else 0.0,
                    None,
                )
            )
    out.append(
        Row(
            f"network resident memory under load ({LEVELS[-1]} in flight, peak)",
            "the same network before the load",
            f"{before / 1024:.0f} MiB",
            f"{peak[0] / 1024:.0f} MiB",
            peak[0] / before if before else 0.0,
            None,
        )
    )
    return out


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "worker":
        print(json.dumps(runtime.run(python_client(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]))))
    else:
        sys.exit("bench/run.py runs this; `clients.py worker COUNT IN_FLIGHT PREFIX` runs its Python side")
