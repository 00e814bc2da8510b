"""make-level life cycle: status, down/up persistence, no process left behind, refused projects."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from gateway.ipfs import IpfsClient
from tests.integration.conftest import PROJECT_ORGS, RunningNetwork, artifact_args, provenance


def process_count(network: RunningNetwork) -> int:
    """process_count is how many processes the network runs as its description says now (a test may
    have added an organisation): a CA per organisation, three orderers, a Kubo node, a peer, a
    registry server and a gateway service per peer organisation, a provenance server per organisation
    of a project."""
    consortium = network.reload()
    peer_orgs = len(consortium.peer_organisations)
    in_projects = {o for name, orgs in consortium.channels.items() if name != "mainchain" for o in orgs}
    return len(consortium.organisations) + 3 + 4 * peer_orgs + len(in_projects)


def running(pid: int) -> bool:
    """running is whether pid is a live process; an exited one that its parent has not reaped yet (a
    zombie: the daemons' parent is the container's init, which reaps late) has stopped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def live_pids(run_dir: Path) -> dict[str, int]:
    out = {}
    for f in (run_dir / "pids").glob("*.pid"):
        pid = int(f.read_text().split()[0])  # "PID STARTTIME" (network/lib.sh)
        if running(pid):
            out[f.stem] = pid
    return out


def tree(run_dir: Path) -> dict[str, int]:
    """tree maps each generated file to its modification time, leaving out what running daemons rewrite
    by themselves (Kubo's datastore and block store, and the logs)."""
    out = {}
    for p in run_dir.rglob("*"):
        rel = p.relative_to(run_dir)
        busy = rel.parts[0] == "logs" or (
            rel.parts[0] == "ipfs" and len(rel.parts) > 2 and rel.parts[2] in ("datastore", "blocks")
        )
        if p.is_file() and not busy:
            out[str(rel)] = p.stat().st_mtime_ns
    return out


def test_status_reports_every_process_healthy(network: RunningNetwork) -> None:
    proc = network.make("status")
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines()[1:] if line.strip()]
    # five CAs, three orderers, four Kubo nodes and peers, a registry server and a gateway service per
    # organisation, and a provenance server per organisation of the project channel
    assert len(lines) == process_count(network) >= 5 + 3 + 4 + 4 + 4 + 4 + len(PROJECT_ORGS)
    assert all(" running " in line and "(healthy)" in line for line in lines), proc.stdout


async def test_down_leaves_no_process_and_up_keeps_identities_content_and_ledger(
    network: RunningNetwork,
) -> None:
    manufacturer = network.consortium.organisation("Manufacturer")
    trainer = network.consortium.organisation("ModelTrainer")
    assert manufacturer.ipfs and trainer.ipfs
    data = b"written before down " + secrets.token_bytes(32)
    async with IpfsClient(manufacturer.ipfs) as node:
        cid = await node.add(data)
    artifact_id = f"before-down-{secrets.token_hex(6)}"
    async with network.gateway("Manufacturer") as gateway:
        await provenance(gateway).submit("RecordArtifact", args=artifact_args(artifact_id))
    peer_cert = (manufacturer.msp_dir.parent / "peers/peer0/msp/signcerts/cert.pem").read_bytes()
    before = live_pids(network.run_dir)
    assert len(before) == process_count(network)

    down = network.make("down")
    assert down.returncode == 0, down.stderr
    assert live_pids(network.run_dir) == {}
    assert [name for name, pid in before.items() if running(pid)] == []

    network.script("up.sh")
    assert live_pids(network.run_dir).keys() == before.keys()
    assert (manufacturer.msp_dir.parent / "peers/peer0/msp/signcerts/cert.pem").read_bytes() == peer_cert
    async with IpfsClient(trainer.ipfs) as node:
        assert await node.cat(cid) == data
    async with network.gateway("ConditionMonitor") as gateway:
        record = json.loads(await provenance(gateway).evaluate("GetArtifact", args=[artifact_id]))
    assert record["id"] == artifact_id


@pytest.mark.parametrize(
    ("name", "orgs", "message"),
    [
        ("", "Manufacturer ModelTrainer", "NAME is missing"),
        ("Project_1", "Manufacturer ModelTrainer", "NAME 'Project_1' is malformed"),
        ("1project", "Manufacturer", "NAME '1project' is malformed"),
        ("mainchain", "Manufacturer", "'mainchain' is the consortium's main channel"),
        ("newproject", "", "ORGS is missing"),
        ("newproject", "Manufacturer Acme", "unknown organisation 'Acme'"),
        ("newproject", "Manufacturer Manufacturer", "'Manufacturer' is named twice"),
        ("inspection", "Manufacturer ModelTrainer", "channel 'inspection' exists already"),
    ],
)
def test_project_bad_input_fails_with_a_specific_message_and_changes_nothing(
    network: RunningNetwork, name: str, orgs: str, message: str
) -> None:
    before = tree(network.run_dir)
    proc = network.make("project", f"NAME={name}", f"ORGS={orgs}")
    assert proc.returncode != 0
    assert message in proc.stderr, proc.stderr
    assert tree(network.run_dir) == before
