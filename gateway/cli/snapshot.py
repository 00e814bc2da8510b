"""snapshot: the trust snapshot job of a project channel (`make snapshot PROJECT=…`, or `--watch`).

One round, as an admin of one of the project's organisations (the first one unless --organisation
names another), each step only when it is due and each skipped when done already, so that a round may
run at any time and twice in a row changes nothing the second time:

1. close the project channel's open period (`provenance:ClosePeriod`) once its length has passed;
2. apply every registry period that can be applied (`registry:ApplyPeriod`: every registered project
   has submitted it, or the next one has closed too);
3. close the registry's open period (`registry:ClosePeriod`) once its length has passed;
4. submit the project's snapshot of every period closed on both clocks and neither submitted nor
   applied yet (`provenance:GetTrustSnapshot`, then `registry:SubmitTrustSnapshot`, which re-reads it
   on the project's own peers);
5. apply again, so that the snapshot just filed reaches the trust table when it can.

"Due" reads this machine's clock against the ledger's timestamps; the contracts decide, and a close
they refuse as early is reported as not due. `--watch` runs a round for every project channel of the
organisation, then sleeps until the next period is due (a day with the default parameters), until
stopped. The organisation's admin must be an active member of the consortium (a founder, or enrolled
with role admin), since only members write to the registry.

Peers of other organisations may commit a block a moment after this organisation's peer, which is the
one the gateway waits for; a call they refuse or endorse differently for that reason is sent again, a
few times, before the round fails.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from gateway import runtime
from gateway.consortium import Consortium, ConsortiumError, load_consortium
from gateway.ledger import Ledger, LedgerError, open_ledger
from gateway.ledger.errors import resend_on_lag


class JobError(Exception):
    """JobError is a round that cannot run: the project is unknown or its clock not set."""


@dataclass
class Round:
    """Round is what one round did, in order, as lines to print."""

    project: str
    done: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.done.append(line)


def due(opened_at: str, seconds: int, now: float) -> float:
    """due is how many seconds remain until a period opened at opened_at of length seconds may close
    (zero or less: it may close now)."""
    return datetime.fromisoformat(opened_at).timestamp() + seconds - now


async def _apply_ready(ledger: Ledger, report: Round) -> None:
    registry = ledger.registry
    while True:
        clock = await registry.get_trust_clock()
        period = clock.latest_period + 1
        try:
            await resend_on_lag(partial(registry.apply_period, period))
        except LedgerError as refused:
            reason = refused.said
            if "waits for the snapshots" in reason or "is not closed" in reason:
                return
            raise
        applied = await registry.get_applied_period(period)
        late = f"; late: {', '.join(applied.late)}" if applied.late else ""
        report.say(f"registry period {period} applied ({len(applied.snapshots)} snapshots{late})")


async def run_round(ledger: Ledger, project: str, *, now: Callable[[], float] = time.time) -> Round:
    """run_round runs one round of the job for project as ledger's member (see the module's doc)."""
    report = Round(project)
    provenance, registry = ledger.provenance(project), ledger.registry
    clock = await provenance.get_period_clock()
    if not clock.initialised:
        raise JobError(f"{project}'s period clock is not set: run make project-init NAME={project}")
    if due(clock.opened_at, clock.period_seconds, now()) <= 0:
        try:
            await resend_on_lag(provenance.close_period)
            report.say(f"{project} period {clock.open_period} closed")
        except LedgerError as refused:
            if "closes no earlier than" not in refused.said:
                raise
    await _apply_ready(ledger, report)
    params = (await registry.get_parameters()).params
    registry_clock = await registry.get_trust_clock()
    if due(registry_clock.opened_at, params.period_seconds, now()) <= 0:
        try:
            await resend_on_lag(registry.close_period)
            report.say(f"registry period {registry_clock.open_period} closed")
        except LedgerError as refused:
            reason = refused.said
            if "closes no earlier than" not in reason and "closed but not applied" not in reason:
                raise
    clock = await provenance.get_period_clock()
    registry_clock = await registry.get_trust_clock()
    waiting = {s.period for s in (await registry.get_submitted_snapshots(project)).snapshots}
    for period in range(clock.first_period, min(clock.open_period, registry_clock.open_period)):
        if period in waiting or await _applied(ledger, project, period, registry_clock.latest_period):
            continue
        snapshot = await provenance.get_trust_snapshot(period)
        try:
            await resend_on_lag(partial(registry.submit_trust_snapshot, snapshot))
        except LedgerError as refused:
            if "snapshots waiting for ApplyPeriod" in refused.said:
                report.say(f"{project} period {period} waits: earlier snapshots are not applied yet")
                break
            raise
        report.say(f"{project} period {period} submitted ({len(snapshot.feedback)} ratings)")
    await _apply_ready(ledger, report)
    if not report.done:
        report.say(f"{project}: nothing due")
    return report


async def _applied(ledger: Ledger, project: str, period: int, latest: int) -> bool:
    if period > latest:
        return False
    try:
        await ledger.registry.get_applied_snapshot(project, period)
    except LedgerError as error:
        if any("does not exist" in r or "not applied" in r for r in error.reasons):
            return False
        raise
    return True


def _admin(consortium: Consortium, project: str, organisation: str | None) -> str:
    organisations = consortium.channels.get(project)
    if not organisations or project == "mainchain":
        raise JobError(f"{project!r} is not a project channel of this network")
    if organisation is None:
        return organisations[0]
    if organisation not in organisations:
        raise JobError(f"{organisation} is not one of {project}'s organisations ({', '.join(organisations)})")
    return organisation


async def once(project: str, organisation: str | None) -> Round:
    consortium = load_consortium()
    admin = consortium.organisation(_admin(consortium, project, organisation))
    async with open_ledger(consortium, organisation=admin.name, identity_dir=admin.admin_dir) as ledger:
        return await run_round(ledger, project)


async def watch(organisation: str, *, rounds: int | None = None) -> None:
    """watch runs rounds for every project channel of organisation until stopped (or rounds rounds)."""
    done = 0
    while rounds is None or done < rounds:
        consortium = load_consortium()
        admin = consortium.organisation(organisation)
        projects = [c for c, orgs in consortium.channels.items() if c != "mainchain" and organisation in orgs]
        pause = 3600.0
        async with open_ledger(consortium, organisation=admin.name, identity_dir=admin.admin_dir) as ledger:
            for project in projects:
                try:
                    report = await run_round(ledger, project)
                    print("\n".join(report.done), flush=True)
                    clock = await ledger.provenance(project).get_period_clock()
                    pause = min(pause, due(clock.opened_at, clock.period_seconds, time.time()))
                except (JobError, LedgerError) as error:
                    print(f"snapshot: {project}: {error}", file=sys.stderr, flush=True)
        done += 1
        await asyncio.sleep(min(max(pause, 1.0), 3600.0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", help="the project channel (one round)")
    parser.add_argument("--organisation", help="whose admin runs it (default: the project's first)")
    parser.add_argument("--watch", action="store_true", help="run rounds for every project until stopped")
    args = parser.parse_args()
    try:
        if args.watch:
            if not args.organisation:
                parser.error("--watch needs --organisation")
            runtime.run(watch(args.organisation))
            return
        if not args.project:
            parser.error("give --project, or --watch with --organisation")
        report = runtime.run(once(args.project, args.organisation))
        print("\n".join(report.done))
    except (ConsortiumError, JobError, LedgerError) as error:
        print(f"snapshot: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
