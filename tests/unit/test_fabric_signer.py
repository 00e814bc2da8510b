"""Signers produce signatures a Fabric peer accepts: ECDSA over SHA-256, DER, low S; Ed25519 raw."""

import hashlib

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from gateway.fabric import (
    EcdsaSigner,
    Ed25519Signer,
    ecdsa_signer_from_key,
    ed25519_signer_from_key,
    message_digest,
    normalize_ecdsa_signature,
    signer_from_pem,
)

# Independent of the implementation's table: the published curve orders.
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
P384_ORDER = int(
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973", 16
)


@pytest.mark.parametrize(("curve", "order"), [(ec.SECP256R1(), P256_ORDER), (ec.SECP384R1(), P384_ORDER)])
def test_ecdsa_signatures_are_low_s_der_and_verify_over_sha256(curve: ec.EllipticCurve, order: int) -> None:
    key = ec.generate_private_key(curve)
    signer = ecdsa_signer_from_key(key)
    # With random k, about half of raw signatures have high S: 200 messages all but guarantee that
    # normalisation is exercised (the chance of none being high is 2^-200).
    for index in range(200):
        message = f"message {index}".encode()
        signature = signer.sign(message)
        r, s = decode_dss_signature(signature)
        assert 0 < s <= order // 2, f"high S for message {index}"
        assert encode_dss_signature(r, s) == signature  # strict DER round trip
        key.public_key().verify(signature, message, ec.ECDSA(hashes.SHA256()))


def test_normalize_turns_high_s_into_low_s_and_keeps_it_valid() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    message = b"offline"
    r, s = decode_dss_signature(key.sign(message, ec.ECDSA(hashes.SHA256())))
    high = encode_dss_signature(r, s if s > P256_ORDER // 2 else P256_ORDER - s)
    key.public_key().verify(high, message, ec.ECDSA(hashes.SHA256()))  # high S is valid ECDSA...

    low = normalize_ecdsa_signature(high, curve=ec.SECP256R1())

    assert decode_dss_signature(low)[1] <= P256_ORDER // 2  # ...but only low S passes a peer
    key.public_key().verify(low, message, ec.ECDSA(hashes.SHA256()))
    assert normalize_ecdsa_signature(low, curve=ec.SECP256R1()) == low


def test_p384_signs_sha256_not_sha384() -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    signature = EcdsaSigner(key).sign(b"fabric hashes with sha256")
    key.public_key().verify(signature, b"fabric hashes with sha256", ec.ECDSA(hashes.SHA256()))
    with pytest.raises(InvalidSignature):
        key.public_key().verify(signature, b"fabric hashes with sha256", ec.ECDSA(hashes.SHA384()))


def test_sign_digest_matches_sign_and_rejects_wrong_length() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    signer = EcdsaSigner(key)
    message = b"a proposal"
    assert message_digest(message) == hashlib.sha256(message).digest()
    key.public_key().verify(signer.sign_digest(message_digest(message)), message, ec.ECDSA(hashes.SHA256()))
    with pytest.raises(ValueError, match="32-byte"):
        signer.sign_digest(b"short")


def test_unsupported_curve_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="secp521r1"):
        EcdsaSigner(ec.generate_private_key(ec.SECP521R1()))


def test_ed25519_signs_raw_message() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    signer = ed25519_signer_from_key(key)
    message = b"raw bytes, no prehash"
    signature = signer.sign(message)
    assert len(signature) == 64
    key.public_key().verify(signature, message)
    with pytest.raises(InvalidSignature):
        key.public_key().verify(signature, hashlib.sha256(message).digest())


def test_signer_from_pem_picks_the_signer_for_the_key_type() -> None:
    pkcs8 = serialization.PrivateFormat.PKCS8
    pem = serialization.Encoding.PEM
    none = serialization.NoEncryption()
    ec_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(pem, pkcs8, none)
    ed_pem = ed25519.Ed25519PrivateKey.generate().private_bytes(pem, pkcs8, none)
    assert isinstance(signer_from_pem(ec_pem), EcdsaSigner)
    assert isinstance(signer_from_pem(ed_pem), Ed25519Signer)
    with pytest.raises(ValueError):
        signer_from_pem(b"not a key")
