"""Store and verify one large artifact in a process of its own, so that its peak memory can be measured
from outside: ``python -m tests.integration.large_artifact RUN_DIR SIZE HOME`` stores SIZE deterministic
bytes from HOME's node, verifies them through the second replica's node, removes them and prints one
JSON line (the stored record, the plaintext's sha256 computed independently, and the seconds taken)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import asdict
from pathlib import Path

from gateway.artifacts import ArtifactStore, new_data_key
from gateway.consortium import load_consortium
from gateway.ipfs import IpfsClient

PIECE = 1 << 20


async def pieces(size: int, independent: hashlib._Hash) -> AsyncIterator[bytes]:
    """pieces makes size bytes, never more than one piece at a time: a random block, numbered."""
    block = random.Random(20251129).randbytes(PIECE)
    for index, start in enumerate(range(0, size, PIECE)):
        piece = (index.to_bytes(8, "big") + block[8:])[: min(PIECE, size - start)]
        independent.update(piece)
        yield piece


async def main(run_dir: Path, size: int, home: str) -> dict[str, object]:
    consortium = load_consortium(run_dir)
    nodes = {o.name: IpfsClient(o.ipfs, timeout=60) for o in consortium.peer_organisations if o.ipfs}
    try:
        store = ArtifactStore(nodes)
        key = new_data_key()
        independent = hashlib.sha256()
        started = time.monotonic()
        stored = await store.put_stream("large-1", pieces(size, independent), key, home=home)
        stored_at = time.monotonic()
        try:
            await store.verify(stored, key, via=stored.pinned_on[1])
            verified_at = time.monotonic()
        finally:
            await store.remove(stored)
        return {
            "stored": asdict(stored),
            "independent_sha256": independent.hexdigest(),
            "put_seconds": round(stored_at - started, 1),
            "verify_seconds": round(verified_at - stored_at, 1),
        }
    finally:
        for node in nodes.values():
            await node.close()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]))))
