"""Measures the consortium's start-up time (warm binary cache) and its resident memory at idle.

Starts its own network in a temporary run directory on its own ports, so it can run beside `make up`,
and stops it at the end. Prints one line per measurement; the ratio compares idle memory with the
machine's total (the CI machine has 24 GiB).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IDLE_SECONDS = 20


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


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bcmlp-bench-") as run_dir:
        env = {
            **os.environ,
            "BCMLP_RUN": run_dir,
            "BCMLP_PORT_BASE": os.environ.get("BCMLP_BENCH_PORT_BASE", "37000"),
        }

        def timed(script: str, *args: str) -> float:
            t0 = time.perf_counter()
            subprocess.run([str(ROOT / "network" / script), *args], env=env, check=True, capture_output=True)
            return time.perf_counter() - t0

        try:
            first = timed("up.sh", "identities", "storage")
            timed("down.sh")
            again = timed("up.sh", "identities", "storage")
            time.sleep(IDLE_SECONDS)
            per = {
                f.stem: rss_kib(int(f.read_text().split()[0]))
                for f in sorted(Path(run_dir, "pids").glob("*.pid"))
            }
        finally:
            subprocess.run([str(ROOT / "network/down.sh")], env=env, check=False, capture_output=True)
    total = sum(per.values())
    mem_total = int(
        next(
            line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal:")
        ).split()[1]
    )
    print(f"up (CAs + identities + IPFS, fresh run dir, warm binary cache): {first:.1f} s")
    print(f"up again over existing data:                                    {again:.1f} s")
    for name, kib in per.items():
        print(f"  {name:24s} {kib / 1024:7.1f} MiB")
    print(f"idle resident memory after {IDLE_SECONDS} s, {len(per)} processes: {total / 1024:.1f} MiB")
    print(f"ratio idle memory / machine memory: {total / mem_total:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
