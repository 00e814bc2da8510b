"""Event listeners resume after the last processed event, and checkpoints survive a restart."""

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.orderer import ab_pb2
from fabric_protos.peer import chaincode_event_pb2, events_pb2

from gateway.fabric import (
    ChaincodeEvent,
    Checkpointer,
    EcdsaSigner,
    EventsError,
    FileCheckpointer,
    Gateway,
    X509Identity,
    events_after_checkpoint,
    tls_certificate_hash,
)
from tests.unit.certs import self_signed_pem


def event(block: int, tx_id: str) -> ChaincodeEvent:
    return ChaincodeEvent(block_number=block, tx_id=tx_id, chaincode_name="cc", event_name="E", payload=b"")


STREAM = [event(4, "a"), event(5, "b"), event(5, "c"), event(5, "d"), event(6, "e"), event(7, "f")]


def ids(events: list[ChaincodeEvent]) -> list[str]:
    return [e.tx_id for e in events]


def test_events_at_or_before_the_checkpoint_are_skipped() -> None:
    checkpoint = Checkpointer(block_number=5, transaction_id="c")
    assert ids(events_after_checkpoint(STREAM, checkpoint)) == ["d", "e", "f"]


def test_block_checkpoint_starts_at_the_whole_block() -> None:
    checkpoint = Checkpointer()
    checkpoint.checkpoint_block(4)  # block 4 done: block 5 is next
    assert (checkpoint.block_number, checkpoint.transaction_id) == (5, "")
    assert ids(events_after_checkpoint(STREAM, checkpoint)) == ["b", "c", "d", "e", "f"]


def test_last_event_of_a_block_resumes_at_the_next_block() -> None:
    checkpoint = Checkpointer()
    checkpoint.checkpoint_chaincode_event(event(5, "d"))
    assert ids(events_after_checkpoint(STREAM, checkpoint)) == ["e", "f"]


def test_unset_checkpoint_skips_nothing() -> None:
    assert ids(events_after_checkpoint(STREAM, Checkpointer())) == ids(STREAM)


def test_replaying_after_each_checkpoint_never_repeats_an_event() -> None:
    checkpoint = Checkpointer()
    processed: list[str] = []
    # A listener that restarts after every event and is sent the whole history each time;
    # bounded so that a filter which never advances fails instead of hanging.
    for _ in range(2 * len(STREAM)):
        remaining = events_after_checkpoint(STREAM, checkpoint)
        if not remaining:
            break
        processed.append(remaining[0].tx_id)
        checkpoint.checkpoint_chaincode_event(remaining[0])
    assert processed == ids(STREAM)


def test_checkpointer_refuses_transaction_without_block() -> None:
    with pytest.raises(ValueError, match="block_number"):
        Checkpointer(transaction_id="x")
    with pytest.raises(ValueError, match="non-negative"):
        Checkpointer().checkpoint_transaction(-1, "x")


def test_file_checkpointer_survives_reload(tmp_path: Path) -> None:
    path = tmp_path / "state" / "checkpoint.json"
    first = FileCheckpointer(path)
    assert (first.block_number, first.transaction_id) == (None, "")
    assert not path.exists()  # nothing recorded yet

    first.checkpoint_chaincode_event(event(12, "tx-12-3"))

    reloaded = FileCheckpointer(path)
    assert (reloaded.block_number, reloaded.transaction_id) == (12, "tx-12-3")
    assert json.loads(path.read_text()) == {"blockNumber": 12, "transactionId": "tx-12-3"}
    reloaded.checkpoint_block(12)
    assert (FileCheckpointer(path).block_number, FileCheckpointer(path).transaction_id) == (13, "")
    assert sorted(p.name for p in path.parent.iterdir()) == ["checkpoint.json"]  # no temporary left


def test_file_checkpointer_reads_the_go_client_format_and_refuses_garbage(tmp_path: Path) -> None:
    path = tmp_path / "checkpoint.json"
    path.write_text('{"blockNumber":3,"transactionId":""}')
    assert FileCheckpointer(path).block_number == 3
    path.write_text("not json")
    with pytest.raises(ValueError, match="not checkpoint JSON"):
        FileCheckpointer(path)
    path.write_text('{"blockNumber":"3"}')
    with pytest.raises(ValueError, match="blockNumber"):
        FileCheckpointer(path)


# Requests: signed, and starting where the checkpoint says.


@pytest.fixture
def key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
async def gateway(key: ec.EllipticCurvePrivateKey) -> AsyncIterator[Gateway]:
    async with grpc.aio.insecure_channel("localhost:1") as unused:  # never called
        identity = X509Identity("Org1MSP", self_signed_pem(key))
        yield Gateway.connect(identity=identity, signer=EcdsaSigner(key), client=unused)


