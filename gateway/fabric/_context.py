"""What every object made from one Gateway shares: the gRPC stubs, the identity and the deadlines."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from ._protos import ProtoMessage, events_pb2_grpc, gateway_pb2_grpc
from .identity import X509Identity
from .signer import Signer, message_digest, normalize_ecdsa_signature


@dataclass(frozen=True)
class Deadlines:
    """Deadlines holds the gRPC deadline, in seconds, for each kind of Gateway call."""

    evaluate: float
    endorse: float
    submit: float
    commit_status: float

    def __post_init__(self) -> None:
        for name in ("evaluate", "endorse", "submit", "commit_status"):
            value = getattr(self, name)
            if not value > 0:
                raise ValueError(f"{name}_timeout must be a positive number of seconds, got {value!r}")


@dataclass(frozen=True)
class GatewayContext:
    """GatewayContext is the state a Gateway hands to its networks, contracts and transactions."""

    channel: Any  # grpc.aio.Channel, owned by the caller
    identity: X509Identity
    signer: Signer | None
    deadlines: Deadlines
    tls_certificate_hash: bytes = b""  # SHA-256 of the client's TLS certificate (DER) under mutual TLS
    gateway_stub: Any = field(init=False)
    deliver_stub: Any = field(init=False)
    creator: bytes = field(init=False)

    def __post_init__(self) -> None:
        if self.tls_certificate_hash and len(self.tls_certificate_hash) != hashlib.sha256().digest_size:
            raise ValueError(
                f"tls_client_certificate_hash is {len(self.tls_certificate_hash)} bytes, not a SHA-256 "
                "digest; pass tls_certificate_hash(<client TLS certificate PEM>)"
            )
        # Frozen dataclass: derived fields are set once here, through object.__setattr__.
        object.__setattr__(self, "gateway_stub", gateway_pb2_grpc.GatewayStub(self.channel))
        object.__setattr__(self, "deliver_stub", events_pb2_grpc.DeliverStub(self.channel))
        object.__setattr__(self, "creator", self.identity.serialized())

    def sign(self, message: bytes) -> bytes:
        """sign signs message with the configured signer, or returns b"" when there is none.

        An empty signature leaves the message to be signed offline; ``require_signature`` stops
        it from being sent unsigned.
        """
        if self.signer is None:
            return b""
        return self.signer.sign(message)

    def accept_offline_signature(self, signature: bytes) -> bytes:
        """accept_offline_signature checks a signature made elsewhere, normalising ECDSA to low S."""
        if not signature:
            raise ValueError("signature is empty; sign the bytes from get_digest() or get_message() first")
        public_key = self.identity.certificate.public_key()
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            try:
                return normalize_ecdsa_signature(signature, curve=public_key.curve)
            except ValueError as error:
                raise ValueError(
                    "signature must be a DER-encoded ECDSA signature over get_digest() "
                    f"for this identity's key: {error}"
                ) from error
        return signature


def require_signature(signature: bytes, *, what: str) -> None:
    """require_signature refuses to send an unsigned message, saying how to sign it."""
    if not signature:
        rebuild = "new_signed_" + what.replace(" ", "_")
        raise ValueError(
            f"the {what} is not signed: pass signer= to Gateway.connect, or sign offline "
            f"(get_digest() / get_message()) and rebuild it with Gateway.{rebuild}()"
        )


def set_timestamp_now(timestamp: ProtoMessage) -> None:
    """set_timestamp_now sets a google.protobuf.Timestamp to the current wall-clock time."""
    nanoseconds = time.time_ns()
    timestamp.seconds = nanoseconds // 1_000_000_000
    timestamp.nanos = nanoseconds % 1_000_000_000


class SignedRequest:
    """SignedRequest gives the offline-signing accessors to the requests that travel as a serialized
    request and its signature (commit status and chaincode events requests)."""

    _signed_request: ProtoMessage

    def get_bytes(self) -> bytes:
        """get_bytes returns the serialized signed request, for rebuilding after offline signing."""
        return bytes(self._signed_request.SerializeToString())

    def get_message(self) -> bytes:
        """get_message returns the exact bytes the signature covers (the serialized request)."""
        return bytes(self._signed_request.request)

    def get_digest(self) -> bytes:
        """get_digest returns SHA-256 of get_message(), which an ECDSA signer signs."""
        return message_digest(self.get_message())

    @property
    def signature(self) -> bytes:
        """signature is the request's signature, or b"" while unsigned."""
        return bytes(self._signed_request.signature)
