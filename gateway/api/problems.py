"""Errors of the gateway service as RFC 9457 problem documents with a machine-readable code.

Handlers raise ApiError (or let a LedgerError through); the error middleware (app.py) answers with
``application/problem+json``. A ledger refusal keeps every refusing peer's own reason and the stage that
failed, so a caller sees which organisation refused and why.
"""

from __future__ import annotations

from typing import Any

from gateway.ledger import LedgerError

PROBLEM_TYPE = "application/problem+json"

# Phrases of the contracts' refusals that say the caller may not do this, rather than that the input or
# the ledger's state is wrong (chaincode/registry/access.go, chaincode/provenance/access.go, members.go,
# certificate.go, feedback.go).
_FORBIDDEN = (
    "needs an admin",
    "needs the role",
    "needs a role other than viewer",
    "needs at least high trust",
    "is not bound to any member",
    "not a member of project channel",
    "only active members write",
    "cannot write until",
    "can never write again",
    "below the trust floor",
    "below the registry's trust floor",
    "is not on the committee",
    "is written by a member of role",
    "the creator cannot rate its own record",
    "nobody approves their own case",
    "records batches of its own results only",
)


class ApiError(Exception):
    """ApiError is a request the service refuses: HTTP status, code, and what to do."""

    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.extra = extra

    def document(self) -> dict[str, Any]:
        """document is the problem+json body."""
        return {
            "code": self.code,
            "title": self.code.replace("_", " "),
            "status": self.status,
            "detail": self.detail,
            **self.extra,
        }


def from_ledger_error(error: LedgerError) -> ApiError:
    """from_ledger_error maps a failed contract call to a problem: 404 for a record that does not exist,
    403 for a refusal of the caller's rights, 409 for a transaction the ledger committed as invalid or
    whose outcome is unknown, 502 for a ledger the service cannot reach, 422 for every other refusal
    (the input or the ledger's state is wrong)."""
    said = error.said
    extra: dict[str, Any] = {"stage": error.stage} if error.stage else {}
    if error.transaction_id:
        extra["transactionId"] = error.transaction_id
    if error.details:
        extra["peers"] = [
            {"address": d.address, "mspId": d.msp_id, "message": d.message} for d in error.details
        ]
    detail = "; ".join(error.reasons)
    if error.stage in ("commit", "commit status"):
        code = "commit_failed" if error.stage == "commit" else "commit_unknown"
        return ApiError(409, code, f"{detail} ({error.validation_code or 'status unknown'})", **extra)
    if "does not exist" in said:
        return ApiError(404, "not_found", detail, **extra)
    if any(phrase in said for phrase in _FORBIDDEN):
        return ApiError(403, "forbidden", detail, **extra)
    if error.stage in ("endorse", "evaluate") and error.details:
        return ApiError(422, "refused", detail, **extra)
    return ApiError(502, "ledger_unavailable", detail, **extra)
