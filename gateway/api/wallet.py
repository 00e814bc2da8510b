"""An organisation's wallet: its members' Fabric signing keys, encrypted at rest, for the gateway service.

A member signs in to its organisation's service with mutual TLS, presenting a certificate its
organisation's Fabric CA issued (its enrolment or its TLS certificate: both name it as the CA's
identity, in the subject's common name). The TLS handshake proves the member holds that certificate's
key; the service then signs the member's ledger transactions with the member's enrolment key from this
wallet, so every write is the member's own, never a service account's.

Each entry is one JSON file, ``<common name>.json``: the member id the registry knows it by, its MSP id,
its enrolment certificate and the key as PKCS#8 PEM encrypted with the wallet's passphrase
(cryptography's best available PKCS#8 encryption), and likewise its key-agreement keys (the identity
folder's ``kak/``), with which the service opens the member's copies of its projects' data keys.
The passphrase lives in a file readable by the service's user only; whoever runs the organisation's
service can therefore sign as its members, as an organisation's peer operator can already act as the
organisation. A member that does not accept this signs offline instead and keeps its key to itself.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from cryptography.x509.oid import NameOID

from gateway.artifacts.keys import KAK_FOLDER, MemberKeyring, key_id_of
from gateway.fabric import EcdsaSigner, X509Identity
from gateway.fabric.identity import load_msp_identity

# The identity names network/ca.sh registers: 1-64 of A-Z a-z 0-9 . _ -, starting with a letter or digit.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class WalletError(Exception):
    """WalletError says why a wallet entry cannot be added or read, and what to do."""


def common_name(certificate: x509.Certificate) -> str:
    """common_name is the certificate subject's CN: the identity's name at its Fabric CA."""
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if len(names) != 1:
        subject = certificate.subject.rfc4514_string()
        raise WalletError(f"the certificate's subject {subject} names no single CN")
    return str(names[0].value)


@dataclass(frozen=True)
class WalletEntry:
    """WalletEntry is one member's identity in the wallet, its key still encrypted."""

    name: str  # the CA identity name, the certificates' common name
    member_id: str
    msp_id: str
    certificate_pem: bytes
    encrypted_key_pem: bytes
    encrypted_agreement_keys: tuple[bytes, ...] = ()


class Wallet:
    """Wallet is the folder of an organisation's encrypted member keys (module doc)."""

    def __init__(self, folder: Path, passphrase: bytes) -> None:
        if len(passphrase) < 16:
            raise WalletError("the wallet passphrase is shorter than 16 bytes: generate a long random one")
        self.folder = Path(folder)
        self._passphrase = passphrase

    @classmethod
    def open(cls, folder: Path, passphrase_file: Path) -> Wallet:
        """open reads the passphrase from passphrase_file, which only its owner may read."""
        try:
            mode = passphrase_file.stat().st_mode
            passphrase = passphrase_file.read_bytes().strip()
        except OSError as error:
            raise WalletError(f"the wallet passphrase file {passphrase_file}: {error.strerror}") from None
        if mode & 0o077:
            raise WalletError(
                f"{passphrase_file} is readable by others (mode {mode & 0o777:o}): chmod 600 it"
            )
        return cls(folder, passphrase)

    def _path(self, name: str) -> Path:
        if not _NAME.fullmatch(name):
            raise WalletError(
                f"identity name {name!r} is not 1-64 of A-Z a-z 0-9 . _ - starting with a letter or digit"
            )
        return self.folder / f"{name}.json"

    def add(self, *, member_id: str, msp_id: str, identity_dir: Path) -> WalletEntry:
        """add encrypts the enrolment key of identity_dir (msp/signcerts, msp/keystore) and its key-agreement
        keys (kak/, if any) into the wallet as member member_id; an entry of the same name is replaced
        (re-enrolment, a new key-agreement key)."""
        msp_dir = identity_dir / "msp" if (identity_dir / "msp").is_dir() else identity_dir
        identity, signer = load_msp_identity(msp_dir, msp_id)
        if not isinstance(signer, EcdsaSigner):
            raise WalletError(f"{msp_dir}: only ECDSA enrolment keys are kept in the wallet")
        certificate = x509.load_pem_x509_certificate(identity.certificate_pem)
        name = common_name(certificate)
        encrypted = signer.encrypted_pem(self._passphrase)
        agreement = []
        for path in sorted((identity_dir / KAK_FOLDER).glob("*.pem")):
            private = load_pem_private_key(path.read_bytes(), password=None)
            if not isinstance(private, X25519PrivateKey):
                raise WalletError(f"{path} holds no X25519 key-agreement key")
            agreement.append(
                private.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.BestAvailableEncryption(self._passphrase),
                )
            )
        entry = WalletEntry(name, member_id, msp_id, identity.certificate_pem, encrypted, tuple(agreement))
        path = self._path(name)
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = path.with_suffix(".partial")
        record = {
            "name": name,
            "memberId": member_id,
            "mspId": msp_id,
            "certificate": identity.certificate_pem.decode(),
            "key": encrypted.decode(),
            "keyAgreementKeys": [k.decode() for k in agreement],
        }
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(record, out, indent=1)
        partial.replace(path)
        return entry

    def entry(self, name: str) -> WalletEntry | None:
        """entry is the wallet's entry for CA identity name, or None."""
        path = self._path(name)
        try:
            record = json.loads(path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            raise WalletError(f"wallet entry {path} is unreadable: {error}; add the member again") from None
        return WalletEntry(
            record["name"],
            record["memberId"],
            record["mspId"],
            record["certificate"].encode(),
            record["key"].encode(),
            tuple(k.encode() for k in record.get("keyAgreementKeys", [])),
        )

    def signer(self, entry: WalletEntry) -> tuple[X509Identity, EcdsaSigner]:
        """signer decrypts entry's key: the member's Fabric identity and signer."""
        try:
            key = load_pem_private_key(entry.encrypted_key_pem, password=self._passphrase)
        except (ValueError, TypeError) as error:
            raise WalletError(
                f"wallet entry {entry.name}'s key does not open with this wallet's passphrase: {error}"
            ) from None
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise WalletError(f"wallet entry {entry.name} holds no ECDSA key")
        return X509Identity(entry.msp_id, entry.certificate_pem), EcdsaSigner(key)

    def keyring(self, entry: WalletEntry) -> MemberKeyring:
        """keyring decrypts entry's key-agreement keys: the member's keyring for its projects' data keys."""
        keys = {}
        for pem in entry.encrypted_agreement_keys:
            try:
                private = load_pem_private_key(pem, password=self._passphrase)
            except (ValueError, TypeError) as error:
                raise WalletError(
                    f"wallet entry {entry.name}'s key-agreement key does not open: {error}"
                ) from None
            if not isinstance(private, X25519PrivateKey):
                raise WalletError(f"wallet entry {entry.name} holds a key-agreement key that is not X25519")
            keys[key_id_of(private.public_key())] = private
        return MemberKeyring(entry.member_id, keys)