def parsed_events_request(gateway: Gateway, **options: Any) -> tuple[Any, Any]:
    request = gateway.network("ch").new_chaincode_events_request("cc", **options)
    signed = gateway_pb2.SignedChaincodeEventsRequest.FromString(request.get_bytes())
    return signed, gateway_pb2.ChaincodeEventsRequest.FromString(signed.request)


async def test_events_request_resumes_from_checkpoint(
    gateway: Gateway, key: ec.EllipticCurvePrivateKey
) -> None:
    signed, request = parsed_events_request(
        gateway, start_block=1, checkpoint=Checkpointer(block_number=7, transaction_id="tx3")
    )
    assert request.channel_id == "ch"
    assert request.chaincode_id == "cc"
    assert request.identity == gateway.identity.serialized()
    assert request.start_position.specified.number == 7
    assert request.after_transaction_id == "tx3"
    key.public_key().verify(signed.signature, signed.request, ec.ECDSA(hashes.SHA256()))


async def test_events_request_start_positions(gateway: Gateway) -> None:
    _, from_block = parsed_events_request(gateway, start_block=5, checkpoint=Checkpointer())
    assert from_block.start_position.WhichOneof("Type") == "specified"
    assert from_block.start_position.specified.number == 5
    assert from_block.after_transaction_id == ""
    _, default = parsed_events_request(gateway)
    assert default.start_position.WhichOneof("Type") == "next_commit"


class ScriptedCall:
    """Plays back stream responses as grpc.aio's call.read() does; no server involved."""

    def __init__(self, responses: list[Any]) -> None:
        self._responses = list(responses)
        self.cancelled = False

    async def read(self) -> Any:
        return self._responses.pop(0) if self._responses else grpc.aio.EOF

    def cancel(self) -> bool:
        self.cancelled = True
        return True


def response(block: int, *tx_ids: str) -> Any:
    events = [chaincode_event_pb2.ChaincodeEvent(chaincode_id="cc", tx_id=t, event_name="E") for t in tx_ids]
    return gateway_pb2.ChaincodeEventsResponse(block_number=block, events=events)


class FabricPeer:
    """Answers ChaincodeEvents as Fabric v3.1's gateway does (internal/pkg/gateway/chaincodeevents.go).

    With after_transaction_id it starts at the block holding that transaction (else at the start
    position) and skips every event up to and including that transaction; then it sends, block by
    block, only the requested chaincode's events, and no response for a block without any.
    """

    def __init__(self, ledger: dict[int, list[tuple[str, str]]]) -> None:
        self.ledger = ledger  # block number -> [(tx id, chaincode id)], valid transactions in order
        self.requests: list[Any] = []

    def ChaincodeEvents(self, signed_request: Any) -> ScriptedCall:
        request = gateway_pb2.ChaincodeEventsRequest.FromString(signed_request.request)
        self.requests.append(request)
        after = request.after_transaction_id
        blocks = [n for n, txs in self.ledger.items() if any(tx == after for tx, _ in txs)]
        start = blocks[0] if blocks else request.start_position.specified.number
        passed = not after
        responses = []
        for number in sorted(n for n in self.ledger if n >= start):
            matching = []
            for tx, chaincode in self.ledger[number]:
                if not passed:
                    passed = tx == after
                elif chaincode == request.chaincode_id:
                    matching.append(tx)
            if matching:
                responses.append(response(number, *matching))
        return ScriptedCall(responses)


LEDGER = {
    4: [("a", "cc")],
    5: [("b", "cc"), ("other", "cc2"), ("c", "cc"), ("d", "cc")],
    6: [("e", "cc")],
    7: [("f", "cc")],
}


async def test_stream_passes_every_event_the_peer_sends_after_the_checkpoint(gateway: Gateway) -> None:
    peer = FabricPeer(LEDGER)
    object.__setattr__(gateway._context, "gateway_stub", peer)
    checkpoint = Checkpointer(block_number=5, transaction_id="c")

    async with gateway.network("ch").chaincode_events("cc", checkpoint=checkpoint) as events:
        received = [(e.block_number, e.tx_id) async for e in events]

    request = peer.requests[0]
    assert (request.start_position.specified.number, request.after_transaction_id) == (5, "c")
    assert received == [(5, "d"), (6, "e"), (7, "f")]


async def test_listener_restarting_after_every_event_loses_and_repeats_none(gateway: Gateway) -> None:
    # Resuming mid-block is where a client that waits to see the checkpoint's transaction (which the
    # peer never resends) drops the rest of the block.
    peer = FabricPeer(LEDGER)
    object.__setattr__(gateway._context, "gateway_stub", peer)
    checkpoint = Checkpointer(block_number=4)
    processed: list[str] = []
    for _ in range(10):  # bounded: a listener that stops advancing fails instead of hanging
        async with gateway.network("ch").chaincode_events("cc", checkpoint=checkpoint) as events:
            first = await anext(events, None)
        if first is None:
            break
        processed.append(first.tx_id)
        checkpoint.checkpoint_chaincode_event(first)
    assert processed == ["a", "b", "c", "d", "e", "f"]


