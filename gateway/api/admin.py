"""Routes of consortium admins and committee members, and the event stream every role reads.

Admins read members, enrolment requests, the parameters in force, the committee and registered
projects, and act on requests: approve or reject an enrolment, ask for or approve a member's
suspension, reinstatement or revocation. The registry decides who may (its committee and role
rules); the service only passes the caller's own signed transaction on, so a refusal comes back as the
contract said it.

Events: ``GET /v1/events/{channel}/{chaincode}`` relays the chaincode's events as server-sent events,
each with ``id: <block>:<transaction>``. A client that reconnects with that id as ``Last-Event-ID``
(or ``?after=``) resumes right after it, as the Gateway's checkpoints do; ``?startBlock=`` starts at a
block; otherwise at the next block committed. A comment line every 15 s keeps idle connections open.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from aiohttp import web

from gateway.api.callers import Caller
from gateway.api.problems import ApiError
from gateway.fabric import Checkpointer, EventsError, GatewayError

HEARTBEAT_SECONDS = 15.0


def _payload(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.hex()


def resume_point(request: web.Request) -> tuple[Checkpointer | None, int | None]:
    """resume_point is where the stream starts: after Last-Event-ID (or ?after=), or at ?startBlock."""
    last = request.headers.get("Last-Event-ID") or request.query.get("after")
    if last:
        block, sep, tx = last.partition(":")
        if not sep or not block.isdigit() or not tx:
            raise ApiError(400, "invalid_request", f"event id {last!r} is not <block>:<transaction id>")
        return Checkpointer(block_number=int(block), transaction_id=tx), None
    start = request.query.get("startBlock")
    return None, int(start) if start is not None else None


async def events(request: web.Request, who: Caller, channels: list[str]) -> web.StreamResponse:
    """events streams the chaincode's events of the path's channel to the client (module doc)."""
    channel, chaincode = request.match_info["channel"], request.match_info["chaincode"]
    if channel not in channels:
        raise ApiError(403, "forbidden", f"channel {channel!r} is not one of {', '.join(sorted(channels))}")
    checkpoint, start = resume_point(request)
    stream = who.ledger.gateway.network(channel).chaincode_events(
        chaincode, start_block=start, checkpoint=checkpoint
    )
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    pending: asyncio.Task[Any] | None = None
    try:
        async with stream:
            while True:
                if pending is None:
                    pending = asyncio.ensure_future(stream.__anext__())
                done, _ = await asyncio.wait({pending}, timeout=HEARTBEAT_SECONDS)
                if not done:
                    await response.write(b": keep-alive\n\n")
                    continue
                event = pending.result()
                pending = None
                data = {
                    "blockNumber": event.block_number,
                    "transactionId": event.tx_id,
                    "chaincode": event.chaincode_name,
                    "event": event.event_name,
                    "payload": _payload(event.payload),
                }
                frame = (
                    f"id: {event.block_number}:{event.tx_id}\nevent: {event.event_name}\n"
                    f"data: {json.dumps(data)}\n\n"
                )
                await response.write(frame.encode())
    except (EventsError, GatewayError) as error:
        message = json.dumps({"code": "events_failed", "detail": str(error)})
        with contextlib.suppress(ConnectionError):
            await response.write(f"event: error\ndata: {message}\n\n".encode())
    except (ConnectionError, StopAsyncIteration):
        pass
    finally:
        if pending is not None:
            pending.cancel()
    return response


async def status_request(who: Caller, member_id: str, body: dict[str, Any]) -> dict[str, Any]:
    request_id = await who.ledger.registry.request_member_status(
        member_id, status=body["status"], reason=body["reason"]
    )
    return {"requestId": request_id, "transactionId": request_id}
