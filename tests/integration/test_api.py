"""The organisations' gateway services over HTTPS on the running network (issue 11): `make up` starts
one per peer organisation; a member signs in with mutual TLS and its key in its organisation's wallet,
and every write is signed as that member. Refusals first: a certificate of no consortium CA fails the
handshake; a member of another organisation, one not in the wallet, and a suspended one are refused
with a code; bad input gets a 400 naming what the OpenAPI description says; then the routes."""

from __future__ import annotations

import asyncio
import base64
import datetime
import hashlib
import io
import json
import secrets
import ssl
import subprocess
import tarfile
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from gateway.artifacts.keys import provision_key_agreement_key
from gateway.artifacts.project_keys import rotate_project_key
from gateway.artifacts.store import ArtifactStore, StoredArtifact
from gateway.fabric import load_msp_identity
from gateway.ledger import Committed, DataBounds, client_id, open_ledger
from pipeline.synthetic import GeneratorParams, write_surface_set
from tests.integration.conftest import CID, PROJECT, RunningNetwork
from tests.integration.founding import DOC, Governance, certificate_of, founder_id, new_identity
from tests.integration.service import Client, client_context, founder_client, signed_in
from tests.unit.certs import self_signed_pem


def ratings_of(artifact_id: str) -> str:
    return f"/v1/projects/{PROJECT}/artifacts/{artifact_id}/ratings"


async def recorded_for_rating(governance: Governance, artifact_id: str, *, settle: bool = True) -> Committed:
    """recorded_for_rating has Manufacturer's founder record artifact_id (a placeholder content) on the
    project, asking for ratings; settled on every peer unless told not to."""
    committed = await (
        governance.founder("Manufacturer")
        .provenance(PROJECT)
        .record_artifact(
            StoredArtifact(artifact_id, CID, "0" * 64, 1, ("Manufacturer", "ModelTrainer")),
            kind="dataset",
            media_type="text/plain",
            wrapped_key_epoch=1,
            request_feedback=True,
        )
    )
    if settle:
        await governance.settle(committed.transaction_id, PROJECT)
    return committed


@pytest.fixture(scope="module")
async def clients(governance: Governance) -> AsyncIterator[dict[str, Client]]:
    """clients are the founders of the project's organisations, each through its own service, each
    added to its organisation's wallet."""
    network = governance.network
    made = {}
    for org in ("Manufacturer", "ModelTrainer", "ConditionMonitor"):
        made[org] = founder_client(network, org)
    yield made
    for client in made.values():
        await client.close()


