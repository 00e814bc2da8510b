"""Endorsed transactions: the envelope the Gateway prepared, signed and sent to ordering."""

from __future__ import annotations

from grpc.aio import AioRpcError

from ._context import GatewayContext, require_signature
from ._protos import (
    ProtoMessage,
    common_pb2,
    gateway_pb2,
    proposal_pb2,
    proposal_response_pb2,
    transaction_pb2,
)
from .commit import SubmittedTransaction, new_commit_status_request
from .errors import SubmitError
from .signer import message_digest


def result_of(envelope: ProtoMessage) -> bytes:
    """result_of reads the chaincode's return value out of an endorsed transaction envelope.

    The path is Payload.data → Transaction.actions[0] → ChaincodeActionPayload.action →
    ProposalResponsePayload.extension → ChaincodeAction.response.payload; the Gateway puts a single
    action in every transaction it prepares.
    """
    payload = common_pb2.Payload.FromString(envelope.payload)
    transaction = transaction_pb2.Transaction.FromString(payload.data)
    if not transaction.actions:
        raise ValueError("the endorsed transaction contains no actions, so it has no chaincode result")
    action_payload = transaction_pb2.ChaincodeActionPayload.FromString(transaction.actions[0].payload)
    response_payload = proposal_response_pb2.ProposalResponsePayload.FromString(
        action_payload.action.proposal_response_payload
    )
    chaincode_action = proposal_pb2.ChaincodeAction.FromString(response_payload.extension)
    return bytes(chaincode_action.response.payload)


class Transaction:
    """Transaction is an endorsed transaction, ready to submit for ordering and commit.

    Made by ``Proposal.endorse``; signed at once when the Gateway has a signer. For offline
    signing, send ``get_bytes()`` and ``get_digest()`` to the signer and rebuild it with
    ``Gateway.new_signed_transaction(bytes, signature)``.
    """

    def __init__(self, context: GatewayContext, prepared: ProtoMessage) -> None:
        """__init__ wraps a gateway.PreparedTransaction as it is, signed or not; see ``prepare``."""
        self._context = context
        self._prepared = prepared
        payload = common_pb2.Payload.FromString(prepared.envelope.payload)
        channel_header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
        self._channel_name = str(channel_header.channel_id)
        self._result = result_of(prepared.envelope)

    @classmethod
    def prepare(cls, context: GatewayContext, prepared: ProtoMessage) -> Transaction:
        """prepare signs an endorsed transaction's payload with the Gateway's signer, if it has one."""
        prepared.envelope.signature = context.sign(bytes(prepared.envelope.payload))
        return cls(context, prepared)

    @property
    def transaction_id(self) -> str:
        """transaction_id is the id the transaction will have on the ledger."""
        return str(self._prepared.transaction_id)

    @property
    def result(self) -> bytes:
        """result is what the chaincode function returned when endorsed."""
        return self._result

    def get_bytes(self) -> bytes:
        """get_bytes returns the serialized transaction (a gateway.PreparedTransaction)."""
        return bytes(self._prepared.SerializeToString())

    def get_message(self) -> bytes:
        """get_message returns the exact bytes the signature covers (the envelope payload)."""
        return bytes(self._prepared.envelope.payload)

    def get_digest(self) -> bytes:
        """get_digest returns SHA-256 of get_message(), which an ECDSA signer signs."""
        return message_digest(self.get_message())

    @property
    def signature(self) -> bytes:
        """signature is the envelope's signature, or b"" while unsigned."""
        return bytes(self._prepared.envelope.signature)

    async def submit(self) -> SubmittedTransaction:
        """submit sends the transaction to the orderer and returns a handle on its commit.

        It returns once the orderer accepted it; await ``get_status()`` on the result to learn
        whether it committed as valid. Raises SubmitError when the orderer refuses.
        """
        require_signature(self.signature, what="transaction")
        request = gateway_pb2.SubmitRequest(
            transaction_id=self.transaction_id,
            channel_id=self._channel_name,
            prepared_transaction=self._prepared.envelope,
        )
        try:
            await self._context.gateway_stub.Submit(request, timeout=self._context.deadlines.submit)
        except AioRpcError as error:
            raise SubmitError.from_rpc_error(error, transaction_id=self.transaction_id) from error
        signed_request = new_commit_status_request(
            self._context, transaction_id=self.transaction_id, channel_name=self._channel_name
        )
        return SubmittedTransaction(self._context, signed_request, result=self._result)
