"""Data keys are wrapped for members' own key-agreement keys: each member opens its copy with its private
key, old epochs stay readable after the member makes a new key, and nobody else opens anything."""

from __future__ import annotations

import dataclasses
import json
import logging
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from gateway.artifacts import (
    KeyEpoch,
    KeyNotHeld,
    KeyWrapError,
    MemberKey,
    MemberKeyring,
    NotARecipient,
    create_key_agreement_key,
    key_id_of,
    new_data_key,
    provision_key_agreement_key,
    rotate,
    unwrap_data_key,
    wrap_data_key,
    wrap_for_member,
)
from gateway.artifacts.keys import KAK_FOLDER, MEMBER_KEY_SCHEME, public_key_pem
from tests.unit.certs import self_signed_pem

REGISTRY_GOLDEN = Path(__file__).resolve().parents[2] / "chaincode" / "registry" / "testdata"


class Member:
    """A member with an identity folder, its keyring and the keys it registered (as the registry would)."""

    def __init__(self, member_id: str, root: Path) -> None:
        self.member_id = member_id
        self.identity_dir = root / member_id
        self.identity_dir.mkdir()
        self.registered: list[X25519PublicKey] = []

    async def register_key_agreement_key(self, public_key: X25519PublicKey) -> object:
        self.registered.append(public_key)
        return None

    async def new_key(self) -> MemberKey:
        public = await provision_key_agreement_key(self.identity_dir, self)
        return MemberKey.from_pem(member_id=self.member_id, public_key_pem=public_key_pem(public))

    @property
    def keyring(self) -> MemberKeyring:
        return MemberKeyring.load(self.identity_dir, member_id=self.member_id)


def test_a_copy_names_its_member_and_key_and_only_that_key_opens_it(tmp_path: Path) -> None:
    private = create_key_agreement_key(tmp_path)
    recipient = MemberKey.from_pem(member_id="alice", public_key_pem=public_key_pem(private.public_key()))
    key = new_data_key()
    copy = wrap_for_member(key, recipient, epoch=3)
    assert (copy.member_id, copy.recipient, copy.epoch, copy.scheme) == (
        "alice",
        key_id_of(private.public_key()),
        3,
        MEMBER_KEY_SCHEME,
    )
    assert key not in copy.ciphertext and len(copy.ephemeral_public_key) == 32
    assert unwrap_data_key(copy, private) == key
    assert wrap_data_key(key, recipient, epoch=3).member_id == "alice"  # either entry point

    with pytest.raises(KeyWrapError, match="another member's key"):
        unwrap_data_key(copy, X25519PrivateKey.generate())
    with pytest.raises(KeyWrapError, match="such as its signing key"):
        unwrap_data_key(copy, ec.generate_private_key(ec.SECP256R1()))


@pytest.mark.parametrize(
    "change",
    [
        {"member_id": "mallory"},
        {"epoch": 4},
        {"nonce": bytes(12)},
        {"ciphertext": b"\x00" * 48},
        {"ephemeral_public_key": X25519PrivateKey.generate().public_key().public_bytes_raw()},
    ],
)
def test_a_copy_relabelled_or_altered_fails_authentication(tmp_path: Path, change: dict[str, object]) -> None:
    private = create_key_agreement_key(tmp_path)
    recipient = MemberKey.from_pem(member_id="alice", public_key_pem=public_key_pem(private.public_key()))
    copy = wrap_for_member(new_data_key(), recipient, epoch=3)
    with pytest.raises(KeyWrapError, match="fails authentication"):
        unwrap_data_key(dataclasses.replace(copy, **change), private)  # type: ignore[arg-type]


async def test_a_member_opens_old_epochs_with_its_old_key_after_registering_a_new_one(tmp_path: Path) -> None:
    alice, bob = Member("alice", tmp_path), Member("bob", tmp_path)
    alice_1, bob_1 = await alice.new_key(), await bob.new_key()
    key1, epoch1 = rotate(None, [alice_1, bob_1])
    assert epoch1.members == {"alice", "bob"} and epoch1.recipients == {alice_1.key_id, bob_1.key_id}

    # alice replaces her key (a new device, a suspected leak): the next epoch is wrapped for the new one
    alice_2 = await alice.new_key()
    assert alice.registered == [alice_1.public_key, alice_2.public_key]
    key2, epoch2 = rotate(epoch1, [alice_2, bob_1])
    assert epoch2.copy_for("alice").recipient == alice_2.key_id

    # her keyring keeps both private keys, so she opens both epochs
    assert set(alice.keyring.keys) == {alice_1.key_id, alice_2.key_id}
    assert epoch1.unwrap(alice.keyring) == key1 != key2 == epoch2.unwrap(alice.keyring)
    assert epoch1.unwrap(bob.keyring) == key1 and epoch2.unwrap(bob.keyring) == key2

    # without the old private key the old epoch names the key that is missing
    (alice.identity_dir / KAK_FOLDER / f"{alice_1.key_id}.pem").unlink()
    assert epoch2.unwrap(alice.keyring) == key2
    missing = f"epoch 1 is wrapped for its key-agreement key {alice_1.key_id[:16]}"
    with pytest.raises(KeyNotHeld, match=missing):
        epoch1.unwrap(alice.keyring)

    # bob leaves: epoch 3 is alice's alone, and bob is told he was not a member then
    key3, epoch3 = rotate(epoch2, [alice_2])
    assert epoch3.epoch == 3 and epoch3.unwrap(alice.keyring) == key3
    with pytest.raises(NotARecipient, match="member bob holds no copy of the data key of epoch 3"):
        epoch3.unwrap(bob.keyring)


