"""The consortium of the integration tests, founded once per session, and what governance tests share.

The consortium can be founded only once per network, so the session fixture `governance` (conftest)
founds it, through `found` (which then gives each founder a key-agreement key, as `make consortium`
does), and keeps what it saw on the way there; it founds it with k = 3, so that two
approvals, from two organisations, are still too few. Any test that needs a founded consortium takes
that fixture; every test makes its own members and is independent of the others' order. Here too: the
helpers that wait for every peer (`settle`), close and apply registry periods, and the independent
reference computation of the trust rule.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from gateway.artifacts.keys import provision_key_agreement_key
from gateway.fabric import GatewayError
from gateway.ledger import (
    AppliedPeriod,
    ConsortiumParams,
    Document,
    Founder,
    GenesisProposal,
    Ledger,
    LedgerError,
    ProjectMemberArgument,
    RegistryClient,
    TrustParams,
    TrustRow,
    client_id,
    open_ledger,
)

if TYPE_CHECKING:
    from tests.integration.conftest import RunningNetwork

ORGS = ("Manufacturer", "ModelTrainer", "ConditionMonitor", "QualityControl")
K = 3
# Short periods, so that the trust-snapshot test can close them; nothing else depends on the length.
PERIOD_SECONDS = 3
PARAMS = ConsortiumParams(
    committee_size=7,
    approvals=K,
    trust_floor=Decimal(0),
    period_seconds=PERIOD_SECONDS,
    trust=TrustParams(Decimal("0.5"), Decimal("0.9"), Decimal(1), (Decimal(2), Decimal(6), Decimal(20))),
)
# A published IPFS document (the CID of "hello world" and its SHA-256).
DOC = Document(
    "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e",
    "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9",
    "commercial register extract",
)
DOC_JSON = f'{{"cid":"{DOC.cid}","sha256":"{DOC.sha256}","name":"{DOC.name}"}}'
SETTLE_SECONDS = 15.0


def founder_id(organisation: str) -> str:
    return f"gov-founder-{organisation.lower()}"


def certificate_of(identity_dir: Path) -> bytes:
    return (identity_dir / "msp" / "signcerts" / "cert.pem").read_bytes()


def new_identity(network: RunningNetwork, organisation: str, name: str) -> Path:
    """new_identity registers and enrols a client identity at organisation's CA and returns its folder."""
    network.script("ca.sh", "identity", organisation, name, "client")
    return network.consortium.organisation(organisation).msp_dir.parent / "users" / name


async def refusal(call: Awaitable[object]) -> str:
    """refusal awaits a contract call that must be refused and returns the peers' reasons."""
    reason = await attempt(call)
    assert reason is not None, "the call was accepted"
    return reason


async def attempt(call: Awaitable[object]) -> str | None:
    """attempt awaits a contract call and returns the peers' reasons if it was refused, None if accepted."""
    try:
        await call
    except LedgerError as refused:
        assert refused.stage in ("endorse", "evaluate"), refused
        return " | ".join(refused.reasons)
    return None


async def settle(admins: dict[str, Ledger], transaction_id: str, channel: str = "mainchain") -> None:
    """settle waits until each of these organisations' peers has committed transaction_id on channel, so
    that whichever peer endorses or answers the next call has seen it (the gateway waits for its own
    peer only)."""
    await asyncio.gather(*(_committed_on(ledger, transaction_id, channel) for ledger in admins.values()))


async def _committed_on(ledger: Ledger, transaction_id: str, channel: str) -> None:
    qscc = ledger.gateway.network(channel).contract("qscc")
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        try:
            await qscc.evaluate("GetTransactionByID", args=[channel, transaction_id])
            return
        except GatewayError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)


