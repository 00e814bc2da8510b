"""One consortium per test session: real Fabric CAs, orderers, peers and chaincode servers and real Kubo
daemons, started by the project's own scripts in a temporary run directory on ports of their own (so a
`make up` network may run beside), and stopped at the end whatever happened. Besides mainchain, the
session has one project channel, PROJECT, of three organisations, and a consortium founded before
any test runs (the autouse fixture governance)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import pytest

from gateway.artifacts.store import ArtifactStore, StoredArtifact
from gateway.consortium import Consortium, load_consortium
from gateway.fabric import Contract, Gateway
from gateway.fabric.identity import load_msp_identity
from gateway.ipfs import IpfsClient
from tests.cmdlines import CommandLines, watch_command_lines
from tests.conftest import ROOT, run_script

if TYPE_CHECKING:
    from tests.integration.founding import Governance

PROJECT = "inspection"
PROJECT_ORGS = ("Manufacturer", "ModelTrainer", "ConditionMonitor")

CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"


def provenance(gateway: Gateway) -> Contract:
    """provenance is the project channel's provenance contract as gateway's identity."""
    return gateway.network(PROJECT).contract("provenance", "provenance")


def artifact_args(artifact_id: str) -> list[str]:
    """artifact_args are RecordArtifact's arguments for a small dataset record."""
    bounds = {"source": "camera-1", "dataType": "uint8", "min": "0", "max": "255"}
    return [
        artifact_id,
        "dataset",
        CID,
        hashlib.sha256(artifact_id.encode()).hexdigest(),
        "1",
        "application/octet-stream",
        "[]",
        json.dumps(["ManufacturerMSP", "ModelTrainerMSP"]),
        "1",
        "false",
        json.dumps(bounds),
    ]


@dataclass(frozen=True)
class RunningNetwork:
    env: dict[str, str]
    run_dir: Path
    consortium: Consortium
    # every process command line seen while the network and the project channel were made
    command_lines: CommandLines

    def script(self, script: str, *args: str, check: bool = True) -> tuple[int, str]:
        proc = run_script(script, *args, env=self.env, check=check)
        return proc.returncode, proc.stdout + proc.stderr

    def make(self, *args: str) -> subprocess.CompletedProcess[str]:
        """make runs a make target of the repository against this network, capturing its output."""
        return subprocess.run(
            ["make", "-s", "--no-print-directory", *args],
            cwd=ROOT,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=300,
        )

    def bcmlp(self, *args: str) -> subprocess.CompletedProcess[str]:
        """bcmlp runs the member's command line (gateway.cli.bcmlp) against this network."""
        return subprocess.run(
            [sys.executable, "-m", "gateway.cli.bcmlp", *args],
            cwd=ROOT,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=120,
        )

    def block_files(self, stored: StoredArtifact) -> list[Path]:
        """block_files are the files of stored's (single, raw) block in each pinning node's flatfs store:
        named by the base32 of the CID's multihash."""
        assert stored.cid.startswith("b"), stored.cid
        raw = base64.b32decode(stored.cid[1:].upper() + "=" * (-len(stored.cid[1:]) % 8))
        assert raw[:2] == b"\x01\x55", "a CIDv1 of a raw block"
        name = base64.b32encode(raw[2:]).decode().rstrip("=") + ".data"
        files = []
        for org in stored.pinned_on:
            repo = self.run_dir / "ipfs" / org.lower() / "blocks"
            files += list(repo.glob(f"*/{name}"))
        assert len(files) == len(stored.pinned_on), (name, files)
        return files

    def reload(self) -> Consortium:
        """reload reads the network description again (after a project channel was made)."""
        return load_consortium(self.run_dir)

    @asynccontextmanager
    async def peer_channel(
        self, organisation: str, via: str | None = None
    ) -> AsyncIterator[grpc.aio.Channel]:
        """peer_channel is a mutual-TLS gRPC channel to the peer of via (default: organisation itself),
        presenting organisation's admin's TLS client certificate."""
        org = self.consortium.organisation(organisation)
        target = self.consortium.organisation(via or organisation)
        assert target.peer is not None, f"{target.name} has no peer"
        tls = org.admin_dir / "tls"
        credentials = grpc.ssl_channel_credentials(
            root_certificates=target.tls_root_cert.read_bytes(),
            private_key=(tls / "server.key").read_bytes(),
            certificate_chain=(tls / "server.crt").read_bytes(),
        )
        async with grpc.aio.secure_channel(target.peer.address, credentials) as channel:
            yield channel

    @asynccontextmanager
    async def gateway(
        self, organisation: str, identity_dir: Path | None = None, via: str | None = None
    ) -> AsyncIterator[Gateway]:
        """gateway connects an identity of organisation (its admin by default) to the peer of via
        (default: its own organisation's)."""
        org = self.consortium.organisation(organisation)
        identity, signer = load_msp_identity((identity_dir or org.admin_dir) / "msp", org.msp_id)
        async with self.peer_channel(organisation, via) as channel:
            yield Gateway.connect(identity=identity, signer=signer, client=channel)


@pytest.fixture(scope="session")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNetwork]:
    run_dir = tmp_path_factory.mktemp("run")
    env = {"BCMLP_RUN": str(run_dir), "BCMLP_PORT_BASE": os.environ.get("BCMLP_TEST_PORT_BASE", "27000")}
    try:
        with watch_command_lines() as seen:
            run_script("up.sh", env=env, timeout=900)
            run_script("project.sh", PROJECT, " ".join(PROJECT_ORGS), env=env)
        yield RunningNetwork(
            env=env, run_dir=run_dir, consortium=load_consortium(run_dir), command_lines=seen
        )
    finally:
        run_script("down.sh", env=env, check=False)


@pytest.fixture(scope="session", autouse=True)
async def governance(network: RunningNetwork) -> AsyncIterator[Governance]:
    """governance is the session's consortium, founded before any test runs (founding.py): provenance
    takes writes only from members of a founded consortium listed on the channel, so PROJECT's channel is
    then registered and set up (`make project-init`), listing the founders of its organisations."""
    from tests.integration.founding import found  # founding.py imports this module

    async with found(network) as founded:
        proc = network.make("project-init", f"NAME={PROJECT}")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        yield founded


@pytest.fixture(scope="session")
async def store(network: RunningNetwork) -> AsyncIterator[ArtifactStore]:
    """store is an artifact store over the Kubo nodes of PROJECT's organisations."""
    clients = {}
    for name in PROJECT_ORGS:
        node = network.consortium.organisation(name).ipfs
        assert node is not None
        clients[name] = IpfsClient(node, timeout=10)
    yield ArtifactStore(clients)
    for client in clients.values():
        await client.close()
