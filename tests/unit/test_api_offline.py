"""The gateway service's parts that need no network: its OpenAPI description is valid and declares
exactly the routes the app serves; the wallet keeps keys encrypted and refuses a careless passphrase
file or a wrong passphrase; ledger refusals map to specific problems."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from openapi_core import OpenAPI

from gateway.api.app import ROUTES, load_spec, plain
from gateway.api.problems import from_ledger_error
from gateway.api.wallet import Wallet, WalletError
from gateway.artifacts.keys import create_key_agreement_key, key_id_of
from gateway.fabric import ErrorDetail
from gateway.fabric.signer import message_digest
from gateway.ledger import LedgerError
from tests.unit.test_fabric_identity import make_msp

PASSPHRASE = b"a long random passphrase for tests"


def test_the_description_is_valid_and_matches_the_routes() -> None:
    spec = load_spec()
    OpenAPI.from_dict(spec)  # raises on an invalid OpenAPI 3 document
    described = {
        (method, path) for path, item in spec["paths"].items() for method in item if method != "parameters"
    }
    served = {(r.method.lower(), r.path) for r in ROUTES}  # type: ignore[attr-defined]
    assert served - {("get", "/openapi.json"), ("get", "/metrics")} == described


def test_plain_writes_decimals_as_strings_and_keys_in_camel_case() -> None:
    from decimal import Decimal

    from gateway.ledger.registry import Evidence, TrustRow

    row = TrustRow("m-1", Decimal("0.250000"), "medium trust", Evidence((Decimal(1),), ()))
    assert plain(row) == {
        "memberId": "m-1",
        "trust": "0.250000",
        "level": "medium trust",
        "evidence": {"positive": ["1"], "negative": []},
    }
    json.dumps(plain(row))


def test_the_wallet_keeps_keys_encrypted_and_signs_with_them(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    make_msp(tmp_path / "alice", key)
    agreement = create_key_agreement_key(tmp_path / "alice")
    wallet = Wallet(tmp_path / "wallet", PASSPHRASE)
    entry = wallet.add(member_id="alice-1", msp_id="Org1MSP", identity_dir=tmp_path / "alice")
    stored = json.loads((tmp_path / "wallet" / f"{entry.name}.json").read_text())
    assert "ENCRYPTED PRIVATE KEY" in stored["key"]
    assert [("ENCRYPTED PRIVATE KEY" in k) for k in stored["keyAgreementKeys"]] == [True]
    assert (tmp_path / "wallet" / f"{entry.name}.json").stat().st_mode & 0o777 == 0o600
    found = wallet.entry(entry.name)
    assert found is not None and found.member_id == "alice-1"
    identity, signer = wallet.signer(found)
    assert identity.msp_id == "Org1MSP"
    keyring = wallet.keyring(found)
    assert keyring.member_id == "alice-1"
    assert list(keyring.keys) == [key_id_of(agreement.public_key())]
    signature = signer.sign(b"proposal bytes")
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

    key.public_key().verify(
        signature, message_digest(b"proposal bytes"), ec.ECDSA(Prehashed(hashes.SHA256()))
    )
    with pytest.raises(WalletError, match="does not open with this wallet's passphrase"):
        Wallet(tmp_path / "wallet", b"another passphrase, also long").signer(found)
    assert wallet.entry("nobody") is None
    with pytest.raises(WalletError, match="is not 1-64 of"):
        wallet.entry("../escape")


def test_a_passphrase_file_others_can_read_or_a_short_one_is_refused(tmp_path: Path) -> None:
    phrase = tmp_path / "wallet.passphrase"
    phrase.write_bytes(PASSPHRASE)
    phrase.chmod(0o644)
    with pytest.raises(WalletError, match=r"readable by others .* chmod 600"):
        Wallet.open(tmp_path / "wallet", phrase)
    phrase.chmod(0o600)
    Wallet.open(tmp_path / "wallet", phrase)
    with pytest.raises(WalletError, match="shorter than 16 bytes"):
        Wallet(tmp_path / "wallet", b"short")
    with pytest.raises(WalletError, match="does-not-exist"):
        Wallet.open(tmp_path / "wallet", tmp_path / "does-not-exist")


@pytest.mark.parametrize(
    ("message", "stage", "status", "code"),
    [
        ('artifact "x" does not exist', "evaluate", 404, "not_found"),
        ("the creator cannot rate its own record: artifact ...", "endorse", 403, "forbidden"),
        (
            'you already rated artifact "x" (transaction t): each member rates a record once',
            "endorse",
            422,
            "refused",
        ),
        ("MVCC_READ_CONFLICT", "commit", 409, "commit_failed"),
    ],
)
def test_ledger_refusals_map_to_specific_problems(message: str, stage: str, status: int, code: str) -> None:
    error = LedgerError(
        message,
        function="provenance:RateRecord",
        stage=stage,
        transaction_id="tx-1",
        details=[ErrorDetail("peer0:7051", "Org1MSP", message)],
    )
    problem = from_ledger_error(error)
    assert (problem.status, problem.code) == (status, code)
    document = problem.document()
    assert document["transactionId"] == "tx-1" and document["stage"] == stage
    assert document["peers"] == [{"address": "peer0:7051", "mspId": "Org1MSP", "message": message}]


async def test_an_upload_past_the_bound_is_cut_off() -> None:
    from gateway.api.science import _bounded
    from gateway.artifacts.errors import ArtifactError

    class Body:
        def __init__(self, pieces: list[bytes]) -> None:
            self.pieces = pieces

        async def iter_chunked(self, size: int) -> Any:
            for piece in self.pieces:
                yield piece

    got = [p async for p in _bounded(Body([b"a" * 10, b"b" * 10]), 20)]
    assert got == [b"a" * 10, b"b" * 10]
    with pytest.raises(ArtifactError, match="larger than this service's upload bound of 15 bytes"):
        _ = [p async for p in _bounded(Body([b"a" * 10, b"b" * 10]), 15)]
