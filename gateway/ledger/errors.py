"""Errors of the ledger layer: a contract call the ledger refused, and a record this client cannot read."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from gateway.fabric import CommitError, ErrorDetail, GatewayError

# The Fabric gateway prefixes a chaincode's own error message with its status (apiutils.go).
_CHAINCODE_PREFIX = re.compile(r"^(?:evaluate call to endorser returned error: )?chaincode response \d+, ")


class LedgerError(Exception):
    """LedgerError is a contract call that failed: refused by the chaincode or a peer, or of unknown outcome.

    ``function`` is the call as the chaincode names it (``registry:ApproveEnrolment``); ``stage`` the
    step that failed (evaluate, endorse, submit, commit status, commit); ``transaction_id`` the
    transaction's id; ``details`` every peer's or orderer's own report and ``reasons`` their
    messages, the chaincode's refusal without Fabric's "chaincode response 500, " prefix. When
    ``stage`` is "commit status" the transaction may still commit: read it back before resubmitting.
    """

    def __init__(
        self,
        message: str,
        *,
        function: str = "",
        stage: str = "",
        transaction_id: str = "",
        details: Sequence[ErrorDetail] = (),
        validation_code: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.function = function
        self.stage = stage
        self.transaction_id = transaction_id
        self.details = tuple(details)
        self.validation_code = validation_code

    @classmethod
    def from_gateway_error(cls, function: str, error: GatewayError) -> LedgerError:
        """from_gateway_error keeps what a gateway.fabric error says about a failed call of function."""
        return cls(
            error.message,
            function=function,
            stage=error.stage,
            transaction_id=error.transaction_id,
            details=error.details,
            validation_code=error.validation_code_name if isinstance(error, CommitError) else "",
        )

    @property
    def reasons(self) -> tuple[str, ...]:
        """reasons are the distinct messages of the peers that refused, or the gateway's own message."""
        messages = [detail.message for detail in self.details] or [self.message]
        return tuple(dict.fromkeys(_CHAINCODE_PREFIX.sub("", message) for message in messages))

    @property
    def said(self) -> str:
        """said is everything the refusal said (reasons, validation code, message) as one string, for
        matching a known refusal by a phrase."""
        return " | ".join((*self.reasons, self.validation_code, self.message))

    def __str__(self) -> str:
        head = f"{self.function or 'ledger call'} failed"
        if self.stage:
            head += f" at {self.stage}"
        if self.transaction_id:
            head += f" (transaction {self.transaction_id})"
        return f"{head}: {'; '.join(self.reasons)}"


class RecordError(LedgerError):
    """RecordError means the ledger answered with a record this client cannot read.

    The chaincode and this client disagree about the record's form (a version mismatch); the
    message names the record and the field.
    """


T = TypeVar("T")

# Refusals that mean another organisation's peer has not committed yet what this organisation's peer
# has (the gateway waits for its own peer only), or that a read conflicted with a concurrent write.
LAG_REASONS = (
    "is still open",
    "has not begun",
    "ProposalResponsePayloads do not match",
    "MVCC_READ_CONFLICT",
    "PHANTOM_READ_CONFLICT",
)


async def resend_on_lag(
    call: Callable[[], Awaitable[T]],
    *,
    reasons: Sequence[str] = LAG_REASONS,
    tries: int = 20,
    pause: float = 0.25,
) -> T:
    """resend_on_lag awaits call(), sending it again (at most tries times, pause seconds apart) while it
    fails only for one of reasons: a refusal that a moment's wait for the other peers cures."""
    for attempt in range(tries):
        try:
            return await call()
        except LedgerError as error:
            if attempt + 1 == tries or not any(r in error.said for r in reasons):
                raise
            await asyncio.sleep(pause)
    raise AssertionError("unreachable")
