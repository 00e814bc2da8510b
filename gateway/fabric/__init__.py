"""A Fabric Gateway client for Python: submit, evaluate and listen to chaincode over gRPC.

It mirrors the official fabric-gateway clients (Gateway → Network → Contract; Proposal →
Transaction → Commit for the step-by-step flow and offline signing; chaincode and block events
with checkpoints) and knows nothing about bcmlp. The caller owns the ``grpc.aio`` channel::

    identity, signer = load_msp_identity(msp_dir, "Org1MSP")
    async with grpc.aio.secure_channel(peer_address, credentials) as channel:
        gateway = Gateway.connect(identity=identity, signer=signer, client=channel)
        contract = gateway.network("mychannel").contract("registry", "Registry")
        result = await contract.submit("RegisterMember", args=["alice"])
"""

from .block_events import BlockEventsRequest
from .checkpointer import Checkpoint, Checkpointer, FileCheckpointer
from .commit import Commit, Status, SubmittedTransaction
from .contract import Argument, Contract
from .errors import (
    CommitError,
    CommitStatusError,
    EndorseError,
    ErrorDetail,
    EvaluateError,
    EventsError,
    GatewayError,
    SubmitError,
    parse_error_details,
)
from .events import ChaincodeEvent, ChaincodeEventsRequest, EventStream, events_after_checkpoint
from .gateway import Gateway
from .identity import X509Identity, load_msp_identity, tls_certificate_hash
from .network import Network
from .proposal import Proposal
from .signer import (
    EcdsaSigner,
    Ed25519Signer,
    Signer,
    ecdsa_signer_from_key,
    ed25519_signer_from_key,
    message_digest,
    normalize_ecdsa_signature,
    signer_from_pem,
)
from .transaction import Transaction

__all__ = [
    "Argument",
    "BlockEventsRequest",
    "ChaincodeEvent",
    "ChaincodeEventsRequest",
    "Checkpoint",
    "Checkpointer",
    "Commit",
    "CommitError",
    "CommitStatusError",
    "Contract",
    "EcdsaSigner",
    "Ed25519Signer",
    "EndorseError",
    "ErrorDetail",
    "EvaluateError",
    "EventStream",
    "EventsError",
    "FileCheckpointer",
    "Gateway",
    "GatewayError",
    "Network",
    "Proposal",
    "Signer",
    "Status",
    "SubmitError",
    "SubmittedTransaction",
    "Transaction",
    "X509Identity",
    "ecdsa_signer_from_key",
    "ed25519_signer_from_key",
    "events_after_checkpoint",
    "load_msp_identity",
    "message_digest",
    "normalize_ecdsa_signature",
    "parse_error_details",
    "signer_from_pem",
    "tls_certificate_hash",
]
