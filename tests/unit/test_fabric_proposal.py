"""Proposals, transactions and commit requests are the exact signed messages a Fabric peer expects.

No test sends anything: the gRPC channel is created but never used.
"""

import datetime
import hashlib
from collections.abc import AsyncIterator

import grpc
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.msp import identities_pb2
from fabric_protos.peer import (
    chaincode_pb2,
    proposal_pb2,
    proposal_response_pb2,
    transaction_pb2,
)

from gateway.fabric import EcdsaSigner, Ed25519Signer, Gateway, Status, X509Identity
from gateway.fabric.commit import new_commit_status_request, validation_code_name
from gateway.fabric.transaction import Transaction, result_of
from tests.unit.certs import self_signed_pem

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def verify_ecdsa(key: ec.EllipticCurvePrivateKey, signature: bytes, message: bytes) -> None:
    key.public_key().verify(signature, message, ec.ECDSA(hashes.SHA256()))
    assert decode_dss_signature(signature)[1] <= P256_ORDER // 2


@pytest.fixture
async def channel() -> AsyncIterator[grpc.aio.Channel]:
    # Never called: building messages must not need a peer.
    async with grpc.aio.insecure_channel("localhost:1") as unused:
        yield unused


@pytest.fixture
def key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def identity(key: ec.EllipticCurvePrivateKey) -> X509Identity:
    return X509Identity("Org1MSP", self_signed_pem(key))


@pytest.fixture
def gateway(channel: grpc.aio.Channel, identity: X509Identity, key: ec.EllipticCurvePrivateKey) -> Gateway:
    return Gateway.connect(identity=identity, signer=EcdsaSigner(key), client=channel)


@pytest.fixture
def offline_gateway(channel: grpc.aio.Channel, identity: X509Identity) -> Gateway:
    return Gateway.connect(identity=identity, client=channel)


def parse_proposal(proposal_bytes: bytes) -> dict[str, object]:
    proposal = proposal_pb2.Proposal.FromString(proposal_bytes)
    header = common_pb2.Header.FromString(proposal.header)
    channel_header = common_pb2.ChannelHeader.FromString(header.channel_header)
    signature_header = common_pb2.SignatureHeader.FromString(header.signature_header)
    extension = proposal_pb2.ChaincodeHeaderExtension.FromString(channel_header.extension)
    payload = proposal_pb2.ChaincodeProposalPayload.FromString(proposal.payload)
    spec = chaincode_pb2.ChaincodeInvocationSpec.FromString(payload.input).chaincode_spec
    return {
        "channel_header": channel_header,
        "signature_header": signature_header,
        "header_chaincode": extension.chaincode_id.name,
        "spec": spec,
        "transient": dict(payload.TransientMap),
    }


async def test_signed_proposal_is_what_fabric_expects(
    gateway: Gateway, identity: X509Identity, key: ec.EllipticCurvePrivateKey
) -> None:
    contract = gateway.network("project-7").contract("provenance", "Provenance")

    proposal = contract.new_proposal(
        "RecordPhase",
        args=["phase-1", b"\x00\x01"],
        transient={"secret": b"s3cret"},
        endorsing_orgs=["Org1MSP", "Org2MSP"],
    )

    proposed = gateway_pb2.ProposedTransaction.FromString(proposal.get_bytes())
    parts = parse_proposal(proposed.proposal.proposal_bytes)
    channel_header = parts["channel_header"]
    signature_header = parts["signature_header"]
    spec = parts["spec"]
    assert isinstance(channel_header, common_pb2.ChannelHeader)
    assert isinstance(signature_header, common_pb2.SignatureHeader)
    assert isinstance(spec, chaincode_pb2.ChaincodeSpec)

    assert channel_header.type == common_pb2.HeaderType.ENDORSER_TRANSACTION
    assert channel_header.channel_id == "project-7"
    assert abs(channel_header.timestamp.seconds - datetime.datetime.now(datetime.UTC).timestamp()) < 60
    assert parts["header_chaincode"] == "provenance"
    assert spec.type == chaincode_pb2.ChaincodeSpec.Type.GOLANG
    assert spec.chaincode_id.name == "provenance"
    assert list(spec.input.args) == [b"Provenance:RecordPhase", b"phase-1", b"\x00\x01"]
    assert parts["transient"] == {"secret": b"s3cret"}
    assert list(proposed.endorsing_organizations) == ["Org1MSP", "Org2MSP"]

    creator = identities_pb2.SerializedIdentity.FromString(signature_header.creator)
    assert creator.mspid == "Org1MSP"
    assert creator.id_bytes == identity.certificate_pem
    assert len(signature_header.nonce) == 24
    expected_tx_id = hashlib.sha256(signature_header.nonce + signature_header.creator).hexdigest()
    assert channel_header.tx_id == expected_tx_id
    assert proposal.transaction_id == expected_tx_id
    assert proposed.transaction_id == expected_tx_id

    assert proposal.get_message() == proposed.proposal.proposal_bytes
    assert proposal.get_digest() == hashlib.sha256(proposed.proposal.proposal_bytes).digest()
    verify_ecdsa(key, proposed.proposal.signature, proposed.proposal.proposal_bytes)


