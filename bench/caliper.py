"""Hyperledger Caliper (@hyperledger/caliper-cli 0.6.0 with its Fabric connector on the peer Gateway SDK,
bench/caliper/package.json) driving `provenance:RecordArtifact` on the bench's network and project channel
(bench/run.py), so that bcmlp's figures compare with published Caliper results.

One round (bench/caliper/record.js) as the Manufacturer's admin through the Manufacturer's peer: the same
arguments as bench/clients.py's (but for the artifact id), one Caliper worker, fixed load of IN_FLIGHT
transactions in flight, COUNT transactions (QUICK_COUNT when quick). Caliper's standard report is written
to bench/caliper/report.html and its summary printed; then bcmlp's Python client runs the same load. Row:
Python's committed transactions per second against Caliper's throughput, no target (Caliper is the
reference a reader knows, not a rival: the rivals are bench/clients.py's official clients). A failed
Caliper transaction fails the bench.

Caliper's peer-gateway connector opens TLS with the peer's root only; bench/caliper/mtls.cjs hands grpc-js
the admin's TLS client pair, since the peers require mutual TLS.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import tempfile
from pathlib import Path

from _network import PROJECT, PROJECT_ORGS, ROOT, BenchNetwork, npm_ci
from _results import Row
from clients import arguments, run_python, summary

CALIPER_DIR = ROOT / "bench" / "caliper"
REPORT = CALIPER_DIR / "report.html"
IN_FLIGHT, COUNT, QUICK_COUNT = 64, 2000, 300


class CaliperFailed(Exception):
    """CaliperFailed: Caliper exited non-zero, printed no summary, or some of its transactions failed."""


def configuration(network: BenchNetwork, work: Path, count: int, prefix: str) -> tuple[Path, Path]:
    """configuration writes Caliper's network configuration (with the organisation's connection profile)
    and benchmark configuration into work, as JSON (which Caliper's YAML reader takes), and answers
    their paths."""
    org = network.consortium().organisation(PROJECT_ORGS[0])
    assert org.peer is not None
    host = org.peer.address.rsplit(":", 1)[0]
    profile = {
        "name": f"bcmlp-{org.name}",
        "version": "1.0.0",
        "client": {"organization": org.name},
        "organizations": {org.name: {"mspid": org.msp_id, "peers": [org.peer.name]}},
        "peers": {
            org.peer.name: {
                "url": f"grpcs://{org.peer.address}",
                "tlsCACerts": {"path": str(org.tls_root_cert)},
                "grpcOptions": {"ssl-target-name-override": host},
            }
        },
    }
    msp = org.admin_dir / "msp"
    keys = sorted((msp / "keystore").iterdir())
    networkconfig = {
        "name": "bcmlp",
        "version": "2.0.0",
        "caliper": {"blockchain": "fabric"},
        "channels": [{"channelName": PROJECT, "contracts": [{"id": "provenance"}]}],
        "organizations": [
            {
                "mspid": org.msp_id,
                "identities": {
                    "certificates": [
                        {
                            "name": "admin",
                            "clientPrivateKey": {"path": str(keys[0])},
                            "clientSignedCert": {"path": str(msp / "signcerts" / "cert.pem")},
                        }
                    ]
                },
                "connectionProfile": {"path": str(work / "profile.json"), "discover": False},
            }
        ],
    }
    benchconfig = {
        "test": {
            "name": "bcmlp-provenance",
            "description": "provenance:RecordArtifact of a small dataset record",
            "workers": {"number": 1},
            "rounds": [
                {
                    "label": "RecordArtifact",
                    "txNumber": count,
                    "rateControl": {"type": "fixed-load", "opts": {"transactionLoad": IN_FLIGHT}},
                    "workload": {
                        "module": str(CALIPER_DIR / "record.js"),
                        "arguments": {
                            "prefix": prefix,
                            "channel": PROJECT,
                            "invoker": "admin",
                            "msp": org.msp_id,
                            "args": arguments("{n}"),
                        },
                    },
                }
            ],
        }
    }
    (work / "profile.json").write_text(json.dumps(profile, indent=1))
    (work / "networkconfig.json").write_text(json.dumps(networkconfig, indent=1))
    (work / "benchconfig.json").write_text(json.dumps(benchconfig, indent=1))
    return work / "networkconfig.json", work / "benchconfig.json"


def caliper_summary(said: str) -> dict[str, float]:
    """caliper_summary reads the round's row of the summary table Caliper prints: | Name | Succ | Fail |
    Send Rate (TPS) | Max Latency (s) | Min Latency (s) | Avg Latency (s) | Throughput (TPS) |."""
    row = re.search(r"\|\s*RecordArtifact\s*\|" + r"\s*([\d.]+)\s*\|" * 7, said)
    if row is None:
        raise CaliperFailed("Caliper printed no summary for RecordArtifact:\n" + said[-3000:])
    names = ("succ", "fail", "send tps", "max s", "min s", "avg s", "tps")
    return dict(zip(names, map(float, row.groups()), strict=True))


def rows(network: BenchNetwork, quick: bool) -> list[Row]:
    npm_ci(CALIPER_DIR)
    count = QUICK_COUNT if quick else COUNT
    org = network.consortium().organisation(PROJECT_ORGS[0])
    tag = secrets.token_hex(3)
    with tempfile.TemporaryDirectory(prefix="bcmlp-bench-caliper-") as work:
        networkconfig, benchconfig = configuration(network, Path(work), count, f"caliper-{tag}")
        env = {
            **network.env,
            "NODE_OPTIONS": f"--require {CALIPER_DIR / 'mtls.cjs'}",
            "BCMLP_CALIPER_TLS_KEY": str(org.admin_dir / "tls" / "server.key"),
            "BCMLP_CALIPER_TLS_CERT": str(org.admin_dir / "tls" / "server.crt"),
        }
        command = [
            str(CALIPER_DIR / "node_modules" / ".bin" / "caliper"),
            "launch",
            "manager",
            f"--caliper-workspace={work}",
            f"--caliper-networkconfig={networkconfig}",
            f"--caliper-benchconfig={benchconfig}",
            f"--caliper-report-path={REPORT}",
            "--caliper-flow-only-test",
        ]
        proc = subprocess.run(command, cwd=CALIPER_DIR, env=env, capture_output=True, text=True, check=False)
    said = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise CaliperFailed(f"Caliper exited {proc.returncode}:\n{said[-3000:]}")
    caliper = caliper_summary(said)
    if caliper["fail"] or caliper["succ"] != count:
        done, lost = caliper["succ"], caliper["fail"]
        raise CaliperFailed(f"Caliper: {done:.0f} succeeded, {lost:.0f} failed of {count}")
    per_second, p50, _, _ = summary(run_python(count, IN_FLIGHT, f"caliper-python-{tag}"))
    print(
        f"Caliper, {count} tx at {IN_FLIGHT} in flight: {caliper['tps']:.1f} tx/s, latency avg "
        f"{caliper['avg s']:.2f} s max {caliper['max s']:.2f} s; report {REPORT.relative_to(ROOT)}"
    )
    return [
        Row(
            f"ledger writes, {IN_FLIGHT} in flight, {count} tx (committed tx/s)",
            "Caliper 0.6.0 (fabric-gateway 1.5.0)",
            f"{caliper['tps']:.1f} tx/s, avg {caliper['avg s'] * 1000:.0f} ms",
            f"{per_second:.1f} tx/s, p50 {p50 * 1000:.0f} ms",
            per_second / caliper["tps"] if caliper["tps"] else 0.0,
            None,
        )
    ]
