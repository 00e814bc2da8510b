"""IpfsClient talks to one Kubo node's RPC API through aioipfs, with the node's bearer token.

Content is added as CIDv1 (base32, raw leaves), the form the provenance chaincode records.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import aioipfs

from gateway.consortium import IpfsNode


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
        self._client = aioipfs.AsyncIPFS(
            host=url.hostname,
            port=url.port,
            auth=aioipfs.BearerAuth(_bearer_token(node.api_header_file)),
        )

    async def __aenter__(self) -> IpfsClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self._client.close()

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

    async def pin(self, cid: str) -> None:
        """pin fetches cid if needed and keeps it on this node."""

        async def run() -> None:
            async for _ in self._client.pin.add(cid):
                pass

        await self._call(f"pin {cid}", run())

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
