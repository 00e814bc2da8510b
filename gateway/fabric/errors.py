"""Errors raised by the Gateway client, typed by the stage of the transaction flow that failed.

Every gRPC failure the Fabric Gateway reports carries a google.rpc.Status in the trailing
metadata key ``grpc-status-details-bin``; its details hold one ``gateway.ErrorDetail`` per peer or
orderer that refused, which is usually where the real reason is (a chaincode error, an endorsement
policy failure, an access denial). The errors here keep every one of those details.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from ._protos import gateway_pb2, status_pb2

STATUS_DETAILS_KEY = "grpc-status-details-bin"
_ERROR_DETAIL_TYPE = "gateway.ErrorDetail"


@dataclass(frozen=True)
class ErrorDetail:
    """ErrorDetail is one peer's or orderer's reason for refusing a Gateway request."""

    address: str
    msp_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.address} ({self.msp_id}): {self.message}"


class GatewayError(Exception):
    """GatewayError is a failed Gateway call: its gRPC status, transaction id and per-peer details.

    ``code`` is the ``grpc.StatusCode`` (None for failures that are not gRPC errors, such as a
    transaction that committed as invalid); ``details`` lists every endpoint's reason.
    """

    stage: ClassVar[str] = "gateway call"

    def __init__(
        self,
        message: str,
        *,
        code: Any = None,
        transaction_id: str = "",
        details: Sequence[ErrorDetail] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.transaction_id = transaction_id
        self.details = list(details)

    @classmethod
    def from_rpc_error(cls, error: Any, *, transaction_id: str = "") -> Self:
        """from_rpc_error turns a ``grpc.aio.AioRpcError`` into this error type, details included."""
        return cls(
            str(error.details() or ""),
            code=error.code(),
            transaction_id=transaction_id,
            details=error_details_from_rpc_error(error),
        )

    def __str__(self) -> str:
        head = f"{self.stage} failed"
        if self.transaction_id:
            head += f" for transaction {self.transaction_id}"
        if self.code is not None:
            head += f": {getattr(self.code, 'name', self.code)}"
        head += f": {self.message}"
        return "\n".join([head, *(f"  - {detail}" for detail in self.details)])


class EvaluateError(GatewayError):
    """EvaluateError means a query (evaluate) was refused; nothing was written to the ledger."""

    stage = "evaluate"


class EndorseError(GatewayError):
    """EndorseError means endorsement failed; the transaction was never sent to the orderer."""

    stage = "endorse"


class SubmitError(GatewayError):
    """SubmitError means the orderer did not accept the endorsed transaction."""

    stage = "submit"


class CommitStatusError(GatewayError):
    """CommitStatusError means the commit status could not be read; the outcome is unknown.

    The transaction may still commit: ask again with ``Commit.get_status()`` before resubmitting.
    """

    stage = "commit status"


class EventsError(GatewayError):
    """EventsError means an event stream (chaincode or block events) failed or was refused."""

    stage = "events"


class CommitError(GatewayError):
    """CommitError means the transaction reached a block but was marked invalid by validation.

    Its writes were not applied. ``validation_code_name`` says why (for example
    ``MVCC_READ_CONFLICT``: another transaction changed a key it read; retrying is usually right;
    ``ENDORSEMENT_POLICY_FAILURE``: not enough organisations endorsed it).
    """

    stage = "commit"

    def __init__(
        self,
        *,
        transaction_id: str,
        validation_code: int,
        validation_code_name: str,
        block_number: int,
    ) -> None:
        super().__init__(
            f"committed in block {block_number} as invalid with validation code "
            f"{validation_code_name} ({validation_code}); its writes were not applied",
            transaction_id=transaction_id,
        )
        self.validation_code = validation_code
        self.validation_code_name = validation_code_name
        self.block_number = block_number


def error_details_from_rpc_error(error: Any) -> list[ErrorDetail]:
    """error_details_from_rpc_error reads the per-peer details from a gRPC error's trailers."""
    try:
        metadata = error.trailing_metadata()
    except Exception:  # a hand-made or foreign error type without trailers: no details to read
        return []
    for key, value in _metadata_items(metadata):
        if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
            return parse_error_details(value)
    return []


def _metadata_items(metadata: Any) -> Iterable[tuple[Any, Any]]:
    if metadata is None:
        return ()
    return tuple(metadata)


def parse_error_details(status_details: bytes) -> list[ErrorDetail]:
    """parse_error_details decodes a serialized google.rpc.Status and keeps its gateway.ErrorDetails.

    Details of other types are ignored; bytes that are not a Status give an empty list, because a
    malformed trailer must not hide the gRPC error it came with.
    """
    try:
        status = status_pb2.Status.FromString(status_details)
    except Exception:  # protobuf raises DecodeError, which has no stubs; any failure means "no details"
        return []
    details: list[ErrorDetail] = []
    for packed in status.details:
        type_url = str(packed.type_url)
        if type_url.rsplit("/", 1)[-1] != _ERROR_DETAIL_TYPE:
            continue
        detail = gateway_pb2.ErrorDetail.FromString(packed.value)
        details.append(
            ErrorDetail(address=str(detail.address), msp_id=str(detail.msp_id), message=str(detail.message))
        )
    return details
