"""`bcmlp export` and `bcmlp verify --bundle` on records of the running network (issue 10): a bundle of an
artifact and its lineage verifies offline against the consortium's roots; an edited record field, an
edited signature, an endorser certificate swapped for one of another CA, an untrusted root and an
edited off-chain copy are each reported altered, naming the record."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fabric_protos.common import common_pb2
from fabric_protos.peer import transaction_pb2

from gateway.artifacts.store import StoredArtifact
from gateway.ledger import open_ledger
from gateway.ledger.bundle import header_hash
from tests.conftest import ROOT
from tests.integration.conftest import CID, PROJECT, RunningNetwork

RAW, MODEL = "bundle-raw-images", "bundle-model"
CONTENT = {RAW: b"raw images, one batch\n" * 100, MODEL: b"a model's weights\n" * 100}


@pytest.fixture(scope="module")
async def exported(network: RunningNetwork, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """exported records RAW and MODEL (derived from RAW) on PROJECT as Manufacturer's admin, and exports
    MODEL's bundle and the consortium's roots; returns their paths."""
    consortium = network.consortium
    admin = consortium.organisation("Manufacturer")
    async with open_ledger(consortium, organisation=admin.name, identity_dir=admin.admin_dir) as ledger:
        for artifact_id, parents in ((RAW, ()), (MODEL, (RAW,))):
            content = CONTENT[artifact_id]
            stored = StoredArtifact(
                artifact_id,
                CID,
                hashlib.sha256(content).hexdigest(),
                len(content),
                ("Manufacturer", "ModelTrainer"),
            )
            await ledger.provenance(PROJECT).record_artifact(
                stored,
                kind="model" if parents else "dataset",
                media_type="application/octet-stream",
                wrapped_key_epoch=1,
                parents=parents,
            )
    folder = tmp_path_factory.mktemp("bundles")
    roots, bundle = folder / "roots.json", folder / "model.bundle.json"
    for args in (
        ("roots", "-o", str(roots)),
        ("export", "artifact", MODEL, "--project", PROJECT, "-o", str(bundle)),
    ):
        proc = network.bcmlp(*args)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return bundle, roots


def tampered(bundle: Path, record_id: str, edit: Callable[[dict[str, Any]], None]) -> Path:
    """tampered writes a copy of bundle with edit applied to record_id's entry."""
    raw = json.loads(bundle.read_text())
    [entry] = [r for r in raw["records"] if r["id"] == record_id]
    edit(entry)
    out = bundle.with_name(f"{bundle.stem}.{len(list(bundle.parent.iterdir()))}.json")
    out.write_text(json.dumps(raw))
    return out


def edit_block(entry: dict[str, Any], change: Callable[[Any], None], *, rehash: bool) -> None:
    """edit_block applies change to the entry's block; with rehash, the header's data hash is recomputed
    so that only the orderer's signature still tells."""
    block = common_pb2.Block.FromString(base64.b64decode(entry["block"]))
    change(block)
    if rehash:
        block.header.data_hash = hashlib.sha256(b"".join(block.data.data)).digest()
    entry["block"] = base64.b64encode(block.SerializeToString()).decode()


def with_endorsement(block: Any, tx_id: str, change: Callable[[Any], None]) -> None:
    for i, data in enumerate(block.data.data):
        envelope = common_pb2.Envelope.FromString(data)
        payload = common_pb2.Payload.FromString(envelope.payload)
        if common_pb2.ChannelHeader.FromString(payload.header.channel_header).tx_id != tx_id:
            continue
        transaction = transaction_pb2.Transaction.FromString(payload.data)
        action = transaction_pb2.ChaincodeActionPayload.FromString(transaction.actions[0].payload)
        change(action.action.endorsements[0])
        transaction.actions[0].payload = action.SerializeToString()
        payload.data = transaction.SerializeToString()
        envelope.payload = payload.SerializeToString()
        block.data.data[i] = envelope.SerializeToString()
        return
    raise AssertionError(f"{tx_id} is not in the block")


def verdict(
    network: RunningNetwork, bundle: Path, roots: Path, *content: str
) -> subprocess.CompletedProcess[str]:
    args = ["verify", "--bundle", str(bundle), "--roots", str(roots)]
    for item in content:
        args += ["--content", item]
    return network.bcmlp(*args)


