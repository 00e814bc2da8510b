"""A project's data key, wrapped for each member with the member's own key-agreement key.

Every member makes an X25519 key pair for key agreement, keeps the private key in its identity folder
(``<identity>/kak/<key id>.pem``, mode 0600) and registers the public key on the main chain
(``registry:RegisterKeyAgreementKey``, which binds it to the member that signed the registration);
``provision_key_agreement_key`` does both. A member that makes a new pair keeps the old private key
beside it, and the registry keeps the old public key in the member's history, so epochs wrapped for
the old key stay readable.

Wrapping (``wrap_for_member``): an ephemeral X25519 key pair, X25519 with the member's public key,
HKDF-SHA256 to a key-encryption key whose info binds the scheme, the member id, the recipient key id
(hex SHA-256 of its SubjectPublicKeyInfo), the epoch and both public keys, then AES-256-GCM over the
data key with the scheme, member id, key id and epoch as associated data. Only the holder of that
private key unwraps it; a copy relabelled for another member, key or epoch fails authentication.

The first scheme, ECIES with the public key of the member's X.509 signing certificate
(``wrap_data_key`` given a certificate), is kept only because existing callers
(tests/integration/test_artifacts.py) still use it; new code wraps for members' key-agreement keys.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, overload

from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

DATA_KEY_BYTES = 32  # AES-256
_INFO = b"bcmlp data key wrap v1"

CERTIFICATE_SCHEME = "certificate-ecdh-hkdf-sha256-aes256gcm-v1"
"""CERTIFICATE_SCHEME: the first scheme, ECDH with a member's signing certificate (kept for old callers)."""
MEMBER_KEY_SCHEME = "x25519-hkdf-sha256-aes256gcm-v2"
"""MEMBER_KEY_SCHEME: X25519 with the member's registered key-agreement key."""

KAK_FOLDER = "kak"
"""KAK_FOLDER is the folder of an identity that holds its key-agreement private keys, one per key id."""


class KeyWrapError(Exception):
    """KeyWrapError says why a data key could not be wrapped or unwrapped."""


class NotARecipient(KeyWrapError):
    """NotARecipient: the epoch holds no copy of its data key for this member (it was not a member then)."""


class KeyNotHeld(KeyWrapError):
    """KeyNotHeld: the member's copy is wrapped for one of its keys whose private key it no longer holds."""


@dataclass(frozen=True, slots=True)
class WrappedKey:
    """WrappedKey is one member's copy of a project data key; its fields are what the ledger records.

    ``recipient`` names the key it is wrapped for: the key id (hex SHA-256 of the SubjectPublicKeyInfo)
    of the member's key-agreement key, or, in the certificate scheme, the certificate's fingerprint.
    ``member_id`` is the recipient member ("" in the certificate scheme, which did not record it).
    """

    recipient: str
    epoch: int
    ephemeral_public_key: bytes  # raw X25519 (32 bytes); X9.62 uncompressed point in the certificate scheme
    nonce: bytes
    ciphertext: bytes
    member_id: str = ""
    scheme: str = CERTIFICATE_SCHEME

    def to_json(self) -> dict[str, object]:
        """to_json is the copy as JSON, bytes in base64, to keep with the project's key epochs."""
        return {
            "scheme": self.scheme,
            "memberId": self.member_id,
            "recipient": self.recipient,
            "epoch": self.epoch,
            "ephemeralPublicKey": base64.b64encode(self.ephemeral_public_key).decode(),
            "nonce": base64.b64encode(self.nonce).decode(),
            "ciphertext": base64.b64encode(self.ciphertext).decode(),
        }

    @classmethod
    def from_json(cls, record: Mapping[str, Any]) -> WrappedKey:
        """from_json reads what to_json wrote, naming a missing or mistyped field."""

        def field(name: str, kind: type) -> Any:
            value = record.get(name)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise KeyWrapError(f"a wrapped key's {name} is a {kind.__name__}, not {value!r}")
            return value

        def decoded(name: str) -> bytes:
            try:
                return base64.b64decode(field(name, str), validate=True)
            except ValueError:
                raise KeyWrapError(f"a wrapped key's {name} is not base64") from None

        scheme = field("scheme", str)
        if scheme not in (CERTIFICATE_SCHEME, MEMBER_KEY_SCHEME):
            raise KeyWrapError(f"a wrapped key's scheme {scheme!r} is unknown; known: {MEMBER_KEY_SCHEME}")
        return cls(
            recipient=field("recipient", str),
            epoch=field("epoch", int),
            ephemeral_public_key=decoded("ephemeralPublicKey"),
            nonce=decoded("nonce"),
            ciphertext=decoded("ciphertext"),
            member_id=field("memberId", str),
            scheme=scheme,
        )