async def test_each_proposal_has_a_fresh_nonce_and_transaction_id(gateway: Gateway) -> None:
    contract = gateway.network("ch").contract("cc")
    first, second = contract.new_proposal("Get"), contract.new_proposal("Get")
    assert first.transaction_id != second.transaction_id
    spec = parse_proposal(first.get_message())["spec"]
    assert isinstance(spec, chaincode_pb2.ChaincodeSpec)
    assert list(spec.input.args) == [b"Get"]  # default contract: no prefix


async def test_arguments_must_be_str_or_bytes(gateway: Gateway) -> None:
    contract = gateway.network("ch").contract("cc")
    with pytest.raises(TypeError, match=r"args\[1\] is int"):
        contract.new_proposal("Put", args=["a", 1])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="transient"):
        contract.new_proposal("Put", transient={"k": "not bytes"})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="function name is empty"):
        contract.new_proposal("")


async def test_offline_signing_round_trip_normalises_high_s(
    offline_gateway: Gateway, key: ec.EllipticCurvePrivateKey
) -> None:
    proposal = offline_gateway.network("ch").contract("cc").new_proposal("Put", args=["k", "v"])
    assert proposal.signature == b""
    with pytest.raises(ValueError, match="not signed"):
        await proposal.evaluate()  # refused before any call is made

    # A client signs the digest elsewhere; make its S high to prove the service fixes it.
    r, s = decode_dss_signature(EcdsaSigner(key).sign_digest(proposal.get_digest()))
    high_s = encode_dss_signature(r, P256_ORDER - s)

    signed = offline_gateway.new_signed_proposal(proposal.get_bytes(), high_s)

    assert signed.transaction_id == proposal.transaction_id
    assert signed.get_message() == proposal.get_message()
    verify_ecdsa(key, signed.signature, signed.get_message())


async def test_offline_signing_refuses_bad_input(offline_gateway: Gateway) -> None:
    proposal = offline_gateway.network("ch").contract("cc").new_proposal("Put")
    with pytest.raises(ValueError, match="signature is empty"):
        offline_gateway.new_signed_proposal(proposal.get_bytes(), b"")
    with pytest.raises(ValueError, match="DER-encoded"):
        offline_gateway.new_signed_proposal(proposal.get_bytes(), b"\x01" * 64)


async def test_offline_ed25519_signature_is_kept_as_is(channel: grpc.aio.Channel) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    gateway = Gateway.connect(identity=X509Identity("Org2MSP", self_signed_pem(key)), client=channel)
    proposal = gateway.network("ch").contract("cc").new_proposal("Put")
    signature = Ed25519Signer(key).sign(proposal.get_message())

    signed = gateway.new_signed_proposal(proposal.get_bytes(), signature)

    assert signed.signature == signature
    key.public_key().verify(signed.signature, signed.get_message())


