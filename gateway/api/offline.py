"""Offline signing through the gateway service: the member keeps its key and signs each digest itself.

The flow is the official Gateway clients' one, over HTTP and stateless (every step carries the bytes
the previous step returned):

1. ``POST /v1/offline/proposals`` with the member's id, its enrolment certificate and the call: the
   service builds the unsigned proposal and answers its bytes and SHA-256 digest;
2. ``POST /v1/offline/endorsements`` with the proposal and the member's signature of its digest: the
   service has it endorsed and answers the unsigned transaction and its digest;
3. ``POST /v1/offline/submissions`` with the transaction and its signature: the service submits it
   to ordering and answers the unsigned commit-status request and its digest;
4. ``POST /v1/offline/commits`` with that request and its signature: the service waits for the commit
   and answers the block, or a 409 naming the validation code.

Each step reads the creator out of the bytes themselves and refuses bytes whose creator is not the
signed-in member: the common name and the issuing CA of the enrolment certificate inside must be those
of the TLS certificate presented, and the registry must bind that certificate to the member, active.
Only the organisation's channels and the consortium's two contracts are reachable.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from cryptography import x509

from gateway.api.callers import Callers
from gateway.api.problems import ApiError
from gateway.api.wallet import common_name
from gateway.consortium import load_consortium
from gateway.fabric import Gateway, GatewayError, X509Identity
from gateway.fabric._protos import common_pb2, gateway_pb2, identities_pb2, proposal_pb2
from gateway.fabric.proposal import channel_header_of
from gateway.ledger import LedgerError, client_id

CHAINCODES = ("registry", "provenance")


def decode(body: dict[str, Any], field: str) -> bytes:
    if field not in body:
        raise ApiError(400, "invalid_request", f"{field} is required: the bytes of the previous step")
    try:
        return base64.b64decode(body[field], validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(400, "invalid_request", f"{field} is not base64") from None


def encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@dataclass(frozen=True)
class OfflineSigner:
    """OfflineSigner is a signed-in member that signs offline: its identity as the bytes carry it."""

    member_id: str
    identity: X509Identity
    gateway: Gateway


class Offline:
    """Offline runs the four steps for one organisation's service (module doc)."""

    def __init__(self, callers: Callers) -> None:
        self.callers = callers

    async def member(self, tls_der: bytes | None, member_id: str, creator: X509Identity) -> OfflineSigner:
        """member checks that creator (from the request's bytes or body) is the member signed in with the
        TLS certificate tls_der, and bound to member_id in the registry, active."""
        if tls_der is None:
            raise ApiError(
                401, "no_certificate", "sign in with mutual TLS: present your Fabric CA certificate"
            )
        presented = x509.load_der_x509_certificate(tls_der)
        self.callers.refuse_revoked(presented)
        organisation = self.callers.organisation
        if creator.msp_id != organisation.msp_id:
            raise ApiError(
                403,
                "wrong_organisation",
                f"the bytes are signed as {creator.msp_id}, not as {organisation.msp_id}",
            )
        try:
            certificate = x509.load_pem_x509_certificate(creator.certificate_pem)
        except ValueError:
            raise ApiError(
                400, "invalid_request", "the creator's certificate is not a PEM certificate"
            ) from None
        self.callers.refuse_revoked(certificate)
        if common_name(certificate) != common_name(presented) or certificate.issuer != presented.issuer:
            raise ApiError(
                403,
                "not_the_signer",
                f"the bytes are made for {common_name(certificate)}, but you signed in as "
                f"{common_name(presented)}",
            )
        gateway = Gateway.connect(
            identity=creator, client=self.callers.peer, tls_client_certificate_hash=self.callers.tls_hash
        )
        try:
            standing = await self.callers.reader.get_standing(member_id)
        except LedgerError as error:
            if "does not exist" in error.said:
                raise ApiError(403, "not_a_member", f"the registry knows no member {member_id}") from None
            raise
        if standing.identity != client_id(creator.certificate_pem):
            raise ApiError(
                403,
                "identity_mismatch",
                f"member {member_id} is bound to {standing.identity}, not to this certificate",
            )
        if standing.status != "active":
            raise ApiError(
                403, f"member_{standing.status}", f"member {member_id} is {standing.status} in the registry"
            )
        return OfflineSigner(member_id, creator, gateway)

    def channel(self, name: str) -> None:
        """channel refuses a channel the organisation is not on, as the network description says now
        (project channels are made while the service runs)."""
        consortium = load_consortium(self.callers.consortium.run_dir)
        channels = [c for c, orgs in consortium.channels.items() if self.callers.organisation.name in orgs]
        if name not in channels:
            raise ApiError(
                403,
                "forbidden",
                f"channel {name!r} is not one of {self.callers.organisation.name}'s: "
                + ", ".join(sorted(channels)),
            )

    async def propose(self, tls_der: bytes | None, body: dict[str, Any]) -> dict[str, Any]:
        try:
            creator = X509Identity(self.callers.organisation.msp_id, body["certificate"].encode())
        except ValueError as error:
            raise ApiError(400, "invalid_request", f"certificate: {error}") from None
        signer = await self.member(tls_der, body["memberId"], creator)
        self.channel(body["channel"])
        if body["chaincode"] not in CHAINCODES:
            raise ApiError(
                400,
                "invalid_request",
                f"chaincode {body['chaincode']!r} is not one of {', '.join(CHAINCODES)}",
            )
        contract = signer.gateway.network(body["channel"]).contract(body["chaincode"], body["chaincode"])
        proposal = contract.new_proposal(body["function"], args=[str(a) for a in body.get("args", [])])
        return {
            "transactionId": proposal.transaction_id,
            "proposal": encode(proposal.get_bytes()),
            "digest": encode(proposal.get_digest()),
        }

    async def endorse(self, tls_der: bytes | None, body: dict[str, Any]) -> dict[str, Any]:
        raw = decode(body, "proposal")
        creator = _proposal_creator(raw)
        signer = await self.member(tls_der, body["memberId"], creator)
        try:
            proposal = signer.gateway.new_signed_proposal(raw, decode(body, "signature"))
            self.channel(proposal.channel_name)
            transaction = await proposal.endorse()
        except ValueError as error:
            raise ApiError(400, "invalid_request", str(error)) from None
        except GatewayError as error:
            raise LedgerError.from_gateway_error("offline endorse", error) from None
        return {
            "transactionId": transaction.transaction_id,
            "transaction": encode(transaction.get_bytes()),
            "digest": encode(transaction.get_digest()),
        }

    async def submit(self, tls_der: bytes | None, body: dict[str, Any]) -> dict[str, Any]:
        raw = decode(body, "transaction")
        creator = _transaction_creator(raw)
        signer = await self.member(tls_der, body["memberId"], creator)
        try:
            transaction = signer.gateway.new_signed_transaction(raw, decode(body, "signature"))
            submitted = await transaction.submit()
        except ValueError as error:
            raise ApiError(400, "invalid_request", str(error)) from None
        except GatewayError as error:
            raise LedgerError.from_gateway_error("offline submit", error) from None
        return {
            "transactionId": submitted.transaction_id,
            "commit": encode(submitted.get_bytes()),
            "digest": encode(submitted.get_digest()),
        }

    async def commit(self, tls_der: bytes | None, body: dict[str, Any]) -> dict[str, Any]:
        raw = decode(body, "commit")
        try:
            request = gateway_pb2.CommitStatusRequest.FromString(
                gateway_pb2.SignedCommitStatusRequest.FromString(raw).request
            )
            creator = _identity(bytes(request.identity))
        except Exception:
            raise ApiError(
                400, "invalid_request", "commit is not a commit-status request of step 3"
            ) from None
        signer = await self.member(tls_der, body["memberId"], creator)
        try:
            status = await signer.gateway.new_signed_commit(raw, decode(body, "signature")).get_status()
        except ValueError as error:
            raise ApiError(400, "invalid_request", str(error)) from None
        except GatewayError as error:
            raise LedgerError.from_gateway_error("offline commit", error) from None
        if not status.successful:
            raise ApiError(
                409,
                "commit_failed",
                f"transaction {status.tx_id} committed as invalid: {status.code_name}",
                transactionId=status.tx_id,
            )
        return {"transactionId": status.tx_id, "blockNumber": status.block_number}


def _identity(serialized: bytes) -> X509Identity:
    identity = identities_pb2.SerializedIdentity.FromString(serialized)
    return X509Identity(identity.mspid, bytes(identity.id_bytes))


def _proposal_creator(raw: bytes) -> X509Identity:
    try:
        proposed = gateway_pb2.ProposedTransaction.FromString(raw)
        proposal = proposal_pb2.Proposal.FromString(proposed.proposal.proposal_bytes)
        header = common_pb2.Header.FromString(proposal.header)
        channel_header_of(proposed.proposal.proposal_bytes)
        return _identity(common_pb2.SignatureHeader.FromString(header.signature_header).creator)
    except Exception:
        raise ApiError(400, "invalid_request", "proposal is not the proposal of step 1") from None


def _transaction_creator(raw: bytes) -> X509Identity:
    try:
        prepared = gateway_pb2.PreparedTransaction.FromString(raw)
        payload = common_pb2.Payload.FromString(prepared.envelope.payload)
        return _identity(common_pb2.SignatureHeader.FromString(payload.header.signature_header).creator)
    except Exception:
        raise ApiError(400, "invalid_request", "transaction is not the transaction of step 2") from None
