"""A project's data keys as its channel records them: key epochs read from and recorded on the ledger.

Each epoch (``provenance:RecordKeyEpoch``) holds the epoch's data key wrapped once for every member
listed on the project channel that has registered a key-agreement key, each copy for the member's
current key (gateway.artifacts.keys). A member reads an epoch from the ledger and opens its own copy
with its keyring; ``rotate_project_key`` makes the next epoch for the members listed now, so that a
member removed since cannot read what is encrypted from then on. A listed member that has registered
no key gets no copy (the contract checks that against the registry) and reads nothing of that epoch;
it gets one in the first epoch recorded after it registers a key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gateway.artifacts.keys import (
    KeyEpoch,
    KeyWrapError,
    MemberKey,
    MemberKeyring,
    NotARecipient,
    new_data_key,
    wrap_for_member,
)

if TYPE_CHECKING:
    from gateway.ledger import Ledger


class NoKeyEpoch(KeyWrapError):
    """NoKeyEpoch: the project channel has no key epoch recorded (or not the one asked for)."""


@dataclass(frozen=True, slots=True)
class Rotation:
    """Rotation is a new epoch recorded on the channel: its number and data key (for the caller to
    encrypt with), the transaction that recorded it, and the listed members left without a copy
    because they have registered no key-agreement key."""

    epoch: int
    data_key: bytes
    tx_id: str
    keyless: tuple[str, ...]


async def member_keyring(ledger: Ledger, project: str, identity_dir: str | os.PathLike[str]) -> MemberKeyring:
    """member_keyring is the keyring of the member whose identity is identity_dir's, found on the project
    channel's member list (removed members too: they still open the epochs of their time).

    Raises NotARecipient when the identity is on no entry of the list, so holds no copy of any epoch.
    """
    from gateway.ledger import client_id  # gateway.ledger imports gateway.artifacts

    identity = client_id((Path(identity_dir) / "msp" / "signcerts" / "cert.pem").read_bytes())
    for member in await ledger.provenance(project).get_members():
        if member.identity == identity:
            return MemberKeyring.load(identity_dir, member_id=member.member_id)
    raise NotARecipient(
        f"identity {identity} is on no entry of project {project}'s member list, so it holds no copy of the "
        "project's data keys: an admin of its organisation lists its member (add_member), then a writer "
        "records the next epoch (rotate_project_key)"
    )


async def latest_epoch(ledger: Ledger, project: str) -> int:
    """latest_epoch is the number of the project's latest recorded key epoch, 0 before the first."""
    epochs = await ledger.provenance(project).get_key_epochs()
    return epochs[-1].epoch if epochs else 0


async def data_key_for_epoch(ledger: Ledger, project: str, keyring: MemberKeyring, epoch: int) -> bytes:
    """data_key_for_epoch reads key epoch ``epoch`` of the project from the ledger and opens the member's
    copy with its keyring.

    Raises NoKeyEpoch when the epoch is not recorded, NotARecipient when the member holds no copy of it,
    KeyNotHeld when the keyring lacks the private key the copy names.
    """
    provenance = ledger.provenance(project)
    recorded = {e.epoch for e in await provenance.get_key_epochs()}
    if epoch not in recorded:
        have = ", ".join(str(e) for e in sorted(recorded)) or "none"
        raise NoKeyEpoch(
            f"project {project} has no key epoch {epoch} on its channel (recorded: {have}): an artifact's "
            "epoch is always recorded, so check the project and artifact"
        )
    return (await provenance.get_key_epoch(epoch)).epoch.unwrap(keyring)


async def current_data_key(ledger: Ledger, project: str, keyring: MemberKeyring) -> tuple[int, bytes]:
    """current_data_key is the project's latest key epoch and its data key, the one new artifacts are
    encrypted under, opened with the member's keyring.

    Raises NoKeyEpoch before the first epoch is recorded (``make project`` records it), NotARecipient
    or KeyNotHeld as data_key_for_epoch.
    """
    latest = await latest_epoch(ledger, project)
    if latest == 0:
        raise NoKeyEpoch(
            f"project {project} has no key epoch yet: `make project-init NAME={project}` records the first "
            "once its members have key-agreement keys (or call rotate_project_key)"
        )
    return latest, await data_key_for_epoch(ledger, project, keyring, latest)


async def recipients(ledger: Ledger, project: str) -> tuple[list[MemberKey], list[str]]:
    """recipients are the current key-agreement keys of the members listed on the project channel, and
    the ids of the listed members that have registered none."""
    keys, keyless = [], []
    for member in await ledger.provenance(project).get_members():
        if member.status != "listed":
            continue
        history = await ledger.registry.get_key_agreement_keys(member.member_id)
        if not history:
            keyless.append(member.member_id)
            continue
        current = history[-1]
        keys.append(
            MemberKey.from_pem(
                member_id=member.member_id, public_key_pem=current.public_key_pem, key_id=current.key_id
            )
        )
    return keys, keyless


async def rotate_project_key(ledger: Ledger, project: str) -> Rotation:
    """rotate_project_key makes the project's next data key, wraps it for every member listed now that has
    a key-agreement key (each for its current key, as the registry records it) and records the epoch on
    the channel, as the ledger's member, which must be a writer there.

    Raises KeyWrapError when no listed member has a key. The contract refuses the epoch if the list or a
    key changed meanwhile, or another writer recorded the same epoch number first; call it again then.
    """
    members, keyless = await recipients(ledger, project)
    if not members:
        raise KeyWrapError(
            f"no member listed on project {project} has a key-agreement key to wrap a data key for "
            f"(listed without one: {', '.join(keyless) or 'none'}): each registers one "
            "(gateway.artifacts.provision_key_agreement_key)"
        )
    epoch = await latest_epoch(ledger, project) + 1
    data_key = new_data_key()
    wrapped = KeyEpoch(epoch, tuple(wrap_for_member(data_key, m, epoch=epoch) for m in members))
    committed = await ledger.provenance(project).record_key_epoch(wrapped)
    return Rotation(epoch, data_key, committed.transaction_id, tuple(keyless))
