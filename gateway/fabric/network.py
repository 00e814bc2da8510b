"""Networks: one channel, seen through a Gateway."""

from __future__ import annotations

from ._context import GatewayContext
from ._protos import ProtoMessage
from .block_events import BlockEventsRequest
from .checkpointer import Checkpoint
from .contract import Contract
from .events import ChaincodeEvent, ChaincodeEventsRequest, EventStream


class Network:
    """Network gives access to the contracts and events of one channel."""

    def __init__(self, context: GatewayContext, name: str) -> None:
        if not name:
            raise ValueError("channel name is empty; pass the channel to use, for example 'mychannel'")
        self._context = context
        self._name = name

    @property
    def name(self) -> str:
        """name is the channel name."""
        return self._name

    def contract(self, chaincode_name: str, contract_name: str | None = None) -> Contract:
        """contract returns a chaincode's contract; contract_name prefixes functions (``contract:fn``)."""
        return Contract(
            self._context, channel_name=self._name, chaincode_name=chaincode_name, contract_name=contract_name
        )

    def new_chaincode_events_request(
        self, chaincode_name: str, *, start_block: int | None = None, checkpoint: Checkpoint | None = None
    ) -> ChaincodeEventsRequest:
        """new_chaincode_events_request builds the signed request behind ``chaincode_events``."""
        if not chaincode_name:
            raise ValueError("chaincode_name is empty; pass the chaincode whose events to read")
        return ChaincodeEventsRequest.build(
            self._context,
            channel_name=self._name,
            chaincode_name=chaincode_name,
            start_block=start_block,
            checkpoint=checkpoint,
        )

    def chaincode_events(
        self, chaincode_name: str, *, start_block: int | None = None, checkpoint: Checkpoint | None = None
    ) -> EventStream[ChaincodeEvent]:
        """chaincode_events streams a chaincode's events from committed transactions.

        Events start after ``checkpoint`` when it has been set, else at ``start_block``, else at
        the next block committed. The checkpoint is read once, here; record progress in it with
        ``checkpoint_chaincode_event`` after processing each event.
        """
        return self.new_chaincode_events_request(
            chaincode_name, start_block=start_block, checkpoint=checkpoint
        ).events()

    def new_block_events_request(
        self, *, start_block: int | None = None, checkpoint: Checkpoint | None = None
    ) -> BlockEventsRequest:
        """new_block_events_request builds the signed request behind ``block_events``."""
        return BlockEventsRequest.build(
            self._context, channel_name=self._name, start_block=start_block, checkpoint=checkpoint
        )

    def block_events(
        self, *, start_block: int | None = None, checkpoint: Checkpoint | None = None
    ) -> EventStream[ProtoMessage]:
        """block_events streams committed blocks (common.Block): from checkpoint, start_block or the next."""
        return self.new_block_events_request(start_block=start_block, checkpoint=checkpoint).events()
