"""project_init: the ledger half of `make project` once the consortium exists: registers the project
channel with `registry` on mainchain (so its trust snapshots are awaited and endorsed by its own
organisations) and sets the channel's period clock from the registry's (`provenance:InitProject`:
the committee-voted period length and the period open now), both as an admin of the project's first
organisation. Each step is skipped when done already. Before genesis there is nothing to copy: it
says so and changes nothing (exit 3), and `make project` runs it again later on request.

The channel's parameters copy the registry's approvals (k of every model certificate) and list as the
channel's members every active member of the project's organisations that may write (viewers never
write); the phase writers are gateway.ledger.default_phase_writers of the project's organisations.
Members enrolled later are listed by an admin of their organisation (`add_member`).

Last, the project's first data-key epoch is recorded (`rotate_project_key`), wrapped for every listed
member that has registered a key-agreement key. Members listed without one are listed all the same
(they write, and their records need no key of theirs), but get no copy and so read nothing of epoch
1: the command names them; once they register a key, a writer records the next epoch
(`rotate_project_key`), which must include them. A project whose listed members have no key at all
gets no epoch, and artifacts cannot be recorded on it until one is recorded.
"""

from __future__ import annotations

import argparse
import sys
from functools import partial

from gateway import runtime
from gateway.artifacts.keys import KeyWrapError
from gateway.artifacts.project_keys import latest_epoch, recipients, rotate_project_key
from gateway.consortium import Consortium, ConsortiumError, load_consortium
from gateway.ledger import Ledger, LedgerError, ProjectMemberArgument, open_ledger
from gateway.ledger.errors import LAG_REASONS, resend_on_lag

# Refusals of a key epoch that a moment's wait cures: another organisation's peer that endorses it has
# not yet committed a member's key registration or listing.
EPOCH_LAG_REASONS = (
    *LAG_REASONS,
    "has registered no key-agreement key",
    "is not member",
    "has no copy for listed members",
    "is not a listed member",
)

NOT_FOUNDED = 3


async def writing_members(
    ledger: Ledger, consortium: Consortium, organisations: tuple[str, ...]
) -> list[ProjectMemberArgument]:
    """writing_members are the registry's active members of organisations that may write (not viewers)."""
    names = {consortium.organisation(o).msp_id: o for o in organisations}
    members = []
    for row in await ledger.registry.get_trust_table():
        member = await ledger.registry.get_member(row.member_id)
        if member.status == "active" and member.role != "viewer" and member.organisation in names:
            members.append(
                ProjectMemberArgument(
                    member.member_id, member.identity, member.role, names[member.organisation]
                )
            )
    return members


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
            members = await writing_members(ledger, consortium, organisations)
            await provenance.init_project(
                period_seconds=parameters.params.period_seconds,
                first_period=clock.open_period,
                organisations=organisations,
                certificate_approvals=parameters.params.approvals,
                members=members,
            )
            print(
                f"{project}'s period clock set: {parameters.params.period_seconds} s periods "
                f"from period {clock.open_period}; model certificates need {parameters.params.approvals} "
                f"approvals; members: {', '.join(m.member_id for m in members) or 'none'}"
            )
        if await latest_epoch(ledger, project) == 0:
            keys, keyless = await recipients(ledger, project)
            if not keys:
                print(
                    f"project-init: no member listed on {project} has a key-agreement key, so no data key "
                    f"epoch is recorded yet (listed: {', '.join(keyless) or 'none'}); once they register "
                    "keys, a writer records one with gateway.artifacts.project_keys.rotate_project_key",
                    file=sys.stderr,
                )
                return 0
            try:
                rotation = await resend_on_lag(
                    partial(rotate_project_key, ledger, project), reasons=EPOCH_LAG_REASONS
                )
            except KeyWrapError as error:
                print(f"project-init: {error}", file=sys.stderr)
                return 1
            print(
                f"{project}'s data key epoch {rotation.epoch} recorded for "
                f"{', '.join(k.member_id for k in keys)}"
                + (
                    f"; listed without a key-agreement key, so without a copy: {', '.join(rotation.keyless)}"
                    if rotation.keyless
                    else ""
                )
            )
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", required=True, help="the project channel")
    args = parser.parse_args()
    try:
        sys.exit(runtime.run(initialise(args.project)))
    except (ConsortiumError, LedgerError) as error:
        print(f"project-init: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
