"""Project artifacts off chain: encrypted with the project's data key in authenticated chunks, streamed
to and pinned on the consortium's Kubo nodes, and checked again (decrypted, re-hashed) whenever they are
read, whatever their size."""

from gateway.artifacts.errors import ArtifactAltered, ArtifactError, ArtifactMissing, ChunkAltered
from gateway.artifacts.keys import (
    KeyEpoch,
    KeyWrapError,
    WrappedKey,
    new_data_key,
    rotate,
    unwrap_data_key,
    wrap_data_key,
)
from gateway.artifacts.store import ArtifactStore, StoredArtifact
from gateway.artifacts.stream import decrypt, encrypt

__all__ = [
    "ArtifactAltered",
    "ArtifactError",
    "ArtifactMissing",
    "ArtifactStore",
    "ChunkAltered",
    "KeyEpoch",
    "KeyWrapError",
    "StoredArtifact",
    "WrappedKey",
    "decrypt",
    "encrypt",
    "new_data_key",
    "rotate",
    "unwrap_data_key",
    "wrap_data_key",
]