def outsider_context(network: RunningNetwork, tmp_path: Path) -> ssl.SSLContext:
    """outsider_context presents a certificate of a CA of its own, outside the consortium."""
    key = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "mallory.crt").write_bytes(self_signed_pem(key, "mallory"))
    (tmp_path / "mallory.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    org = network.consortium.organisation("Manufacturer")
    context = ssl.create_default_context(cafile=str(org.tls_root_cert))
    context.load_cert_chain(tmp_path / "mallory.crt", tmp_path / "mallory.key")
    return context


async def test_a_certificate_of_no_consortium_ca_fails_the_handshake(
    governance: Governance, tmp_path: Path
) -> None:
    client = Client(governance.network, "Manufacturer", outsider_context(governance.network, tmp_path))
    try:
        with pytest.raises(aiohttp.ClientError):
            await client.call("GET", "/healthz")
    finally:
        await client.close()


def expired_context(network: RunningNetwork, tmp_path: Path) -> ssl.SSLContext:
    """expired_context presents a certificate that Manufacturer's own CA key signed, for a name in its
    wallet, but whose validity ended yesterday."""
    ca_dir = network.run_dir / "ca" / "manufacturer"
    ca_cert = x509.load_pem_x509_certificate((ca_dir / "ca-cert.pem").read_bytes())
    ca_keys = []
    for path in (ca_dir / "msp" / "keystore").glob("*_sk"):
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if isinstance(loaded, ec.EllipticCurvePrivateKey):
            ca_keys.append(loaded)
    [ca_key] = [k for k in ca_keys if k.public_key() == ca_cert.public_key()]
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    admin = network.consortium.organisation("Manufacturer").admin_dir.name
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, admin)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=2))
        .not_valid_after(now - datetime.timedelta(days=1))
        .sign(ca_key, hashes.SHA256())
    )
    (tmp_path / "expired.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "expired.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.create_default_context(
        cafile=str(network.consortium.organisation("Manufacturer").tls_root_cert)
    )
    context.load_cert_chain(tmp_path / "expired.crt", tmp_path / "expired.key")
    return context


async def test_an_expired_certificate_of_the_organisations_own_ca_fails_the_handshake(
    governance: Governance, clients: dict[str, Client], tmp_path: Path
) -> None:
    client = Client(governance.network, "Manufacturer", expired_context(governance.network, tmp_path))
    try:
        with pytest.raises(aiohttp.ClientError):
            await client.call("GET", "/v1/me")
    finally:
        await client.close()
    status, me, _ = await clients["Manufacturer"].call("GET", "/v1/me")  # the admin's own one still works
    assert status == 200, me


async def test_members_outside_the_wallet_or_the_organisation_are_refused(
    governance: Governance, clients: dict[str, Client]
) -> None:
    network = governance.network
    trainer_admin = network.consortium.organisation("ModelTrainer").admin_dir
    # ModelTrainer's admin at Manufacturer's service: a consortium certificate, the wrong service
    wrong = Client(network, "Manufacturer", client_context(network, "Manufacturer", trainer_admin))
    # an enrolled identity of Manufacturer's CA that nobody put into the wallet
    stranger_dir = network.consortium.organisation("Manufacturer").msp_dir.parent / "users" / "api-stranger"
    network.script("ca.sh", "identity", "Manufacturer", "api-stranger", "client")
    stranger = Client(network, "Manufacturer", client_context(network, "Manufacturer", stranger_dir))
    try:
        status, body, _ = await wrong.call("GET", "/v1/me")
        assert (status, body["code"]) == (403, "wrong_organisation"), body
        assert "sign in to ModelTrainer's service" in body["detail"]
        status, body, _ = await stranger.call("GET", "/v1/me")
        assert (status, body["code"]) == (403, "not_in_wallet"), body
        # the health check answers any consortium certificate
        status, body, _ = await stranger.call("GET", "/healthz")
        assert (status, body["status"]) == (200, "ok")
    finally:
        await wrong.close()
        await stranger.close()


async def test_me_and_the_trust_table(clients: dict[str, Client]) -> None:
    status, me, _ = await clients["ModelTrainer"].call("GET", "/v1/me")
    assert status == 200, me
    assert (me["memberId"], me["organisation"], me["status"]) == (
        founder_id("ModelTrainer"),
        "ModelTrainerMSP",
        "active",
    )
    status, table, _ = await clients["Manufacturer"].call("GET", "/v1/trust")
    assert status == 200, table
    assert {founder_id(o) for o in ("Manufacturer", "ModelTrainer")} <= {
        row["memberId"] for row in table["members"]
    }
    status, row, _ = await clients["Manufacturer"].call("GET", f"/v1/trust/{founder_id('QualityControl')}")
    assert (status, row["memberId"]) == (200, founder_id("QualityControl")), row
    status, missing, _ = await clients["Manufacturer"].call("GET", "/v1/trust/nobody-at-all")
    assert (status, missing["code"]) == (404, "not_found"), missing


async def test_bad_input_gets_a_400_naming_it(clients: dict[str, Client]) -> None:
    client = clients["ModelTrainer"]
    path = ratings_of("some-artifact")
    for body, phrase in [
        ({"score": "lots"}, "does not match"),
        ({"score": "0.5", "colour": "red"}, "Additional properties are not allowed"),
        ({"comment": "no score"}, "'score' is a required property"),
        ({"score": "0.5", "evidence": [{"cid": "x", "sha256": "nothex"}]}, "does not match"),
    ]:
        status, problem, _ = await client.call("POST", path, body)
        assert (status, problem["code"]) == (400, "invalid_request"), problem
        assert any(phrase in e for e in problem["errors"]), problem
    # a body that is not even UTF-8 (schemathesis found it answered 500)
    headers = {"Content-Type": "application/json"}
    async with client.session.post(client.url + path, data=b"Y\xfdi\x00", headers=headers) as response:
        problem = await response.json()
    assert (response.status, problem["code"]) == (400, "invalid_request"), problem
    status, problem, _ = await client.call("GET", "/v1/projects/Not_A_Channel/artifacts/x")
    assert (status, problem["code"]) == (400, "invalid_request"), problem
    status, problem, _ = await client.call("GET", "/v1/nothing-here")
    assert (status, problem["code"]) == (404, "no_such_route"), problem
    status, problem, _ = await client.call("GET", f"/v1/projects/{PROJECT}/artifacts/no-such-artifact")
    assert (status, problem["code"]) == (404, "not_found"), problem
    assert problem["peers"], problem  # which peer said so


async def test_a_rating_through_the_service_is_signed_by_the_rater(
    governance: Governance, clients: dict[str, Client]
) -> None:
    await recorded_for_rating(governance, "api-rated")
    path = ratings_of("api-rated")
    status, awaiting, _ = await clients["ModelTrainer"].call(
        "GET", f"/v1/projects/{PROJECT}/feedback/awaiting"
    )
    assert status == 200 and "api-rated" in {a["artifactId"] for a in awaiting["artifacts"]}, awaiting
    # the creator cannot rate its own record, through its service either
    status, problem, _ = await clients["Manufacturer"].call("POST", path, {"score": "1"})
    assert (status, problem["code"]) == (403, "forbidden"), problem
    assert "the creator cannot rate its own record" in problem["detail"]
    status, committed, headers = await clients["ModelTrainer"].call(
        "POST", path, {"score": "0.5", "comment": "clean"}
    )
    assert status == 201, committed
    assert headers["X-Transaction-Id"] == committed["transactionId"]
    await governance.settle(committed["transactionId"], PROJECT)
    [rating] = await governance.founder("ConditionMonitor").provenance(PROJECT).get_feedback("api-rated")
    assert (rating.tx_id, rating.rater_msp, rating.comment) == (
        committed["transactionId"],
        "ModelTrainerMSP",
        "clean",
    )
    status, again, _ = await clients["ModelTrainer"].call("POST", path, {"score": "1"})
    assert (status, again["code"]) == (422, "refused"), again
    assert "you already rated" in again["detail"] and again["stage"] == "endorse"
    status, listed, _ = await clients["ConditionMonitor"].call("GET", path)
    assert status == 200 and [r["txId"] for r in listed["ratings"]] == [committed["transactionId"]], listed


async def test_submissions_beyond_the_bound_get_429_and_nothing_is_lost(
    governance: Governance, clients: dict[str, Client]
) -> None:
    """20 ratings at once from one member: those over its in-flight bound are answered 429 with
    Retry-After; every 201's rating is on the ledger and no refused one is."""
    ids = [f"api-load-{n}" for n in range(20)]
    for artifact_id in ids:
        await recorded_for_rating(governance, artifact_id, settle=False)
    await asyncio.sleep(3)
    answers = await asyncio.gather(
        *(clients["ConditionMonitor"].call("POST", ratings_of(a), {"score": "0.25"}) for a in ids)
    )
    statuses = [status for status, _, _ in answers]
    assert set(statuses) <= {201, 429}, answers
    assert 429 in statuses and 201 in statuses, statuses
    assert all(headers.get("Retry-After") == "1" for status, _, headers in answers if status == 429)
    await asyncio.sleep(3)
    reader = governance.founder("Manufacturer").provenance(PROJECT)
    for artifact_id, (status, body, _) in zip(ids, answers, strict=True):
        found = await reader.get_feedback(artifact_id)
        if status == 201:
            assert [f.tx_id for f in found] == [body["transactionId"]], artifact_id
        else:
            assert found == (), artifact_id


async def test_a_suspended_member_is_refused(governance: Governance, clients: dict[str, Client]) -> None:
    network = governance.network
    identity_dir = await governance.enrolled(
        "ConditionMonitor", "api-suspect", role="admin", attributes={"identity": "Sue Spect"}
    )
    suspect = signed_in(network, "ConditionMonitor", "api-suspect", identity_dir)
    try:
        status, me, _ = await suspect.call("GET", "/v1/me")
        assert (status, me["memberId"]) == (200, "api-suspect"), me
        await governance.suspend(
            "api-suspect",
            requested_by="Manufacturer",
            approvers=("ModelTrainer", "QualityControl"),
            reason="audit",
        )
        await asyncio.sleep(6)  # the service re-reads a member's standing at most 5 s old
        status, problem, _ = await suspect.call("GET", "/v1/me")
        assert (status, problem["code"]) == (403, "member_suspended"), problem
    finally:
        await suspect.close()


async def test_a_certificate_its_ca_revoked_is_refused(
    governance: Governance, clients: dict[str, Client]
) -> None:
    network = governance.network
    identity_dir = await governance.enrolled(
        "ModelTrainer", "api-revoked", role="admin", attributes={"identity": "Rev Oked"}
    )
    revoked = signed_in(network, "ModelTrainer", "api-revoked", identity_dir)
    try:
        status, me, _ = await revoked.call("GET", "/v1/me")
        assert (status, me["memberId"]) == (200, "api-revoked"), me
        rc, said = network.script("ca.sh", "revoke", "ModelTrainer", "api-revoked", "bogus", check=False)
        assert rc != 0 and "revocation reason must be one of" in said, said
        network.script("ca.sh", "revoke", "ModelTrainer", "api-revoked", "keycompromise")
        status, problem, _ = await revoked.call("GET", "/v1/me")
        assert (status, problem["code"]) == (401, "certificate_revoked"), problem
        proposal = {
            "memberId": "api-revoked",
            "certificate": certificate_of(identity_dir).decode(),
            "channel": PROJECT,
            "chaincode": "provenance",
            "function": "RateRecord",
            "args": ["api-revoked-rated", "0.5", "", "[]"],
        }
        status, problem, _ = await revoked.call("POST", "/v1/offline/proposals", proposal)
        assert (status, problem["code"]) == (401, "certificate_revoked"), problem
    finally:
        await revoked.close()
    status, me, _ = await clients["ModelTrainer"].call("GET", "/v1/me")  # only that identity is revoked
    assert status == 200, me


async def test_the_service_describes_itself_and_counts(clients: dict[str, Client]) -> None:
    status, spec, _ = await clients["Manufacturer"].call("GET", "/openapi.json")
    assert status == 200 and spec["openapi"].startswith("3.") and "/v1/trust" in spec["paths"]
    async with clients["Manufacturer"].session.get(clients["Manufacturer"].url + "/metrics") as response:
        text = await response.text()
    assert response.status == 200 and "bcmlp_api_requests_total" in text


async def test_offline_signing_keeps_the_key_with_the_member(
    governance: Governance, clients: dict[str, Client]
) -> None:
    """A member that is in no wallet rates a record through its service, signing each digest itself;
    another member cannot push its bytes, and a signature of other bytes is refused by the peers."""
    network = governance.network
    identity_dir = await governance.project_member(
        "ModelTrainer", "api-offline", role="admin", attributes={"identity": "Otto Offline"}, project=PROJECT
    )
    identity, signer = load_msp_identity(identity_dir / "msp", "ModelTrainerMSP")
    await recorded_for_rating(governance, "api-offline-rated")
    own = Client(network, "ModelTrainer", client_context(network, "ModelTrainer", identity_dir))

    def signed(step: dict[str, Any], field: str) -> dict[str, Any]:
        signature = signer.sign_digest(base64.b64decode(step["digest"]))
        return {
            "memberId": "api-offline",
            field: step[field],
            "signature": base64.b64encode(signature).decode(),
        }

    try:
        status, me, _ = await own.call("GET", "/v1/me")
        assert (status, me["code"]) == (403, "not_in_wallet"), me  # it signs offline, or not at all
        call = {
            "memberId": "api-offline",
            "certificate": identity.certificate_pem.decode(),
            "channel": PROJECT,
            "chaincode": "provenance",
            "function": "RateRecord",
            "args": ["api-offline-rated", "0.75", "rated offline", "[]"],
        }
        status, proposal, _ = await own.call("POST", "/v1/offline/proposals", call)
        assert status == 200, proposal
        # ModelTrainer's founder may not push the member's proposal as its own session
        status, problem, _ = await clients["ModelTrainer"].call(
            "POST", "/v1/offline/endorsements", signed(proposal, "proposal")
        )
        assert (status, problem["code"]) == (403, "not_the_signer"), problem
        # a signature of other bytes: the peers refuse to endorse
        forged = {
            **signed(proposal, "proposal"),
            "signature": base64.b64encode(signer.sign(b"other")).decode(),
        }
        status, problem, _ = await own.call("POST", "/v1/offline/endorsements", forged)
        assert 400 <= status < 500 and problem["code"] != "invalid_request", problem
        status, transaction, _ = await own.call(
            "POST", "/v1/offline/endorsements", signed(proposal, "proposal")
        )
        assert status == 200, transaction
        status, commit, _ = await own.call(
            "POST", "/v1/offline/submissions", signed(transaction, "transaction")
        )
        assert status == 200, commit
        status, committed, _ = await own.call("POST", "/v1/offline/commits", signed(commit, "commit"))
        assert status == 200 and committed["transactionId"] == proposal["transactionId"], committed
    finally:
        await own.close()
    await governance.settle(committed["transactionId"], PROJECT)
    [rating] = await governance.founder("Manufacturer").provenance(PROJECT).get_feedback("api-offline-rated")
    assert (rating.tx_id, rating.comment) == (committed["transactionId"], "rated offline")
    assert rating.rater == client_id(identity.certificate_pem)
    # The same through `bcmlp offline`, which signs with the identity folder's key on the member's side.
    await recorded_for_rating(governance, "api-offline-rated-2")
    proc = network.bcmlp(
        "offline",
        PROJECT,
        "provenance",
        "RateRecord",
        "api-offline-rated-2",
        "-0.25",
        "rated by the CLI",
        "[]",
        "--member",
        "api-offline",
        "--org",
        "ModelTrainer",
        "--identity",
        str(identity_dir),
        "--json",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    tx_id = json.loads(proc.stdout)["transactionId"]
    await governance.settle(tx_id, PROJECT)
    [rating] = (
        await governance.founder("Manufacturer").provenance(PROJECT).get_feedback("api-offline-rated-2")
    )
    assert (rating.tx_id, rating.rater) == (tx_id, client_id(identity.certificate_pem))


async def test_an_upload_streams_in_verified_out_and_leaves_no_orphan(
    governance: Governance, clients: dict[str, Client], store: ArtifactStore
) -> None:
    network = governance.network
    content = secrets.token_bytes(3 * (1 << 20) + 17)
    upload = f"/v1/projects/{PROJECT}/artifacts?artifactId=api-upload-1&kind=dataset&requestFeedback=true"
    manufacturer = clients["Manufacturer"]
    before = await store.pins()
    async with manufacturer.session.post(
        manufacturer.url + upload,
        data=io.BytesIO(content),
        headers={"Content-Type": "image/x-portable-graymap"},
    ) as response:
        committed = await response.json()
    assert response.status == 201, committed
    await governance.settle(committed["transactionId"], PROJECT)
    record = await governance.founder("ConditionMonitor").provenance(PROJECT).get_artifact("api-upload-1")
    assert (record.size, record.sha256, record.media_type) == (
        len(content),
        hashlib.sha256(content).hexdigest(),
        "image/x-portable-graymap",
    )
    assert record.creator == client_id(
        certificate_of(network.consortium.organisation("Manufacturer").admin_dir)
    )
    trainer = clients["ModelTrainer"]
    async with trainer.session.get(
        trainer.url + f"/v1/projects/{PROJECT}/artifacts/api-upload-1/content"
    ) as got:
        body = await got.read()
    assert got.status == 200 and body == content
    assert got.headers["X-Content-Sha256"] == record.sha256
    status, verdict, _ = await clients["ConditionMonitor"].call(
        "GET", f"/v1/projects/{PROJECT}/verify/artifact/api-upload-1"
    )
    assert status == 200 and verdict["intact"] is True, verdict

    # a record the ledger refuses (unknown parent) keeps nothing pinned; a bad media type is named
    pinned = await store.pins()
    refused = f"/v1/projects/{PROJECT}/artifacts?artifactId=api-upload-2&kind=dataset&parents=no-such-parent"
    async with manufacturer.session.post(manufacturer.url + refused, data=b"orphan?" * 1000) as response:
        problem = await response.json()
    assert (response.status, problem["code"]) == (404, "not_found"), problem
    assert await store.pins() == pinned
    async with manufacturer.session.post(
        manufacturer.url + upload.replace("api-upload-1", "api-upload-3"),
        data=b"x",
        headers={"Content-Type": "image"},
    ) as response:
        problem = await response.json()
    assert (response.status, problem["code"]) == (415, "unsupported_media_type"), problem
    # declared bounds: all four parameters or a 400 naming the missing; a range the contract refuses
    # (min above max) keeps nothing pinned; a declared range is recorded as given
    bounded = upload.replace("api-upload-1", "api-upload-4") + "&boundsSource=camera-2&boundsType=gray-mean"
    async with manufacturer.session.post(manufacturer.url + bounded + "&boundsMin=40", data=b"x") as response:
        problem = await response.json()
    assert (response.status, problem["code"]) == (400, "invalid_request"), problem
    assert "missing boundsMax" in problem["detail"], problem
    async with manufacturer.session.post(
        manufacturer.url + bounded + "&boundsMin=200&boundsMax=40", data=b"y" * 100
    ) as response:
        problem = await response.json()
    assert response.status == 422 and "min" in problem["detail"], problem
    async with manufacturer.session.post(
        manufacturer.url + bounded + "&boundsMin=40.5&boundsMax=200", data=b"z" * 100
    ) as response:
        committed = await response.json()
    assert response.status == 201, committed
    await governance.settle(committed["transactionId"], PROJECT)
    record = await governance.founder("ConditionMonitor").provenance(PROJECT).get_artifact("api-upload-4")
    assert record.bounds == DataBounds("camera-2", "gray-mean", Decimal("40.5"), Decimal(200))
    assert len(pinned["Manufacturer"]) == len(before["Manufacturer"]) + 1
    assert len((await store.pins())["Manufacturer"]) == len(before["Manufacturer"]) + 2


async def test_certificates_through_the_service_keep_the_channels_rules(
    governance: Governance, clients: dict[str, Client]
) -> None:
    trainer, manufacturer = clients["ModelTrainer"], clients["Manufacturer"]
    models = f"/v1/projects/{PROJECT}/models"
    status, opened, _ = await trainer.call(
        "POST", models, {"certId": "api-cert", "modelName": "cnn", "version": "1"}
    )
    assert status == 201, opened
    await governance.settle(opened["transactionId"], PROJECT)
    status, cert, _ = await manufacturer.call("GET", f"{models}/api-cert")
    assert (status, cert["status"], cert["phases"]) == (200, "open", []), cert
    # founders are admins: the channel gives requirements to the Manufacturer's company members only
    phase = {"phase": "requirements", "fields": {"goals": "g", "decisions": "d"}, "creatorCertificateId": "x"}
    status, problem, _ = await manufacturer.call("POST", f"{models}/api-cert/phases", phase)
    assert (status, problem["code"]) == (403, "forbidden"), problem
    status, problem, _ = await manufacturer.call("POST", f"{models}/api-cert/approvals")
    assert (status, problem["code"]) == (422, "refused") and "is not complete" in problem["detail"], problem
    tools = [{"name": "python", "version": "3.11"}]
    pipeline = {
        "certId": "api-pipeline",
        "version": "1",
        "configuration": "{}",
        "components": [
            {
                "name": "cam",
                "stage": "collection",
                "owner": "Manufacturer",
                "steps": ["capture"],
                "software": tools,
                "inputs": ["raw-data"],
                "outputs": ["raw-data"],
            },
            {
                "name": "fit",
                "stage": "training",
                "owner": "ModelTrainer",
                "steps": ["fit"],
                "software": tools,
                "inputs": ["raw-data"],
                "outputs": ["model"],
                "model": "api-cert",
            },
        ],
    }
    status, recorded, _ = await trainer.call("POST", f"/v1/projects/{PROJECT}/pipelines", pipeline)
    assert status == 201, recorded
    await governance.settle(recorded["transactionId"], PROJECT)
    status, found, _ = await manufacturer.call("GET", f"/v1/projects/{PROJECT}/pipelines/api-pipeline")
    assert (status, [c["name"] for c in found["components"]]) == (200, ["cam", "fit"]), found
    status, verdict, _ = await clients["ConditionMonitor"].call(
        "GET", f"/v1/projects/{PROJECT}/verify/pipeline/api-pipeline"
    )
    assert status == 200 and verdict["intact"] is False, verdict
    assert [(v["kind"], v["status"]) for v in verdict["verdicts"]] == [
        ("pipeline certificate", "intact"),
        ("model certificate", "uncertified"),
    ]


async def test_admins_read_the_registry_and_act_as_committee_members(
    governance: Governance, clients: dict[str, Client]
) -> None:
    manufacturer, trainer = clients["Manufacturer"], clients["ModelTrainer"]
    status, member, _ = await manufacturer.call("GET", f"/v1/members/{founder_id('ModelTrainer')}")
    assert (status, member["memberId"], member["role"], member["founder"]) == (
        200,
        founder_id("ModelTrainer"),
        "admin",
        True,
    ), member
    for path in ("/v1/parameters", "/v1/committee", f"/v1/projects/{PROJECT}"):
        status, body, _ = await manufacturer.call("GET", path)
        assert status == 200, (path, body)
    # an enrolment approved through two services and one founder directly (k = 3)
    identity_dir = new_identity(governance.network, "ConditionMonitor", "api-newcomer")
    async with open_ledger(
        governance.network.consortium, organisation="ConditionMonitor", identity_dir=identity_dir
    ) as own:
        request_id = await own.registry.request_enrolment(
            "api-newcomer", role="admin", attributes={"identity": "Nell Newcomer"}, documents=[DOC]
        )
    await governance.settle(request_id)
    for client in (manufacturer, trainer):
        status, committed, _ = await client.call("POST", f"/v1/enrolments/{request_id}/approvals")
        assert status == 201, committed
        await governance.settle(committed["transactionId"])
    status, again, _ = await manufacturer.call("POST", f"/v1/enrolments/{request_id}/approvals")
    assert (status, again["code"]) in {(422, "refused"), (403, "forbidden")}, again
    await governance.settle(
        (await governance.founder("QualityControl").registry.approve_enrolment(request_id)).transaction_id
    )
    status, enrolment, _ = await manufacturer.call("GET", f"/v1/enrolments/{request_id}")
    assert (status, enrolment["status"]) == (200, "approved"), enrolment
    # a bad status is named; a good one is requested and approved
    path = "/v1/members/api-newcomer/status-requests"
    status, problem, _ = await manufacturer.call("POST", path, {"status": "frozen", "reason": "x"})
    assert (status, problem["code"]) == (400, "invalid_request"), problem
    status, requested, _ = await manufacturer.call("POST", path, {"status": "suspended", "reason": "audit"})
    assert status == 201, requested
    await governance.settle(requested["transactionId"])
    status, approved, _ = await trainer.call(
        "POST", f"/v1/status-requests/{requested['requestId']}/approvals"
    )
    assert status == 201, approved


async def sse_events(client: Client, path: str, headers: dict[str, str], wanted: int) -> list[dict[str, Any]]:
    """sse_events reads wanted events of a server-sent event stream (skipping keep-alive comments)."""
    events: list[dict[str, Any]] = []
    async with client.session.get(client.url + path, headers=headers) as response:
        assert response.status == 200, await response.text()
        event: dict[str, Any] = {}
        while len(events) < wanted:
            line = (await asyncio.wait_for(response.content.readline(), 30)).decode().rstrip("\n")
            if not line:
                if event:
                    events.append(event)
                event = {}
            elif not line.startswith(":"):
                field, _, value = line.partition(": ")
                event[field] = json.loads(value) if field == "data" else value
    return events


async def test_events_stream_and_resume_after_their_last_id(
    governance: Governance, clients: dict[str, Client]
) -> None:
    founder = governance.founder("Manufacturer").provenance(PROJECT)
    recorded = []
    for artifact_id in ("api-event-1", "api-event-2"):
        committed = await founder.record_artifact(
            StoredArtifact(artifact_id, CID, "0" * 64, 1, ("Manufacturer", "ModelTrainer")),
            kind="dataset",
            media_type="text/plain",
            wrapped_key_epoch=1,
        )
        await governance.settle(committed.transaction_id, PROJECT)
        recorded.append(committed)
    path = f"/v1/events/{PROJECT}/provenance"
    client = clients["ConditionMonitor"]
    [first] = await sse_events(client, f"{path}?startBlock={recorded[0].block_number}", {}, 1)
    assert first["id"] == f"{recorded[0].block_number}:{recorded[0].transaction_id}", first
    assert first["data"]["payload"]["id"] == "api-event-1", first
    [resumed] = await sse_events(client, path, {"Last-Event-ID": first["id"]}, 1)
    assert resumed["id"] == f"{recorded[1].block_number}:{recorded[1].transaction_id}", resumed
    status, problem, _ = await client.call("GET", f"{path}?after=nonsense")
    assert (status, problem["code"]) == (400, "invalid_request"), problem


async def test_the_command_line_works_through_the_service(
    governance: Governance, clients: dict[str, Client], tmp_path: Path
) -> None:
    network = governance.network
    content = secrets.token_bytes((1 << 20) + 5)
    (tmp_path / "scan.pgm").write_bytes(content)

    def bcmlp(*args: str) -> subprocess.CompletedProcess[str]:
        return network.bcmlp(*args)

    proc = bcmlp("me", "--org", "ModelTrainer", "--json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["memberId"] == founder_id("ModelTrainer"), (
        proc.stderr
    )
    proc = bcmlp("trust", "--org", "Manufacturer")
    assert proc.returncode == 0 and founder_id("Manufacturer") in proc.stdout, proc.stdout + proc.stderr
    proc = bcmlp(
        "upload",
        PROJECT,
        str(tmp_path / "scan.pgm"),
        "--id",
        "cli-scan",
        "--kind",
        "raw-data",
        "--org",
        "Manufacturer",
        "--request-feedback",
        "--json",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    await governance.settle(json.loads(proc.stdout)["transactionId"], PROJECT)
    proc = bcmlp(
        "download", PROJECT, "cli-scan", "-o", str(tmp_path / "back.pgm"), "--org", "ConditionMonitor"
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "back.pgm").read_bytes() == content
    proc = bcmlp("check", PROJECT, "artifact", "cli-scan", "--org", "ModelTrainer")
    assert proc.returncode == 0 and "intact" in proc.stdout, proc.stdout + proc.stderr
    proc = bcmlp("rate", PROJECT, "cli-scan", "0.5", "--org", "Manufacturer")  # its own record
    assert proc.returncode == 1 and "403 forbidden" in proc.stderr, proc.stdout + proc.stderr
    assert "the creator cannot rate its own record" in proc.stderr
    proc = bcmlp("rate", PROJECT, "cli-scan", "lots", "--org", "ModelTrainer")
    assert proc.returncode == 1 and "400 invalid_request" in proc.stderr, proc.stderr
    proc = bcmlp("download", PROJECT, "cli-scan", "-o", str(tmp_path / "back.pgm"))
    assert proc.returncode == 2 and "exists" in proc.stderr, proc.stderr
    proc = bcmlp(
        "report",
        PROJECT,
        "artifact",
        "cli-scan",
        "-o",
        str(tmp_path / "cli-scan.pdf"),
        "--org",
        "ModelTrainer",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "cli-scan.pdf").read_bytes().startswith(b"%PDF-")
    proc = bcmlp("events", PROJECT, "provenance", "--start-block", "0", "--count", "2", "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(events) == 2 and all(e["chaincode"] == "provenance" for e in events), events
    assert events[0]["blockNumber"] <= events[1]["blockNumber"]


async def test_a_data_scientist_trains_a_model_through_the_service(
    governance: Governance, clients: dict[str, Client], tmp_path: Path
) -> None:
    """A member of role data-scientist submits a training run on a dataset artifact (a gzip tar of a
    NEU-layout folder); the service trains with TensorFlow in a child process and records the model as
    that member, its parent the dataset. Refusals first; a run that fails midway records nothing."""
    network = governance.network
    runs = f"/v1/projects/{PROJECT}/training-runs"
    request = {"runId": "api-run-0", "datasetArtifactId": "api-surfaces", "modelArtifactId": "api-model-0"}
    status, problem, _ = await clients["ModelTrainer"].call("POST", runs, request)  # a founder: role admin
    assert (status, problem["code"]) == (403, "not_a_data_scientist"), problem

    await governance.company_certificates(("ModelTrainer",), prefix="api-company")
    scientist_dir = await governance.project_member(
        "ModelTrainer",
        "api-scientist",
        role="data-scientist",
        attributes={
            "identity": "Dana",
            "companyCertificate": "api-company-modeltrainer",
            "expertiseDegree": "master",
        },
        project=PROJECT,
    )
    async with open_ledger(
        network.consortium, organisation="ModelTrainer", identity_dir=scientist_dir
    ) as own:
        await provision_key_agreement_key(scientist_dir, own.registry)
        key = await own.registry.get_key_agreement_key("api-scientist")
    await governance.settle(key.tx_id)
    rotation = await rotate_project_key(governance.founder("Manufacturer"), PROJECT)
    await governance.settle(rotation.tx_id, PROJECT)
    scientist = signed_in(network, "ModelTrainer", "api-scientist", scientist_dir)

    async def upload(artifact_id: str, content: bytes, media_type: str) -> None:
        async with scientist.session.post(
            f"{scientist.url}/v1/projects/{PROJECT}/artifacts",
            params={"artifactId": artifact_id, "kind": "dataset"},
            data=content,
            headers={"Content-Type": media_type},
        ) as response:
            committed = await response.json()
            assert response.status == 201, committed
        await governance.settle(committed["transactionId"], PROJECT)

    write_surface_set(tmp_path / "surfaces", GeneratorParams(seed=5, per_class=4), workers=1)
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        tar.add(tmp_path / "surfaces", arcname="surfaces")
    try:
        await upload("api-surfaces", archive.getvalue(), "application/gzip")
        await upload("api-not-a-tar", b"these bytes are no tar archive", "application/gzip")
        await upload("api-plain", b"plain text", "text/plain")
        for body, expected in [
            ({**request, "datasetArtifactId": "api-plain"}, (422, "not_an_archive")),
            ({**request, "datasetArtifactId": "api-nothing"}, (404, "not_found")),
            ({**request, "modelArtifactId": "api-plain"}, (409, "artifact_exists")),
            ({**request, "config": {"epochs": 0}}, (400, "invalid_request")),
        ]:
            status, problem, _ = await scientist.call("POST", runs, body)
            assert (status, problem["code"]) == expected, problem

        bad = {
            "runId": "api-run-bad",
            "datasetArtifactId": "api-not-a-tar",
            "modelArtifactId": "api-model-bad",
        }
        status, queued, headers = await scientist.call("POST", runs, bad)
        assert (status, queued["status"], headers["Location"]) == (202, "queued", f"{runs}/api-run-bad"), (
            queued
        )
        proc = network.bcmlp(
            "train",
            PROJECT,
            "api-surfaces",
            "--run-id",
            "api-run-1",
            "--model-id",
            "api-model-1",
            "--epochs",
            "1",
            "--image-size",
            "32",
            "--width",
            "4",
            "--batch-size",
            "8",
            "--org",
            "ModelTrainer",
            "--identity",
            str(scientist_dir),
            "--json",
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        run = json.loads(proc.stdout)
        assert (run["status"], run["epoch"], run["memberId"]) == ("succeeded", 1, "api-scientist"), run
        status, failed, _ = await scientist.call("GET", f"{runs}/api-run-bad")
        assert (status, failed["status"]) == (200, "failed") and "unpacking the dataset" in failed["error"], (
            failed
        )
        status, problem, _ = await scientist.call("GET", f"/v1/projects/{PROJECT}/artifacts/api-model-bad")
        assert (status, problem["code"]) == (404, "not_found"), problem  # nothing recorded half-way

        await governance.settle(run["transactionId"], PROJECT)
        status, model, _ = await clients["Manufacturer"].call(
            "GET", f"/v1/projects/{PROJECT}/artifacts/api-model-1"
        )
        assert status == 200, model
        assert (model["kind"], model["parents"], model["txId"]) == (
            "model",
            ["api-surfaces"],
            run["transactionId"],
        )
        assert model["sha256"] == run["result"]["modelSha256"]
        assert model["creator"] == client_id(certificate_of(scientist_dir))
        assert model["creatorTrust"]["level"]  # the scientist's trust when it recorded the model
        status, listed, _ = await scientist.call("GET", runs)
        assert {r["runId"] for r in listed["runs"]} == {"api-run-bad", "api-run-1"}, listed
    finally:
        await scientist.close()
