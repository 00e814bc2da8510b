"""The ledger on the running network: commits seen across organisations, outsiders refused, chaincode
events with checkpoint resume, and the stock Fabric tools against what the project started."""

from __future__ import annotations

import asyncio
import datetime
import json
import secrets
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from gateway.fabric import Gateway
from gateway.fabric.checkpointer import Checkpointer
from gateway.fabric.errors import EndorseError, EvaluateError
from gateway.fabric.identity import X509Identity
from gateway.fabric.signer import ecdsa_signer_from_key
from tests.integration.conftest import PROJECT, RunningNetwork, artifact_args, provenance


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


async def test_a_transaction_committed_by_one_organisation_is_read_by_another(
    network: RunningNetwork,
) -> None:
    artifact_id = new_id("commit")
    async with network.gateway("Manufacturer") as writer, network.gateway("ModelTrainer") as reader:
        submitted = await provenance(writer).submit_async("RecordArtifact", args=artifact_args(artifact_id))
        status = await submitted.get_status()
        assert status.successful, status
        assert status.block_number > 0
        record = json.loads(await provenance(reader).evaluate("GetArtifact", args=[artifact_id]))
    assert record["id"] == artifact_id
    assert record["txId"] == submitted.transaction_id == status.tx_id
    assert record["creatorMsp"] == "ManufacturerMSP"


def outsider(tmp_path: Path, msp_id: str) -> tuple[X509Identity, ec.EllipticCurvePrivateKey]:
    """outsider makes a client certificate signed by a key that is no consortium CA's, claiming to be
    a member of msp_id with the organisation's NodeOU."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ca.outside")])
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, msp_id.removesuffix("MSP")),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "client"),
            x509.NameAttribute(NameOID.COMMON_NAME, "mallory"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(ca_key, hashes.SHA256())
    )
    (tmp_path / "outsider.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return X509Identity(msp_id, cert.public_bytes(serialization.Encoding.PEM)), key


async def test_an_identity_from_a_ca_outside_the_consortium_is_refused(
    network: RunningNetwork, tmp_path: Path
) -> None:
    identity, key = outsider(tmp_path, "ManufacturerMSP")
    artifact_id = new_id("outsider")
    async with network.peer_channel("Manufacturer") as channel, network.gateway("Manufacturer") as member:
        # The outsider rides on a member's TLS connection: only its signing identity is foreign.
        stranger = Gateway.connect(identity=identity, signer=ecdsa_signer_from_key(key), client=channel)
        with pytest.raises(EndorseError) as refused:
            await provenance(stranger).submit_async("RecordArtifact", args=artifact_args(artifact_id))
        with pytest.raises(EvaluateError):
            await provenance(stranger).evaluate("GetArtifact", args=[artifact_id])
        with pytest.raises(EvaluateError) as absent:
            await provenance(member).evaluate("GetArtifact", args=[artifact_id])
    assert "access denied" in str(refused.value).lower() or "creator" in str(refused.value).lower(), (
        refused.value
    )
    assert artifact_id in str(absent.value)


async def test_a_tls_client_certificate_from_outside_the_consortium_cannot_connect(
    network: RunningNetwork, tmp_path: Path
) -> None:
    identity, key = outsider(tmp_path, "ManufacturerMSP")
    org = network.consortium.organisation("Manufacturer")
    assert org.peer is not None
    credentials = grpc.ssl_channel_credentials(
        root_certificates=org.tls_root_cert.read_bytes(),
        private_key=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        certificate_chain=identity.certificate_pem,
    )
    async with grpc.aio.secure_channel(org.peer.address, credentials) as channel:
        stranger = Gateway.connect(identity=identity, signer=ecdsa_signer_from_key(key), client=channel)
        with pytest.raises(EvaluateError) as refused:
            await provenance(stranger).evaluate("GetArtifact", args=["anything"])
    assert "UNAVAILABLE" in str(refused.value), refused.value


async def test_chaincode_events_arrive_and_resume_after_a_checkpoint(network: RunningNetwork) -> None:
    ids = [new_id("event") for _ in range(4)]
    async with network.gateway("Manufacturer") as writer, network.gateway("ModelTrainer") as listener:
        # Submitted together, so that several land in one block: resuming inside a block is the case
        # that loses events when the client filters what the peer already skipped.
        submitted = await asyncio.gather(
            *(provenance(writer).submit_async("RecordArtifact", args=artifact_args(i)) for i in ids)
        )
        statuses = await asyncio.gather(*(s.get_status() for s in submitted))
        assert all(s.successful for s in statuses), statuses
        first_block = min(s.block_number for s in statuses)

        network_ = listener.network(PROJECT)
        checkpointer = Checkpointer()
        seen: list[str] = []
        async with network_.chaincode_events("provenance", start_block=first_block) as events:
            async for event in events:
                if json.loads(event.payload)["id"] in ids:
                    seen.append(json.loads(event.payload)["id"])
                    checkpointer.checkpoint_chaincode_event(event)
                    if len(seen) == 2:
                        break
        resumed: list[str] = []
        async with network_.chaincode_events("provenance", checkpoint=checkpointer) as events:
            async for event in events:
                assert event.event_name == "ArtifactRecorded"
                artifact = json.loads(event.payload)["id"]
                assert artifact not in seen, f"{artifact} was delivered again after its checkpoint"
                if artifact in ids:
                    resumed.append(artifact)
                if len(seen) + len(resumed) == len(ids):
                    break
    assert sorted(seen + resumed) == sorted(ids)


def test_the_stock_peer_cli_queries_the_chaincode(network: RunningNetwork) -> None:
    code, out = network.script(
        "ledger.sh",
        "cli",
        "ConditionMonitor",
        "chaincode",
        "query",
        "-C",
        PROJECT,
        "-n",
        "provenance",
        "-c",
        json.dumps({"Args": ["provenance:GetPeriodClock"]}),
    )
    assert code == 0, out
    assert "openPeriod" in json.loads(out.strip().splitlines()[-1]), out
    code, out = network.script("ledger.sh", "cli", "QualityControl", "channel", "getinfo", "-c", "mainchain")
    assert code == 0, out
    assert '"height"' in out


def test_a_peer_outside_a_project_holds_no_copy_of_its_channel(network: RunningNetwork) -> None:
    code, out = network.script(
        "ledger.sh", "cli", "QualityControl", "channel", "getinfo", "-c", PROJECT, check=False
    )
    assert code != 0
    assert f"invalid chain id, {PROJECT}" in out.lower(), out


async def test_an_organisation_outside_a_project_cannot_read_it_through_a_members_peer(
    network: RunningNetwork,
) -> None:
    async with network.gateway("QualityControl", via="Manufacturer") as stranger:
        with pytest.raises(EvaluateError) as refused:
            await provenance(stranger).evaluate("GetPeriodClock")
    assert "access denied" in str(refused.value).lower(), refused.value
