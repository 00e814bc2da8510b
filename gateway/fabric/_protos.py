"""The generated protobuf modules this package uses, imported in one place.

fabric_protos ships a py.typed marker but no stubs, and its message classes are created at
import time, so mypy can see none of them; google.protobuf and google.rpc have no stubs installed either. Mypy
therefore sees every module here as Any, and the rest of the package converts proto values to
plain Python types (bytes, str, int) at the boundary, so that untyped values do not spread.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    ab_pb2: Any
    chaincode_event_pb2: Any
    chaincode_pb2: Any
    common_pb2: Any
    configtx_pb2: Any
    events_pb2: Any
    events_pb2_grpc: Any
    gateway_pb2: Any
    gateway_pb2_grpc: Any
    identities_pb2: Any
    kv_rwset_pb2: Any
    msp_config_pb2: Any
    proposal_pb2: Any
    protobuf_message: Any
    proposal_response_pb2: Any
    rwset_pb2: Any
    status_pb2: Any
    transaction_pb2: Any
else:
    from fabric_protos.common import common_pb2, configtx_pb2
    from fabric_protos.gateway import gateway_pb2, gateway_pb2_grpc
    from fabric_protos.ledger.rwset import rwset_pb2
    from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
    from fabric_protos.msp import identities_pb2, msp_config_pb2
    from fabric_protos.orderer import ab_pb2
    from fabric_protos.peer import (
        chaincode_event_pb2,
        chaincode_pb2,
        events_pb2,
        events_pb2_grpc,
        proposal_pb2,
        proposal_response_pb2,
        transaction_pb2,
    )
    from google.protobuf import message as protobuf_message
    from google.rpc import status_pb2

ProtoMessage = Any
"""A generated protobuf message; typed as Any for the reason in the module docstring."""

__all__ = [
    "ProtoMessage",
    "ab_pb2",
    "chaincode_event_pb2",
    "chaincode_pb2",
    "common_pb2",
    "configtx_pb2",
    "events_pb2",
    "events_pb2_grpc",
    "gateway_pb2",
    "gateway_pb2_grpc",
    "identities_pb2",
    "kv_rwset_pb2",
    "msp_config_pb2",
    "proposal_pb2",
    "proposal_response_pb2",
    "protobuf_message",
    "rwset_pb2",
    "status_pb2",
    "transaction_pb2",
]
