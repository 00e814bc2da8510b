"""The errors of artifact storage, each naming the artifact (and, for a bad chunk, the chunk)."""

from __future__ import annotations


class ArtifactError(Exception):
    """ArtifactError is the base of every artifact storage failure; it names the artifact."""


class ArtifactAltered(ArtifactError):
    """ArtifactAltered: the stored bytes are not the ones recorded (tampered, truncated or swapped)."""


class ChunkAltered(ArtifactAltered):
    """ChunkAltered: one chunk of a streamed artifact failed authentication.

    chunk is its index (0 is the first) in the stored ciphertext. Reordered, dropped or repeated chunks,
    a truncated or extended ciphertext, a changed byte, another artifact's ciphertext and another data
    key all end here: the streaming AEAD cannot tell them apart, only where the stream stopped being
    authentic.
    """

    def __init__(self, message: str, *, artifact_id: str, chunk: int) -> None:
        super().__init__(message)
        self.artifact_id = artifact_id
        self.chunk = chunk


class ArtifactMissing(ArtifactError):
    """ArtifactMissing: no reachable node serves the artifact's content."""
