"""Growth: audit and lineage queries as the project channel's ledger grows from 10^3 records to 10^5
(4 x 10^3 quick) or BCMLP_BENCH_LEDGER_RECORDS; their time must follow the size of the lineage asked
for, not of the ledger.

On the bench's project channel (bench/run.py), Manufacturer's admin stores and records a lineage of three
small artifacts (raw data, a dataset, a model; bench/verify.py's build_lineage). Then, at each ledger
size, the Go Gateway client (bench/clients.py's, 256 in flight) records unrelated datasets until the
channel holds that many records of this bench, and ModelTrainer's admin times, each the median of RUNS:

- the lineage query: GetLineage of the model through its own peer (the three records);
- the audit: the model's whole audit report (gateway.report.artifact_report, as `bcmlp audit` makes it:
  lineage, every artifact fetched from IPFS, decrypted and re-hashed, members, each record's block).

Rows: each query's time on the largest ledger against its time on 10^3 records, at most 1.5x.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path

from _network import PROJECT, PROJECT_ORGS, BenchNetwork, admins, project_store
from _results import Row
from clients import build_references, run_reference
from verify import build_lineage

from gateway import runtime
from gateway.artifacts.project_keys import current_data_key, data_key_for_epoch, member_keyring
from gateway.ledger.errors import resend_on_lag
from gateway.report import artifact_report

WRITER, READER = PROJECT_ORGS
RUNS = 15
LOAD_IN_FLIGHT = 256
LINEAGE_IDS = ("growth-raw", "growth-dataset", "growth-model")


def sizes(quick: bool) -> tuple[int, ...]:
    largest = int(os.environ.get("BCMLP_BENCH_LEDGER_RECORDS", "4000" if quick else "100000"))
    return (*(n for n in (1_000, 10_000, 100_000, 1_000_000) if n < largest), largest)


async def median_seconds(query: Callable[[], Awaitable[object]]) -> float:
    await query()  # warm: connections, caches
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        await query()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


async def timed_queries(
    network: BenchNetwork, work: Path, grow: Callable[[int], None], steps: tuple[int, ...]
) -> dict[int, tuple[float, float]]:
    """timed_queries records the lineage, then grows the ledger to each of steps and answers the lineage
    query's and the audit's median seconds at each."""
    consortium = network.consortium()
    out = {}
    async with project_store(consortium) as store, admins(consortium, PROJECT_ORGS) as ledgers:
        writer, reader = ledgers[WRITER], ledgers[READER]
        keyring = await member_keyring(writer, PROJECT, consortium.organisation(WRITER).admin_dir)
        files = {}
        for n, artifact_id in enumerate(LINEAGE_IDS):
            files[artifact_id] = work / artifact_id
            files[artifact_id].write_bytes(secrets.token_bytes(4096 * (n + 1)))
        await build_lineage(writer, store, files, await current_data_key(writer, PROJECT, keyring))
        model = LINEAGE_IDS[-1]
        # The reader's peer has the whole lineage once it serves it.
        lineage_of = partial(reader.provenance(PROJECT).get_lineage, model)
        await resend_on_lag(lineage_of, reasons=("does not exist",))
        reader_keyring = await member_keyring(reader, PROJECT, consortium.organisation(READER).admin_dir)

        async def data_key_for(epoch: int) -> bytes:
            return await data_key_for_epoch(reader, PROJECT, reader_keyring, epoch)

        async def lineage() -> None:
            assert len(await reader.provenance(PROJECT).get_lineage(model)) == len(LINEAGE_IDS)

        async def audit() -> None:
            report = await artifact_report(
                reader, store, PROJECT, model, data_key_for=data_key_for, generated_for="bench"
            )
            assert len(report.history) == len(LINEAGE_IDS), report.history

        recorded = len(LINEAGE_IDS)
        for size in steps:
            await asyncio.to_thread(grow, size - recorded)
            recorded = size
            await asyncio.sleep(1)  # the reader's peer has committed the last of them
            out[size] = (await median_seconds(lineage), await median_seconds(audit))
            lineage_ms, audit_ms = (s * 1000 for s in out[size])
            print(f"ledger of {size:>9,} records: lineage {lineage_ms:6.1f} ms, audit {audit_ms:6.1f} ms")
    return out


def rows(network: BenchNetwork, quick: bool) -> list[Row]:
    go = build_references()["go"]

    def grow(count: int) -> None:
        if count > 0:
            result = run_reference(go, count, LOAD_IN_FLIGHT, f"growth-{secrets.token_hex(4)}")
            if result["failed"]:
                first = result["firstError"]
                raise RuntimeError(f"growing the ledger: {result['failed']} failed, first: {first}")

    steps = sizes(quick)
    with tempfile.TemporaryDirectory(prefix="bcmlp-bench-growth-") as work:
        times = runtime.run(timed_queries(network, Path(work), grow, steps))
    small, large = steps[0], steps[-1]
    return [
        Row(
            f"{name} of a 3-record lineage, ledger {small:,} -> {large:,} records",
            f"ledger of {small:,}",
            f"{times[small][i] * 1000:.1f} ms",
            f"{times[large][i] * 1000:.1f} ms",
            times[large][i] / times[small][i],
            1.5,
            at_most=True,
        )
        for i, name in enumerate(("lineage query (GetLineage)", "audit report"))
    ]