async def test_a_non_recipient_is_refused_with_not_a_recipient(tmp_path: Path) -> None:
    alice, eve = Member("alice", tmp_path), Member("eve", tmp_path)
    _, epoch = rotate(None, [await alice.new_key()])
    await eve.new_key()
    with pytest.raises(NotARecipient, match="it was not a project member when that key was made"):
        epoch.unwrap(eve.keyring)
    # eve's keyring presented under alice's name finds alice's copy, but not alice's private key
    with pytest.raises(KeyNotHeld):
        epoch.unwrap(dataclasses.replace(eve.keyring, member_id="alice"))


async def test_rotation_refuses_a_member_or_key_listed_twice(tmp_path: Path) -> None:
    alice = Member("alice", tmp_path)
    first, second = await alice.new_key(), await alice.new_key()
    with pytest.raises(KeyWrapError, match="member alice is listed twice"):
        rotate(None, [first, second])
    with pytest.raises(KeyWrapError, match="is listed twice"):
        rotate(None, [first, dataclasses.replace(first, member_id="alias")])
    with pytest.raises(KeyWrapError, match="at least one member"):
        rotate(None, [])


async def test_an_epoch_is_kept_as_json_and_read_back(tmp_path: Path) -> None:
    alice, bob = Member("alice", tmp_path), Member("bob", tmp_path)
    key, epoch = rotate(None, [await alice.new_key(), await bob.new_key()])
    text = json.dumps(epoch.to_json())
    again = KeyEpoch.from_json(json.loads(text))
    assert again == epoch and again.unwrap(bob.keyring) == key
    record = json.loads(text)
    record["wrapped"][0]["epoch"] = 2
    with pytest.raises(KeyWrapError, match="holds a copy of another epoch"):
        KeyEpoch.from_json(record)
    record["wrapped"][0].update(epoch=1, nonce="***")
    with pytest.raises(KeyWrapError, match="nonce is not base64"):
        KeyEpoch.from_json(record)


def test_the_identity_folder_keeps_each_private_key_owner_only(tmp_path: Path) -> None:
    first = create_key_agreement_key(tmp_path)
    second = create_key_agreement_key(tmp_path)
    folder = tmp_path / KAK_FOLDER
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = sorted(folder.iterdir())
    assert [p.name for p in files] == sorted(f"{key_id_of(k.public_key())}.pem" for k in (first, second))
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    keyring = MemberKeyring.load(tmp_path, member_id="alice")
    assert set(keyring.keys) == {key_id_of(first.public_key()), key_id_of(second.public_key())}
    assert "PRIVATE" not in repr(keyring) and key_id_of(first.public_key()) in repr(keyring)


class Refusal(Exception):
    def __init__(self, stage: str) -> None:
        super().__init__(f"{stage} failed")
        self.stage = stage


class RefusingRegistry:
    def __init__(self, stage: str) -> None:
        self.stage = stage

    async def register_key_agreement_key(self, public_key: X25519PublicKey) -> object:
        raise Refusal(self.stage)


async def test_a_refused_registration_leaves_no_key_and_an_unknown_outcome_keeps_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(Refusal):
        await provision_key_agreement_key(tmp_path, RefusingRegistry("endorse"))
    assert list((tmp_path / KAK_FOLDER).iterdir()) == []
    # the transaction may have committed: the private key must stay, or its epochs would be lost
    with pytest.raises(Refusal):
        await provision_key_agreement_key(tmp_path, RefusingRegistry("commit status"))
    [kept] = list((tmp_path / KAK_FOLDER).iterdir())
    assert b"PRIVATE KEY" in kept.read_bytes()
    assert "PRIVATE" not in caplog.text


def test_a_registered_key_is_read_as_recorded_and_checked(tmp_path: Path) -> None:
    [first, current] = json.loads((REGISTRY_GOLDEN / "key_agreement_keys.json").read_text())
    key = MemberKey.from_pem(member_id="dana", public_key_pem=current["publicKey"], key_id=current["keyId"])
    assert key.key_id == current["keyId"]
    with pytest.raises(KeyWrapError, match=r"has the id \w+, not the recorded"):
        MemberKey.from_pem(member_id="dana", public_key_pem=current["publicKey"], key_id=first["keyId"])
    signing = ec.generate_private_key(ec.SECP256R1()).public_key()
    for wrong in (signing, ed25519.Ed25519PrivateKey.generate().public_key()):
        pem = wrong.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        with pytest.raises(KeyWrapError, match="X25519 keys only"):
            MemberKey.from_pem(member_id="dana", public_key_pem=pem)
    with pytest.raises(KeyWrapError, match="not a PEM public key"):
        MemberKey.from_pem(member_id="dana", public_key_pem="-----BEGIN PUBLIC KEY-----\n")


def test_the_certificate_scheme_still_wraps_for_old_callers() -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    cert = x509.load_pem_x509_certificate(self_signed_pem(private))
    key, epoch = rotate(None, [cert])
    assert epoch.unwrap(cert, private) == key
    assert epoch.members == frozenset()  # the old scheme recorded no member ids
    with pytest.raises(KeyWrapError, match="another member's key"):
        unwrap_data_key(epoch.wrapped[0], ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(KeyWrapError, match="wrapped for a certificate"):
        unwrap_data_key(epoch.wrapped[0], X25519PrivateKey.generate())
