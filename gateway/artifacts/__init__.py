"""Project artifacts off chain: encrypted with the project's data key in authenticated chunks, streamed
to and pinned on the consortium's Kubo nodes, and checked again (decrypted, re-hashed) whenever they are
read, whatever their size."""

from gateway.artifacts.errors import ArtifactAltered, ArtifactError, ArtifactMissing, ChunkAltered
from gateway.artifacts.keys import (
    KeyEpoch,
    KeyNotHeld,
    KeyWrapError,
    MemberKey,
    MemberKeyring,
    NotARecipient,
    WrappedKey,
    create_key_agreement_key,
    key_id_of,
    new_data_key,
    provision_key_agreement_key,
    rotate,
    unwrap_data_key,
    wrap_data_key,
    wrap_for_member,
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
    "KeyNotHeld",
    "KeyWrapError",
    "MemberKey",
    "MemberKeyring",
    "NotARecipient",
    "StoredArtifact",
    "WrappedKey",
    "create_key_agreement_key",
    "decrypt",
    "encrypt",
    "key_id_of",
    "new_data_key",
    "provision_key_agreement_key",
    "rotate",
    "unwrap_data_key",
    "wrap_data_key",
    "wrap_for_member",
]
