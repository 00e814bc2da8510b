"""Transaction proposals: building the SignedProposal Fabric expects, and evaluating or endorsing it.

A proposal is the first of the three signed messages of a transaction (proposal, then the
endorsed transaction envelope, then the commit status request).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence

from grpc.aio import AioRpcError

from ._context import GatewayContext, require_signature, set_timestamp_now
from ._protos import (
    ProtoMessage,
    chaincode_pb2,
    common_pb2,
    gateway_pb2,
    proposal_pb2,
)
from .errors import EndorseError, EvaluateError
from .signer import message_digest
from .transaction import Transaction

NONCE_LENGTH = 24
"""NONCE_LENGTH is the size in bytes of the random nonce in every signature header, as Fabric uses."""


def new_nonce() -> bytes:
    """new_nonce returns fresh random bytes for a signature header."""
    return secrets.token_bytes(NONCE_LENGTH)


def transaction_id(nonce: bytes, creator: bytes) -> str:
    """transaction_id is hex(SHA-256(nonce || creator)); peers recompute and check it."""
    return hashlib.sha256(nonce + creator).hexdigest()


def build_proposed_transaction(
    *,
    creator: bytes,
    channel_name: str,
    chaincode_name: str,
    function: str,
    args: Sequence[bytes],
    transient: Mapping[str, bytes],
    endorsing_orgs: Sequence[str],
    nonce: bytes | None = None,
) -> ProtoMessage:
    """build_proposed_transaction builds an unsigned gateway.ProposedTransaction.

    ``function`` is the full chaincode function name (``contract:function`` for a named
    contract); the chaincode receives ``[function, *args]`` as its arguments.
    """
    nonce = new_nonce() if nonce is None else nonce
    tx_id = transaction_id(nonce, creator)

    extension = proposal_pb2.ChaincodeHeaderExtension(
        chaincode_id=chaincode_pb2.ChaincodeID(name=chaincode_name)
    )
    channel_header = common_pb2.ChannelHeader(
        type=common_pb2.HeaderType.ENDORSER_TRANSACTION,
        channel_id=channel_name,
        tx_id=tx_id,
        epoch=0,
        extension=extension.SerializeToString(),
    )
    set_timestamp_now(channel_header.timestamp)
    signature_header = common_pb2.SignatureHeader(creator=creator, nonce=nonce)
    header = common_pb2.Header(
        channel_header=channel_header.SerializeToString(),
        signature_header=signature_header.SerializeToString(),
    )

    invocation = chaincode_pb2.ChaincodeInvocationSpec(
        chaincode_spec=chaincode_pb2.ChaincodeSpec(
            type=chaincode_pb2.ChaincodeSpec.Type.GOLANG,
            chaincode_id=chaincode_pb2.ChaincodeID(name=chaincode_name),
            input=chaincode_pb2.ChaincodeInput(args=[function.encode(), *args]),
        )
    )
    payload = proposal_pb2.ChaincodeProposalPayload(
        input=invocation.SerializeToString(), TransientMap=transient
    )
    proposal = proposal_pb2.Proposal(header=header.SerializeToString(), payload=payload.SerializeToString())

    return gateway_pb2.ProposedTransaction(
        transaction_id=tx_id,
        proposal=proposal_pb2.SignedProposal(proposal_bytes=proposal.SerializeToString()),
        endorsing_organizations=list(endorsing_orgs),
    )


def channel_header_of(proposal_bytes: bytes) -> ProtoMessage:
    """channel_header_of parses the common.ChannelHeader out of serialized proposal bytes."""
    proposal = proposal_pb2.Proposal.FromString(proposal_bytes)
    header = common_pb2.Header.FromString(proposal.header)
    return common_pb2.ChannelHeader.FromString(header.channel_header)


class Proposal:
    """Proposal is a transaction proposal, ready to evaluate (query) or endorse (update).

    Made by ``Contract.new_proposal``; signed at once when the Gateway has a signer. For offline
    signing, send ``get_bytes()`` and ``get_digest()`` (or ``get_message()``) to the signer and
    rebuild the signed proposal with ``Gateway.new_signed_proposal(bytes, signature)``.
    """

    def __init__(self, context: GatewayContext, proposed: ProtoMessage) -> None:
        """__init__ wraps a gateway.ProposedTransaction as it is, signed or not; see ``prepare``."""
        self._context = context
        self._proposed = proposed
        channel_header = channel_header_of(proposed.proposal.proposal_bytes)
        self._channel_name = str(channel_header.channel_id)
        if str(channel_header.tx_id) != self.transaction_id:
            raise ValueError(
                f"proposal bytes are inconsistent: transaction id {self.transaction_id} does not match "
                f"the channel header's {channel_header.tx_id}"
            )

    @classmethod
    def prepare(cls, context: GatewayContext, proposed: ProtoMessage) -> Proposal:
        """prepare signs a new proposal with the Gateway's signer, if it has one."""
        proposed.proposal.signature = context.sign(bytes(proposed.proposal.proposal_bytes))
        return cls(context, proposed)

    @property
    def transaction_id(self) -> str:
        """transaction_id is the id the transaction will have on the ledger."""
        return str(self._proposed.transaction_id)

    @property
    def channel_name(self) -> str:
        """channel_name is the channel the proposal is for."""
        return self._channel_name

    def get_bytes(self) -> bytes:
        """get_bytes returns the serialized proposal (a gateway.ProposedTransaction) to carry elsewhere."""
        return bytes(self._proposed.SerializeToString())

    def get_message(self) -> bytes:
        """get_message returns the exact bytes the signature covers (the serialized Proposal)."""
        return bytes(self._proposed.proposal.proposal_bytes)

    def get_digest(self) -> bytes:
        """get_digest returns SHA-256 of get_message(), which an ECDSA signer signs."""
        return message_digest(self.get_message())

    @property
    def signature(self) -> bytes:
        """signature is the proposal's signature, or b"" while unsigned."""
        return bytes(self._proposed.proposal.signature)

    async def evaluate(self) -> bytes:
        """evaluate runs the proposal on a peer without ordering it, returning the chaincode's result.

        Raises EvaluateError with every peer's reason when the Gateway refuses.
        """
        signed_proposal = self._signed_proposal()
        request = gateway_pb2.EvaluateRequest(
            transaction_id=self.transaction_id,
            channel_id=self._channel_name,
            proposed_transaction=signed_proposal,
            target_organizations=list(self._proposed.endorsing_organizations),
        )
        try:
            response = await self._context.gateway_stub.Evaluate(
                request, timeout=self._context.deadlines.evaluate
            )
        except AioRpcError as error:
            raise EvaluateError.from_rpc_error(error, transaction_id=self.transaction_id) from error
        return bytes(response.result.payload)

    async def endorse(self) -> Transaction:
        """endorse collects the endorsements the chaincode's policy needs, giving a Transaction.

        Raises EndorseError with every peer's reason when endorsement fails.
        """
        signed_proposal = self._signed_proposal()
        request = gateway_pb2.EndorseRequest(
            transaction_id=self.transaction_id,
            channel_id=self._channel_name,
            proposed_transaction=signed_proposal,
            endorsing_organizations=list(self._proposed.endorsing_organizations),
        )
        try:
            response = await self._context.gateway_stub.Endorse(
                request, timeout=self._context.deadlines.endorse
            )
        except AioRpcError as error:
            raise EndorseError.from_rpc_error(error, transaction_id=self.transaction_id) from error
        prepared = gateway_pb2.PreparedTransaction(
            transaction_id=self.transaction_id, envelope=response.prepared_transaction
        )
        return Transaction.prepare(self._context, prepared)

    def _signed_proposal(self) -> ProtoMessage:
        require_signature(self.signature, what="proposal")
        return self._proposed.proposal
