"""Trust aggregation of 10^4, 10^5 and 10^6 ratings: the chaincode's own aggregation rule (package
chaincode/trust, Table.Period: the batch's checks, decay, trust.Combine of each rater's ratings of each
ratee, weighing by the rater's trust and the table's recomputation) timed by its Go benchmark
(BenchmarkPeriod in chaincode/trust/bench_test.go: 1000 members of 10 organisations, random pairs).

That is the computation a period's application (registry ApplyPeriod) runs over what the project channels'
snapshots hold; the snapshot job's round on the whole network, reading and submitting a channel's
ratings, is bench/snapshot.py's (10^4 ratings). Rows: the time at 10^6 against the 10 s target, at most
1.0x; and the growth from 10^4 to 10^6 as time per rating at 10^6 over time per rating at 10^4 (1.0 is
linear), at most 1.5x. BCMLP_BENCH_PPROF names a file to write the Go CPU profile to.
"""

from __future__ import annotations

import os
import re
import subprocess

from _network import ROOT
from _results import Row

TARGET_S = 10.0
SIZES = (10_000, 100_000, 1_000_000)


def seconds_per_period() -> dict[int, float]:
    """seconds_per_period runs the Go benchmark and answers its seconds per period by ratings."""
    command = ["go", "test", "./trust", "-run", "^$", "-bench", "^BenchmarkPeriod$"]
    # Five periods of each size, quick or not: one period of 10^4 ratings takes 7 ms, too short to time once.
    command += ["-benchtime", "5x", "-count", "1"]
    if profile := os.environ.get("BCMLP_BENCH_PPROF"):
        command += ["-cpuprofile", profile]
    said = subprocess.run(command, cwd=ROOT / "chaincode", check=True, capture_output=True, text=True).stdout
    found = {int(n): int(ns) / 1e9 for n, ns in re.findall(r"ratings=(\d+)-\d+\s+\d+\s+(\d+) ns/op", said)}
    if sorted(found) != list(SIZES):
        raise ValueError(f"BenchmarkPeriod printed no time for some of {SIZES}:\n{said}")
    return found


def rows(quick: bool) -> list[Row]:
    """rows runs the benchmark (the same, quick or not: it takes seconds)."""
    times = seconds_per_period()
    for n, s in times.items():
        print(f"trust aggregation of {n:>9,} ratings: {s:8.3f} s, {n / s:12,.0f} ratings/s")
    small, large = SIZES[0], SIZES[-1]
    growth = (times[large] / large) / (times[small] / small)
    return [
        Row(
            "trust aggregation of 10^6 ratings (one period)",
            "target",
            f"{TARGET_S:g} s",
            f"{times[large]:.2f} s",
            times[large] / TARGET_S,
            1.0,
            at_most=True,
        ),
        Row(
            "trust aggregation growth 10^4 -> 10^6 (time per rating)",
            "10^4 ratings",
            f"{times[small] / small * 1e6:.2f} us/rating",
            f"{times[large] / large * 1e6:.2f} us/rating",
            growth,
            1.5,
            at_most=True,
        ),
    ]
