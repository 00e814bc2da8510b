"""Signers: the private-key half of a Fabric client identity.

A signer turns the exact bytes Fabric will verify (a proposal, a transaction payload, a commit
status or events request) into a signature the peer accepts:

- ECDSA (P-256, P-384): the signature is over SHA-256 of the message, DER-encoded, with low S.
  SHA-256 for both curves is deliberate: Fabric's MSP verifies with the hash of its configured
  signature hash family (SHA2, so SHA-256) whatever the curve, and the official Gateway clients
  hash with SHA-256 by default. Low S is required: peers reject a signature whose S exceeds half
  the curve order (``s > n/2``), since (r, n - s) would be an equally valid second signature.
- Ed25519 (supported by Fabric from v3): the signature is over the raw message bytes.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    Prehashed,
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.serialization import load_pem_private_key

# Curve orders (n) from SEC 2 / FIPS 186-4; only the curves Fabric's MSP accepts.
_CURVE_ORDERS: dict[str, int] = {
    ec.SECP256R1.name: 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    ec.SECP384R1.name: int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
        16,
    ),
}


# One algorithm object for every signature: making it anew cost a third of a P-256 signature.
_PREHASHED_SHA256 = ec.ECDSA(Prehashed(hashes.SHA256()))


class Signer(Protocol):
    """Signer is anything that signs a message the way Fabric verifies it (see module docstring).

    Implement it to sign with an HSM or a remote key service; ``EcdsaSigner`` and
    ``Ed25519Signer`` sign with an in-process key.
    """

    def sign(self, message: bytes) -> bytes:
        """sign returns the signature over message, in the encoding Fabric verifies."""
        ...


def message_digest(message: bytes) -> bytes:
    """message_digest is the SHA-256 digest an ECDSA signer signs for message (Fabric's default)."""
    return hashlib.sha256(message).digest()


def curve_order(curve: ec.EllipticCurve) -> int:
    """curve_order returns n for a curve Fabric accepts (P-256, P-384); other curves raise ValueError."""
    try:
        return _CURVE_ORDERS[curve.name]
    except KeyError:
        raise ValueError(
            f"ECDSA curve {curve.name} is not supported by Fabric; use a P-256 (secp256r1) "
            "or P-384 (secp384r1) key"
        ) from None


def normalize_ecdsa_signature(signature: bytes, *, curve: ec.EllipticCurve) -> bytes:
    """normalize_ecdsa_signature returns a DER ECDSA signature rewritten to low S (s <= n/2).

    Use it on signatures made elsewhere (offline signing), which peers reject when S is high.
    Raises ValueError if signature is not DER.
    """
    n = curve_order(curve)
    r, s = decode_dss_signature(signature)
    if s > n // 2:
        s = n - s
    return encode_dss_signature(r, s)


class EcdsaSigner:
    """EcdsaSigner signs SHA-256 digests with a P-256 or P-384 private key, DER and low S."""

    def __init__(self, private_key: ec.EllipticCurvePrivateKey) -> None:
        self._order = curve_order(private_key.curve)  # fails at construction, not at the first transaction
        self._key = private_key

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        """public_key is the key that verifies this signer's signatures."""
        return self._key.public_key()

    def sign(self, message: bytes) -> bytes:
        """sign signs SHA-256(message)."""
        return self.sign_digest(message_digest(message))

    def encrypted_pem(self, passphrase: bytes) -> bytes:
        """encrypted_pem is the private key as PKCS#8 PEM encrypted with passphrase, for a wallet."""
        return self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase),
        )

    def sign_digest(self, digest: bytes) -> bytes:
        """sign_digest signs a SHA-256 digest computed elsewhere (see ``Proposal.get_digest``)."""
        if len(digest) != hashlib.sha256().digest_size:
            raise ValueError(f"digest must be a 32-byte SHA-256 digest, got {len(digest)} bytes")
        der = self._key.sign(digest, _PREHASHED_SHA256)
        # OpenSSL's DER is canonical: only a high S needs encoding again (normalize_ecdsa_signature,
        # for signatures made elsewhere, re-encodes every one).
        r, s = decode_dss_signature(der)
        return encode_dss_signature(r, self._order - s) if s > self._order // 2 else der


class Ed25519Signer:
    """Ed25519Signer signs the raw message bytes with an Ed25519 private key."""

    def __init__(self, private_key: ed25519.Ed25519PrivateKey) -> None:
        self._key = private_key

    @property
    def public_key(self) -> ed25519.Ed25519PublicKey:
        """public_key is the key that verifies this signer's signatures."""
        return self._key.public_key()

    def sign(self, message: bytes) -> bytes:
        """sign signs message itself; Ed25519 hashes internally."""
        return self._key.sign(message)


def ecdsa_signer_from_key(private_key: ec.EllipticCurvePrivateKey) -> EcdsaSigner:
    """ecdsa_signer_from_key makes a signer from a P-256 or P-384 private key."""
    return EcdsaSigner(private_key)


def ed25519_signer_from_key(private_key: ed25519.Ed25519PrivateKey) -> Ed25519Signer:
    """ed25519_signer_from_key makes a signer from an Ed25519 private key."""
    return Ed25519Signer(private_key)


def signer_from_pem(private_key_pem: bytes, *, password: bytes | None = None) -> EcdsaSigner | Ed25519Signer:
    """signer_from_pem makes the right signer for a PEM private key (PKCS#8 as Fabric CA writes it).

    Raises ValueError if the key cannot be read or is not an ECDSA or Ed25519 key.
    """
    key = load_pem_private_key(private_key_pem, password=password)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return EcdsaSigner(key)
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return Ed25519Signer(key)
    raise ValueError(
        f"private key type {type(key).__name__} is not supported by Fabric; use an ECDSA "
        "(P-256/P-384) or Ed25519 key"
    )
