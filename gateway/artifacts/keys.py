"""A project's data key, wrapped for each member with the public key of the member's X.509 certificate.

Wrapping is ECIES over the certificate's own curve: an ephemeral key pair, ECDH with the member's key,
HKDF-SHA256 (bound to the member's certificate fingerprint and the key's epoch) to a key-encryption
key, and AES-256-GCM over the data key. Only the holder of the certificate's private key can unwrap.
Fabric CA issues ECDSA keys (P-256 by default); other key types are refused with a clear error.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

DATA_KEY_BYTES = 32  # AES-256
_INFO = b"bcmlp data key wrap v1"


class KeyWrapError(Exception):
    """KeyWrapError says why a data key could not be wrapped or unwrapped."""


@dataclass(frozen=True, slots=True)
class WrappedKey:
    """WrappedKey is one member's copy of a project data key; its fields are what the ledger records."""

    recipient: str  # hex SHA-256 of the recipient certificate (DER)
    epoch: int
    ephemeral_public_key: bytes  # X9.62 uncompressed point
    nonce: bytes
    ciphertext: bytes


def new_data_key() -> bytes:
    """new_data_key makes a fresh random AES-256 key."""
    return AESGCM.generate_key(bit_length=DATA_KEY_BYTES * 8)


def certificate_fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _kek(shared: bytes, recipient: str, epoch: int) -> bytes:
    info = _INFO + b"|" + recipient.encode() + b"|" + str(epoch).encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)


def wrap_data_key(data_key: bytes, recipient_cert: x509.Certificate, *, epoch: int) -> WrappedKey:
    """wrap_data_key encrypts data_key so that only the holder of recipient_cert's private key reads it."""
    if len(data_key) != DATA_KEY_BYTES:
        raise KeyWrapError(f"a data key has {DATA_KEY_BYTES} bytes, not {len(data_key)}")
    public = recipient_cert.public_key()
    if not isinstance(public, ec.EllipticCurvePublicKey):
        raise KeyWrapError(
            f"certificate {recipient_cert.subject.rfc4514_string()} holds a {type(public).__name__}; "
            "project keys are wrapped for ECDSA certificates (Fabric CA's default) only"
        )
    recipient = certificate_fingerprint(recipient_cert)
    ephemeral = ec.generate_private_key(public.curve)
    shared = ephemeral.exchange(ec.ECDH(), public)
    nonce = os.urandom(12)
    ciphertext = AESGCM(_kek(shared, recipient, epoch)).encrypt(nonce, data_key, recipient.encode())
    point = ephemeral.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return WrappedKey(recipient, epoch, point, nonce, ciphertext)


def unwrap_data_key(wrapped: WrappedKey, private_key: ec.EllipticCurvePrivateKey) -> bytes:
    """unwrap_data_key recovers the data key with the recipient's private key.

    Raises KeyWrapError when the key is not the recipient's or the wrapped key was altered.
    """
    try:
        ephemeral = ec.EllipticCurvePublicKey.from_encoded_point(
            private_key.curve, wrapped.ephemeral_public_key
        )
    except ValueError:
        raise KeyWrapError(
            "the wrapped key's ephemeral public key is not a point on the member's curve"
        ) from None
    shared = private_key.exchange(ec.ECDH(), ephemeral)
    try:
        return AESGCM(_kek(shared, wrapped.recipient, wrapped.epoch)).decrypt(
            wrapped.nonce, wrapped.ciphertext, wrapped.recipient.encode()
        )
    except InvalidTag:
        raise KeyWrapError(
            f"this private key cannot unwrap the data key of epoch {wrapped.epoch} wrapped for "
            f"certificate {wrapped.recipient[:16]}...: it is another member's key, or the wrapped key "
            "was altered"
        ) from None


@dataclass(frozen=True, slots=True)
class KeyEpoch:
    """KeyEpoch is one generation of a project's data key, wrapped for each member of that time.

    Membership changes start a new epoch (rotate): new artifacts are encrypted under its key, so a
    member who left cannot read them, while artifacts of earlier epochs keep their keys.
    """

    epoch: int
    wrapped: tuple[WrappedKey, ...]

    @property
    def recipients(self) -> frozenset[str]:
        return frozenset(w.recipient for w in self.wrapped)

    def unwrap(self, cert: x509.Certificate, private_key: ec.EllipticCurvePrivateKey) -> bytes:
        """unwrap returns the epoch's data key for the member holding cert and private_key."""
        fingerprint = certificate_fingerprint(cert)
        for w in self.wrapped:
            if w.recipient == fingerprint:
                return unwrap_data_key(w, private_key)
        raise KeyWrapError(
            f"certificate {cert.subject.rfc4514_string()} holds no copy of the data key of epoch "
            f"{self.epoch}: it was not a project member when that key was made"
        )


def rotate(previous: KeyEpoch | None, members: list[x509.Certificate]) -> tuple[bytes, KeyEpoch]:
    """rotate makes the next epoch's data key and wraps it for every current member."""
    if not members:
        raise KeyWrapError("a project key needs at least one member to wrap it for")
    fingerprints = [certificate_fingerprint(c) for c in members]
    if len(set(fingerprints)) != len(fingerprints):
        raise KeyWrapError("a member certificate is listed twice")
    epoch = 1 if previous is None else previous.epoch + 1
    key = new_data_key()
    return key, KeyEpoch(epoch, tuple(wrap_data_key(key, c, epoch=epoch) for c in members))
