"""The one shape every bench row takes (issue 13): what was measured, the reference and its value, bcmlp's
value, their ratio, the target the ratio must reach, and whether it did; printed as one table and kept in
bench/results.json with the machine it was measured on.
"""

from __future__ import annotations

import json
import platform
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.json"


@dataclass(frozen=True)
class Row:
    """Row is one measurement against its reference. ratio is bcmlp's value over the reference's (for a
    throughput, higher is better, and the target a least ratio; for a time with at_most, the target a
    greatest ratio); met is None where the row sets no target."""

    measure: str
    reference: str
    reference_value: str
    bcmlp_value: str
    ratio: float
    target: float | None
    at_most: bool = False

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.ratio <= self.target if self.at_most else self.ratio >= self.target


def p99(values: list[float]) -> float:
    """p99 is the 99th percentile of values: the value at rank round(0.99 (n - 1)) in sorted order."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def machine() -> str:
    """machine names what the numbers were measured on."""
    cpus = Path("/proc/cpuinfo").read_text().count("processor\t:") if Path("/proc/cpuinfo").exists() else 0
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    return f"{platform.system()} {platform.machine()}, {cpus} x {model}, Python {platform.python_version()}"


def table(rows: list[Row]) -> str:
    """table is rows as aligned text: measure, reference, its value, bcmlp's, ratio, target, verdict."""
    header = ("measure", "reference", "reference value", "bcmlp", "ratio", "target", "")
    lines = [
        (
            r.measure,
            r.reference,
            r.reference_value,
            r.bcmlp_value,
            f"{r.ratio:.3f}x",
            "-" if r.target is None else f"{'<=' if r.at_most else '>='} {r.target:g}x",
            {True: "met", False: "MISSED", None: ""}[r.met],
        )
        for r in rows
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines, strict=True)]
    return "\n".join(
        "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in (header, *lines)
    )


def record(rows: list[Row], *, quick: bool, failed: dict[str, str], path: Path = RESULTS) -> bool:
    """record prints rows as one table, with the benches that failed, writes them to path and answers
    whether every target was met and no bench failed."""
    print(f"\n{machine()}{', quick' if quick else ''}\n{table(rows)}")
    for bench, error in failed.items():
        print(f"bench {bench} FAILED: {error}")
    results = {
        "machine": machine(),
        "quick": quick,
        "rows": [{**asdict(r), "met": r.met} for r in rows],
        "failed": failed,
    }
    path.write_text(json.dumps(results, indent=1) + "\n")
    return not failed and all(r.met is not False for r in rows)
