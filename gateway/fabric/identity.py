"""Client identities: an MSP id and an X.509 certificate, and loading both from an MSP folder."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from ._protos import identities_pb2
from .signer import EcdsaSigner, Ed25519Signer, signer_from_pem


@dataclass(frozen=True)
class X509Identity:
    """X509Identity is who a client is to Fabric: its organisation's MSP id and its certificate.

    ``certificate_pem`` is the PEM certificate exactly as enrolled; Fabric compares these bytes,
    so they are kept as given rather than re-encoded.
    """

    msp_id: str
    certificate_pem: bytes

    def __post_init__(self) -> None:
        if not self.msp_id:
            raise ValueError("msp_id is empty; pass the organisation's MSP id, for example 'Org1MSP'")
        try:
            x509.load_pem_x509_certificate(self.certificate_pem)
        except ValueError as error:
            raise ValueError(
                f"certificate_pem for MSP {self.msp_id} is not a PEM X.509 certificate: {error}"
            ) from error

    @property
    def certificate(self) -> x509.Certificate:
        """certificate is the parsed X.509 certificate."""
        return x509.load_pem_x509_certificate(self.certificate_pem)

    def serialized(self) -> bytes:
        """serialized returns the msp.SerializedIdentity bytes Fabric uses as the creator."""
        message = identities_pb2.SerializedIdentity(mspid=self.msp_id, id_bytes=self.certificate_pem)
        return bytes(message.SerializeToString())


def tls_certificate_hash(certificate_pem: bytes) -> bytes:
    """tls_certificate_hash is SHA-256 of a TLS client certificate's DER encoding.

    Pass it as ``Gateway.connect(tls_client_certificate_hash=...)`` when the gRPC channel uses
    mutual TLS: a peer with client authentication then refuses block event requests whose channel
    header does not carry this hash of the certificate the connection presented.
    """
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem)
    except ValueError as error:
        raise ValueError(f"the TLS client certificate is not a PEM X.509 certificate: {error}") from error
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).digest()


def load_msp_identity(msp_dir: Path, msp_id: str) -> tuple[X509Identity, EcdsaSigner | Ed25519Signer]:
    """load_msp_identity reads a client identity and its signer from an MSP folder.

    The folder is the one Fabric CA enrolment (or cryptogen) writes: ``signcerts/`` holds one
    ``*.pem`` certificate and ``keystore/`` its private key (PEM PKCS#8, named ``<ski>_sk`` or
    ``priv_sk``). When ``keystore/`` holds several keys (re-enrolment leaves old ones), the one
    whose public key matches the certificate is used.

    Raises FileNotFoundError naming the missing folder or file, and ValueError when the files
    exist but do not make a usable identity.
    """
    msp_dir = Path(msp_dir)
    if not msp_dir.is_dir():
        raise FileNotFoundError(
            f"MSP folder {msp_dir} does not exist; pass the 'msp' folder written by enrolment "
            "(it contains signcerts/ and keystore/)"
        )
    certificate_path = _only_certificate(msp_dir / "signcerts")
    identity = X509Identity(msp_id, certificate_path.read_bytes())
    signer = _matching_signer(msp_dir / "keystore", identity.certificate, certificate_path)
    return identity, signer


def _only_certificate(signcerts: Path) -> Path:
    if not signcerts.is_dir():
        raise FileNotFoundError(
            f"{signcerts} does not exist; an MSP folder needs signcerts/ with the certificate"
        )
    certificates = sorted(path for path in signcerts.glob("*.pem") if path.is_file())
    if not certificates:
        raise FileNotFoundError(f"{signcerts} contains no *.pem certificate; re-enrol to write one")
    if len(certificates) > 1:
        names = ", ".join(path.name for path in certificates)
        raise ValueError(f"{signcerts} contains several certificates ({names}); keep exactly one")
    return certificates[0]


def _matching_signer(
    keystore: Path, certificate: x509.Certificate, certificate_path: Path
) -> EcdsaSigner | Ed25519Signer:
    if not keystore.is_dir():
        raise FileNotFoundError(
            f"{keystore} does not exist; an MSP folder needs keystore/ with the private key"
        )
    key_files = sorted(
        path for path in keystore.iterdir() if path.is_file() and not path.name.startswith(".")
    )
    if not key_files:
        raise FileNotFoundError(f"{keystore} contains no private key file (Fabric CA writes one named *_sk)")
    wanted = _public_key_der(certificate.public_key())
    unreadable: list[str] = []
    for key_file in key_files:
        try:
            signer = signer_from_pem(key_file.read_bytes())
        except (ValueError, TypeError) as error:
            unreadable.append(f"{key_file.name} ({error})")
            continue
        if _public_key_der(signer.public_key) == wanted:
            return signer
    reason = f"; unreadable: {', '.join(unreadable)}" if unreadable else ""
    raise ValueError(
        f"no private key in {keystore} matches the certificate {certificate_path}{reason}; "
        "the key must be an unencrypted PEM (PKCS#8) ECDSA or Ed25519 key"
    )


def _public_key_der(key: object) -> bytes:
    if isinstance(key, ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey):
        return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return b""  # a certificate key type Fabric cannot sign with matches no signer
