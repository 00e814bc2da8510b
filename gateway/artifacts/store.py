"""ArtifactStore puts encrypted artifacts on the consortium's Kubo nodes and reads them back verified.

An artifact's bytes are encrypted with the project's data key (AES-256-GCM, the artifact id bound in as
associated data, so a block of one artifact cannot pass for another), added on the uploading
organisation's node and pinned on at least one more organisation's node. A put that cannot reach its
replica count unpins what it pinned, so no orphaned copy is kept. Reading decrypts and re-hashes: a
changed byte anywhere, a swapped file, or content that no node can serve is reported as such.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gateway.ipfs import IpfsClient, IpfsError

FORMAT = b"bcmlp-aes256gcm-v1\n"
_NONCE = 12


class ArtifactError(Exception):
    """ArtifactError is the base of every artifact storage failure; it names the artifact."""


class ArtifactAltered(ArtifactError):
    """ArtifactAltered: the stored bytes are not the ones recorded (tampered, truncated or swapped)."""


class ArtifactMissing(ArtifactError):
    """ArtifactMissing: no reachable node serves the artifact's content."""


@dataclass(frozen=True, slots=True)
class StoredArtifact:
    """StoredArtifact is what the ledger records about an artifact's content."""

    artifact_id: str
    cid: str
    sha256: str  # of the plaintext
    size: int  # of the plaintext
    pinned_on: tuple[str, ...]  # organisations whose nodes pin it


def encrypt(data_key: bytes, plaintext: bytes, *, artifact_id: str) -> bytes:
    """encrypt returns FORMAT ‖ nonce ‖ AES-256-GCM(plaintext), authenticated with the artifact id."""
    nonce = os.urandom(_NONCE)
    return FORMAT + nonce + AESGCM(data_key).encrypt(nonce, plaintext, FORMAT + artifact_id.encode())


def decrypt(data_key: bytes, blob: bytes, *, artifact_id: str) -> bytes:
    """decrypt reverses encrypt; ArtifactAltered when the blob was changed or belongs to another artifact."""
    if not blob.startswith(FORMAT) or len(blob) < len(FORMAT) + _NONCE + 16:
        raise ArtifactAltered(f"artifact {artifact_id}: stored bytes are not a bcmlp encrypted artifact")
    nonce = blob[len(FORMAT) : len(FORMAT) + _NONCE]
    try:
        return AESGCM(data_key).decrypt(nonce, blob[len(FORMAT) + _NONCE :], FORMAT + artifact_id.encode())
    except InvalidTag:
        raise ArtifactAltered(
            f"artifact {artifact_id}: stored bytes fail authentication (changed, swapped for another "
            "artifact's, or encrypted under another data key)"
        ) from None


class ArtifactStore:
    """ArtifactStore spreads each artifact over `replicas` organisations' nodes (the uploader's first)."""

    def __init__(self, nodes: Mapping[str, IpfsClient], *, replicas: int = 2) -> None:
        if replicas < 1 or replicas > len(nodes):
            raise ValueError(f"replicas must be between 1 and the {len(nodes)} nodes given, not {replicas}")
        self._nodes = dict(nodes)
        self._replicas = replicas

    def _node(self, org: str) -> IpfsClient:
        try:
            return self._nodes[org]
        except KeyError:
            raise ArtifactError(
                f"no IPFS node of organisation {org!r}; known: {sorted(self._nodes)}"
            ) from None

    async def put(self, artifact_id: str, plaintext: bytes, data_key: bytes, *, home: str) -> StoredArtifact:
        """put encrypts plaintext, adds it on home's node and pins it on the next organisations' nodes."""
        blob = encrypt(data_key, plaintext, artifact_id=artifact_id)
        try:
            cid = await self._node(home).add(blob)
        except IpfsError as exc:
            raise ArtifactError(f"artifact {artifact_id}: adding at {home} failed: {exc}") from None
        pinned = [home]
        failures: list[str] = []
        try:
            for org in sorted(self._nodes):
                if len(pinned) >= self._replicas:
                    break
                if org == home:
                    continue
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
        return StoredArtifact(
            artifact_id, cid, hashlib.sha256(plaintext).hexdigest(), len(plaintext), tuple(pinned)
        )

    async def _unpin(self, cid: str, orgs: list[str] | tuple[str, ...]) -> list[str]:
        failed = []
        for org in orgs:
            try:
                await self._nodes[org].unpin(cid)
            except IpfsError:
                failed.append(org)
        return failed

    async def remove(self, stored: StoredArtifact) -> None:
        """remove unpins an artifact everywhere (when the ledger write that should record it failed)."""
        failed = await self._unpin(stored.cid, stored.pinned_on)
        if failed:
            raise ArtifactError(f"artifact {stored.artifact_id}: could not unpin {stored.cid} on {failed}")

    async def get(self, stored: StoredArtifact, data_key: bytes, *, via: str) -> bytes:
        """get fetches the artifact through via's node, decrypts it and checks its hash and size."""
        try:
            blob = await self._node(via).cat(stored.cid)
        except IpfsError as exc:
            raise ArtifactMissing(
                f"artifact {stored.artifact_id}: {stored.cid} cannot be fetched: {exc}"
            ) from None
        plaintext = decrypt(data_key, blob, artifact_id=stored.artifact_id)
        digest = hashlib.sha256(plaintext).hexdigest()
        if digest != stored.sha256 or len(plaintext) != stored.size:
            raise ArtifactAltered(
                f"artifact {stored.artifact_id}: content hash {digest[:16]}... ({len(plaintext)} bytes) "
                f"differs from the recorded {stored.sha256[:16]}... ({stored.size} bytes)"
            )
        return plaintext
