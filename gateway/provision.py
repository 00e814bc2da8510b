"""Provisioning the members a project's pipeline needs, as the consortium's admins would: what
`make member-add`, the committee's approvals and an organisation admin's listing do, one step after
another, each skipped when it is done already, so that running it again changes nothing.

For each planned member (organisation, member id, role, attributes):

1. its organisation's founder issues the organisation's company certificate on mainchain (a company
   certificate rests on a document on IPFS: the founder stores a register extract on its own node);
   the member's enrolment rests on one too (a letter of appointment, on the same node);
2. the member's identity is registered and enrolled at its organisation's Fabric CA (network/ca.sh);
3. the member requests its enrolment, signed by its own identity, and registers its key-agreement key;
4. founders of the other organisations approve, one after another, until the registry says active
   (k approvals from two organisations: README "Ledger rules");
5. its organisation's founder lists it on the project channel;
6. its key goes into its organisation's gateway-service wallet, so that it signs in there.

Last, when a listed member holds no copy of the project's latest data key, a founder records the next
key epoch, wrapped for every listed member. The founders are found in the registry by their admin
certificates (member ids differ between networks: `founder-<org>` from `make consortium`).

Every call goes to the ledger as the identity named above; a refusal that only means another
organisation's peer has not committed the previous step yet is sent again (resend_on_lag).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from gateway.api.wallet import Wallet
from gateway.artifacts.keys import provision_key_agreement_key
from gateway.artifacts.project_keys import recipients, rotate_project_key
from gateway.consortium import Consortium
from gateway.ipfs import IpfsClient
from gateway.ledger import Document, Ledger, LedgerError, ProjectMemberArgument, client_id, open_ledger
from gateway.ledger.errors import LAG_REASONS, resend_on_lag
from gateway.ledger.registry import AttributeValue

CA_SCRIPT = Path(__file__).resolve().parents[1] / "network" / "ca.sh"
# Refusals that a moment's wait cures here: the previous step is not yet on every endorsing peer.
PROVISION_LAG = (*LAG_REASONS, "does not exist", "is not bound to any member", "is not active", "not member")


class ProvisionError(Exception):
    """ProvisionError is a step that cannot be done: what and why."""


@dataclass(frozen=True)
class PlannedMember:
    """PlannedMember is a member a pipeline needs: its organisation, id, registry role and attributes
    (a companyCertificate attribute is filled in with its organisation's company certificate)."""

    organisation: str
    member_id: str
    role: str
    attributes: Mapping[str, AttributeValue]


def company_certificate_id(organisation: str) -> str:
    return f"company-{organisation.lower()}"


@dataclass(frozen=True)
class Provisioned:
    """Provisioned is a member ready to work: its identity folder and the steps this run did for it."""

    plan: PlannedMember
    identity_dir: Path
    done: tuple[str, ...]


async def founder_ids(ledger: Ledger, consortium: Consortium) -> dict[str, str]:
    """founder_ids maps each peer organisation to the member id its admin identity is bound to."""
    wanted = {
        client_id((org.admin_dir / "msp" / "signcerts" / "cert.pem").read_bytes()): org.name
        for org in consortium.peer_organisations
    }
    found = {}
    for row in await ledger.registry.get_trust_table():
        member = await ledger.registry.get_member(row.member_id)
        if member.identity in wanted and member.status == "active":
            found[wanted[member.identity]] = member.member_id
    missing = [o.name for o in consortium.peer_organisations if o.name not in found]
    if missing:
        raise ProvisionError(
            f"no active member is bound to the admin of {', '.join(missing)}: make consortium"
        )
    return found


class Provisioner:
    """Provisioner holds each organisation's founder connected (its admin identity) while it works."""

    def __init__(self, consortium: Consortium, project: str) -> None:
        self.consortium, self.project = consortium, project
        self.founders: dict[str, Ledger] = {}
        self.founder_ids: dict[str, str] = {}
        self._stack = AsyncExitStack()

    async def __aenter__(self) -> Provisioner:
        try:
            for org in self.consortium.peer_organisations:
                self.founders[org.name] = await self._stack.enter_async_context(
                    open_ledger(self.consortium, organisation=org.name, identity_dir=org.admin_dir)
                )
            first = self.consortium.peer_organisations[0].name
            self.founder_ids = await founder_ids(self.founders[first], self.consortium)
        except BaseException:
            # __aexit__ does not run when __aenter__ fails: close what was opened.
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    async def company_certificate(self, organisation: str) -> tuple[str, bool]:
        """company_certificate issues organisation's company certificate unless it exists; returns its
        id and whether it was issued now."""
        cert_id = company_certificate_id(organisation)
        founder = self.founders[organisation]
        try:
            await founder.registry.get_certificate(cert_id)
            return cert_id, False
        except LedgerError as error:
            if "does not exist" not in error.said:
                raise
        document = await self.document(
            organisation, f"commercial register extract of {organisation} GmbH", "commercial register extract"
        )
        await resend_on_lag(
            partial(
                founder.registry.issue_certificate,
                cert_id,
                kind="company",
                subject=organisation,
                project_channel="mainchain",
                attributes={"legalEntity": f"{organisation} GmbH"},
                evidence=[document],
            ),
            reasons=PROVISION_LAG,
        )
        return cert_id, True

    async def document(self, organisation: str, text: str, name: str) -> Document:
        """document publishes text as a Document for an enrolment or a certificate (publish_document)."""
        return await publish_document(self.consortium, organisation, f"{text}\n".encode(), name)

    async def member(self, plan: PlannedMember) -> Provisioned:
        """member does steps 1 to 6 of the module's doc for plan, each unless done."""
        org = self.consortium.organisation(plan.organisation)
        done = []
        cert_id, issued = await self.company_certificate(plan.organisation)
        if issued:
            done.append(f"company certificate {cert_id} issued")
        attributes = dict(plan.attributes)
        if "companyCertificate" in attributes:
            attributes["companyCertificate"] = cert_id
        identity_dir = org.msp_dir.parent / "users" / plan.member_id
        if not (identity_dir / "msp" / "signcerts" / "cert.pem").is_file():
            await _run(str(CA_SCRIPT), "identity", plan.organisation, plan.member_id, "client")
            done.append("enrolled at its CA")
        async with open_ledger(self.consortium, organisation=org.name, identity_dir=identity_dir) as own:
            try:
                member = await own.registry.get_member(plan.member_id)
            except LedgerError as error:
                if "does not exist" not in error.said:
                    raise
                # Critical roles (every one but viewer) rest on a document the committee reviews.
                letter = await self.document(
                    plan.organisation,
                    f"{plan.organisation} confirms {plan.member_id} as its {plan.role}",
                    "letter of appointment",
                )
                await own.registry.request_enrolment(
                    plan.member_id, role=plan.role, attributes=attributes, documents=[letter]
                )
                done.append("enrolment requested")
                member = await resend_on_lag(
                    partial(own.registry.get_member, plan.member_id), reasons=PROVISION_LAG
                )
            if member.role != plan.role:
                raise ProvisionError(
                    f"member {plan.member_id} is enrolled as {member.role}, not {plan.role}: name another"
                )
            if not await own.registry.get_key_agreement_keys(plan.member_id):
                await resend_on_lag(
                    partial(provision_key_agreement_key, identity_dir, own.registry), reasons=PROVISION_LAG
                )
                done.append("key-agreement key registered")
        approvers = [o for o in self.founders if o != plan.organisation]
        while member.status == "pending":
            if not approvers:
                raise ProvisionError(f"member {plan.member_id} is still pending after every founder approved")
            approver = approvers.pop(0)
            await resend_on_lag(
                partial(self.founders[approver].registry.approve_enrolment, member.request_id),
                reasons=PROVISION_LAG,
            )
            done.append(f"approved by {self.founder_ids[approver]}")
            # Read through the approver's peer, which has committed the approval.
            member = await self.founders[approver].registry.get_member(plan.member_id)
        if member.status != "active":
            raise ProvisionError(
                f"member {plan.member_id} is {member.status}: it cannot work on {self.project}"
            )
        provenance = self.founders[plan.organisation].provenance(self.project)
        listed = {m.member_id for m in await provenance.get_members() if m.status == "listed"}
        if plan.member_id not in listed:
            entry = ProjectMemberArgument(plan.member_id, member.identity, plan.role, plan.organisation)
            await resend_on_lag(partial(provenance.add_member, entry), reasons=PROVISION_LAG)
            done.append(f"listed on {self.project}")
        if org.api is None or not org.api.passphrase_file.is_file():
            raise ProvisionError(f"{plan.organisation} runs no gateway service with a wallet")
        Wallet.open(org.api.wallet_dir, org.api.passphrase_file).add(
            member_id=plan.member_id, msp_id=org.msp_id, identity_dir=identity_dir
        )
        return Provisioned(plan, identity_dir, tuple(done))

    async def founders_in_wallets(self) -> None:
        """founders_in_wallets puts each founder's key into its own organisation's service wallet."""
        for org in self.consortium.peer_organisations:
            if org.api is not None and org.api.passphrase_file.is_file():
                Wallet.open(org.api.wallet_dir, org.api.passphrase_file).add(
                    member_id=self.founder_ids[org.name], msp_id=org.msp_id, identity_dir=org.admin_dir
                )

    async def key_epoch(self, by: str) -> int | None:
        """key_epoch records the project's next data-key epoch as by's founder when a listed member with
        a key-agreement key holds no copy of the latest one; returns the new epoch, or None."""
        ledger = self.founders[by]
        epochs = await ledger.provenance(self.project).get_key_epochs()
        holders = set(epochs[-1].members) if epochs else set()
        keys, _ = await recipients(ledger, self.project)
        if epochs and {k.member_id for k in keys} <= holders:
            return None
        rotation = await resend_on_lag(
            partial(rotate_project_key, ledger, self.project),
            reasons=(*PROVISION_LAG, "has no copy for listed members", "is not a listed member"),
        )
        return rotation.epoch


async def publish_document(consortium: Consortium, organisation: str, content: bytes, name: str) -> Document:
    """publish_document stores content on organisation's own Kubo node, unencrypted and pinned (the
    committee reviews it: publish nothing secret), and answers it as a Document (CID, SHA-256, name)."""
    org = consortium.organisation(organisation)
    if org.ipfs is None:
        raise ProvisionError(f"{organisation} runs no IPFS node to keep its documents on")
    async with IpfsClient(org.ipfs) as node:
        cid = await node.add(content)
    return Document(cid, hashlib.sha256(content).hexdigest(), name)


async def _run(*command: str) -> None:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await process.communicate()
    if process.returncode != 0:
        said = out.decode(errors="replace").strip().splitlines()[-3:]
        raise ProvisionError(
            f"{' '.join(command[-4:])} failed (exit {process.returncode}): {' / '.join(said)}"
        )
