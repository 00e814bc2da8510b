"""Chaincode events: a signed request to the Gateway and the stream of events it returns.

Streams resume from a checkpoint the way the official clients do: the request carries the
checkpoint's block as start position and its transaction as ``after_transaction_id``, and the peer
(Fabric's gateway ``ChaincodeEvents``) starts at the block holding that transaction and itself
skips every event up to and including it. The stream passes on everything the peer sends; it must
not filter again, since the checkpoint's own transaction never arrives to mark the resume point.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from grpc.aio import EOF, AioRpcError

from ._context import GatewayContext, SignedRequest, require_signature
from ._protos import ProtoMessage, ab_pb2, gateway_pb2
from .checkpointer import Checkpoint
from .errors import EventsError

T = TypeVar("T")


@dataclass(frozen=True)
class ChaincodeEvent:
    """ChaincodeEvent is an event a chaincode emitted from a committed (valid) transaction."""

    block_number: int
    tx_id: str
    chaincode_name: str
    event_name: str
    payload: bytes


def start_position(*, start_block: int | None, checkpoint: Checkpoint | None) -> tuple[ProtoMessage, str]:
    """start_position picks where events start: (orderer.SeekPosition, after-transaction id).

    A checkpoint that has been set wins; then ``start_block``; otherwise the next block committed.
    """
    if checkpoint is not None and checkpoint.block_number is not None:
        return _specified(checkpoint.block_number), checkpoint.transaction_id
    if start_block is not None:
        if start_block < 0:
            raise ValueError(f"start_block must be a non-negative block number, got {start_block}")
        return _specified(start_block), ""
    return ab_pb2.SeekPosition(next_commit=ab_pb2.SeekNextCommit()), ""


def _specified(block_number: int) -> ProtoMessage:
    return ab_pb2.SeekPosition(specified=ab_pb2.SeekSpecified(number=block_number))


class CheckpointFilter:
    """CheckpointFilter passes only events after a checkpoint, in the order of a complete history.

    It is for histories that still contain the checkpoint's own transaction (events read out of
    whole blocks, say); never apply it to a Gateway stream, where the peer has already dropped it.

    Events in blocks before ``block_number`` are dropped. In block ``block_number`` itself, when
    ``transaction_id`` is set, events up to and including that transaction are dropped. It keeps
    state (whether that transaction has gone by), so use one filter per stream.
    """

    def __init__(self, *, block_number: int | None, transaction_id: str = "") -> None:
        self._block_number = block_number
        self._transaction_id = transaction_id
        self._passed_transaction = not transaction_id

    def accepts(self, event: ChaincodeEvent) -> bool:
        """accepts says whether event comes after the checkpoint."""
        if self._block_number is None or event.block_number > self._block_number:
            return True
        if event.block_number < self._block_number:
            return False
        if self._passed_transaction:
            return True
        if event.tx_id == self._transaction_id:
            self._passed_transaction = True
        return False


def events_after_checkpoint(events: Iterable[ChaincodeEvent], checkpoint: Checkpoint) -> list[ChaincodeEvent]:
    """events_after_checkpoint keeps, in order, the events a listener at checkpoint has not processed.

    events is a complete history, including the checkpoint's transaction; see CheckpointFilter.
    """
    keep = CheckpointFilter(block_number=checkpoint.block_number, transaction_id=checkpoint.transaction_id)
    return [event for event in events if keep.accepts(event)]


class EventStream(Generic[T]):
    """EventStream is an open event subscription: an async iterator that can be closed.

    Use it as ``async with network.chaincode_events(...) as events: async for event in events``;
    leaving the block (or ``close()``) cancels the gRPC call. Errors raise EventsError.
    """

    def __init__(
        self,
        open_call: Callable[[], Any],
        convert: Callable[[Any], list[T] | None],
        *,
        transaction_id: str = "",
    ) -> None:
        self._open_call = open_call
        self._convert = convert
        self._transaction_id = transaction_id
        self._call: Any = None
        self._pending: deque[T] = deque()
        self._closed = False

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> T:
        while not self._pending:
            if self._closed:
                raise StopAsyncIteration
            if self._call is None:
                self._call = self._open_call()
            try:
                response = await self._call.read()
            except AioRpcError as error:
                if self._closed:
                    raise StopAsyncIteration from None
                raise EventsError.from_rpc_error(error, transaction_id=self._transaction_id) from error
            except asyncio.CancelledError:
                # close() from another task cancels the call, which cancels a pending read; that
                # ends the iteration. Cancellation of this task itself must still propagate.
                task = asyncio.current_task()
                if self._closed and (task is None or not task.cancelling()):
                    raise StopAsyncIteration from None
                raise
            if response is EOF:
                self._closed = True
                raise StopAsyncIteration
            items = self._convert(response)
            if items is None:
                self.close()
                raise StopAsyncIteration
            self._pending.extend(items)
        return self._pending.popleft()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """close ends the subscription; iterating afterwards ends at once."""
        self._closed = True
        if self._call is not None:
            self._call.cancel()


class ChaincodeEventsRequest(SignedRequest):
    """ChaincodeEventsRequest is a signed request for one chaincode's events on one channel.

    Made by ``Network.new_chaincode_events_request``. For offline signing, send ``get_bytes()``
    and ``get_digest()`` to the signer and rebuild it with
    ``Gateway.new_signed_chaincode_events_request(bytes, signature)``.
    """

    def __init__(self, context: GatewayContext, signed_request: ProtoMessage) -> None:
        self._context = context
        self._signed_request = signed_request
        self._request = gateway_pb2.ChaincodeEventsRequest.FromString(signed_request.request)
        if not self._request.chaincode_id:
            raise ValueError("chaincode events request names no chaincode; use bytes from get_bytes()")

    @classmethod
    def build(
        cls,
        context: GatewayContext,
        *,
        channel_name: str,
        chaincode_name: str,
        start_block: int | None,
        checkpoint: Checkpoint | None,
    ) -> ChaincodeEventsRequest:
        """build makes a request, signed when the Gateway has a signer."""
        position, after_transaction_id = start_position(start_block=start_block, checkpoint=checkpoint)
        request = gateway_pb2.ChaincodeEventsRequest(
            channel_id=channel_name,
            chaincode_id=chaincode_name,
            identity=context.creator,
            start_position=position,
            after_transaction_id=after_transaction_id,
        )
        request_bytes = bytes(request.SerializeToString())
        signed = gateway_pb2.SignedChaincodeEventsRequest(
            request=request_bytes, signature=context.sign(request_bytes)
        )
        return cls(context, signed)

    def events(self) -> EventStream[ChaincodeEvent]:
        """events opens the stream; the gRPC call starts at the first iteration.

        With a checkpoint the peer starts after its transaction, so every event it sends is new.
        """
        require_signature(self.signature, what="chaincode events request")

        def convert(response: Any) -> list[ChaincodeEvent]:
            block_number = int(response.block_number)
            return [
                ChaincodeEvent(
                    block_number=block_number,
                    tx_id=str(event.tx_id),
                    chaincode_name=str(event.chaincode_id),
                    event_name=str(event.event_name),
                    payload=bytes(event.payload),
                )
                for event in response.events
            ]

        return EventStream(lambda: self._context.gateway_stub.ChaincodeEvents(self._signed_request), convert)