def new_data_key() -> bytes:
    """new_data_key makes a fresh random AES-256 key."""
    return AESGCM.generate_key(bit_length=DATA_KEY_BYTES * 8)


def _check_data_key(data_key: bytes) -> None:
    if len(data_key) != DATA_KEY_BYTES:
        raise KeyWrapError(f"a data key has {DATA_KEY_BYTES} bytes, not {len(data_key)}")


# Members' key-agreement keys.


def key_id_of(public_key: X25519PublicKey) -> str:
    """key_id_of is a key-agreement key's id, as the registry computes it: hex SHA-256 of its
    SubjectPublicKeyInfo (DER)."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def public_key_pem(public_key: X25519PublicKey) -> str:
    """public_key_pem is the key as the registry takes it: a PEM PUBLIC KEY block."""
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


@dataclass(frozen=True, slots=True)
class MemberKey:
    """MemberKey is a member's public key-agreement key, as the registry records it: the key to wrap for."""

    member_id: str
    key_id: str
    public_key: X25519PublicKey

    @classmethod
    def from_pem(cls, *, member_id: str, public_key_pem: str | bytes, key_id: str | None = None) -> MemberKey:
        """from_pem reads a registered key (``KeyAgreementKey.public_key_pem``); given key_id, the key must
        have that id, so a record whose key and id disagree is refused rather than wrapped for."""
        data = public_key_pem.encode() if isinstance(public_key_pem, str) else public_key_pem
        try:
            public = serialization.load_pem_public_key(data)
        except ValueError as error:
            raise KeyWrapError(
                f"member {member_id}'s key-agreement key is not a PEM public key ({error})"
            ) from None
        if not isinstance(public, X25519PublicKey):
            raise KeyWrapError(
                f"member {member_id}'s key-agreement key is a {type(public).__name__}; data keys are wrapped "
                "for X25519 keys only"
            )
        computed = key_id_of(public)
        if key_id is not None and key_id != computed:
            raise KeyWrapError(
                f"member {member_id}'s key-agreement key has the id {computed}, not the recorded {key_id}"
            )
        return cls(member_id, computed, public)


@dataclass(frozen=True, slots=True)
class MemberKeyring:
    """MemberKeyring is a member's key-agreement private keys, current and earlier, by key id.

    Its repr names the key ids only.
    """

    member_id: str
    keys: Mapping[str, X25519PrivateKey]

    def __repr__(self) -> str:
        return f"MemberKeyring(member_id={self.member_id!r}, key_ids={sorted(self.keys)!r})"

    @classmethod
    def load(cls, identity_dir: str | os.PathLike[str], *, member_id: str) -> MemberKeyring:
        """load reads every private key in ``<identity_dir>/kak/``, named by its public key's id."""
        folder = Path(identity_dir) / KAK_FOLDER
        keys: dict[str, X25519PrivateKey] = {}
        if folder.is_dir():
            for path in sorted(folder.glob("*.pem")):
                private = serialization.load_pem_private_key(path.read_bytes(), password=None)
                if not isinstance(private, X25519PrivateKey):
                    raise KeyWrapError(f"{path} holds a {type(private).__name__}, not an X25519 private key")
                keys[key_id_of(private.public_key())] = private
        return cls(member_id, keys)

    def private_key(self, key_id: str, *, epoch: int | None = None) -> X25519PrivateKey:
        """private_key returns the private key of key_id, or raises KeyNotHeld saying what is missing."""
        try:
            return self.keys[key_id]
        except KeyError:
            which = f"the data key of epoch {epoch}" if epoch is not None else "a data key"
            raise KeyNotHeld(
                f"member {self.member_id}'s copy of {which} is wrapped for its key-agreement key "
                f"{key_id[:16]}..., whose private key is not in its keyring (it holds "
                f"{len(self.keys)} keys): restore {KAK_FOLDER}/{key_id}.pem from the identity's backup"
            ) from None


