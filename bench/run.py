"""`make bench` (and `make bench-quick` with --quick): issue 13's benchmarks on one network, printed as one
table of rows (bench/_results.py) and written to bench/results.json; exit 1 where a target is missed or a
bench failed.

Starts the bench's own network (bench/_network.py: a temporary run directory, ports from
BCMLP_BENCH_PORT_BASE, default 22000, so it runs beside `make up`), founds the consortium and makes one
project channel of two organisations, then runs on it, in this order: network (idle memory, warm restart,
lone-commit latency), growth (queries as the ledger grows: first, while the channel is nearly empty),
clients (Python against the official Go and Node clients, memory under load), caliper, verify. The network
is stopped, then trust (the aggregation's Go benchmark) and ml (certified inference) run alone on the
machine. A bench that fails is reported and the others still run. --only runs the named ones.

governance.py, snapshot.py and api.py are earlier issues' measurements of the services (`make
bench-services`): they print their own lines, set no ratio targets and need networks of other shapes.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable

import caliper
import clients
import growth
import ml
import netbench
import trust
import verify
from _network import PROJECT, PROJECT_ORGS, founded_network
from _results import Row, record

ON_NETWORK: dict[str, Callable[..., list[Row]]] = {
    "network": netbench.rows,
    "growth": growth.rows,
    "clients": clients.rows,
    "caliper": caliper.rows,
    "verify": verify.rows,
}
ALONE: dict[str, Callable[[bool], list[Row]]] = {"trust": trust.rows, "ml": ml.rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small version of each bench")
    parser.add_argument("--only", help=f"comma-separated, of: {', '.join([*ON_NETWORK, *ALONE])}")
    args = parser.parse_args()
    chosen = args.only.split(",") if args.only else [*ON_NETWORK, *ALONE]
    unknown = set(chosen) - {*ON_NETWORK, *ALONE}
    if unknown:
        parser.error(f"no bench {', '.join(sorted(unknown))}")
    rows: list[Row] = []
    failed: dict[str, str] = {}
    started = time.perf_counter()

    def run(name: str, bench: Callable[[], list[Row]]) -> None:
        print(f"\n== {name} ({time.perf_counter() - started:.0f} s)", flush=True)
        try:
            rows.extend(bench())
        except Exception as error:  # reported with the table; the other benches still run
            traceback.print_exc()
            failed[name] = f"{type(error).__name__}: {error}"

    if any(name in ON_NETWORK for name in chosen):
        try:
            with founded_network() as shared:
                shared.script("project.sh", PROJECT, " ".join(PROJECT_ORGS))
                for name in (n for n in ON_NETWORK if n in chosen):
                    run(name, lambda bench=ON_NETWORK[name]: bench(shared, args.quick))
        except Exception as error:  # the network itself did not start or stop
            traceback.print_exc()
            failed["network start"] = f"{type(error).__name__}: {error}"
    for name in (n for n in ALONE if n in chosen):
        run(name, lambda bench=ALONE[name]: bench(args.quick))
    print(f"\nbenches took {time.perf_counter() - started:.0f} s")
    return 0 if record(rows, quick=args.quick, failed=failed) else 1


if __name__ == "__main__":
    sys.exit(main())
