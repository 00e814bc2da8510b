"""Project artifacts off chain: encrypted with the project's data key, stored and pinned on the
consortium's Kubo nodes, and checked again (decrypted, re-hashed) whenever they are read."""

from gateway.artifacts.keys import (
    KeyEpoch,
    KeyWrapError,
    WrappedKey,
    new_data_key,
    rotate,
    unwrap_data_key,
    wrap_data_key,
)
from gateway.artifacts.store import (
    ArtifactAltered,
    ArtifactError,
    ArtifactMissing,
    ArtifactStore,
    StoredArtifact,
    decrypt,
    encrypt,
)

__all__ = [
    "ArtifactAltered",
    "ArtifactError",
    "ArtifactMissing",
    "ArtifactStore",
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
