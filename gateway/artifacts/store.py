"""ArtifactStore puts encrypted artifacts on the consortium's Kubo nodes and reads them back verified.

An artifact's bytes are encrypted with the project's data key in 1 MiB chunks (stream.py: a streaming
AEAD with the artifact id bound in, so a chunk of one artifact cannot pass for another's, nor move within
its own), added on the uploading organisation's node and pinned there and on at least one more
organisation's node. Content of any size streams: it is read, hashed, encrypted and sent one chunk at a
time, and read back, decrypted and re-hashed the same way, so memory stays flat whatever the size. A put
that cannot reach its replica count unpins what it pinned, so no orphaned copy is kept. Reading reports a
changed, moved, dropped or cut-off chunk, a swapped file, and content no node can serve, each as such.

put_file, put_stream and put are one operation for three kinds of source (a file, an iterator of pieces,
bytes in memory); read, get_to_file, verify and get likewise for where the plaintext goes.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import re
import tempfile
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Iterator,
    Mapping,
)
from concurrent.futures import ThreadPoolExecutor
from contextlib import aclosing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar, cast

from multiformats_cid.cid import is_cid

from gateway.artifacts.errors import ArtifactAltered, ArtifactError, ArtifactMissing, ChunkAltered
from gateway.artifacts.stream import (
    CHUNK_PLAINTEXT,
    LEGACY_FORMAT,
    TAG_BYTES,
    Decryptor,
    Encryptor,
    check_inputs,
    ciphertext_size,
    decrypt,
    encrypt,
)
from gateway.ipfs import IpfsClient, IpfsError
from gateway.ipfs.client import Content

__all__ = [
    "ArtifactAltered",
    "ArtifactError",
    "ArtifactMissing",
    "ArtifactStore",
    "ChunkAltered",
    "StoredArtifact",
    "decrypt",
    "encrypt",
]

_SHA256 = re.compile(r"[0-9a-f]{64}")

Piece = bytes | bytearray | memoryview  # a piece of plaintext handed to put_stream


@dataclass(frozen=True, slots=True)
class StoredArtifact:
    """StoredArtifact is what the ledger records about an artifact's content."""

    artifact_id: str
    cid: str
    sha256: str  # of the plaintext
    size: int  # of the plaintext
    pinned_on: tuple[str, ...]  # organisations whose nodes pin it


def _check_stored(stored: StoredArtifact) -> None:
    """_check_stored refuses a record that names no readable artifact, naming the field."""
    if not isinstance(stored.artifact_id, str) or not stored.artifact_id:
        raise ArtifactError(
            f"a stored artifact's artifact_id is a non-empty string, not {stored.artifact_id!r}"
        )
    where = f"artifact {stored.artifact_id}"
    if not isinstance(stored.cid, str) or not stored.cid:
        raise ArtifactError(f"{where}: cid is a non-empty CID string, not {stored.cid!r}")
    if not is_cid(stored.cid):
        raise ArtifactError(
            f"{where}: cid {stored.cid!r} is malformed: give a CIDv0 (Qm..., base58) or a multibase CIDv1 "
            "(b..., base32)"
        )
    if not isinstance(stored.sha256, str) or not _SHA256.fullmatch(stored.sha256):
        raise ArtifactError(f"{where}: sha256 is 64 lowercase hex digits, not {stored.sha256!r}")
    if not isinstance(stored.size, int) or isinstance(stored.size, bool) or stored.size < 0:
        raise ArtifactError(f"{where}: size is a byte count (an int >= 0), not {stored.size!r}")


