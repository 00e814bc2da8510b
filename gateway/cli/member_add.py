"""member_add: the on-chain half of `make member-add`: the newcomer's enrolment request, signed by the
newcomer's own identity (just enrolled at its organisation's CA by network/ca.sh).

A viewer is active at once; every other role waits for k committee approvals from two organisations
(README "Ledger rules"). Prints the request id and the member's status.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from gateway.consortium import ConsortiumError, load_consortium
from gateway.ledger import LedgerError, open_ledger
from gateway.ledger.registry import AttributeValue


async def request(organisation: str, name: str, role: str, attributes: dict[str, AttributeValue]) -> int:
    consortium = load_consortium()
    org = consortium.organisation(organisation)
    identity_dir = org.msp_dir.parent / "users" / name
    if not (identity_dir / "msp" / "signcerts").is_dir():
        print(
            f"member-add: {identity_dir} holds no enrolled identity; run network/ca.sh identity first",
            file=sys.stderr,
        )
        return 2
    async with open_ledger(consortium, organisation=organisation, identity_dir=identity_dir) as ledger:
        request_id = await ledger.registry.request_enrolment(name, role=role, attributes=attributes)
        member = await ledger.registry.get_member(name)
    print(
        f"enrolment request {request_id}: member {name} of {organisation} as {role}, status {member.status}"
    )
    return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", required=True, help="the member's organisation, e.g. QualityControl")
    parser.add_argument("--name", required=True, help="the member id, also its CA identity name")
    parser.add_argument("--role", required=True, help="the role (README 'Ledger rules')")
    parser.add_argument("--attributes", default="{}", help="the role's attributes as a JSON object")
    args = parser.parse_args(argv)
    try:
        attributes = json.loads(args.attributes)
    except json.JSONDecodeError as error:
        parser.error(
            f'--attributes is not JSON ({error}): give an object such as \'{{"legalEntity": "Acme"}}\''
        )
    if not isinstance(attributes, dict) or not all(
        isinstance(v, str | int) and not isinstance(v, bool) for v in attributes.values()
    ):
        parser.error("--attributes must be a JSON object of texts and whole numbers")
    try:
        sys.exit(asyncio.run(request(args.org, args.name, args.role, attributes)))
    except (ConsortiumError, LedgerError) as error:
        print(f"member-add: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
