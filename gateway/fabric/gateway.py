"""Gateways: a client identity connected to a peer's Gateway service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ._context import Deadlines, GatewayContext
from ._protos import common_pb2, gateway_pb2, protobuf_message
from .block_events import BlockEventsRequest
from .commit import Commit
from .events import ChaincodeEventsRequest
from .identity import X509Identity
from .network import Network
from .proposal import Proposal
from .signer import Signer
from .transaction import Transaction

T = TypeVar("T")

DEFAULT_EVALUATE_TIMEOUT = 5.0
DEFAULT_ENDORSE_TIMEOUT = 15.0
DEFAULT_SUBMIT_TIMEOUT = 5.0
DEFAULT_COMMIT_STATUS_TIMEOUT = 60.0


class Gateway:
    """Gateway is a client identity's connection to the Fabric Gateway of a trusted peer.

    Create it with ``Gateway.connect``. The gRPC channel belongs to the caller, who closes it;
    a Gateway holds no other resources, so it needs no closing of its own.
    """

    def __init__(self, context: GatewayContext) -> None:
        """__init__ is internal; use ``Gateway.connect``."""
        self._context = context

    @classmethod
    def connect(
        cls,
        *,
        identity: X509Identity,
        client: Any,
        signer: Signer | None = None,
        evaluate_timeout: float = DEFAULT_EVALUATE_TIMEOUT,
        endorse_timeout: float = DEFAULT_ENDORSE_TIMEOUT,
        submit_timeout: float = DEFAULT_SUBMIT_TIMEOUT,
        commit_status_timeout: float = DEFAULT_COMMIT_STATUS_TIMEOUT,
        tls_client_certificate_hash: bytes | None = None,
    ) -> Gateway:
        """connect makes a Gateway for identity over client, a ``grpc.aio.Channel`` to a peer.

        Without a signer every request is left unsigned for offline signing (see
        ``new_signed_proposal``). Timeouts are per-call gRPC deadlines in seconds.
        ``tls_client_certificate_hash`` (``tls_certificate_hash(pem)``) is needed only when client
        presents a TLS certificate (mutual TLS): block event requests must then carry it. No
        connection is made here: gRPC connects on the first call.
        """
        deadlines = Deadlines(
            evaluate=evaluate_timeout,
            endorse=endorse_timeout,
            submit=submit_timeout,
            commit_status=commit_status_timeout,
        )
        return cls(
            GatewayContext(
                channel=client,
                identity=identity,
                signer=signer,
                deadlines=deadlines,
                tls_certificate_hash=tls_client_certificate_hash or b"",
            )
        )

    @property
    def identity(self) -> X509Identity:
        """identity is the client identity every request is made as."""
        return self._context.identity

    def network(self, channel_name: str) -> Network:
        """network returns the channel named channel_name."""
        return Network(self._context, channel_name)

    def new_signed_proposal(self, proposal_bytes: bytes, signature: bytes) -> Proposal:
        """new_signed_proposal rebuilds a Proposal from ``Proposal.get_bytes()`` and its offline signature.

        ECDSA signatures are normalised to low S. Raises ValueError for bytes that are not a
        proposal or a signature that cannot be used; the same holds for the other new_signed_*.
        """
        signature = self._context.accept_offline_signature(signature)

        def build() -> Proposal:
            proposed = gateway_pb2.ProposedTransaction.FromString(proposal_bytes)
            proposed.proposal.signature = signature
            return Proposal(self._context, proposed)

        return _rebuild(build, source="Proposal.get_bytes()")

    def new_signed_transaction(self, transaction_bytes: bytes, signature: bytes) -> Transaction:
        """new_signed_transaction rebuilds a Transaction from ``Transaction.get_bytes()`` and a signature."""
        signature = self._context.accept_offline_signature(signature)

        def build() -> Transaction:
            prepared = gateway_pb2.PreparedTransaction.FromString(transaction_bytes)
            prepared.envelope.signature = signature
            return Transaction(self._context, prepared)

        return _rebuild(build, source="Transaction.get_bytes()")

    def new_signed_commit(self, commit_bytes: bytes, signature: bytes) -> Commit:
        """new_signed_commit rebuilds a Commit from ``Commit.get_bytes()`` and its signature."""
        signature = self._context.accept_offline_signature(signature)

        def build() -> Commit:
            signed = gateway_pb2.SignedCommitStatusRequest.FromString(commit_bytes)
            signed.signature = signature
            return Commit(self._context, signed)

        return _rebuild(build, source="Commit.get_bytes()")

    def new_signed_chaincode_events_request(
        self, request_bytes: bytes, signature: bytes
    ) -> ChaincodeEventsRequest:
        """new_signed_chaincode_events_request rebuilds a ChaincodeEventsRequest with its signature."""
        signature = self._context.accept_offline_signature(signature)

        def build() -> ChaincodeEventsRequest:
            signed = gateway_pb2.SignedChaincodeEventsRequest.FromString(request_bytes)
            signed.signature = signature
            return ChaincodeEventsRequest(self._context, signed)

        return _rebuild(build, source="ChaincodeEventsRequest.get_bytes()")

    def new_signed_block_events_request(self, request_bytes: bytes, signature: bytes) -> BlockEventsRequest:
        """new_signed_block_events_request rebuilds a BlockEventsRequest with its signature."""
        signature = self._context.accept_offline_signature(signature)

        def build() -> BlockEventsRequest:
            envelope = common_pb2.Envelope.FromString(request_bytes)
            envelope.signature = signature
            return BlockEventsRequest(self._context, envelope)

        return _rebuild(build, source="BlockEventsRequest.get_bytes()")


def _rebuild(build: Callable[[], T], *, source: str) -> T:
    try:
        return build()
    except protobuf_message.DecodeError as error:
        raise ValueError(f"bytes could not be decoded; pass the unmodified result of {source}") from error
