"""Measures the trust snapshot job over 10,000 ratings on the whole network (issue 10's closing note).

Starts its own network and founds the consortium (bench/_network.py: a temporary run directory, ports
from BCMLP_BENCH_PORT_BASE, default 22000), votes one-second periods, makes a project of the
four organisations, records ceil(N/3) artifacts round-robin as the four founders and has the three
other founders rate each one (N ratings, BCMLP_BENCH_RATINGS, default 10000), then times one round
of the snapshot job and its parts: the channel's snapshot read, its submission (which the project's
peers cross-check by re-reading it), and the period's application to the trust table. Prints seconds,
ratings per second, and each part as a ratio to one lone commit.
"""

from __future__ import annotations

import asyncio
import math
import os
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from decimal import Decimal
from functools import partial

from _network import CID, ScriptFailed, admins, founded_network

from gateway import runtime
from gateway.artifacts.store import StoredArtifact
from gateway.cli.snapshot import run_round
from gateway.consortium import Consortium
from gateway.ledger import Ledger, LedgerError
from gateway.ledger.errors import LAG_REASONS, resend_on_lag

ORGS = ("Manufacturer", "ModelTrainer", "ConditionMonitor", "QualityControl")
PROJECT = "benchsnapshot"
IN_FLIGHT = 64


async def in_batches(calls: list[Callable[[], Awaitable[object]]], size: int = IN_FLIGHT) -> None:
    for start in range(0, len(calls), size):
        await asyncio.gather(*(c() for c in calls[start : start + size]))


async def one_second_periods(ledgers: dict[str, Ledger]) -> None:
    first = ledgers[ORGS[0]].registry
    params = (await first.get_parameters()).params
    proposal = await first.propose_parameters(replace(params, period_seconds=1))
    for org in ORGS[1:]:
        if (await first.get_parameters()).params.period_seconds == 1:
            return
        await resend_on_lag(
            partial(ledgers[org].registry.vote_parameters, proposal), reasons=(*LAG_REASONS, "does not exist")
        )


async def measure(consortium: Consortium, ratings: int) -> dict[str, float]:
    async with admins(consortium, ORGS) as ledgers:
        records = math.ceil(ratings / (len(ORGS) - 1))
        ids = [f"bench-{n}" for n in range(records)]
        t0 = time.perf_counter()
        lone = (
            await ledgers[ORGS[0]]
            .provenance(PROJECT)
            .record_artifact(
                StoredArtifact("bench-lone", CID, "0" * 64, 1, ORGS[:2]),
                kind="dataset",
                media_type="text/plain",
                wrapped_key_epoch=1,
            )
        )
        lone_commit = time.perf_counter() - t0
        assert lone.block_number > 0

        def record(n: int) -> Callable[[], Awaitable[object]]:
            return partial(
                ledgers[ORGS[n % len(ORGS)]].provenance(PROJECT).record_artifact,
                StoredArtifact(ids[n], CID, "0" * 64, 1, ORGS[:2]),
                kind="dataset",
                media_type="text/plain",
                wrapped_key_epoch=1,
                request_feedback=True,
            )

        t0 = time.perf_counter()
        await in_batches([record(n) for n in range(records)])
        recording = time.perf_counter() - t0
        await asyncio.sleep(2)  # every peer has the records before others rate them

        def rate(n: int, rater: str) -> Callable[[], Awaitable[object]]:
            send = partial(
                ledgers[rater].provenance(PROJECT).rate_record, ids[n], score=Decimal("0.5"), comment=""
            )
            return partial(resend_on_lag, send)

        calls = [rate(n, r) for n in range(records) for r in ORGS if r != ORGS[n % len(ORGS)]][:ratings]
        t0 = time.perf_counter()
        await in_batches(calls)
        rating = time.perf_counter() - t0

        job = ledgers[ORGS[0]]
        provenance, registry = job.provenance(PROJECT), job.registry
        period = (await provenance.get_period_clock()).open_period
        await asyncio.sleep(1.1)
        await provenance.close_period()
        t0 = time.perf_counter()
        snapshot = await provenance.get_trust_snapshot(period)
        read = time.perf_counter() - t0
        assert len(snapshot.feedback) == len(calls), len(snapshot.feedback)
        t0 = time.perf_counter()
        round_report = await run_round(job, PROJECT)
        whole_round = time.perf_counter() - t0
        applied = await registry.get_applied_snapshot(PROJECT, period)
        assert applied.feedback == len(calls), applied
        return {
            "ratings": float(len(calls)),
            "records": float(records),
            "lone commit s": lone_commit,
            "recording s": recording,
            "rating s": rating,
            "snapshot read s": read,
            "job round s": whole_round,
            "round steps": float(len(round_report.done)),
        }


def main() -> int:
    ratings = int(os.environ.get("BCMLP_BENCH_RATINGS", "10000"))
    try:
        with founded_network() as network:

            async def shorten() -> None:
                async with admins(network.consortium(), ORGS) as ledgers:
                    await one_second_periods(ledgers)

            runtime.run(shorten())
            network.script("project.sh", PROJECT, " ".join(ORGS))
            numbers = runtime.run(measure(network.consortium(), ratings))
    except (ScriptFailed, LedgerError) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    n, lone = numbers["ratings"], numbers["lone commit s"]
    lines = [
        ("ratings on the project channel", f"{int(n)} ({int(numbers['records'])} records)"),
        (
            "recording the records",
            f"{numbers['recording s']:.1f} s, {numbers['records'] / numbers['recording s']:.0f} tx/s",
        ),
        ("rating them", f"{numbers['rating s']:.1f} s, {n / numbers['rating s']:.0f} tx/s"),
        ("lone commit", f"{lone:.3f} s"),
        (
            "snapshot read (GetTrustSnapshot)",
            f"{numbers['snapshot read s']:.2f} s = {numbers['snapshot read s'] / lone:.1f}x",
        ),
        (
            "job round: submit and apply",
            f"{numbers['job round s']:.2f} s = {numbers['job round s'] / lone:.1f}x",
        ),
    ]
    for label, value in lines:
        print(f"{label + ':':42} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