@dataclass(frozen=True)
class Governance:
    """Governance is the founded consortium: each founding organisation's admin connected (the founders'
    identities), and what the fixture saw before the last confirmation."""

    network: RunningNetwork
    admins: dict[str, Ledger]
    founders: list[Founder]
    proposal_id: str
    # GetParameters' refusals after the proposal and after each confirmation but the last (None: answered)
    refusals_before_genesis: list[str | None]
    # each confirming organisation's refusal (None: confirmed)
    confirmation_refusals: dict[str, str | None]
    # the genesis proposal as read just before the last confirmation
    pending: GenesisProposal
    # a founding organisation's client (not admin) identity, bound to no member, and its refusals
    clerk_dir: Path
    clerk_proposal_refusal: str | None
    clerk_confirmation_refusal: str | None

    def founder(self, organisation: str) -> Ledger:
        return self.admins[organisation]

    async def settle(self, transaction_id: str, channel: str = "mainchain") -> None:
        """settle waits for transaction_id on every peer of channel (its organisations' peers)."""
        organisations = self.network.consortium.channels[channel]
        await settle({o: self.admins[o] for o in organisations if o in self.admins}, transaction_id, channel)

    async def enrolled(
        self,
        organisation: str,
        name: str,
        *,
        role: str,
        attributes: dict[str, str | int],
        approvers: tuple[str, ...] | None = None,
    ) -> Path:
        """enrolled makes a member of a critical role, approved by the founders of approvers (default: of
        every other founding organisation)."""
        if approvers is None:
            approvers = tuple(o for o in ORGS if o != organisation)
        identity_dir = new_identity(self.network, organisation, name)
        async with open_ledger(
            self.network.consortium, organisation=organisation, identity_dir=identity_dir
        ) as own:
            request_id = await own.registry.request_enrolment(
                name, role=role, attributes=attributes, documents=[DOC]
            )
        await self.settle(request_id)
        for approver in approvers:
            await self.settle(
                (await self.founder(approver).registry.approve_enrolment(request_id)).transaction_id
            )
        return identity_dir

    async def project_member(
        self, organisation: str, name: str, *, role: str, attributes: dict[str, str | int], project: str
    ) -> Path:
        """project_member makes member name of organisation in role (approved by the other founders) and
        has its organisation's founder list it on project's channel; returns its identity folder."""
        identity_dir = await self.enrolled(organisation, name, role=role, attributes=attributes)
        entry = ProjectMemberArgument(name, client_id(certificate_of(identity_dir)), role, organisation)
        listing = await self.founder(organisation).provenance(project).add_member(entry)
        await self.settle(listing.transaction_id, project)
        return identity_dir

    async def company_certificates(self, organisations: tuple[str, ...], *, prefix: str) -> None:
        """company_certificates has each organisation's founder issue its company certificate
        <prefix>-<organisation, lowercase> on mainchain, settled."""
        for org in organisations:
            issued = await self.founder(org).registry.issue_certificate(
                f"{prefix}-{org.lower()}",
                kind="company",
                subject=org,
                project_channel="mainchain",
                attributes={"legalEntity": f"{org} GmbH"},
                evidence=[DOC],
            )
            await self.settle(issued.transaction_id)

    async def suspend(
        self, member_id: str, *, requested_by: str, approvers: tuple[str, ...], reason: str
    ) -> None:
        """suspend has the founder of requested_by ask to suspend member_id, and the founders of approvers
        approve, each transaction settled on mainchain."""
        request_id = await self.founder(requested_by).registry.request_member_status(
            member_id, status="suspended", reason=reason
        )
        await self.settle(request_id)
        for approver in approvers:
            await self.settle(
                (await self.founder(approver).registry.approve_member_status(request_id)).transaction_id
            )


@asynccontextmanager
async def found(network: RunningNetwork) -> AsyncIterator[Governance]:
    """found founds the consortium of the running network with PARAMS, each founding organisation's
    admin confirming in turn, and yields it with what it saw before the last confirmation."""
    consortium = network.consortium
    assert set(consortium.channels["mainchain"]) == set(ORGS), consortium.channels
    clerk_dir = new_identity(network, "QualityControl", "gov-clerk")
    async with AsyncExitStack() as stack:
        admins = {
            org: await stack.enter_async_context(
                open_ledger(consortium, organisation=org, identity_dir=consortium.organisation(org).admin_dir)
            )
            for org in ORGS
        }
        clerk = await stack.enter_async_context(
            open_ledger(consortium, organisation="QualityControl", identity_dir=clerk_dir)
        )
        founders = [
            Founder(founder_id(org), org, client_id(certificate_of(consortium.organisation(org).admin_dir)))
            for org in ORGS
        ]
        clerk_proposal_refusal = await attempt(clerk.registry.init_consortium(founders, params=PARAMS))

        proposal_id = await admins["Manufacturer"].registry.init_consortium(founders, params=PARAMS)
        await settle(admins, proposal_id)

        async def confirm(organisation: str) -> str | None:
            try:
                committed = await admins[organisation].registry.confirm_consortium(proposal_id)
            except LedgerError as refused:
                return " | ".join(refused.reasons)
            await settle(admins, committed.transaction_id)
            return None

        refusals = [await attempt(admins["ModelTrainer"].registry.get_parameters())]
        confirmation_refusals: dict[str, str | None] = {}
        for org in ("ModelTrainer", "ConditionMonitor"):
            confirmation_refusals[org] = await confirm(org)
            refusals.append(await attempt(admins["QualityControl"].registry.get_parameters()))
        clerk_confirmation_refusal = await attempt(clerk.registry.confirm_consortium(proposal_id))
        pending = await admins["QualityControl"].registry.get_genesis_proposal(proposal_id)
        confirmation_refusals["QualityControl"] = await confirm("QualityControl")
        # Each founder registers its key-agreement key, as `make consortium` does, so that `make project`
        # records each project's first data-key epoch for them.
        for org in ORGS:
            await provision_key_agreement_key(consortium.organisation(org).admin_dir, admins[org].registry)
            key = await admins[org].registry.get_key_agreement_key(founder_id(org))
            await settle(admins, key.tx_id)
        yield Governance(
            network,
            admins,
            founders,
            proposal_id,
            refusals,
            confirmation_refusals,
            pending,
            clerk_dir,
            clerk_proposal_refusal,
            clerk_confirmation_refusal,
        )


