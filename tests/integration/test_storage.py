"""The consortium's private IPFS swarm: content moves between organisations, outsiders stay out."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.consortium import Organisation
from gateway.ipfs import IpfsClient, IpfsError
from tests.conftest import run_script
from tests.integration.conftest import RunningNetwork

KUBO_VERSION = "0.43.0"


def kubo() -> str:
    cache = Path(os.environ.get("BCMLP_CACHE") or Path.home() / ".cache" / "bcmlp")
    return str(cache / f"kubo-{KUBO_VERSION}" / "bin" / "ipfs")


def ipfs_node(org: Organisation) -> IpfsClient:
    assert org.ipfs is not None
    return IpfsClient(org.ipfs, timeout=20)


async def test_content_added_at_one_organisation_is_fetched_by_another(network: RunningNetwork) -> None:
    manufacturer, qc = (network.consortium.organisation(n) for n in ("Manufacturer", "QualityControl"))
    data = b"surface image batch " + secrets.token_bytes(64)
    async with ipfs_node(manufacturer) as m, ipfs_node(qc) as q:
        cid = await m.add(data)
        assert cid.startswith("b")  # CIDv1, base32
        assert await q.cat(cid) == data
        await q.pin(cid)
        assert await q.pinned(cid)
        assert not await q.pinned(await m.add(b"only at the manufacturer " + secrets.token_bytes(8)))


async def test_every_node_is_connected_to_every_other(network: RunningNetwork) -> None:
    orgs = network.reload().peer_organisations  # an organisation may have joined since the session began
    ids = {o.ipfs.peer_id for o in orgs if o.ipfs}
    assert len(ids) == len(orgs) >= 4
    for org in orgs:
        assert org.ipfs is not None
        async with ipfs_node(org) as node:
            assert await node.peer_id() == org.ipfs.peer_id
            assert set(await node.swarm_peers()) == ids - {org.ipfs.peer_id}


def test_nodes_are_configured_for_the_private_swarm_only(network: RunningNetwork) -> None:
    orgs = network.reload().peer_organisations  # an organisation may have joined since the session began
    consortium_ids = {o.ipfs.peer_id for o in orgs if o.ipfs}
    key = (network.run_dir / "ipfs" / "swarm.key").read_text()
    for org in orgs:
        assert org.ipfs is not None
        assert (org.ipfs.repo / "swarm.key").read_text() == key
        config = json.loads((org.ipfs.repo / "config").read_text())
        boot_ids = {addr.rsplit("/p2p/", 1)[1] for addr in config["Bootstrap"]}
        assert boot_ids == consortium_ids - {org.ipfs.peer_id}
        assert all(a.startswith("/ip4/127.0.0.1/") for a in config["Bootstrap"])
        assert config["AutoConf"]["Enabled"] is False
        assert config["Discovery"]["MDNS"]["Enabled"] is False
        assert config["Routing"]["Type"] == "dht"
        assert config["Addresses"]["Gateway"] == []
        assert config["Addresses"]["API"].startswith("/ip4/127.0.0.1/")


async def test_the_api_refuses_requests_without_the_token(network: RunningNetwork) -> None:
    import aiohttp

    org = network.consortium.organisation("ModelTrainer")
    assert org.ipfs is not None
    async with aiohttp.ClientSession() as s, s.post(f"{org.ipfs.api}/api/v0/id") as r:
        assert r.status == 403


async def test_a_wrong_token_gives_a_clear_error(network: RunningNetwork, tmp_path: Path) -> None:
    org = network.consortium.organisation("ModelTrainer")
    assert org.ipfs is not None
    header = tmp_path / "api.header"
    header.write_text("Authorization: Bearer not-the-token\n")
    from dataclasses import replace

    async with IpfsClient(replace(org.ipfs, api_header_file=header), timeout=5) as node:
        with pytest.raises(IpfsError, match="failed"):
            await node.peer_id()


class Outsider:
    """A Kubo node that is not a consortium member, on its own ports."""

    def __init__(self, repo: Path, port_base: int, swarm_key: Path | None) -> None:
        self.repo, self.swarm_port, self.api_port = repo, port_base, port_base + 1
        self.env = {**os.environ, "IPFS_PATH": str(repo), "LIBP2P_FORCE_PNET": "1"}
        self.cli("init", "--empty-repo")
        self.cli("config", "--json", "Addresses.Swarm", json.dumps([f"/ip4/127.0.0.1/tcp/{self.swarm_port}"]))
        self.cli("config", "Addresses.API", f"/ip4/127.0.0.1/tcp/{self.api_port}")
        self.cli("config", "--json", "Addresses.Gateway", "[]")
        self.cli("config", "--json", "Bootstrap", "[]")
        self.cli("config", "--json", "AutoConf.Enabled", "false")
        self.cli("config", "--json", "Swarm.Transports.Network.QUIC", "false")
        self.cli("config", "--json", "Swarm.Transports.Network.WebTransport", "false")
        self.cli("config", "--json", "Swarm.Transports.Network.WebRTCDirect", "false")
        self.cli("config", "--json", "Swarm.AddrFilters", "[]")
        if swarm_key is not None:
            (repo / "swarm.key").write_text(swarm_key.read_text())
        self.proc: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        return subprocess.run([kubo(), *args], env=self.env, capture_output=True, text=True, timeout=timeout)

    def start(self) -> subprocess.Popen[bytes]:
        self.proc = subprocess.Popen(
            [kubo(), "daemon", "--migrate=false"],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        return self.proc

    def wait_ready(self) -> None:
        for _ in range(150):
            if self.cli("id").returncode == 0:
                return
            assert self.proc is not None and self.proc.poll() is None, "outsider daemon exited"
            time.sleep(0.2)
        raise AssertionError("outsider daemon did not start")

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
            self.proc.communicate(timeout=20)


@pytest.fixture
def outsider_key(tmp_path: Path, network: RunningNetwork) -> Path:
    key = tmp_path / "other.key"
    run_script("ipfs.sh", "swarm-key", str(key), env=network.env)
    return key


@pytest.fixture
def outsider(tmp_path: Path, outsider_key: Path) -> Iterator[Outsider]:
    node = Outsider(
        tmp_path / "outsider", int(os.environ.get("BCMLP_TEST_PORT_BASE", "27000")) + 990, outsider_key
    )
    yield node
    node.stop()


async def test_a_node_with_another_swarm_key_cannot_connect(
    network: RunningNetwork, outsider: Outsider
) -> None:
    outsider.start()
    outsider.wait_ready()
    org = network.consortium.organisation("Manufacturer")
    assert org.ipfs is not None
    reply = outsider.cli("swarm", "connect", f"{org.ipfs.swarm}/p2p/{org.ipfs.peer_id}")
    assert reply.returncode != 0, reply.stdout
    async with ipfs_node(org) as node:
        outsider_id = outsider.cli("config", "Identity.PeerID").stdout.strip()
        assert outsider_id not in await node.swarm_peers()
    # and content of the consortium is out of its reach
    async with ipfs_node(org) as node:
        cid = await node.add(b"consortium only " + secrets.token_bytes(8))
    assert outsider.cli("cat", "--timeout=5s", cid).returncode != 0


def test_a_node_without_a_swarm_key_refuses_to_start(tmp_path: Path) -> None:
    node = Outsider(tmp_path / "keyless", int(os.environ.get("BCMLP_TEST_PORT_BASE", "27000")) + 980, None)
    proc = node.start()
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert b"private network" in out.lower() or b"pnet" in out.lower(), out[-500:]
