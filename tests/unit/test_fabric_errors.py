"""Gateway errors keep the stage, the transaction id and every peer's reason from the gRPC status."""

import grpc
import pytest
from fabric_protos.gateway import gateway_pb2
from google.protobuf import any_pb2
from google.rpc import status_pb2

from gateway.fabric import (
    CommitError,
    EndorseError,
    ErrorDetail,
    EvaluateError,
    GatewayError,
    SubmitError,
    parse_error_details,
)
from gateway.fabric.errors import STATUS_DETAILS_KEY


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def rpc_status_bytes(code: int, message: str, details: list[any_pb2.Any]) -> bytes:
    """Encodes a google.rpc.Status by hand (code=1, message=2, details=3), independently of the client."""
    encoded = _varint(1 << 3 | 0) + _varint(code) + _field(2, message.encode())
    for detail in details:
        encoded += _field(3, detail.SerializeToString())
    return encoded


def packed(message: object) -> any_pb2.Any:
    wrapper = any_pb2.Any()
    wrapper.Pack(message)
    return wrapper


PEER_DETAILS = [
    gateway_pb2.ErrorDetail(
        address="peer0.org1:7051", msp_id="Org1MSP", message="chaincode response 500, exists"
    ),
    gateway_pb2.ErrorDetail(address="peer0.org2:9051", msp_id="Org2MSP", message="access denied"),
]
EXPECTED = [
    ErrorDetail(address="peer0.org1:7051", msp_id="Org1MSP", message="chaincode response 500, exists"),
    ErrorDetail(address="peer0.org2:9051", msp_id="Org2MSP", message="access denied"),
]


def test_parse_error_details_reads_every_gateway_error_detail_and_skips_other_types() -> None:
    unrelated = packed(gateway_pb2.SubmitResponse())
    status = rpc_status_bytes(
        10, "failed to endorse", [packed(PEER_DETAILS[0]), unrelated, packed(PEER_DETAILS[1])]
    )
    assert parse_error_details(status) == EXPECTED


def test_parse_error_details_of_garbage_is_empty() -> None:
    assert parse_error_details(b"\xff\xff\xff") == []
    assert parse_error_details(b"") == []


def test_built_status_class_reads_the_same_wire_format() -> None:
    status = status_pb2.Status.FromString(rpc_status_bytes(10, "aborted", [packed(PEER_DETAILS[0])]))
    assert status.code == 10
    assert status.message == "aborted"
    assert status.details[0].type_url == "type.googleapis.com/gateway.ErrorDetail"


def aborted(details_bytes: bytes | None) -> grpc.aio.AioRpcError:
    trailing = grpc.aio.Metadata(("other", "x"))
    if details_bytes is not None:
        trailing = grpc.aio.Metadata(("other", "x"), (STATUS_DETAILS_KEY, details_bytes))
    return grpc.aio.AioRpcError(
        grpc.StatusCode.ABORTED, grpc.aio.Metadata(), trailing, details="failed to endorse transaction"
    )


def test_endorse_error_from_rpc_error_carries_code_tx_and_details() -> None:
    error = aborted(rpc_status_bytes(10, "failed", [packed(d) for d in PEER_DETAILS]))

    endorse_error = EndorseError.from_rpc_error(error, transaction_id="abc123")

    assert isinstance(endorse_error, GatewayError)
    assert endorse_error.code == grpc.StatusCode.ABORTED
    assert endorse_error.message == "failed to endorse transaction"
    assert endorse_error.transaction_id == "abc123"
    assert endorse_error.details == EXPECTED
    text = str(endorse_error)
    assert text.startswith("endorse failed for transaction abc123: ABORTED: failed to endorse transaction")
    assert "peer0.org1:7051 (Org1MSP): chaincode response 500, exists" in text
    assert "peer0.org2:9051 (Org2MSP): access denied" in text


def test_errors_without_status_details_have_none() -> None:
    submit_error = SubmitError.from_rpc_error(aborted(None), transaction_id="t")
    assert submit_error.details == []
    assert str(submit_error) == "submit failed for transaction t: ABORTED: failed to endorse transaction"
    assert str(EvaluateError("x")).startswith("evaluate failed: x")


def test_commit_error_names_validation_code_and_block() -> None:
    error = CommitError(
        transaction_id="tx9", validation_code=11, validation_code_name="MVCC_READ_CONFLICT", block_number=42
    )
    assert error.code is None
    assert error.validation_code_name == "MVCC_READ_CONFLICT"
    text = str(error)
    assert text.startswith("commit failed for transaction tx9")
    assert "MVCC_READ_CONFLICT (11)" in text
    assert "block 42" in text
    with pytest.raises(GatewayError):
        raise error
