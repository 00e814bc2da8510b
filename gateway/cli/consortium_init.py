"""consortium_init: `make consortium`, founding the consortium on the running network by every founding
organisation's consent, then setting up every project channel made before (`project_init`).

On this one-machine network every organisation's admin identity is at hand, so the command does what
each organisation's administrator would do on its own: the first peer organisation's admin proposes
(`registry:InitConsortium`, the default parameters: README "Ledger rules", but for the trust period's
length when `--period-seconds` gives one, as `make demo` does), naming each peer
organisation's admin identity as its founder (member id `founder-<organisation>`, role admin), and
every other organisation's admin confirms (`ConfirmConsortium`); the last confirmation founds it. A
founded consortium is left as it is. Then each founder that has no key-agreement key yet gets one
(`provision_key_agreement_key`: an X25519 pair in the admin's identity folder, the public key
registered by the founder itself), so that project data keys can be wrapped for it: `make project`
records each project's first key epoch for the listed members that have keys. Exit 0: founded (now
or before); 1: a step was refused.
"""

from __future__ import annotations

import argparse
import sys
from functools import partial

from gateway import runtime
from gateway.api.wallet import Wallet, WalletError
from gateway.artifacts.keys import key_id_of, provision_key_agreement_key
from gateway.cli.project_init import initialise
from gateway.consortium import Consortium, ConsortiumError, Organisation, load_consortium
from gateway.ledger import Founder, LedgerError, client_id, open_ledger
from gateway.ledger.errors import LAG_REASONS, resend_on_lag


def founder_id(organisation: str) -> str:
    return f"founder-{organisation.lower()}"


async def provision_founder_key(consortium: Consortium, org: Organisation) -> None:
    """provision_founder_key gives org's founder (its admin identity) a key-agreement key unless it has one
    (or is not founder-<org>, as in a consortium founded otherwise: then nothing is done)."""
    member_id = founder_id(org.name)
    async with open_ledger(consortium, organisation=org.name, identity_dir=org.admin_dir) as ledger:
        try:
            if await ledger.registry.get_key_agreement_keys(member_id):
                return
        except LedgerError as error:
            if any("does not exist" in r for r in error.reasons):
                return
            raise
        public = await provision_key_agreement_key(org.admin_dir, ledger.registry)
    print(f"{member_id} registered its key-agreement key {key_id_of(public)[:16]}...")


async def found(period_seconds: int | None = None) -> int:
    consortium = load_consortium()
    organisations = consortium.peer_organisations
    first = organisations[0]
    async with open_ledger(consortium, organisation=first.name, identity_dir=first.admin_dir) as ledger:
        try:
            parameters = await ledger.registry.get_parameters()
            print(
                f"the consortium is founded already (parameters version {parameters.version}, "
                f"periods of {parameters.params.period_seconds} s)"
            )
            founded_now = False
        except LedgerError as error:
            if not any("not initialised" in r for r in error.reasons):
                raise
            founded_now = True
        if founded_now:
            founders = [
                Founder(
                    founder_id(o.name),
                    o.name,
                    client_id((o.admin_dir / "msp" / "signcerts" / "cert.pem").read_bytes()),
                )
                for o in organisations
            ]
            proposal_id = await ledger.registry.init_consortium(founders, period_seconds=period_seconds)
            print(f"{first.name} proposed the consortium of {', '.join(o.name for o in organisations)}")
    if founded_now:
        for org in organisations[1:]:
            async with open_ledger(consortium, organisation=org.name, identity_dir=org.admin_dir) as ledger:
                # Another organisation's peer may not have the proposal yet: it answers "does not exist".
                await resend_on_lag(
                    partial(ledger.registry.confirm_consortium, proposal_id),
                    reasons=(*LAG_REASONS, "does not exist"),
                )
            print(f"{org.name} confirmed")
        print("the consortium is founded")
    for org in organisations:
        await provision_founder_key(consortium, org)
        if org.api is not None and org.api.passphrase_file.is_file():
            # The founders sign in to their organisation's gateway service (bcmlp wallet add).
            Wallet.open(org.api.wallet_dir, org.api.passphrase_file).add(
                member_id=founder_id(org.name), msp_id=org.msp_id, identity_dir=org.admin_dir
            )
            print(f"{founder_id(org.name)} is in {org.name}'s wallet")
    for project in sorted(c for c in consortium.channels if c != "mainchain"):
        if await initialise(project) != 0:
            return 1
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--period-seconds",
        type=int,
        help="the trust period length when founding now (default: the contract's, a day); "
        "a consortium founded before keeps its own",
    )
    args = parser.parse_args()
    if args.period_seconds is not None and args.period_seconds < 1:
        parser.error(f"--period-seconds must be at least 1, not {args.period_seconds}")
    try:
        sys.exit(runtime.run(found(args.period_seconds)))
    except (ConsortiumError, LedgerError, WalletError) as error:
        print(f"consortium: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
