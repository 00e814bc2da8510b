"""Commit status: whether a submitted transaction committed, and in which block."""

from __future__ import annotations

from dataclasses import dataclass

from grpc.aio import AioRpcError

from ._context import GatewayContext, SignedRequest, require_signature
from ._protos import ProtoMessage, gateway_pb2, transaction_pb2
from .errors import CommitStatusError


@dataclass(frozen=True)
class Status:
    """Status is a transaction's commit outcome.

    ``code`` is the peer.TxValidationCode (0, VALID, when ``successful``); ``code_name`` its name.
    """

    code: int
    block_number: int
    tx_id: str
    successful: bool

    @property
    def code_name(self) -> str:
        """code_name is the TxValidationCode name, such as VALID or MVCC_READ_CONFLICT."""
        return validation_code_name(self.code)


def validation_code_name(code: int) -> str:
    """validation_code_name names a peer.TxValidationCode, or says it is unknown."""
    try:
        return str(transaction_pb2.TxValidationCode.Name(code))
    except ValueError:
        return f"UNKNOWN_VALIDATION_CODE_{code}"


def new_commit_status_request(
    context: GatewayContext, *, transaction_id: str, channel_name: str
) -> ProtoMessage:
    """new_commit_status_request builds a gateway.SignedCommitStatusRequest, signed if a signer is set."""
    request = gateway_pb2.CommitStatusRequest(
        transaction_id=transaction_id, channel_id=channel_name, identity=context.creator
    )
    request_bytes = bytes(request.SerializeToString())
    return gateway_pb2.SignedCommitStatusRequest(request=request_bytes, signature=context.sign(request_bytes))


class Commit(SignedRequest):
    """Commit is a handle on a submitted transaction, for reading its commit status.

    For offline signing, send ``get_bytes()`` and ``get_digest()`` to the signer and rebuild it
    with ``Gateway.new_signed_commit(bytes, signature)``.
    """

    def __init__(self, context: GatewayContext, signed_request: ProtoMessage) -> None:
        self._context = context
        self._signed_request = signed_request
        request = gateway_pb2.CommitStatusRequest.FromString(signed_request.request)
        self._transaction_id = str(request.transaction_id)
        if not self._transaction_id:
            raise ValueError("commit status request has no transaction id; use bytes from Commit.get_bytes()")

    @property
    def transaction_id(self) -> str:
        """transaction_id is the id of the submitted transaction."""
        return self._transaction_id

    async def get_status(self) -> Status:
        """get_status waits until the transaction is committed and returns its Status.

        It does not raise for an invalid transaction (check ``successful``); it raises
        CommitStatusError when the status cannot be read, for example past the deadline.
        """
        require_signature(self.signature, what="commit")
        try:
            response = await self._context.gateway_stub.CommitStatus(
                self._signed_request, timeout=self._context.deadlines.commit_status
            )
        except AioRpcError as error:
            raise CommitStatusError.from_rpc_error(error, transaction_id=self._transaction_id) from error
        code = int(response.result)
        return Status(
            code=code,
            block_number=int(response.block_number),
            tx_id=self._transaction_id,
            successful=code == transaction_pb2.TxValidationCode.VALID,
        )


class SubmittedTransaction(Commit):
    """SubmittedTransaction is a Commit that also carries the chaincode's result from endorsement."""

    def __init__(self, context: GatewayContext, signed_request: ProtoMessage, *, result: bytes) -> None:
        super().__init__(context, signed_request)
        self._result = result

    @property
    def result(self) -> bytes:
        """result is what the chaincode function returned when endorsed."""
        return self._result
