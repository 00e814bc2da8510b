"""Faults on the running network: a Raft orderer killed (the leader, so an election must happen), a peer
killed, a peer stopped and its ledger checked with the stock `ledgerutil verify`. Each test leaves the
network as it found it."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import signal
import ssl
import time
import urllib.request
from pathlib import Path

from tests.integration.conftest import PROJECT, RunningNetwork, artifact_args, provenance


def pid_of(network: RunningNetwork, name: str) -> int:
    return int((network.run_dir / "pids" / f"{name}.pid").read_text().split()[0])


def metrics(network: RunningNetwork, organisation: str, url: str) -> str:
    """metrics reads an operations endpoint's /metrics with the organisation admin's TLS certificate."""
    org = network.consortium.organisation(organisation)
    context = ssl.create_default_context(cafile=str(org.tls_root_cert))
    context.load_cert_chain(org.admin_dir / "tls" / "server.crt", org.admin_dir / "tls" / "server.key")
    with urllib.request.urlopen(f"{url}/metrics", context=context, timeout=5) as response:
        return str(response.read().decode())


def raft_leader(network: RunningNetwork, among: set[str] | None = None) -> str:
    orderers = [
        o for o in network.consortium.organisation("OrdererOrg").orderers if among is None or o.name in among
    ]
    for _ in range(60):
        for orderer in orderers:
            text = metrics(network, "OrdererOrg", orderer.operations)
            if f'consensus_etcdraft_is_leader{{channel="{PROJECT}"}} 1' in text:
                return orderer.name
        time.sleep(0.5)
    raise AssertionError(f"no orderer reports itself Raft leader of {PROJECT}")


def orderer_height(network: RunningNetwork, orderer: str) -> int:
    code, out = network.script("ledger.sh", "height", orderer, PROJECT)
    assert code == 0, out
    return int(out.strip().splitlines()[-1])


def peer_height(network: RunningNetwork, organisation: str) -> int:
    code, out = network.script("ledger.sh", "cli", organisation, "channel", "getinfo", "-c", PROJECT)
    assert code == 0, out
    return int(json.loads(out[out.index("{") : out.rindex("}") + 1])["height"])


async def record(network: RunningNetwork, count: int) -> list[str]:
    """record commits count artifacts as Manufacturer and returns their ids."""
    ids = [f"fault-{secrets.token_hex(6)}" for _ in range(count)]
    async with network.gateway("Manufacturer") as gateway:
        for artifact_id in ids:
            await provenance(gateway).submit("RecordArtifact", args=artifact_args(artifact_id))
    return ids


def wait_until(condition: str, check: object, timeout: float = 60) -> None:
    assert callable(check)
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"{condition} within {timeout} s"
        time.sleep(0.5)


async def test_transactions_commit_with_the_raft_leader_killed_and_it_catches_up(
    network: RunningNetwork,
) -> None:
    leader = raft_leader(network)
    others = [o.name for o in network.consortium.organisation("OrdererOrg").orderers if o.name != leader]
    os.kill(pid_of(network, leader), signal.SIGKILL)
    try:
        # The two left elect a new leader (ElectionTick x TickInterval, 2.5 s); until then the ordering
        # service refuses submissions, and a client retries.
        assert raft_leader(network, among=set(others)) in others
        ids = await record(network, 3)
        assert len(ids) == 3
    finally:
        network.script("ledger.sh", "start-orderer", leader)
    target = max(orderer_height(network, o) for o in others)
    wait_until(
        f"{leader} catches up to height {target}",
        lambda: orderer_height(network, leader) >= target,
    )
    assert orderer_height(network, leader) == max(orderer_height(network, o) for o in others)


async def test_a_killed_peer_restarts_catches_up_and_answers_reads(network: RunningNetwork) -> None:
    os.kill(pid_of(network, "peer-conditionmonitor"), signal.SIGKILL)
    try:
        ids = await record(network, 3)
    finally:
        network.script("ledger.sh", "start-peer", "ConditionMonitor")
    target = peer_height(network, "Manufacturer")
    wait_until(
        f"ConditionMonitor's peer catches up to height {target}",
        lambda: peer_height(network, "ConditionMonitor") >= target,
    )
    async with network.gateway("ConditionMonitor") as gateway:
        records = await asyncio.gather(*(provenance(gateway).evaluate("GetArtifact", args=[i]) for i in ids))
    assert [json.loads(r)["id"] for r in records] == ids


async def test_ledgerutil_verifies_a_stopped_peers_ledger_intact_and_finds_a_damaged_copy(
    network: RunningNetwork, tmp_path: Path
) -> None:
    [artifact_id] = await record(network, 1)
    target = peer_height(network, "Manufacturer")
    wait_until(
        f"ModelTrainer's peer reaches height {target}", lambda: peer_height(network, "ModelTrainer") >= target
    )
    code, out = network.script("ledger.sh", "verify", "ModelTrainer", check=False)
    assert code != 0
    assert "stop ModelTrainer's peer first" in out
    store = network.run_dir / "peers" / "modeltrainer" / "production"
    network.script("ledger.sh", "stop-peer", "ModelTrainer")
    try:
        code, out = network.script("ledger.sh", "verify", "ModelTrainer", check=False)
        copy = tmp_path / "production"
        shutil.copytree(store, copy)
    finally:
        network.script("ledger.sh", "start-peer", "ModelTrainer")
    assert code == 0, out
    assert "No error is found" in out, out

    # One byte changed inside a recorded transaction: the artifact id in a block's data.
    blocks = copy / "ledgersData" / "chains" / "chains" / PROJECT / "blockfile_000000"
    data = bytearray(blocks.read_bytes())
    at = data.find(artifact_id.encode())
    assert at > 0, f"{artifact_id} is not in the project's block file"
    data[at + 10] ^= 0x01
    blocks.write_bytes(bytes(data))
    code, out = network.script("ledger.sh", "verify", str(copy), check=False)
    assert code != 0, out
    assert "found problems" in out, out