S = 1_000_000  # the contracts' fixed point: 1.0
# A founder's genesis standing in very-high evidence, below which it never decays (registry.FounderFloor).
FOUNDER_FLOOR = 6 * S


def fixed(value: Decimal) -> int:
    scaled = value * S
    assert scaled == int(scaled), value
    return int(scaled)


def reference_value(pos: list[int], neg: list[int], trust: TrustParams) -> int:
    """reference_value is the trust of evidence pos/neg (fixed point, by band) under README "Trust rule":
    each band capped, then (r - s) / (r + s + 2), rounded toward zero."""
    caps = [fixed(c) for c in trust.band_caps]
    r = sum(min(v, c) for v, c in zip(pos, caps, strict=True))
    n = sum(min(v, c) for v, c in zip(neg, caps, strict=True))
    numerator, denominator = (r - n) * S, r + n + 2 * S
    quotient = abs(numerator) // denominator
    return quotient if numerator >= 0 else -quotient


def reference_decay(
    pos: list[int], neg: list[int], trust: TrustParams, floor: int
) -> tuple[list[int], list[int]]:
    """reference_decay is one period's decay of evidence pos/neg: every band times the decay factor,
    except that very-high evidence falls no lower than floor (a founder's; 0 for anyone else) unless it
    was lower already."""
    decay = fixed(trust.decay)
    very_high = pos[2]
    pos, neg = [v * decay // S for v in pos], [v * decay // S for v in neg]
    pos[2] = max(pos[2], min(very_high, floor))
    return pos, neg


def reference_trust(before: TrustRow, rater_trust: int, score: int, trust: TrustParams) -> int:
    """reference_trust is the ratee's trust after one period in which one rater of another organisation
    rated it with score (its ratings' mean, counted once), computed here from the rule in README "Trust
    rule" (decay, then the rating weighted by the rater's trust in its band, capped per band), from the
    ratee's evidence before the period."""
    pos, neg = reference_decay(
        [fixed(v) for v in before.evidence.positive], [fixed(v) for v in before.evidence.negative], trust, 0
    )
    band = 2 if rater_trust > 750_000 else 1 if rater_trust > 500_000 else 0
    weight = max(rater_trust, 0)
    pos[band] += weight * (S + score) // (2 * S)
    neg[band] += weight * (S - score) // (2 * S)
    return reference_value(pos, neg, trust)


async def close_through(governance: Governance, registry: RegistryClient, period: int) -> None:
    """close_through closes the registry's periods until period is closed, each as soon as the period
    length in force has passed since it opened (by the timestamps of the transactions, which this
    machine's clock sets). Where the registry refuses to close one more while two closed periods wait
    for ApplyPeriod (another test's snapshot rounds, such as the demonstration's, may leave them so),
    the earlier of them is applied first: its successor is closed, so it applies without waiting."""
    seconds = (await registry.get_parameters()).params.period_seconds
    early = 0
    while (clock := await registry.get_trust_clock()).open_period <= period:
        opened = datetime.fromisoformat(clock.opened_at).timestamp()
        await asyncio.sleep(max(0.0, opened + seconds - time.time()))
        try:
            await governance.settle((await registry.close_period()).transaction_id)
        except LedgerError as refused:
            reason = " | ".join(refused.reasons)
            if "closed but not applied" in reason:
                applied = await registry.apply_period(clock.latest_period + 1)
                await governance.settle(applied.transaction_id)
                continue
            assert "closes no earlier than" in reason and early < 10, reason
            early += 1
            await asyncio.sleep(0.1)


async def apply_through(governance: Governance, registry: RegistryClient, period: int) -> list[AppliedPeriod]:
    """apply_through applies every period up to period in order, closing the next one where a period
    waits for projects that have not submitted (they are carried into a later period); it returns the
    records of the periods it applied."""
    applied = []
    while (clock := await registry.get_trust_clock()).latest_period < period:
        try:
            await governance.settle((await registry.apply_period(clock.latest_period + 1)).transaction_id)
        except LedgerError as refused:
            reason = " | ".join(refused.reasons)
            assert "waits for the snapshots" in reason or "is not closed" in reason, reason
            await close_through(governance, registry, clock.open_period)
            continue
        applied.append(await registry.get_applied_period(clock.latest_period + 1))
    return applied
