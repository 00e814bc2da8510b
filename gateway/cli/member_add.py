"""member_add: the on-chain half of `make member-add`: the newcomer's enrolment request, signed by the
newcomer's own identity (just enrolled at its organisation's CA by network/ca.sh).

A viewer is active at once; every other role waits for k committee approvals from two organisations
(README "Ledger rules") and rests on at least one document for the committee to review: each --document
file is published on the organisation's own Kubo node (unencrypted: nothing secret) and named in the
request by its CID and SHA-256. Then the newcomer makes its key-agreement key pair in its identity folder and
registers the public key (`provision_key_agreement_key`; pending members may), so that the next data
key epoch of each project that lists it can be wrapped for it. Prints the request id, the member's
status and the key id.
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial
from pathlib import Path

from gateway import runtime
from gateway.artifacts.keys import key_id_of, provision_key_agreement_key
from gateway.consortium import ConsortiumError, load_consortium
from gateway.ledger import LedgerError, open_ledger
from gateway.ledger.errors import LAG_REASONS, resend_on_lag
from gateway.ledger.registry import AttributeValue
from gateway.provision import ProvisionError, publish_document


async def request(
    organisation: str,
    name: str,
    role: str,
    attributes: dict[str, AttributeValue],
    documents: list[Path],
) -> int:
    consortium = load_consortium()
    org = consortium.organisation(organisation)
    identity_dir = org.msp_dir.parent / "users" / name
    if not (identity_dir / "msp" / "signcerts").is_dir():
        print(
            f"member-add: {identity_dir} holds no enrolled identity; run network/ca.sh identity first",
            file=sys.stderr,
        )
        return 2
    published = [
        await publish_document(consortium, organisation, path.read_bytes(), path.name) for path in documents
    ]
    async with open_ledger(consortium, organisation=organisation, identity_dir=identity_dir) as ledger:
        request_id = await ledger.registry.request_enrolment(
            name, role=role, attributes=attributes, documents=published
        )
        member = await ledger.registry.get_member(name)
        # The endorsing peers of other organisations may not have the enrolment yet.
        public = await resend_on_lag(
            partial(provision_key_agreement_key, identity_dir, ledger.registry),
            reasons=(*LAG_REASONS, "is not bound to any member"),
        )
    print(
        f"enrolment request {request_id}: member {name} of {organisation} as {role}, status {member.status}; "
        f"key-agreement key {key_id_of(public)}"
    )
    return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", required=True, help="the member's organisation, e.g. QualityControl")
    parser.add_argument("--name", required=True, help="the member id, also its CA identity name")
    parser.add_argument("--role", required=True, help="the role (README 'Ledger rules')")
    parser.add_argument("--attributes", default="{}", help="the role's attributes as a JSON object")
    parser.add_argument(
        "--document",
        action="append",
        default=[],
        type=Path,
        help="a file the committee reviews (every role but viewer needs one); repeat for more",
    )
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.document if not p.is_file()]
    if missing:
        parser.error(f"--document: no such file: {', '.join(missing)}")
    if args.role != "viewer" and not args.document:
        parser.error(
            f"role {args.role} is critical: give at least one --document for the committee to review "
            "(e.g. a letter of appointment)"
        )
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
        sys.exit(runtime.run(request(args.org, args.name, args.role, attributes, args.document)))
    except (ConsortiumError, LedgerError, ProvisionError, OSError) as error:
        print(f"member-add: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
