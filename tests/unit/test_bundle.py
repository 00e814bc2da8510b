"""gateway.ledger.bundle without a network: the signer check against trusted roots (a certificate of
another CA under an MSP's id is refused), and bad bundles named field by field. The integration tests
(tests/integration/test_bundles.py) check whole bundles of the running network."""

from __future__ import annotations

import datetime
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from fabric_protos.msp import identities_pb2

from gateway.ledger.bundle import Bundle, BundleError, _Altered, _check_signed

NOW = datetime.datetime.now(datetime.UTC)


def certificate(
    name: str, key: ec.EllipticCurvePrivateKey, issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None
) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    issuer_name, issuer_key = issuer or (subject, key)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=1))
        .not_valid_after(NOW + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


@pytest.fixture(scope="module")
def world() -> dict[str, object]:
    keys = {n: ec.generate_private_key(ec.SECP256R1()) for n in ("rootA", "rootB", "leaf")}
    roots = {n: certificate(n, keys[n], None) for n in ("rootA", "rootB")}
    return {
        "keys": keys,
        "roots": roots,
        "leafA": certificate("leaf", keys["leaf"], (roots["rootA"].subject, keys["rootA"])),
        "leafB": certificate("leaf", keys["leaf"], (roots["rootB"].subject, keys["rootB"])),
    }


def serialized(msp: str, cert: x509.Certificate) -> bytes:
    pem = cert.public_bytes(Encoding.PEM)
    return bytes(identities_pb2.SerializedIdentity(mspid=msp, id_bytes=pem).SerializeToString())


def test_a_signature_by_a_certificate_of_the_msps_root_verifies(world: dict) -> None:
    data = b"proposal response payload"
    signature = world["keys"]["leaf"].sign(data, ec.ECDSA(hashes.SHA256()))
    msp, cert = _check_signed(
        serialized("AMSP", world["leafA"]), signature, data, {"AMSP": [world["roots"]["rootA"]]}, "x"
    )
    assert (msp, cert) == ("AMSP", world["leafA"])


def test_a_certificate_of_another_ca_under_the_msps_id_is_refused(world: dict) -> None:
    data = b"proposal response payload"
    signature = world["keys"]["leaf"].sign(data, ec.ECDSA(hashes.SHA256()))
    roots = {"AMSP": [world["roots"]["rootA"]], "BMSP": [world["roots"]["rootB"]]}
    with pytest.raises(_Altered, match="was not issued by AMSP's root"):
        _check_signed(serialized("AMSP", world["leafB"]), signature, data, roots, "endorsement 1")
    with pytest.raises(_Altered, match="claims MSP CMSP, which has no trusted root"):
        _check_signed(serialized("CMSP", world["leafA"]), signature, data, roots, "endorsement 1")


def test_an_edited_signature_or_payload_is_refused(world: dict) -> None:
    data = b"proposal response payload"
    signature = world["keys"]["leaf"].sign(data, ec.ECDSA(hashes.SHA256()))
    roots = {"AMSP": [world["roots"]["rootA"]]}
    with pytest.raises(_Altered, match="signature does not verify"):
        _check_signed(serialized("AMSP", world["leafA"]), signature, data + b"!", roots, "the creator")
    with pytest.raises(_Altered, match="not valid at"):
        later = NOW + datetime.timedelta(days=3)
        _check_signed(serialized("AMSP", world["leafA"]), signature, data, roots, "the creator", at=later)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "the bundle is not JSON"),
        ("[]", "bundle is not a JSON object"),
        (json.dumps({"format": "other"}), "bundle.format is 'other'"),
        (
            json.dumps({"format": "bcmlp-bundle/1", "subject": {"kind": "artifact", "id": "a"}}),
            "records is missing",
        ),
        (
            json.dumps(
                {
                    "format": "bcmlp-bundle/1",
                    "subject": {"kind": "artifact", "id": "a"},
                    "records": [{"kind": "dataset"}],
                }
            ),
            "bundle.records[0].kind 'dataset' is not one of",
        ),
        (
            json.dumps(
                {
                    "format": "bcmlp-bundle/1",
                    "subject": {"kind": "artifact", "id": "a"},
                    "records": [
                        {
                            "kind": "artifact",
                            "id": "a",
                            "txId": "t",
                            "blockNumber": 1,
                            "block": "!!",
                            "value": "",
                        }
                    ],
                }
            ),
            "bundle.records[0].block is not base64",
        ),
    ],
)
def test_a_malformed_bundle_names_the_field(text: str, message: str) -> None:
    with pytest.raises(BundleError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Bundle.from_json(text)
