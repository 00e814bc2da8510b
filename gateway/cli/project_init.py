"""project_init: the ledger half of `make project` once the consortium exists: registers the project
channel with `registry` on mainchain (so its trust snapshots are awaited and endorsed by its own
organisations) and sets the channel's period clock from the registry's (`provenance:InitProject`:
the committee-voted period length and the period open now), both as an admin of the project's first
organisation. Each step is skipped when done already. Before genesis there is nothing to copy: it
says so and changes nothing (exit 3), and `make project` runs it again later on request.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from gateway.consortium import ConsortiumError, load_consortium
from gateway.ledger import LedgerError, open_ledger

NOT_FOUNDED = 3


async def initialise(project: str) -> int:
    consortium = load_consortium()
    organisations = consortium.channels.get(project)
    if not organisations or project == "mainchain":
        print(f"project-init: {project!r} is not a project channel of this network", file=sys.stderr)
        return 2
    admin = consortium.organisation(organisations[0])
    async with open_ledger(consortium, organisation=admin.name, identity_dir=admin.admin_dir) as ledger:
        try:
            parameters = await ledger.registry.get_parameters()
            clock = await ledger.registry.get_trust_clock()
        except LedgerError as error:
            if any("not initialised" in reason for reason in error.reasons):
                print(
                    f"project-init: the consortium is not founded yet; {project} is registered and its "
                    "period clock set once it is (make project-init NAME=" + project + ")",
                    file=sys.stderr,
                )
                return NOT_FOUNDED
            raise
        try:
            await ledger.registry.get_project(project)
        except LedgerError:
            await ledger.registry.register_project(project, organisations)
            print(f"{project} registered with the registry: {', '.join(organisations)}")
        provenance = ledger.provenance(project)
        if not (await provenance.get_period_clock()).initialised:
            await provenance.init_project(
                period_seconds=parameters.params.period_seconds,
                first_period=clock.open_period,
                organisations=organisations,
            )
            print(
                f"{project}'s period clock set: {parameters.params.period_seconds} s periods "
                f"from period {clock.open_period}"
            )
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", required=True, help="the project channel")
    args = parser.parse_args()
    try:
        sys.exit(asyncio.run(initialise(args.project)))
    except (ConsortiumError, LedgerError) as error:
        print(f"project-init: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