def _context(member_id: str, recipient_key_id: str, epoch: int) -> bytes:
    """_context encodes what a copy is bound to, each part length-prefixed so no two read alike."""
    parts = [MEMBER_KEY_SCHEME.encode(), member_id.encode(), recipient_key_id.encode(), str(epoch).encode()]
    return b"".join(len(p).to_bytes(4, "big") + p for p in parts)


def _member_kek(shared: bytes, context: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    keys = len(ephemeral).to_bytes(4, "big") + ephemeral + len(recipient).to_bytes(4, "big") + recipient
    info = context + keys
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)


def _raw(public_key: X25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def wrap_for_member(data_key: bytes, recipient: MemberKey, *, epoch: int) -> WrappedKey:
    """wrap_for_member encrypts data_key so that only the holder of recipient's private key reads it."""
    _check_data_key(data_key)
    ephemeral = X25519PrivateKey.generate()
    try:
        shared = ephemeral.exchange(recipient.public_key)
    except ValueError:
        raise KeyWrapError(
            f"member {recipient.member_id}'s key-agreement key {recipient.key_id[:16]}... is a low-order "
            "point that no private key matches: the member must register a key it generated"
        ) from None
    context = _context(recipient.member_id, recipient.key_id, epoch)
    point = _raw(ephemeral.public_key())
    kek = _member_kek(shared, context, point, _raw(recipient.public_key))
    nonce = os.urandom(12)
    ciphertext = AESGCM(kek).encrypt(nonce, data_key, context)
    return WrappedKey(
        recipient.key_id, epoch, point, nonce, ciphertext, recipient.member_id, MEMBER_KEY_SCHEME
    )


def _unwrap_for_member(wrapped: WrappedKey, private_key: X25519PrivateKey) -> bytes:
    own = key_id_of(private_key.public_key())
    if own != wrapped.recipient:
        raise KeyWrapError(
            f"this private key (key {own[:16]}...) cannot unwrap the data key of epoch {wrapped.epoch} "
            f"wrapped for member {wrapped.member_id}'s key {wrapped.recipient[:16]}...: it is another "
            "member's key, or another of the member's keys"
        )
    try:
        ephemeral = X25519PublicKey.from_public_bytes(wrapped.ephemeral_public_key)
        shared = private_key.exchange(ephemeral)
    except ValueError:
        raise KeyWrapError(
            f"the data key of epoch {wrapped.epoch} for member {wrapped.member_id} has a bad ephemeral key: "
            "the wrapped key was altered"
        ) from None
    context = _context(wrapped.member_id, wrapped.recipient, wrapped.epoch)
    kek = _member_kek(shared, context, wrapped.ephemeral_public_key, _raw(private_key.public_key()))
    try:
        return AESGCM(kek).decrypt(wrapped.nonce, wrapped.ciphertext, context)
    except InvalidTag:
        raise KeyWrapError(
            f"the data key of epoch {wrapped.epoch} wrapped for member {wrapped.member_id} fails "
            "authentication: the wrapped key, its member id, key id or epoch was altered"
        ) from None


# The certificate scheme, kept for existing callers.


def certificate_fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _kek(shared: bytes, recipient: str, epoch: int) -> bytes:
    info = _INFO + b"|" + recipient.encode() + b"|" + str(epoch).encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)


def _wrap_for_certificate(data_key: bytes, recipient_cert: x509.Certificate, *, epoch: int) -> WrappedKey:
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


def _unwrap_for_certificate(wrapped: WrappedKey, private_key: ec.EllipticCurvePrivateKey) -> bytes:
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


# Either scheme.

Recipient = MemberKey | x509.Certificate
"""Recipient is whom a data key is wrapped for: a member's key-agreement key (a certificate: old scheme)."""


