"""Block events: whole committed blocks from a peer's Deliver service.

Reading blocks needs the channel's reader rights, like commit status and chaincode events. Under
mutual TLS the peer also binds the request to the connection: the channel header must carry the
SHA-256 of the client's TLS certificate (``Gateway.connect(tls_client_certificate_hash=...)``), or
the peer answers BAD_REQUEST. Blocks are yielded as common.Block messages; checkpoint them with
``checkpoint_block``.
"""

from __future__ import annotations

from typing import Any

from ._context import GatewayContext, require_signature, set_timestamp_now
from ._protos import ProtoMessage, ab_pb2, common_pb2
from .checkpointer import Checkpoint
from .errors import EventsError
from .events import EventStream, start_position
from .signer import message_digest

_LAST_BLOCK = 2**64 - 1  # "never stop": the largest block number a SeekSpecified can hold


class BlockEventsRequest:
    """BlockEventsRequest is a signed Deliver request (a common.Envelope holding a SeekInfo).

    Made by ``Network.new_block_events_request``. For offline signing, send ``get_bytes()`` and
    ``get_digest()`` to the signer and rebuild it with
    ``Gateway.new_signed_block_events_request(bytes, signature)``.
    """

    def __init__(self, context: GatewayContext, envelope: ProtoMessage) -> None:
        self._context = context
        self._envelope = envelope
        payload = common_pb2.Payload.FromString(envelope.payload)
        channel_header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
        if channel_header.type != common_pb2.HeaderType.DELIVER_SEEK_INFO:
            raise ValueError(
                "bytes are not a block events request; use bytes from BlockEventsRequest.get_bytes()"
            )

    @classmethod
    def build(
        cls,
        context: GatewayContext,
        *,
        channel_name: str,
        start_block: int | None,
        checkpoint: Checkpoint | None,
    ) -> BlockEventsRequest:
        """build makes a request, signed when the Gateway has a signer.

        With a checkpoint, blocks start at its block_number (the next block to process).
        """
        position, _ = start_position(start_block=start_block, checkpoint=checkpoint)
        channel_header = common_pb2.ChannelHeader(
            type=common_pb2.HeaderType.DELIVER_SEEK_INFO,
            channel_id=channel_name,
            epoch=0,
            tls_cert_hash=context.tls_certificate_hash,
        )
        set_timestamp_now(channel_header.timestamp)
        seek_info = ab_pb2.SeekInfo(
            start=position,
            stop=ab_pb2.SeekPosition(specified=ab_pb2.SeekSpecified(number=_LAST_BLOCK)),
            behavior=ab_pb2.SeekInfo.SeekBehavior.BLOCK_UNTIL_READY,
        )
        payload = common_pb2.Payload(
            header=common_pb2.Header(
                channel_header=channel_header.SerializeToString(),
                signature_header=common_pb2.SignatureHeader(creator=context.creator).SerializeToString(),
            ),
            data=seek_info.SerializeToString(),
        )
        payload_bytes = bytes(payload.SerializeToString())
        envelope = common_pb2.Envelope(payload=payload_bytes, signature=context.sign(payload_bytes))
        return cls(context, envelope)

    def get_bytes(self) -> bytes:
        """get_bytes returns the serialized common.Envelope."""
        return bytes(self._envelope.SerializeToString())

    def get_message(self) -> bytes:
        """get_message returns the exact bytes the signature covers (the envelope payload)."""
        return bytes(self._envelope.payload)

    def get_digest(self) -> bytes:
        """get_digest returns SHA-256 of get_message(), which an ECDSA signer signs."""
        return message_digest(self.get_message())

    @property
    def signature(self) -> bytes:
        """signature is the envelope's signature, or b"" while unsigned."""
        return bytes(self._envelope.signature)

    def events(self) -> EventStream[ProtoMessage]:
        """events opens the stream of common.Block messages; the call starts at the first iteration."""
        require_signature(self.signature, what="block events request")

        def convert(response: Any) -> list[ProtoMessage] | None:
            kind = response.WhichOneof("Type")
            if kind == "block":
                return [response.block]
            if kind == "status":
                if response.status == common_pb2.Status.SUCCESS:
                    return None
                raise EventsError(_refusal(int(response.status)), code=None)
            return []

        return EventStream(lambda: self._context.deliver_stub.Deliver(iter([self._envelope])), convert)


# What a peer's Deliver service (Fabric common/deliver) means by each refusal.
_REFUSALS = {
    "BAD_REQUEST": "the request is malformed, its timestamp is more than the peer's time window (15 minutes "
    "by default) from the peer's clock, or, under mutual TLS, its channel header lacks the SHA-256 of "
    "the client TLS certificate this connection presented: pass tls_client_certificate_hash to "
    "Gateway.connect",
    "FORBIDDEN": "the identity lacks reader rights on the channel, or its certificate has expired",
    "NOT_FOUND": "the peer has not joined the channel",
    "SERVICE_UNAVAILABLE": "the peer's copy of the channel is not ready (for example catching up); retry",
}


def _refusal(status: int) -> str:
    name = common_pb2.Status.Name(status) if status in common_pb2.Status.values() else str(status)
    reason = _REFUSALS.get(name, "see the peer's log for the reason")
    return f"the peer ended block delivery with status {name}: {reason}"