def endorsed_envelope(*, channel: str, tx_id: str, result: bytes) -> common_pb2.Envelope:
    chaincode_action = proposal_pb2.ChaincodeAction(
        response=proposal_response_pb2.Response(status=200, payload=result)
    )
    response_payload = proposal_response_pb2.ProposalResponsePayload(
        extension=chaincode_action.SerializeToString()
    )
    action_payload = transaction_pb2.ChaincodeActionPayload(
        action=transaction_pb2.ChaincodeEndorsedAction(
            proposal_response_payload=response_payload.SerializeToString()
        )
    )
    transaction = transaction_pb2.Transaction(
        actions=[transaction_pb2.TransactionAction(payload=action_payload.SerializeToString())]
    )
    channel_header = common_pb2.ChannelHeader(
        type=common_pb2.HeaderType.ENDORSER_TRANSACTION, channel_id=channel, tx_id=tx_id
    )
    payload = common_pb2.Payload(
        header=common_pb2.Header(channel_header=channel_header.SerializeToString()),
        data=transaction.SerializeToString(),
    )
    return common_pb2.Envelope(payload=payload.SerializeToString())


def test_result_is_read_from_the_endorsed_envelope() -> None:
    assert result_of(endorsed_envelope(channel="ch", tx_id="t1", result=b'{"ok":true}')) == b'{"ok":true}'
    empty = common_pb2.Envelope(payload=common_pb2.Payload(data=b"").SerializeToString())
    with pytest.raises(ValueError, match="no actions"):
        result_of(empty)


async def test_transaction_signs_the_envelope_payload(
    gateway: Gateway, key: ec.EllipticCurvePrivateKey
) -> None:
    envelope = endorsed_envelope(channel="ch", tx_id="t1", result=b"r")
    prepared = gateway_pb2.PreparedTransaction(transaction_id="t1", envelope=envelope)

    transaction = Transaction.prepare(gateway._context, prepared)

    assert transaction.transaction_id == "t1"
    assert transaction.result == b"r"
    assert transaction.get_message() == envelope.payload
    verify_ecdsa(key, transaction.signature, envelope.payload)
    reparsed = gateway_pb2.PreparedTransaction.FromString(transaction.get_bytes())
    assert reparsed.envelope.signature == transaction.signature


async def test_offline_transaction_is_refused_until_signed(
    offline_gateway: Gateway, key: ec.EllipticCurvePrivateKey
) -> None:
    envelope = endorsed_envelope(channel="ch", tx_id="t2", result=b"r")
    unsigned = Transaction.prepare(
        offline_gateway._context, gateway_pb2.PreparedTransaction(transaction_id="t2", envelope=envelope)
    )
    with pytest.raises(ValueError, match="new_signed_transaction"):
        await unsigned.submit()

    signed = offline_gateway.new_signed_transaction(
        unsigned.get_bytes(), EcdsaSigner(key).sign_digest(unsigned.get_digest())
    )
    verify_ecdsa(key, signed.signature, envelope.payload)


async def test_commit_status_request_names_transaction_channel_and_identity(
    gateway: Gateway, identity: X509Identity, key: ec.EllipticCurvePrivateKey
) -> None:
    signed = new_commit_status_request(gateway._context, transaction_id="t3", channel_name="ch")

    request = gateway_pb2.CommitStatusRequest.FromString(signed.request)
    assert request.transaction_id == "t3"
    assert request.channel_id == "ch"
    assert request.identity == identity.serialized()
    verify_ecdsa(key, signed.signature, signed.request)


async def test_offline_commit_round_trip(offline_gateway: Gateway, key: ec.EllipticCurvePrivateKey) -> None:
    unsigned = new_commit_status_request(offline_gateway._context, transaction_id="t4", channel_name="ch")
    assert unsigned.signature == b""
    digest = hashlib.sha256(unsigned.request).digest()

    commit = offline_gateway.new_signed_commit(
        unsigned.SerializeToString(), EcdsaSigner(key).sign_digest(digest)
    )

    assert commit.transaction_id == "t4"
    assert commit.get_digest() == digest
    verify_ecdsa(key, commit.signature, unsigned.request)
    with pytest.raises(ValueError, match="could not be decoded"):
        offline_gateway.new_signed_commit(b"\xff\xff", commit.signature)


def test_status_code_names() -> None:
    assert Status(code=0, block_number=3, tx_id="t", successful=True).code_name == "VALID"
    assert validation_code_name(11) == "MVCC_READ_CONFLICT"
    assert validation_code_name(9999) == "UNKNOWN_VALIDATION_CODE_9999"


async def test_deadlines_must_be_positive(channel: grpc.aio.Channel, identity: X509Identity) -> None:
    with pytest.raises(ValueError, match="endorse_timeout"):
        Gateway.connect(identity=identity, client=channel, endorse_timeout=0)