async def test_closing_a_stream_cancels_the_call(gateway: Gateway) -> None:
    call = ScriptedCall([response(1, "a"), response(2, "b")])

    class Stub:
        def ChaincodeEvents(self, signed_request: Any) -> ScriptedCall:
            return call

    object.__setattr__(gateway._context, "gateway_stub", Stub())
    async with gateway.network("ch").chaincode_events("cc") as events:
        async for first in events:
            assert first.tx_id == "a"
            break
    assert call.cancelled
    assert [e async for e in events] == []


async def test_block_events_request_is_a_signed_deliver_seek(
    gateway: Gateway, key: ec.EllipticCurvePrivateKey
) -> None:
    request = gateway.network("ch").new_block_events_request(checkpoint=Checkpointer(block_number=9))

    envelope = common_pb2.Envelope.FromString(request.get_bytes())
    payload = common_pb2.Payload.FromString(envelope.payload)
    channel_header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
    seek = ab_pb2.SeekInfo.FromString(payload.data)
    assert channel_header.type == common_pb2.HeaderType.DELIVER_SEEK_INFO
    assert channel_header.channel_id == "ch"
    assert common_pb2.SignatureHeader.FromString(payload.header.signature_header).creator == (
        gateway.identity.serialized()
    )
    assert seek.start.specified.number == 9
    assert seek.stop.specified.number == 2**64 - 1
    assert seek.behavior == ab_pb2.SeekInfo.SeekBehavior.BLOCK_UNTIL_READY
    key.public_key().verify(envelope.signature, envelope.payload, ec.ECDSA(hashes.SHA256()))


def block_request_channel_header(gateway: Gateway) -> Any:
    envelope = common_pb2.Envelope.FromString(gateway.network("ch").new_block_events_request().get_bytes())
    payload = common_pb2.Payload.FromString(envelope.payload)
    return common_pb2.ChannelHeader.FromString(payload.header.channel_header)


async def test_block_events_request_carries_the_tls_client_certificate_hash(
    gateway: Gateway, key: ec.EllipticCurvePrivateKey
) -> None:
    assert block_request_channel_header(gateway).tls_cert_hash == b""  # no mutual TLS: nothing to bind

    tls_pem = self_signed_pem(ec.generate_private_key(ec.SECP256R1()), "peer-client-tls")
    der = x509.load_pem_x509_certificate(tls_pem).public_bytes(serialization.Encoding.DER)
    assert tls_certificate_hash(tls_pem) == hashlib.sha256(der).digest()
    mutual = Gateway.connect(
        identity=gateway.identity,
        signer=EcdsaSigner(key),
        client=gateway._context.channel,
        tls_client_certificate_hash=tls_certificate_hash(tls_pem),
    )
    assert block_request_channel_header(mutual).tls_cert_hash == hashlib.sha256(der).digest()


async def test_tls_client_certificate_hash_must_be_a_sha256_digest(gateway: Gateway) -> None:
    with pytest.raises(ValueError, match="not a SHA-256 digest"):
        Gateway.connect(
            identity=gateway.identity, client=gateway._context.channel, tls_client_certificate_hash=b"pem?"
        )
    with pytest.raises(ValueError, match=r"not a PEM X\.509 certificate"):
        tls_certificate_hash(b"not a certificate")


async def test_refused_block_delivery_names_the_tls_binding(gateway: Gateway) -> None:
    refused = events_pb2.DeliverResponse(status=common_pb2.Status.BAD_REQUEST)

    class Stub:
        def Deliver(self, requests: Any) -> ScriptedCall:
            return ScriptedCall([refused])

    object.__setattr__(gateway._context, "deliver_stub", Stub())
    with pytest.raises(EventsError, match=r"BAD_REQUEST.*tls_client_certificate_hash"):
        async with gateway.network("ch").block_events() as blocks:
            await anext(blocks)


class BlockedCall:
    """Like a grpc.aio call with no events yet: read() waits; cancel() cancels the pending read."""

    def __init__(self) -> None:
        self._pending: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.reading = asyncio.Event()

    async def read(self) -> Any:
        self.reading.set()
        return await self._pending

    def cancel(self) -> bool:
        return self._pending.cancel()


async def test_close_from_another_task_ends_a_waiting_iteration(gateway: Gateway) -> None:
    call = BlockedCall()

    class Stub:
        def ChaincodeEvents(self, signed_request: Any) -> BlockedCall:
            return call

    object.__setattr__(gateway._context, "gateway_stub", Stub())
    events = gateway.network("ch").chaincode_events("cc")

    async def drain() -> list[ChaincodeEvent]:
        return [e async for e in events]

    reader = asyncio.create_task(drain())
    await asyncio.wait_for(call.reading.wait(), timeout=5)
    events.close()
    assert await asyncio.wait_for(reader, timeout=5) == []
