"""Online verification of an artifact's whole history (`bcmlp verify artifact`, issue 4).

For the artifact and every ancestor in its lineage, read through the member's own peer: the ledger
record and the block that holds it; the standing of its creator in the registry (a record signed by a
member now suspended, revoked or distrusted is reported so); and the content, read through a Kubo
node of an organisation that pins it, decrypted chunk by chunk with the project's data key of the
record's key epoch and re-hashed against the SHA-256 the record states. Each item is reported:

- intact: the record, its signer's standing and its content agree;
- altered: the content is not the recorded one (a changed byte on the node that served it, another
  artifact's or model's bytes in its place, a truncated or reordered ciphertext);
- missing: no node that pins it serves the content;
- distrusted: the content is intact but the record's creator is suspended, revoked or of negative trust.

The data key comes from the caller (`data_key_for(epoch)`): the project's key epochs on its channel wrap
it for each member's key-agreement key, and the member opens its own copy with its keyring
(gateway.artifacts.project_keys.data_key_for_epoch; `bcmlp verify artifact` does so as an organisation's
admin).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from gateway.artifacts.errors import ArtifactAltered, ArtifactError, ArtifactMissing
from gateway.artifacts.store import ArtifactStore, StoredArtifact
from gateway.fabric import GatewayError
from gateway.fabric._protos import common_pb2
from gateway.ledger import Ledger, LedgerError
from gateway.ledger.provenance import Artifact

STATUSES = ("intact", "altered", "missing", "distrusted")


@dataclass(frozen=True)
class Verdict:
    """Verdict is one record's verification: its status, where it is on the ledger, and why."""

    artifact_id: str
    status: str
    block_number: int
    tx_id: str
    creator: str
    why: str = ""

    def line(self) -> str:
        where = f"(block {self.block_number}, tx {self.tx_id})"
        return f"{self.status:10} artifact {self.artifact_id} {where}" + (
            f"\n           - {self.why}" if self.why else ""
        )


async def _block_number(ledger: Ledger, channel: str, tx_id: str) -> int:
    qscc = ledger.gateway.network(channel).contract("qscc")
    try:
        block = common_pb2.Block.FromString(await qscc.evaluate("GetBlockByTxID", args=[channel, tx_id]))
    except GatewayError:
        return -1
    return int(block.header.number)


async def _standing(ledger: Ledger, members: Mapping[str, str], record: Artifact) -> str:
    """_standing is why the record's creator (a client id, which the channel's member list maps to its
    member) is not in good standing now, or ""."""
    member_id = members.get(record.creator)
    if member_id is None:
        return f"its creator {record.creator} is on no member list of the channel"
    try:
        standing = await ledger.registry.get_standing(member_id)
    except LedgerError as error:
        return f"its creator {member_id} has no standing in the registry: {' | '.join(error.reasons)}"
    if standing.status in ("suspended", "revoked"):
        return f"signed by {member_id}, now {standing.status}"
    if standing.trust < 0:
        return f"signed by {member_id}, now distrusted (trust {standing.trust}, {standing.level})"
    return ""


async def verify_artifact(
    ledger: Ledger,
    store: ArtifactStore,
    project: str,
    artifact_id: str,
    *,
    data_key_for: Callable[[int], bytes],
    via: Sequence[str] | None = None,
) -> list[Verdict]:
    """verify_artifact verifies artifact_id of project and its lineage (module doc). via lists the
    organisations whose nodes may serve content, in order of preference (default: each record's own
    pinning organisations that the store reaches)."""
    provenance = ledger.provenance(project)
    members = {m.identity: m.member_id for m in await provenance.get_members()}
    msp_names = {ledger.organisations.organisation(o).msp_id: o for o in store.organisations}
    verdicts = []
    for record in await provenance.get_lineage(artifact_id):
        block = await _block_number(ledger, project, record.tx_id)
        pinned = tuple(msp_names.get(msp, msp) for msp in record.pinned_on)
        stored = StoredArtifact(record.artifact_id, record.cid, record.sha256, record.size, pinned)
        servers = [o for o in (via or stored.pinned_on) if o in store.organisations]
        status, why = "missing", f"none of the nodes that pin it ({', '.join(stored.pinned_on)}) is reachable"
        for org in servers:
            try:
                await store.verify(stored, data_key_for(record.wrapped_key_epoch), via=org)
            except ArtifactAltered as altered:
                status, why = "altered", f"as {org}'s node serves it: {altered}"
                break
            except ArtifactMissing as missing:
                why = f"{org}'s node: {missing}"
                continue
            except ArtifactError as error:
                status, why = "altered", f"as {org}'s node serves it: {error}"
                break
            status, why = "intact", ""
            break
        if status == "intact":
            distrust = await _standing(ledger, members, record)
            if distrust:
                status, why = "distrusted", distrust
        verdicts.append(Verdict(record.artifact_id, status, block, record.tx_id, record.creator_msp, why))
    return verdicts