def wrap_data_key(data_key: bytes, recipient: Recipient, *, epoch: int) -> WrappedKey:
    """wrap_data_key wraps data_key for a member's key-agreement key (wrap_for_member), or, in the old
    scheme, for the public key of a signing certificate."""
    _check_data_key(data_key)
    if isinstance(recipient, MemberKey):
        return wrap_for_member(data_key, recipient, epoch=epoch)
    return _wrap_for_certificate(data_key, recipient, epoch=epoch)


def unwrap_data_key(wrapped: WrappedKey, private_key: X25519PrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    """unwrap_data_key recovers the data key with the recipient's private key: its key-agreement key
    (the one the copy names), or the certificate's key for a copy of the old scheme.

    Raises KeyWrapError when the key is not the recipient's or the wrapped key was altered.
    """
    if wrapped.scheme == MEMBER_KEY_SCHEME:
        if not isinstance(private_key, X25519PrivateKey):
            raise KeyWrapError(
                f"the data key of epoch {wrapped.epoch} is wrapped for member {wrapped.member_id}'s X25519 "
                f"key-agreement key; give that key ({KAK_FOLDER}/{wrapped.recipient}.pem in its identity "
                f"folder), not a {type(private_key).__name__} such as its signing key"
            )
        return _unwrap_for_member(wrapped, private_key)
    if wrapped.scheme == CERTIFICATE_SCHEME:
        if not isinstance(private_key, ec.EllipticCurvePrivateKey):
            raise KeyWrapError(
                f"the data key of epoch {wrapped.epoch} is wrapped for a certificate; give the certificate's "
                f"EC private key, not a {type(private_key).__name__}"
            )
        return _unwrap_for_certificate(wrapped, private_key)
    raise KeyWrapError(f"the wrapped key's scheme {wrapped.scheme!r} is unknown; known: {MEMBER_KEY_SCHEME}")


@dataclass(frozen=True, slots=True)
class KeyEpoch:
    """KeyEpoch is one generation of a project's data key, wrapped for each member of that time.

    Each copy names its member and the key it is wrapped for. Membership changes start a new epoch
    (rotate): new artifacts are encrypted under its key, so a member who left cannot read them, while
    artifacts of earlier epochs keep their keys; a member that registered a new key since opens the
    earlier epochs with the old private key, which its keyring keeps.
    """

    epoch: int
    wrapped: tuple[WrappedKey, ...]

    @property
    def recipients(self) -> frozenset[str]:
        """recipients are the key ids (certificate fingerprints in the old scheme) of the copies."""
        return frozenset(w.recipient for w in self.wrapped)

    @property
    def members(self) -> frozenset[str]:
        """members are the member ids the epoch's key is wrapped for."""
        return frozenset(w.member_id for w in self.wrapped if w.member_id)

    def copy_for(self, member_id: str) -> WrappedKey:
        """copy_for returns member_id's copy, or raises NotARecipient."""
        for w in self.wrapped:
            if w.scheme == MEMBER_KEY_SCHEME and w.member_id == member_id:
                return w
        raise NotARecipient(
            f"member {member_id} holds no copy of the data key of epoch {self.epoch}: it was not a project "
            "member when that key was made"
        )

    @overload
    def unwrap(self, keyring: MemberKeyring, /) -> bytes: ...

    @overload
    def unwrap(self, cert: x509.Certificate, private_key: ec.EllipticCurvePrivateKey, /) -> bytes: ...

    def unwrap(
        self,
        holder: MemberKeyring | x509.Certificate,
        private_key: ec.EllipticCurvePrivateKey | None = None,
        /,
    ) -> bytes:
        """unwrap returns the epoch's data key for a member, with the keyring of its key-agreement keys
        (or, in the old scheme, for the holder of a certificate and its private key).

        Raises NotARecipient for a member the epoch was not wrapped for, KeyNotHeld when the member's
        copy names a key whose private key the keyring lacks.
        """
        if isinstance(holder, MemberKeyring):
            copy = self.copy_for(holder.member_id)
            return unwrap_data_key(copy, holder.private_key(copy.recipient, epoch=self.epoch))
        if private_key is None:
            raise KeyWrapError("unwrap with a certificate needs its private key too")
        fingerprint = certificate_fingerprint(holder)
        for w in self.wrapped:
            if w.recipient == fingerprint:
                return unwrap_data_key(w, private_key)
        raise NotARecipient(
            f"certificate {holder.subject.rfc4514_string()} holds no copy of the data key of epoch "
            f"{self.epoch}: it was not a project member when that key was made"
        )

    def to_json(self) -> dict[str, object]:
        """to_json is the epoch as JSON: its number and every member's copy."""
        return {"epoch": self.epoch, "wrapped": [w.to_json() for w in self.wrapped]}

    @classmethod
    def from_json(cls, record: Mapping[str, Any]) -> KeyEpoch:
        """from_json reads what to_json wrote; every copy must be of the epoch."""
        epoch, wrapped = record.get("epoch"), record.get("wrapped")
        if not isinstance(epoch, int) or isinstance(epoch, bool) or not isinstance(wrapped, list):
            raise KeyWrapError("a key epoch is {'epoch': int, 'wrapped': [...]}")
        copies = tuple(WrappedKey.from_json(w) for w in wrapped)
        if any(w.epoch != epoch for w in copies):
            raise KeyWrapError(f"key epoch {epoch} holds a copy of another epoch")
        return cls(epoch, copies)


def rotate(previous: KeyEpoch | None, members: Sequence[Recipient]) -> tuple[bytes, KeyEpoch]:
    """rotate makes the next epoch's data key and wraps it for every current member's key."""
    if not members:
        raise KeyWrapError("a project key needs at least one member to wrap it for")
    seen: set[str] = set()
    for m in members:
        names = (
            [f"member {m.member_id}", f"key {m.key_id}"]
            if isinstance(m, MemberKey)
            else [f"certificate {certificate_fingerprint(m)}"]
        )
        for name in names:
            if name in seen:
                raise KeyWrapError(f"{name} is listed twice: wrap each member's current key once")
            seen.add(name)
    epoch = 1 if previous is None else previous.epoch + 1
    key = new_data_key()
    return key, KeyEpoch(epoch, tuple(wrap_data_key(key, m, epoch=epoch) for m in members))


# A member's own key pair.


class KeyRegistry(Protocol):
    """KeyRegistry registers the caller's key-agreement key (gateway.ledger.RegistryClient)."""

    async def register_key_agreement_key(self, public_key: X25519PublicKey) -> object:
        """register_key_agreement_key registers public_key as the calling member's current key."""
        ...


def create_key_agreement_key(identity_dir: str | os.PathLike[str]) -> X25519PrivateKey:
    """create_key_agreement_key makes an X25519 key pair and writes its private key, unencrypted PKCS#8 PEM,
    to ``<identity_dir>/kak/<key id>.pem`` (folder 0700, file 0600, never overwritten), synced to disk
    before it returns. Earlier keys stay beside it."""
    folder = Path(identity_dir) / KAK_FOLDER
    folder.mkdir(mode=0o700, parents=False, exist_ok=True)
    folder.chmod(0o700)
    private = X25519PrivateKey.generate()
    path = folder / f"{key_id_of(private.public_key())}.pem"
    data = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    return private


async def provision_key_agreement_key(
    identity_dir: str | os.PathLike[str], registry: KeyRegistry
) -> X25519PublicKey:
    """provision_key_agreement_key makes the member's next key pair in its identity folder and registers
    the public key as its current one; returns the public key.

    The private key is on disk before the registration is sent, so a registration whose outcome is
    unknown never leaves a registered key without its private key. It is removed again only when the
    registry refused the registration at endorsement (nothing was ordered).
    """
    private = create_key_agreement_key(identity_dir)
    path = Path(identity_dir) / KAK_FOLDER / f"{key_id_of(private.public_key())}.pem"
    try:
        await registry.register_key_agreement_key(private.public_key())
    except Exception as error:
        if getattr(error, "stage", None) == "endorse":
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        raise
    return private.public_key()
