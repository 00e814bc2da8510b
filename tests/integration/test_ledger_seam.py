"""gateway.ledger, the one seam services, CLI and pipeline use, against the running network: it finds the
peer from the network description, connects with the member's mutual-TLS pair, returns typed records and
typed errors carrying each peer's reason, and its block event requests carry the TLS certificate hash
that the peer's Deliver service demands under mutual TLS."""

from __future__ import annotations

import pytest

from gateway.ledger import LedgerError, open_ledger
from tests.integration.conftest import PROJECT, PROJECT_ORGS, RunningNetwork


async def test_a_member_reads_typed_records_through_its_own_peer(network: RunningNetwork) -> None:
    org = network.consortium.organisation("ModelTrainer")
    async with open_ledger(
        network.consortium, organisation="ModelTrainer", identity_dir=org.admin_dir
    ) as ledger:
        clock = await ledger.provenance(PROJECT).get_period_clock()
    # The session's consortium is founded and `make project-init` set the channel up.
    assert clock.initialised
    assert clock.open_period >= clock.first_period >= 1
    assert clock.organisations == tuple(sorted(f"{o}MSP" for o in PROJECT_ORGS))


async def test_a_refusal_is_a_ledger_error_with_the_peers_reason(network: RunningNetwork) -> None:
    org = network.consortium.organisation("ModelTrainer")
    async with open_ledger(
        network.consortium, organisation="ModelTrainer", identity_dir=org.admin_dir
    ) as ledger:
        with pytest.raises(LedgerError) as refused:
            await ledger.provenance(PROJECT).get_artifact("no-such-artifact")
    assert refused.value.function == "provenance:GetArtifact"
    assert refused.value.stage == "evaluate"
    assert any("no-such-artifact" in reason for reason in refused.value.reasons), refused.value


async def test_block_events_under_mutual_tls_deliver_the_genesis_block(network: RunningNetwork) -> None:
    org = network.consortium.organisation("Manufacturer")
    async with (
        open_ledger(network.consortium, organisation="Manufacturer", identity_dir=org.admin_dir) as ledger,
        ledger.gateway.network(PROJECT).block_events(start_block=0) as blocks,
    ):
        async for block in blocks:
            assert block.header.number == 0
            break


async def test_a_member_may_use_another_organisations_peer(network: RunningNetwork) -> None:
    org = network.consortium.organisation("ConditionMonitor")
    async with open_ledger(
        network.consortium,
        organisation="ConditionMonitor",
        identity_dir=org.admin_dir,
        peer_organisation="Manufacturer",
    ) as ledger:
        assert (await ledger.provenance(PROJECT).get_period_clock()).initialised
