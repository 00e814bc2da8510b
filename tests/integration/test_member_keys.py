"""Members register their own key-agreement keys on the running mainchain, keep their history, and open
data keys wrapped for old and new keys; nobody registers for someone else."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from gateway.artifacts import MemberKey, MemberKeyring, NotARecipient, provision_key_agreement_key, rotate
from gateway.ledger import Committed, RegistryClient, open_ledger
from tests.integration.founding import Governance, founder_id, new_identity, refusal


class Recorded:
    """Recorded registers through a RegistryClient and keeps each committed transaction, to settle on."""

    def __init__(self, registry: RegistryClient) -> None:
        self.registry = registry
        self.committed: list[Committed] = []

    async def register_key_agreement_key(self, public_key: X25519PublicKey) -> Committed:
        committed = await self.registry.register_key_agreement_key(public_key)
        self.committed.append(committed)
        return committed


async def test_a_member_registers_new_keys_and_still_opens_old_epochs(governance: Governance) -> None:
    identity_dir = new_identity(governance.network, "ModelTrainer", "keys-vera")
    async with open_ledger(
        governance.network.consortium, organisation="ModelTrainer", identity_dir=identity_dir
    ) as own:
        await governance.settle(await own.registry.request_enrolment("keys-vera", role="viewer"))
        recorded = Recorded(own.registry)
        first = await provision_key_agreement_key(identity_dir, recorded)
        await governance.settle(recorded.committed[-1].transaction_id)

        founder = governance.founder("Manufacturer").registry
        current = await founder.get_key_agreement_key("keys-vera")
        vera_1 = MemberKey.from_pem(
            member_id="keys-vera", public_key_pem=current.public_key_pem, key_id=current.key_id
        )
        assert vera_1.public_key == first and current.current
        key1, epoch1 = rotate(None, [vera_1])

        # a new key pair: the first key is retired, kept in the history, and still opens epoch 1
        second = await provision_key_agreement_key(identity_dir, recorded)
        await governance.settle(recorded.committed[-1].transaction_id)
        old, new = await founder.get_key_agreement_keys("keys-vera")
        assert (old.key_id, old.retired_tx_id, new.number) == (vera_1.key_id, new.tx_id, 2)
        vera_2 = MemberKey.from_pem(
            member_id="keys-vera", public_key_pem=new.public_key_pem, key_id=new.key_id
        )
        assert vera_2.public_key == second
        key2, epoch2 = rotate(epoch1, [vera_2])
        keyring = MemberKeyring.load(identity_dir, member_id="keys-vera")
        assert (epoch1.unwrap(keyring), epoch2.unwrap(keyring)) == (key1, key2)

        # the same key again is refused, and so is hers under a founder's name
        assert "is already key 2 of member" in await refusal(own.registry.register_key_agreement_key(second))
        reason = await refusal(founder.register_key_agreement_key(second))
        assert "is registered to another member" in reason
        founder_keys = await founder.get_key_agreement_keys(founder_id("Manufacturer"))
        assert vera_2.key_id not in {k.key_id for k in founder_keys}

    # an identity bound to no member registers nothing, and no epoch of vera's opens for a founder
    async with open_ledger(
        governance.network.consortium, organisation="QualityControl", identity_dir=governance.clerk_dir
    ) as clerk:
        stray = X25519PrivateKey.generate().public_key()
        assert "is not bound to any member" in await refusal(clerk.registry.register_key_agreement_key(stray))
    try:
        epoch2.unwrap(MemberKeyring(founder_id("Manufacturer"), {}))
    except NotARecipient:
        pass
    else:
        raise AssertionError("a founder opened vera's epoch")
