"""Recording a stored artifact on its project channel, or taking it back off the nodes.

An artifact is stored first (ArtifactStore.put*: encrypted, pinned on its replicas) and recorded after,
since the record names the CID. `record_or_remove` makes the pair one step for the caller: when the
ledger refuses the record (bad input, a member not allowed to write, a conflict) the stored copy is
unpinned on every node that pins it, so a failed write leaves no orphan. When the outcome is unknown
(the commit status was lost) it first reads the record back for a while: a record that did commit keeps
its content, and the error says so.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from gateway.artifacts.errors import ArtifactError
from gateway.artifacts.store import ArtifactStore, StoredArtifact

if TYPE_CHECKING:
    from gateway.ledger import Committed, DataBounds, LedgerError, ProvenanceClient

# How long a record of unknown outcome is looked for before its content is removed: longer than an
# orderer's batch timeout plus a peer's commit (README "Ledger").
UNKNOWN_OUTCOME_SECONDS = 15.0


async def _committed_anyway(provenance: ProvenanceClient, stored: StoredArtifact, error: LedgerError) -> bool:
    """_committed_anyway tells whether a record whose submission failed with error is on the ledger
    after all, naming stored's CID."""
    from gateway.ledger import LedgerError

    if error.stage != "commit status":
        return False  # refused, or committed invalid: it wrote nothing
    deadline = time.monotonic() + UNKNOWN_OUTCOME_SECONDS
    while True:
        try:
            return (await provenance.get_artifact(stored.artifact_id)).cid == stored.cid
        except LedgerError:
            if time.monotonic() > deadline:
                return False
        await asyncio.sleep(0.5)


async def record_or_remove(
    provenance: ProvenanceClient,
    store: ArtifactStore,
    stored: StoredArtifact,
    *,
    kind: str,
    media_type: str,
    wrapped_key_epoch: int,
    parents: tuple[str, ...] = (),
    request_feedback: bool = False,
    bounds: DataBounds | None = None,
) -> Committed:
    """record_or_remove records stored on provenance's channel (ProvenanceClient.record_artifact); if
    that fails it unpins stored on every node and raises the ledger's error (an ArtifactError instead
    when the unpinning fails too, naming both). A record that committed despite the error keeps its
    content and the error is raised with a note saying it committed."""
    from gateway.ledger import LedgerError

    try:
        return await provenance.record_artifact(
            stored,
            kind=kind,
            media_type=media_type,
            wrapped_key_epoch=wrapped_key_epoch,
            parents=parents,
            request_feedback=request_feedback,
            bounds=bounds,
        )
    except LedgerError as error:
        if await _committed_anyway(provenance, stored, error):
            error.add_note(f"artifact {stored.artifact_id} did commit after all; its content is kept")
            raise
        try:
            await store.remove(stored)
        except ArtifactError as unpinning:
            raise ArtifactError(
                f"artifact {stored.artifact_id}: recording it failed ({error}), and so did removing its "
                f"content: {unpinning}"
            ) from error
        raise
