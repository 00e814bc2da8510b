"""gateway.artifacts.project_keys against a scripted ledger: an epoch made for the listed members with keys,
sent as the contract takes it, opened by each of them with its own keyring from what the ledger answers;
a keyless member named and left out, a removed member and an outsider holding no copy."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest

from gateway.artifacts.keys import (
    KeyEpoch,
    KeyWrapError,
    MemberKeyring,
    NotARecipient,
    create_key_agreement_key,
    key_id_of,
    public_key_pem,
)
from gateway.artifacts.project_keys import (
    NoKeyEpoch,
    current_data_key,
    data_key_for_epoch,
    rotate_project_key,
)
from gateway.ledger import KeyEpochSummary, Ledger, RecordedKeyEpoch


@dataclass
class Entry:
    member_id: str
    status: str = "listed"


@dataclass
class Key:
    key_id: str
    public_key_pem: str


@dataclass
class Committed:
    transaction_id: str


@dataclass
class FakeLedger:
    """FakeLedger answers what project_keys asks: the member list, key histories, recorded epochs."""

    members: list[Entry]
    keys: dict[str, list[Key]]
    epochs: list[KeyEpoch] = field(default_factory=list)

    def provenance(self, project: str) -> FakeLedger:
        return self

    @property
    def registry(self) -> FakeLedger:
        return self

    async def get_members(self) -> list[Entry]:
        return self.members

    async def get_key_agreement_keys(self, member_id: str) -> list[Key]:
        return self.keys.get(member_id, [])

    async def get_key_epochs(self) -> tuple[KeyEpochSummary, ...]:
        return tuple(KeyEpochSummary(e.epoch, tuple(sorted(e.members)), "", "", "") for e in self.epochs)

    async def get_key_epoch(self, epoch: int) -> RecordedKeyEpoch:
        return RecordedKeyEpoch(self.epochs[epoch - 1], "", "", "", "", "")

    async def record_key_epoch(self, epoch: KeyEpoch) -> Committed:
        assert epoch.epoch == len(self.epochs) + 1
        self.epochs.append(KeyEpoch.from_json(epoch.to_json()))  # as the ledger keeps it
        return Committed(f"tx-{epoch.epoch}")


def member(tmp_path: Path, name: str) -> tuple[MemberKeyring, Key]:
    folder = tmp_path / name
    folder.mkdir()
    public = create_key_agreement_key(folder).public_key()
    return MemberKeyring.load(folder, member_id=name), Key(key_id_of(public), public_key_pem(public))


async def test_epochs_go_to_the_listed_members_with_keys_and_each_opens_its_own(tmp_path: Path) -> None:
    ana, ana_key = member(tmp_path, "ana")
    ben, ben_key = member(tmp_path, "ben")
    gone, gone_key = member(tmp_path, "gone")
    fake = FakeLedger(
        [Entry("ana"), Entry("ben"), Entry("cleo"), Entry("gone", "removed")],
        {"ana": [ana_key], "ben": [ben_key], "gone": [gone_key]},
    )
    ledger = cast(Ledger, fake)
    with pytest.raises(NoKeyEpoch, match="has no key epoch yet"):
        await current_data_key(ledger, "p", ana)

    first = await rotate_project_key(ledger, "p")
    assert (first.epoch, first.tx_id, first.keyless) == (1, "tx-1", ("cleo",))
    assert fake.epochs[0].members == {"ana", "ben"}
    assert await current_data_key(ledger, "p", ben) == (1, first.data_key)

    second = await rotate_project_key(ledger, "p")
    assert second.data_key != first.data_key
    assert await current_data_key(ledger, "p", ana) == (2, second.data_key)
    assert await data_key_for_epoch(ledger, "p", ana, 1) == first.data_key
    with pytest.raises(NotARecipient, match="member gone holds no copy of the data key of epoch 2"):
        await data_key_for_epoch(ledger, "p", gone, 2)
    with pytest.raises(NoKeyEpoch, match=r"no key epoch 3 on its channel \(recorded: 1, 2\)"):
        await data_key_for_epoch(ledger, "p", ana, 3)


async def test_no_epoch_without_a_member_that_has_a_key(tmp_path: Path) -> None:
    fake: Any = FakeLedger([Entry("cleo")], {})
    with pytest.raises(KeyWrapError, match="listed without one: cleo"):
        await rotate_project_key(cast(Ledger, fake), "p")
    assert fake.epochs == []
