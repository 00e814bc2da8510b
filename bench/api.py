"""Measures the gateway services under load (issue 11's closing note and its no-loss acceptance point).

Starts its own network (bench/_network.py: BCMLP_BENCH_PORT_BASE, default 22000), enrols 20 members (5 per
organisation, approved by the founders), makes a project of the four organisations (which lists them),
puts each member into its organisation's wallet, and has the founders record 150 records that request
feedback. Then for BCMLP_BENCH_SECONDS (default 60) 200 clients (10 per member, each member through its
own organisation's service) rate those records as fast as they are answered; a member's submissions
beyond the service's in-flight bound are answered 429. Afterwards every record's ratings are read from
the ledger: each 201's transaction must be there, and no refused rating may be. Then 50 clients read
the trust table for 15 s. Prints requests per second and p50/p99 latency of committed ratings and of
trust-table reads, the answers by status, and exits 1 if any request was lost.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import statistics
import sys
import time
from collections import Counter
from functools import partial
from pathlib import Path

import aiohttp
from _network import CID, ScriptFailed, admins, founded_network

from gateway import runtime
from gateway.artifacts.store import StoredArtifact
from gateway.consortium import Consortium
from gateway.ledger import Document, Ledger, LedgerError, client_id, open_ledger
from gateway.ledger.errors import LAG_REASONS, resend_on_lag

ORGS = ("Manufacturer", "ModelTrainer", "ConditionMonitor", "QualityControl")
PROJECT = "benchapi"
DOC = Document(CID, "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9", "register extract")
PER_ORG, PER_MEMBER, RECORDS = 5, 10, 150


def member_names() -> list[tuple[str, str]]:
    return [(org, f"bench-{org.lower()}-{n}") for org in ORGS for n in range(PER_ORG)]


async def enrol(consortium: Consortium, founders: dict[str, Ledger]) -> None:
    """enrol has each bench member request its enrolment as itself and k founders of other
    organisations approve it (k: the registry's approvals)."""
    k = (await founders[ORGS[0]].registry.get_parameters()).params.approvals
    for org, name in member_names():
        identity_dir = consortium.organisation(org).msp_dir.parent / "users" / name
        async with open_ledger(consortium, organisation=org, identity_dir=identity_dir) as own:
            request_id = await own.registry.request_enrolment(
                name, role="admin", attributes={"identity": name}, documents=[DOC]
            )
        for approver in [o for o in ORGS if o != org][:k]:
            approve = partial(founders[approver].registry.approve_enrolment, request_id)
            await resend_on_lag(approve, reasons=(*LAG_REASONS, "does not exist"))


def context(consortium: Consortium, org: str, identity_dir: Path) -> ssl.SSLContext:
    tls = identity_dir / "tls"
    made = ssl.create_default_context(cafile=str(consortium.organisation(org).tls_root_cert))
    made.load_cert_chain(tls / "server.crt", tls / "server.key")
    return made


async def load(consortium: Consortium, seconds: float) -> dict[str, object]:
    members = member_names()
    sessions = {}
    for org, name in members:
        identity_dir = consortium.organisation(org).msp_dir.parent / "users" / name
        connector = aiohttp.TCPConnector(ssl=context(consortium, org, identity_dir), limit=PER_MEMBER)
        api = consortium.organisation(org).api
        assert api is not None
        sessions[name] = (api.url, aiohttp.ClientSession(connector=connector))
    pairs = {name: iter(f"bench-record-{n}" for n in range(RECORDS)) for _, name in members}
    answers: list[tuple[str, str, int, float, str]] = []  # rater, record, status, seconds, tx id
    deadline = time.monotonic() + seconds

    async def client(name: str) -> None:
        url, session = sessions[name]
        for record in pairs[name]:
            if time.monotonic() > deadline:
                return
            started = time.perf_counter()
            async with session.post(
                f"{url}/v1/projects/{PROJECT}/artifacts/{record}/ratings", json={"score": "0.5"}
            ) as response:
                body = await response.json(content_type=None)
            tx = body.get("transactionId", "") if response.status == 201 else ""
            answers.append((name, record, response.status, time.perf_counter() - started, tx))
            if response.status == 429:
                await asyncio.sleep(float(response.headers.get("Retry-After", "1")))

    started = time.monotonic()
    await asyncio.gather(*(client(name) for _, name in members for _ in range(PER_MEMBER)))
    elapsed = time.monotonic() - started

    reads: list[float] = []
    read_deadline = time.monotonic() + 15

    async def reader(name: str) -> None:
        url, session = sessions[name]
        while time.monotonic() < read_deadline:
            t0 = time.perf_counter()
            async with session.get(f"{url}/v1/trust") as response:
                await response.read()
                assert response.status == 200, response.status
            reads.append(time.perf_counter() - t0)

    read_started = time.monotonic()
    readers = [name for _, name in members][:10]
    await asyncio.gather(*(reader(name) for name in readers for _ in range(5)))
    read_elapsed = time.monotonic() - read_started
    for _, session in sessions.values():
        await session.close()
    return {"answers": answers, "elapsed": elapsed, "reads": reads, "read elapsed": read_elapsed}


async def lost(consortium: Consortium, answers: list[tuple[str, str, int, float, str]]) -> list[str]:
    """lost lists every answer the ledger contradicts: a 201 whose rating is absent, a refusal whose
    rating is present."""
    await asyncio.sleep(3)
    identities = {}
    for org, name in member_names():
        pem = consortium.organisation(org).msp_dir.parent / "users" / name / "msp" / "signcerts" / "cert.pem"
        identities[name] = client_id(pem.read_bytes())
    problems = []
    async with admins(consortium, ORGS[:1]) as ledgers:
        provenance = ledgers[ORGS[0]].provenance(PROJECT)
        on_ledger = {}
        for n in range(RECORDS):
            record = f"bench-record-{n}"
            on_ledger[record] = {f.rater: f.tx_id for f in await provenance.get_feedback(record)}
    for name, record, status, _, tx in answers:
        found = on_ledger[record].get(identities[name])
        if status == 201 and found != tx:
            problems.append(f"{name} on {record}: answered 201 ({tx}), the ledger has {found}")
        if status != 201 and found is not None:
            problems.append(f"{name} on {record}: answered {status}, the ledger has {found}")
    return problems


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else (values or [0.0])[0]


def main() -> int:
    seconds = float(os.environ.get("BCMLP_BENCH_SECONDS", "60"))
    try:
        with founded_network() as network:
            consortium = network.consortium()
            for org, name in member_names():
                network.script("ca.sh", "identity", org, name, "client")

            async def members() -> None:
                async with admins(consortium, ORGS) as founders:
                    await enrol(consortium, founders)

            runtime.run(members())
            network.script("project.sh", PROJECT, " ".join(ORGS))
            consortium = network.consortium()
            for org, name in member_names():
                identity_dir = consortium.organisation(org).msp_dir.parent / "users" / name
                network.module(
                    "gateway.cli.bcmlp",
                    "wallet",
                    "add",
                    "--org",
                    org,
                    "--member",
                    name,
                    "--identity-dir",
                    str(identity_dir),
                )

            async def records() -> None:
                async with admins(consortium, ORGS) as founders:
                    for n in range(RECORDS):
                        await (
                            founders[ORGS[n % len(ORGS)]]
                            .provenance(PROJECT)
                            .record_artifact(
                                StoredArtifact(f"bench-record-{n}", CID, "0" * 64, 1, ORGS[:2]),
                                kind="dataset",
                                media_type="text/plain",
                                wrapped_key_epoch=1,
                                request_feedback=True,
                            )
                        )
                await asyncio.sleep(2)

            runtime.run(records())
            result = runtime.run(load(consortium, seconds))
            answers = result["answers"]
            assert isinstance(answers, list)
            problems = runtime.run(lost(consortium, answers))
    except (ScriptFailed, LedgerError) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    statuses = Counter(status for _, _, status, _, _ in answers)
    committed = [s for _, _, status, s, _ in answers if status == 201]
    elapsed = float(result["elapsed"])  # type: ignore[arg-type]
    reads = result["reads"]
    assert isinstance(reads, list)
    read_elapsed = float(result["read elapsed"])  # type: ignore[arg-type]
    in_flight = len(member_names()) * PER_MEMBER
    p50, p99 = percentile(committed, 50), percentile(committed, 99)
    r50, r99 = percentile(reads, 50) * 1000, percentile(reads, 99) * 1000
    print(f"load:                   {in_flight} clients, {PER_MEMBER} per member, for {elapsed:.0f} s")
    print(f"answers by status:      {dict(sorted(statuses.items()))}")
    print(f"committed ratings:      {len(committed) / elapsed:.1f} per s, p50 {p50:.3f} s, p99 {p99:.3f} s")
    rate = len(reads) / read_elapsed
    print(f"trust-table reads:      {rate:.1f} per s, p50 {r50:.1f} ms, p99 {r99:.1f} ms (50 in flight)")
    print(f"lost requests:          {len(problems)}")
    for problem in problems[:10]:
        print(f"  {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