def test_an_untouched_bundle_and_its_contents_verify_clean_offline(
    network: RunningNetwork, exported: tuple[Path, Path], tmp_path: Path
) -> None:
    bundle, roots = exported
    copies = []
    for artifact_id, content in CONTENT.items():
        (tmp_path / artifact_id).write_bytes(content)
        copies.append(f"{artifact_id}={tmp_path / artifact_id}")
    # offline: no network description, no peer
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "gateway.cli.bcmlp",
            "verify",
            "--bundle",
            str(bundle),
            "--roots",
            str(roots),
            *(a for c in copies for a in ("--content", c)),
        ],
        cwd=ROOT,
        env={**os.environ, "BCMLP_RUN": str(tmp_path / "nowhere")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"intact   artifact {MODEL} (block" in proc.stdout
    assert f"intact   artifact {RAW} (block" in proc.stdout
    assert "2 intact, 0 altered" in proc.stdout
    # The bundle's blocks chain as the ledger does: the header hash is the one the peers compute.
    raw = json.loads(bundle.read_text())
    numbers = {r["blockNumber"] for r in raw["records"]}
    assert len(numbers) == 2 and all(n > 0 for n in numbers)


def test_an_edited_field_is_reported_altered_naming_the_record(
    network: RunningNetwork, exported: tuple[Path, Path]
) -> None:
    bundle, roots = exported

    def bigger(entry: dict[str, Any]) -> None:
        record = json.loads(base64.b64decode(entry["value"]))
        record["size"] += 1
        entry["value"] = base64.b64encode(json.dumps(record, separators=(",", ":")).encode()).decode()

    proc = verdict(network, tampered(bundle, MODEL, bigger), roots)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"altered  artifact {MODEL}" in proc.stdout
    assert "the record is not what transaction" in proc.stdout
    assert f"intact   artifact {RAW}" in proc.stdout
    assert "1 intact, 1 altered" in proc.stdout


@pytest.mark.parametrize("rehash", [False, True])
def test_an_edited_endorsement_signature_is_reported_altered(
    network: RunningNetwork, exported: tuple[Path, Path], rehash: bool
) -> None:
    bundle, roots = exported

    def flip(endorsement: Any) -> None:
        signature = bytearray(endorsement.signature)
        signature[-1] ^= 1
        endorsement.signature = bytes(signature)

    def edit(entry: dict[str, Any]) -> None:
        edit_block(entry, lambda b: with_endorsement(b, entry["txId"], flip), rehash=rehash)

    proc = verdict(network, tampered(bundle, MODEL, edit), roots)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"altered  artifact {MODEL}" in proc.stdout
    expected = "has no valid orderer signature" if rehash else "do not hash to its header's data hash"
    assert expected in proc.stdout


def test_an_endorser_certificate_of_another_ca_is_reported_altered(
    network: RunningNetwork, exported: tuple[Path, Path]
) -> None:
    """The endorser's identity is swapped for a certificate of ModelTrainer's CA under Manufacturer's MSP
    id, and the block's data hash made to agree: the orderer's signature no longer covers the block.
    (The endorser check itself, a certificate of another CA refused, is unit-tested in
    tests/unit/test_bundle.py, since no one here can re-sign a block as an orderer.)"""
    bundle, roots = exported
    consortium = network.consortium
    trainer = consortium.organisation("ModelTrainer")
    other_ca_cert = (trainer.admin_dir / "msp" / "signcerts" / "cert.pem").read_bytes()

    def swap(endorsement: Any) -> None:
        from fabric_protos.msp import identities_pb2

        endorsement.endorser = identities_pb2.SerializedIdentity(
            mspid="ManufacturerMSP", id_bytes=other_ca_cert
        ).SerializeToString()

    def edit(entry: dict[str, Any]) -> None:
        edit_block(entry, lambda b: with_endorsement(b, entry["txId"], swap), rehash=True)

    proc = verdict(network, tampered(bundle, MODEL, edit), roots)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"altered  artifact {MODEL}" in proc.stdout
    assert "has no valid orderer signature" in proc.stdout


def test_roots_the_auditor_does_not_hold_are_refused(
    network: RunningNetwork, exported: tuple[Path, Path], tmp_path: Path
) -> None:
    """Verifying against a roots file in which Manufacturer's root is another CA's: the configuration
    block's Manufacturer no longer matches, and no record verifies."""
    bundle, roots = exported
    raw = json.loads(roots.read_text())
    raw["ManufacturerMSP"] = raw["ModelTrainerMSP"]
    swapped = tmp_path / "roots.json"
    swapped.write_text(json.dumps(raw))
    proc = verdict(network, bundle, swapped)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "has roots the auditor does not trust" in proc.stdout
    assert "0 intact, 2 altered" in proc.stdout


def test_an_edited_off_chain_copy_is_reported_altered(
    network: RunningNetwork, exported: tuple[Path, Path], tmp_path: Path
) -> None:
    bundle, roots = exported
    copy = tmp_path / "model"
    copy.write_bytes(CONTENT[MODEL][:-1] + b"!")
    proc = verdict(network, bundle, roots, f"{MODEL}={copy}")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"altered  artifact {MODEL}" in proc.stdout
    assert "the off-chain copy hashes to" in proc.stdout


def test_bad_input_is_named(network: RunningNetwork, exported: tuple[Path, Path], tmp_path: Path) -> None:
    bundle, roots = exported
    (tmp_path / "not.json").write_text("{")
    cases = [
        (["verify", "--bundle", str(tmp_path / "not.json"), "--roots", str(roots)], "the bundle is not JSON"),
        (
            ["verify", "--bundle", str(bundle), "--roots", str(tmp_path / "not.json")],
            "cannot read the trusted roots",
        ),
        (
            ["verify", "--bundle", str(bundle), "--roots", str(roots), "--content", "x"],
            "is not ARTIFACT_ID=PATH",
        ),
        (
            ["verify", "--bundle", str(bundle), "--roots", str(roots), "--content", f"other={bundle}"],
            "does not hold: other",
        ),
        (
            ["export", "artifact", MODEL, "--project", "nowhere", "-o", str(tmp_path / "b")],
            "is not a project channel",
        ),
        (
            ["export", "artifact", MODEL, "--project", PROJECT, "-o", str(bundle)],
            "exists: give a new file name",
        ),
    ]
    for args, message in cases:
        proc = network.bcmlp(*args)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert message in proc.stderr, (args, proc.stderr)


async def test_header_hash_is_the_ledgers(network: RunningNetwork) -> None:
    """header_hash (the DER encoding orderers sign) equals what the next block names as previous hash."""
    consortium = network.consortium
    admin = consortium.organisation("Manufacturer")
    async with open_ledger(consortium, organisation=admin.name, identity_dir=admin.admin_dir) as ledger:
        qscc = ledger.gateway.network(PROJECT).contract("qscc")
        first = common_pb2.Block.FromString(await qscc.evaluate("GetBlockByNumber", args=[PROJECT, "1"]))
        second = common_pb2.Block.FromString(await qscc.evaluate("GetBlockByNumber", args=[PROJECT, "2"]))
    assert header_hash(first.header) == second.header.previous_hash
