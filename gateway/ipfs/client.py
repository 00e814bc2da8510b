"""IpfsClient talks to one Kubo node's RPC API, with the node's bearer token.

Content is added as CIDv1 (base32, raw leaves), the form the provenance chaincode records. Small calls
go through aioipfs, each bounded by the client's timeout. Content of any size streams through aiohttp
directly (aioipfs reads whole bodies): add_stream sends a multipart body from an async iterator,
cat_stream reads the body piece by piece, pin follows Kubo's progress messages; for these the timeout
bounds each wait for the node (to connect, to take the next piece, to send the next piece or make
progress), never the whole transfer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import aioipfs

from gateway.consortium import IpfsNode

_PIECE = 1 << 20  # the most a streamed read returns at once


class IpfsError(Exception):
    """IpfsError names the node and the operation that failed, and why."""


def _bearer_token(header_file: Path) -> str:
    line = header_file.read_text().strip()
    prefix = "Authorization: Bearer "
    if not line.startswith(prefix):
        raise IpfsError(
            f"{header_file} does not hold an 'Authorization: Bearer ...' line; run 'make up' again"
        )
    return line[len(prefix) :]


class IpfsClient:
    """IpfsClient is one organisation's connection to its own Kubo node (an async context manager)."""

    def __init__(self, node: IpfsNode, *, timeout: float = 30.0) -> None:
        url = urlsplit(node.api)
        if url.hostname is None or url.port is None:
            raise IpfsError(f"IPFS API address {node.api!r} needs a host and a port")
        self._node = node
        self._timeout = timeout
        token = _bearer_token(node.api_header_file)
        self._token = token
        self._rpc_url = f"http://{url.hostname}:{url.port}/api/v0/"
        self._client = aioipfs.AsyncIPFS(host=url.hostname, port=url.port, auth=aioipfs.BearerAuth(token))
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> IpfsClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self._client.close()
        if self._session is not None:
            await self._session.close()

    async def _call(self, what: str, coro: Any) -> Any:
        try:
            return await asyncio.wait_for(coro, self._timeout)
        except TimeoutError:
            raise IpfsError(f"{what} on {self._node.api} took longer than {self._timeout} s") from None
        except aioipfs.exceptions.RPCAccessDenied:
            raise IpfsError(
                f"{what} on {self._node.api} failed: the node refused the token in "
                f"{self._node.api_header_file}; run 'make up' to restore it"
            ) from None
        except aioipfs.exceptions.NotPinnedError:
            raise IpfsError(f"{what} on {self._node.api} failed: not pinned") from None
        except aioipfs.APIError as exc:
            raise IpfsError(f"{what} on {self._node.api} failed: {exc.message}") from None
        except aioipfs.exceptions.IPFSConnectionError as exc:
            raise IpfsError(
                f"{what} on {self._node.api} failed: cannot reach the node ({exc}); is it up?"
            ) from None

    async def add(self, data: bytes) -> str:
        """add stores data on this node, pinned, and returns its CIDv1."""
        reply = await self._call("add", self._client.core.add_bytes(data, cid_version=1, pin=True))
        return str(reply["Hash"])

    async def cid_of(self, data: bytes) -> str:
        """cid_of computes the CIDv1 that add would give data, without storing it."""
        reply = await self._call(
            "add --only-hash", self._client.core.add_bytes(data, cid_version=1, only_hash=True)
        )
        return str(reply["Hash"])

    async def cat(self, cid: str) -> bytes:
        """cat returns the content of cid, fetched from the swarm when this node lacks it."""
        return bytes(await self._call(f"cat {cid}", self._client.core.cat(cid)))

    async def unpin(self, cid: str) -> None:
        await self._call(f"unpin {cid}", self._client.pin.rm(cid))

    async def pinned(self, cid: str) -> bool:
        try:
            reply = await self._call(
                f"pin ls {cid}", self._client.pin.ls(path=cid, pintype="recursive", quiet=True)
            )
        except IpfsError as exc:
            if "not pinned" in str(exc):
                return False
            raise
        return cid in reply.get("Keys", {})

    async def peer_id(self) -> str:
        return str((await self._call("id", self._client.core.id()))["ID"])

    async def swarm_peers(self) -> list[str]:
        """swarm_peers returns the peer ids this node is connected to."""
        reply = await self._call("swarm peers", self._client.swarm.peers())
        return [str(p["Peer"]) for p in reply.get("Peers") or []]

    async def pins(self) -> set[str]:
        """pins returns the CIDs pinned recursively on this node (what it keeps for good)."""
        reply = await self._call("pin ls", self._client.pin.ls(pintype="recursive", quiet=True))
        return set(reply.get("Keys") or {})

    # Streaming calls: aiohttp directly, with timeouts per wait rather than per call.

    def _streaming_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=aiohttp.ClientTimeout(
                    total=None, sock_connect=self._timeout, sock_read=self._timeout
                ),
            )
        return self._session

    @contextlib.asynccontextmanager
    async def _rpc(
        self, what: str, command: str, params: dict[str, str], data: Any = None
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """_rpc posts one RPC command and yields its response once the node accepted it; failures of the
        request and of reading the response become IpfsError naming what was asked."""
        where = f"{what} on {self._node.api}"
        try:
            async with self._streaming_session().post(
                self._rpc_url + command, params=params, data=data
            ) as response:
                if response.status == 403:
                    raise IpfsError(
                        f"{where} failed: the node refused the token in {self._node.api_header_file}; "
                        "run 'make up' to restore it"
                    )
                if response.status != 200:
                    raise IpfsError(f"{where} failed: {_kubo_message(await response.read())}")
                yield response
        except TimeoutError:
            raise IpfsError(f"{where} failed: the node did not answer for {self._timeout} s") from None
        except aiohttp.ClientConnectorError as exc:
            raise IpfsError(f"{where} failed: cannot reach the node ({exc}); is it up?") from None
        except aiohttp.ClientError as exc:
            raise IpfsError(f"{where} failed: {exc}") from None

    async def add_stream(self, pieces: AsyncIterable[bytes], *, pin: bool = True) -> str:
        """add_stream stores the concatenation of pieces on this node and returns its CIDv1.

        The pieces are sent as they come, never gathered; pin=False leaves the content unpinned (for a
        caller that pins it once it knows it wants it, so that a lost reply leaves no pin behind). An
        exception raised by pieces ends the upload and is raised again (as the cause of an IpfsError).
        """
        loop = asyncio.get_running_loop()
        source_failure: list[Exception] = []
        params = {"cid-version": "1", "pin": str(pin).lower(), "quieter": "true"}
        try:
            async with asyncio.timeout(None) as deadline:

                async def paced() -> AsyncIterator[bytes]:
                    # The deadline covers the node taking each piece (and, after the last, answering),
                    # not the time the caller's iterator takes to make the next one.
                    iterator = aiter(pieces)
                    while True:
                        try:
                            piece = await anext(iterator)
                        except StopAsyncIteration:
                            break
                        except Exception as exc:
                            source_failure.append(exc)
                            raise
                        deadline.reschedule(loop.time() + self._timeout)
                        yield piece
                        deadline.reschedule(None)
                    deadline.reschedule(loop.time() + self._timeout)

                with aiohttp.MultipartWriter("form-data") as form:
                    part = form.append_payload(
                        aiohttp.payload.AsyncIterablePayload(paced(), content_type="application/octet-stream")
                    )
                    part.set_content_disposition("form-data", name="file", filename="artifact")
                async with self._rpc("add", "add", params, data=form) as response:
                    reply = json.loads(await response.read())
        except TimeoutError:
            raise IpfsError(
                f"add on {self._node.api} failed: the node took no data for {self._timeout} s"
            ) from None
        except IpfsError:
            if source_failure:
                raise IpfsError(
                    f"add on {self._node.api} failed: the content's source raised {source_failure[0]!r}"
                ) from source_failure[0]
            raise
        if not isinstance(reply, dict) or "Hash" not in reply:
            raise IpfsError(f"add on {self._node.api} failed: unexpected reply {reply!r}")
        return str(reply["Hash"])

    @contextlib.asynccontextmanager
    async def cat_stream(self, cid: str) -> AsyncIterator[Content]:
        """cat_stream opens the content of cid for reading piece by piece (fetched from the swarm when
        this node lacks it)."""
        async with self._rpc(f"cat {cid}", "cat", {"arg": cid}) as response:
            announced = response.headers.get("X-Content-Length")
            yield Content(
                response,
                what=f"cat {cid} on {self._node.api}",
                size=int(announced) if announced and announced.isdigit() else None,
                timeout=self._timeout,
            )

    async def pin(self, cid: str) -> None:
        """pin fetches cid if needed and keeps it on this node; it gives up when no block arrives for the
        client's timeout, however long the whole transfer takes."""
        loop = asyncio.get_running_loop()
        params = {"arg": cid, "recursive": "true", "progress": "true"}
        async with self._rpc(f"pin {cid}", "pin/add", params) as response:
            progress, since = -1, loop.time()
            # Kubo reports progress (blocks fetched) twice a second, advancing or not.
            async for line in response.content:
                message = json.loads(line) if line.strip() else {}
                if "Pins" in message:
                    return
                if message.get("Type") == "error" or "Message" in message:
                    raise IpfsError(f"pin {cid} on {self._node.api} failed: {message.get('Message')}")
                if message.get("Progress", -1) > progress:
                    progress, since = message["Progress"], loop.time()
                elif loop.time() - since > self._timeout:
                    raise IpfsError(
                        f"pin {cid} on {self._node.api} failed: no block arrived for {self._timeout} s "
                        f"({progress} fetched); no reachable node may have it"
                    )
        raise IpfsError(f"pin {cid} on {self._node.api} failed: the node ended its reply without the pin")

    async def collect_garbage(self) -> None:
        """collect_garbage removes every block this node does not pin (space of unpinned artifacts)."""
        async with self._rpc("repo gc", "repo/gc", {"quiet": "true"}) as response:
            async for line in response.content:
                message = json.loads(line) if line.strip() else {}
                if message.get("Error"):
                    raise IpfsError(f"repo gc on {self._node.api} failed: {message['Error']}")


class Content:
    """Content is an open cat_stream: the size the node announced and its bytes, read piece by piece.

    Reading fails with IpfsError when the node goes quiet for the timeout or stops before the size it
    announced (Kubo reports a failure in the middle of a body only in an HTTP trailer).
    """

    def __init__(
        self, response: aiohttp.ClientResponse, *, what: str, size: int | None, timeout: float
    ) -> None:
        self._response = response
        self._what = what
        self._timeout = timeout
        self.size = size
        self.received = 0

    async def read(self, n: int = _PIECE) -> bytes:
        """read returns up to n bytes, at least one; b"" only at the end of the content."""
        try:
            data = await self._response.content.read(min(n, _PIECE) if n > 0 else _PIECE)
        except TimeoutError:
            raise IpfsError(f"{self._what} failed: the node sent nothing for {self._timeout} s") from None
        except aiohttp.ClientError as exc:
            raise IpfsError(f"{self._what} failed after {self.received} bytes: {exc}") from None
        self.received += len(data)
        if not data and self.size is not None and self.received != self.size:
            raise IpfsError(
                f"{self._what} failed: the node stopped after {self.received} of the {self.size} bytes "
                "it announced"
            )
        return data

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._pieces()

    async def _pieces(self) -> AsyncIterator[bytes]:
        while data := await self.read():
            yield data


def _kubo_message(body: bytes) -> str:
    """_kubo_message is the reason in a Kubo error body ({"Message": ...}), else the body itself."""
    try:
        message = json.loads(body)
    except ValueError:
        return body.decode(errors="replace").strip()[:300]
    if isinstance(message, dict) and "Message" in message:
        return str(message["Message"])
    return body.decode(errors="replace").strip()[:300]
