"""Contracts: the transaction functions of one chaincode (or one named contract inside it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ._context import GatewayContext
from .commit import SubmittedTransaction
from .errors import CommitError
from .proposal import Proposal, build_proposed_transaction

Argument = str | bytes
"""Argument is one chaincode argument; str is sent UTF-8 encoded."""


class Contract:
    """Contract invokes one chaincode's functions on one channel.

    ``submit`` is shorthand for the step-by-step flow
    ``new_proposal → Proposal.endorse → Transaction.submit → Commit.get_status``, and ``evaluate``
    for ``new_proposal → Proposal.evaluate``; use the steps to sign offline or to inspect each stage.
    """

    def __init__(
        self, context: GatewayContext, *, channel_name: str, chaincode_name: str, contract_name: str | None
    ) -> None:
        if not chaincode_name:
            raise ValueError("chaincode_name is empty; pass the name the chaincode was committed with")
        self._context = context
        self._channel_name = channel_name
        self._chaincode_name = chaincode_name
        self._contract_name = contract_name or None

    @property
    def chaincode_name(self) -> str:
        """chaincode_name is the chaincode's committed name."""
        return self._chaincode_name

    @property
    def contract_name(self) -> str | None:
        """contract_name is the contract inside the chaincode, or None for its default contract."""
        return self._contract_name

    def qualified_name(self, function: str) -> str:
        """qualified_name is the name the chaincode receives: ``contract:function``, or ``function``."""
        if not function:
            raise ValueError("function name is empty; pass the chaincode transaction function to call")
        return f"{self._contract_name}:{function}" if self._contract_name else function

    def new_proposal(
        self,
        function: str,
        *,
        args: Sequence[Argument] = (),
        transient: Mapping[str, bytes] | None = None,
        endorsing_orgs: Sequence[str] | None = None,
    ) -> Proposal:
        """new_proposal builds a proposal to call function with args.

        ``transient`` is private data passed to the chaincode but kept out of the ledger;
        ``endorsing_orgs`` (MSP ids) restricts which organisations endorse or evaluate it.
        """
        proposed = build_proposed_transaction(
            creator=self._context.creator,
            channel_name=self._channel_name,
            chaincode_name=self._chaincode_name,
            function=self.qualified_name(function),
            args=[_argument_bytes(index, arg) for index, arg in enumerate(args)],
            transient=_transient_bytes(transient or {}),
            endorsing_orgs=list(endorsing_orgs or ()),
        )
        return Proposal.prepare(self._context, proposed)

    async def evaluate(
        self,
        function: str,
        *,
        args: Sequence[Argument] = (),
        transient: Mapping[str, bytes] | None = None,
        endorsing_orgs: Sequence[str] | None = None,
    ) -> bytes:
        """evaluate calls a read-only function on a peer and returns its result; nothing is ordered.

        Raises EvaluateError with every peer's reason when the call fails.
        """
        proposal = self.new_proposal(function, args=args, transient=transient, endorsing_orgs=endorsing_orgs)
        return await proposal.evaluate()

    async def submit(
        self,
        function: str,
        *,
        args: Sequence[Argument] = (),
        transient: Mapping[str, bytes] | None = None,
        endorsing_orgs: Sequence[str] | None = None,
    ) -> bytes:
        """submit endorses, orders and waits for the commit of a transaction; returns its result.

        Raises EndorseError, SubmitError or CommitStatusError for the stage that failed, and
        CommitError when the transaction committed but was marked invalid.
        """
        submitted = await self.submit_async(
            function, args=args, transient=transient, endorsing_orgs=endorsing_orgs
        )
        status = await submitted.get_status()
        if not status.successful:
            raise CommitError(
                transaction_id=status.tx_id,
                validation_code=status.code,
                validation_code_name=status.code_name,
                block_number=status.block_number,
            )
        return submitted.result

    async def submit_async(
        self,
        function: str,
        *,
        args: Sequence[Argument] = (),
        transient: Mapping[str, bytes] | None = None,
        endorsing_orgs: Sequence[str] | None = None,
    ) -> SubmittedTransaction:
        """submit_async endorses and orders a transaction, returning without waiting for its commit.

        The result is available at once as ``.result``; ``await .get_status()`` waits for the commit.
        """
        proposal = self.new_proposal(function, args=args, transient=transient, endorsing_orgs=endorsing_orgs)
        transaction = await proposal.endorse()
        return await transaction.submit()


def _argument_bytes(index: int, argument: object) -> bytes:
    if isinstance(argument, bytes):
        return argument
    if isinstance(argument, str):
        return argument.encode()
    raise TypeError(f"args[{index}] is {type(argument).__name__}; chaincode arguments must be str or bytes")


def _transient_bytes(transient: Mapping[str, object]) -> dict[str, bytes]:
    values: dict[str, bytes] = {}
    for key, value in transient.items():
        if not isinstance(value, bytes):
            raise TypeError(f"transient[{key!r}] is {type(value).__name__}; transient values must be bytes")
        values[key] = value
    return values