class _LoopSource(io.RawIOBase):
    """_LoopSource lets the blocking Decryptor, in a worker thread, read Content on the event loop."""

    def __init__(self, content: Content, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._content = content
        self._loop = loop

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        n = size if size > 0 else CHUNK_PLAINTEXT
        return asyncio.run_coroutine_threadsafe(self._content.read(n), self._loop).result()


def _next_hashed(chunks: Iterator[bytes], hasher: Any) -> bytes | None:
    chunk = next(chunks, None)
    if chunk is not None:
        hasher.update(chunk)
    return chunk


T = TypeVar("T")


class _Worker:
    """_Worker runs one stream's blocking steps (the AEAD, a blocking source) on one thread of its own,
    so that one stream's 1 MiB chunks come from one thread's malloc arena rather than from whichever
    threads asyncio.to_thread's shared pool has grown to. Measured on the 5 GiB store and verify: 97 MiB
    resident alone, 98 MiB with this worker while two other processes kept both cores busy; but full
    test suites run beside other test networks peaked at 364-376 MiB with and without it, so that
    growth has another cause, not found yet.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bcmlp-artifact")

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    def close(self) -> None:
        self._pool.shutdown(wait=False)


class _Sealer:
    """_Sealer hashes and encrypts one artifact's plaintext, piece by piece, off the event loop."""

    def __init__(self, data_key: bytes, artifact_id: str) -> None:
        self.artifact_id = artifact_id
        self.encryptor = Encryptor(data_key, artifact_id=artifact_id)
        self.hasher = hashlib.sha256()
        self.size = 0
        self.pieces = 0

    def seal(self, piece: Any) -> bytes:
        if not isinstance(piece, (bytes, bytearray, memoryview)):
            raise ArtifactError(
                f"artifact {self.artifact_id}: piece {self.pieces} of the plaintext is a "
                f"{type(piece).__name__}; pieces are bytes"
            )
        self.pieces += 1
        self.hasher.update(piece)
        self.size += len(piece)
        return self.encryptor.update(piece)

    def seal_next(self, pieces: Iterator[Any]) -> bytes | None:
        """seal_next takes the next piece of a blocking iterator (None at its end) and seals it."""
        piece = next(pieces, None)
        return None if piece is None else self.seal(piece)


def _file_pieces(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while piece := f.read(CHUNK_PLAINTEXT):
            yield piece


class ArtifactStore:
    """ArtifactStore spreads each artifact over `replicas` organisations' nodes (the uploader's first)."""

    def __init__(self, nodes: Mapping[str, IpfsClient], *, replicas: int = 2) -> None:
        if replicas < 1 or replicas > len(nodes):
            raise ValueError(f"replicas must be between 1 and the {len(nodes)} nodes given, not {replicas}")
        self._nodes = dict(nodes)
        self._replicas = replicas

    @property
    def organisations(self) -> tuple[str, ...]:
        """organisations are the organisations whose nodes this store reaches."""
        return tuple(self._nodes)

    def _node(self, org: str) -> IpfsClient:
        try:
            return self._nodes[org]
        except KeyError:
            raise ArtifactError(
                f"no IPFS node of organisation {org!r}; known: {sorted(self._nodes)}"
            ) from None

    # Writing.

    async def put_file(
        self, artifact_id: str, path: str | os.PathLike[str], data_key: bytes, *, home: str
    ) -> StoredArtifact:
        """put_file stores the file at path as artifact_id, reading it one chunk at a time."""
        path = Path(path)
        if not path.is_file():
            why = "does not exist" if not path.exists() else "is not a regular file"
            raise ArtifactError(f"artifact {artifact_id}: {path} {why}; put_file takes a file to store")
        try:
            with path.open("rb"):
                pass
        except OSError as exc:
            raise ArtifactError(f"artifact {artifact_id}: cannot read {path}: {exc.strerror}") from None
        return await self.put_stream(artifact_id, _file_pieces(path), data_key, home=home)

    async def put(self, artifact_id: str, plaintext: bytes, data_key: bytes, *, home: str) -> StoredArtifact:
        """put is put_stream for an artifact already in memory."""
        if not isinstance(plaintext, (bytes, bytearray, memoryview)):
            raise ArtifactError(f"artifact {artifact_id}: plaintext is bytes, not {type(plaintext).__name__}")
        view = memoryview(plaintext)
        pieces = [view[i : i + CHUNK_PLAINTEXT] for i in range(0, len(view), CHUNK_PLAINTEXT)]
        return await self.put_stream(artifact_id, pieces, data_key, home=home)

    async def put_stream(
        self,
        artifact_id: str,
        pieces: AsyncIterable[Piece] | Iterable[Piece],
        data_key: bytes,
        *,
        home: str,
    ) -> StoredArtifact:
        """put_stream stores the concatenation of pieces (of any size; 1 MiB suits best) as artifact_id:
        it hashes and encrypts them as they come, adds the ciphertext on home's node as it is made, then
        pins it there and on the next organisations' nodes. A blocking iterable is advanced in a worker
        thread. The recorded sha256 and size are the plaintext's."""
        check_inputs(data_key, artifact_id)
        node = self._node(home)
        sealer = _Sealer(data_key, artifact_id)
        failure: list[BaseException] = []

        worker = _Worker()

        async def ciphertext() -> AsyncIterator[bytes]:
            try:
                if isinstance(pieces, AsyncIterable):
                    async for piece in pieces:
                        if ciphertext_piece := await worker.run(sealer.seal, piece):
                            yield ciphertext_piece
                else:
                    blocking = iter(pieces)
                    while (sealed := await worker.run(sealer.seal_next, blocking)) is not None:
                        if sealed:
                            yield sealed
                yield sealer.encryptor.finish()
            except Exception as exc:
                failure.append(exc)
                raise
            finally:
                worker.close()

        try:
            # Added unpinned and pinned only afterwards: an upload whose reply is lost keeps no pin.
            cid = await node.add_stream(ciphertext(), pin=False)
        except IpfsError as exc:
            if failure and isinstance(failure[0], ArtifactError):
                raise failure[0] from None
            if failure:
                raise ArtifactError(
                    f"artifact {artifact_id}: reading its plaintext failed ({failure[0]!r}); nothing was "
                    "stored"
                ) from failure[0]
            raise ArtifactError(f"artifact {artifact_id}: adding at {home} failed: {exc}") from None
        return await self._replicate(
            artifact_id, cid, home, sha256=sealer.hasher.hexdigest(), size=sealer.size
        )

    async def _replicate(
        self, artifact_id: str, cid: str, home: str, *, sha256: str, size: int
    ) -> StoredArtifact:
        """_replicate pins cid on home's node and the next ones' until `replicas` hold it, or on none."""
        pinned: list[str] = []
        failures: list[str] = []
        try:
            for org in [home, *(o for o in sorted(self._nodes) if o != home)]:
                if len(pinned) >= self._replicas:
                    break
                if org != home and not pinned:
                    break  # not even the uploader keeps it
                try:
                    await self._nodes[org].pin(cid)
                    pinned.append(org)
                except IpfsError as exc:
                    failures.append(f"{org}: {exc}")
            if len(pinned) < self._replicas:
                raise ArtifactError(
                    f"artifact {artifact_id}: pinned on {len(pinned)} of the {self._replicas} nodes required "
                    f"({'; '.join(failures)}); {cid} was unpinned, nothing was kept"
                )
        except BaseException:
            await self._unpin(cid, pinned)
            raise
        return StoredArtifact(artifact_id, cid, sha256, size, tuple(pinned))

    async def _unpin(self, cid: str, orgs: list[str] | tuple[str, ...]) -> list[str]:
        failed = []
        for org in orgs:
            try:
                await self._nodes[org].unpin(cid)
            except IpfsError:
                failed.append(org)
        return failed

    async def pins(self) -> dict[str, set[str]]:
        """pins lists what every node of the store pins, by organisation (to check that nothing is left
        orphaned)."""
        return {org: await node.pins() for org, node in self._nodes.items()}

    async def remove(self, stored: StoredArtifact) -> None:
        """remove unpins an artifact everywhere (when the ledger write that should record it failed)."""
        failed = await self._unpin(stored.cid, stored.pinned_on)
        if failed:
            raise ArtifactError(f"artifact {stored.artifact_id}: could not unpin {stored.cid} on {failed}")

    # Reading.

    async def read(self, stored: StoredArtifact, data_key: bytes, *, via: str) -> AsyncGenerator[bytes, None]:
        """read yields the artifact's plaintext chunk by chunk, fetched through via's node.

        Each chunk is authenticated before it is yielded (ChunkAltered names the first that is not); the
        plaintext's hash and size are checked against stored once the last chunk is through, so a
        consumer must treat what it got as unverified until the iteration ends without an error. Close
        the iterator (contextlib.aclosing) if you stop early.
        """
        _check_stored(stored)
        check_inputs(data_key, stored.artifact_id)
        node = self._node(via)
        where = f"artifact {stored.artifact_id}"
        loop = asyncio.get_running_loop()
        hasher = hashlib.sha256()
        size = 0
        try:
            async with node.cat_stream(stored.cid) as content:
                expected = ciphertext_size(stored.size)
                legacy = len(LEGACY_FORMAT) + 12 + stored.size + TAG_BYTES
                if content.size is not None and content.size not in (expected, legacy):
                    raise ArtifactAltered(
                        f"{where}: {stored.cid} holds {content.size} bytes, but the encrypted form of the "
                        f"recorded {stored.size}-byte artifact has {expected}: it is another file, or was "
                        "cut off or extended"
                    )
                chunks = Decryptor(
                    data_key,
                    cast(BinaryIO, _LoopSource(content, loop)),
                    artifact_id=stored.artifact_id,
                    legacy_limit=stored.size,
                ).chunks()
                worker = _Worker()
                try:
                    while (chunk := await worker.run(_next_hashed, chunks, hasher)) is not None:
                        size += len(chunk)
                        if size > stored.size:
                            raise ArtifactAltered(
                                f"{where}: the stored content goes on past the recorded {stored.size} bytes"
                            )
                        yield chunk
                finally:
                    worker.close()
        except IpfsError as exc:
            raise ArtifactMissing(f"{where}: {stored.cid} cannot be fetched through {via}: {exc}") from None
        digest = hasher.hexdigest()
        if digest != stored.sha256 or size != stored.size:
            raise ArtifactAltered(
                f"{where}: content hash {digest[:16]}... ({size} bytes) differs from the recorded "
                f"{stored.sha256[:16]}... ({stored.size} bytes)"
            )

    async def verify(self, stored: StoredArtifact, data_key: bytes, *, via: str) -> None:
        """verify reads the whole artifact through via's node and checks it, keeping none of it."""
        async with aclosing(self.read(stored, data_key, via=via)) as chunks:
            async for _ in chunks:
                pass

    async def get_to_file(
        self, stored: StoredArtifact, data_key: bytes, *, via: str, path: str | os.PathLike[str]
    ) -> None:
        """get_to_file writes the verified artifact to path. It writes a temporary file beside path and
        renames it into place only once every check passed, so path never holds unverified content."""
        path = Path(path)
        if not path.parent.is_dir():
            raise ArtifactError(
                f"artifact {stored.artifact_id}: the folder {path.parent} of {path} does not exist"
            )
        if path.is_dir():
            raise ArtifactError(f"artifact {stored.artifact_id}: {path} is a folder; name a file to write")
        fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
        try:
            with os.fdopen(fd, "wb") as out:
                async with aclosing(self.read(stored, data_key, via=via)) as chunks:
                    async for chunk in chunks:
                        await asyncio.to_thread(out.write, chunk)
                await asyncio.to_thread(os.fsync, out.fileno())
            os.replace(partial, path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise

    async def get(self, stored: StoredArtifact, data_key: bytes, *, via: str) -> bytes:
        """get is read for an artifact small enough to hold in memory."""
        async with aclosing(self.read(stored, data_key, via=via)) as chunks:
            return b"".join([chunk async for chunk in chunks])
