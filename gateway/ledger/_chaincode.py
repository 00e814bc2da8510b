"""What the registry and provenance clients share: calling a contract, and reading and writing its JSON.

The contracts take every argument as a string (structured ones as JSON text) and return JSON records
with fixed-point numbers (1.0 is 1_000_000); the helpers here convert both ways and report a record
that does not have the expected form as RecordError, naming the record and the field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, Self

from gateway.fabric import Contract, GatewayError

from .errors import LedgerError, RecordError

FIXED_DECIMALS = 6
"""FIXED_DECIMALS is how many decimals the contracts' fixed-point numbers keep (1.0 = 1_000_000)."""


class _Organisation(Protocol):
    @property
    def msp_id(self) -> str: ...


class Organisations(Protocol):
    """Organisations finds an organisation of the consortium by name (``gateway.consortium.Consortium``)."""

    def organisation(self, name: str) -> _Organisation:
        """organisation returns the organisation called name, or raises naming the known ones."""
        ...


@dataclass(frozen=True, slots=True)
class Committed:
    """Committed is a transaction that the ledger committed as valid."""

    transaction_id: str
    block_number: int


class ContractCalls:
    """ContractCalls submits and evaluates one contract's functions, raising LedgerError on failure."""

    def __init__(self, contract: Contract) -> None:
        self._contract = contract

    async def evaluate(self, function: str, *args: str) -> bytes:
        """evaluate runs a query on a peer and returns its answer."""
        name = self._contract.qualified_name(function)
        try:
            return await self._contract.evaluate(function, args=args)
        except GatewayError as error:
            raise LedgerError.from_gateway_error(name, error) from error

    async def submit(self, function: str, *args: str) -> tuple[Committed, bytes]:
        """submit endorses, orders and waits for a transaction; returns where it committed and its result."""
        name = self._contract.qualified_name(function)
        try:
            transaction = await self._contract.new_proposal(function, args=args).endorse()
            submitted = await transaction.submit()
            status = await submitted.get_status()
        except GatewayError as error:
            raise LedgerError.from_gateway_error(name, error) from error
        if not status.successful:
            raise LedgerError(
                f"committed in block {status.block_number} as invalid ({status.code_name}); its writes "
                "were not applied",
                function=name,
                stage="commit",
                transaction_id=status.tx_id,
                validation_code=status.code_name,
            )
        return Committed(status.tx_id, status.block_number), submitted.result


def to_json(value: object) -> str:
    """to_json is the compact JSON text of a chaincode argument; Decimals become decimal strings."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return decimal_text(value)
    raise TypeError(f"{type(value).__name__} is not a JSON value a contract accepts")


def decimal_text(value: Decimal | int) -> str:
    """decimal_text writes a number as the contracts read decimals: digits and a point, no exponent."""
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{value} is not a finite number")
    return format(number, "f")


def to_fixed(value: Decimal | int, field: str) -> int:
    """to_fixed converts a number to the contracts' fixed-point integer, refusing lost decimals."""
    scaled = Decimal(value).scaleb(FIXED_DECIMALS)
    if not scaled.is_finite() or scaled != scaled.to_integral_value():
        raise ValueError(f"{field} {value} has more than {FIXED_DECIMALS} decimals; round it first")
    return int(scaled)


def from_fixed(value: int) -> Decimal:
    """from_fixed converts a fixed-point integer of the contracts to the exact Decimal."""
    return Decimal(value).scaleb(-FIXED_DECIMALS)


def parse_json(payload: bytes, what: str) -> Any:
    """parse_json decodes a contract's JSON answer; RecordError when it is not JSON."""
    try:
        return json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RecordError(f"{what} is not JSON ({error}): {payload[:200]!r}") from None


def parse_flag(payload: bytes, what: str) -> bool:
    """parse_flag reads a contract's boolean answer ("true" or "false")."""
    if payload == b"true":
        return True
    if payload == b"false":
        return False
    raise RecordError(f"{what} is not true or false: {payload[:200]!r}")


class Fields:
    """Fields reads the fields of one JSON object of a record, each checked for its type.

    Fields the client does not know are ignored, so that a contract may add some; a missing field
    or one of the wrong type raises RecordError naming the record and the field.
    """

    def __init__(self, value: object, what: str) -> None:
        if not isinstance(value, dict):
            raise RecordError(f"{what} is not a JSON object: {_short(value)}")
        self._value: dict[str, Any] = value
        self.what = what

    @classmethod
    def of(cls, payload: bytes, what: str) -> Self:
        """of decodes a JSON object answer."""
        return cls(parse_json(payload, what), what)

    @classmethod
    def list_of(cls, payload: bytes, what: str) -> list[Self]:
        """list_of decodes a JSON array answer of objects."""
        items = parse_json(payload, what)
        if not isinstance(items, list):
            raise RecordError(f"{what} is not a JSON array: {_short(items)}")
        return [cls(item, f"{what}[{index}]") for index, item in enumerate(items)]

    @property
    def value(self) -> dict[str, Any]:
        """value is the decoded JSON object as it is."""
        return self._value

    def _get(self, key: str, kind: type | tuple[type, ...], expected: str) -> Any:
        if key not in self._value:
            raise RecordError(f"{self.what} has no field {key!r}")
        value = self._value[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
            raise RecordError(f"{self.what}.{key} is not {expected}: {_short(value)}")
        return value

    def text(self, key: str) -> str:
        """text reads a string field."""
        value: str = self._get(key, str, "a string")
        return value

    def optional_text(self, key: str) -> str:
        """optional_text reads a string field the contract omits when empty."""
        return self.text(key) if key in self._value else ""

    def integer(self, key: str) -> int:
        """integer reads a whole-number field."""
        value: int = self._get(key, int, "a whole number")
        return value

    def flag(self, key: str) -> bool:
        """flag reads a true/false field."""
        value: bool = self._get(key, bool, "true or false")
        return value

    def fixed(self, key: str) -> Decimal:
        """fixed reads a fixed-point field as the exact Decimal."""
        return from_fixed(self.integer(key))

    def fixed_list(self, key: str) -> tuple[Decimal, ...]:
        """fixed_list reads a list of fixed-point numbers."""
        items: list[Any] = self._get(key, list, "a list")
        if not all(isinstance(item, int) and not isinstance(item, bool) for item in items):
            raise RecordError(f"{self.what}.{key} is not a list of whole numbers: {_short(items)}")
        return tuple(from_fixed(item) for item in items)

    def texts(self, key: str) -> tuple[str, ...]:
        """texts reads a list of strings."""
        items: list[Any] = self._get(key, list, "a list")
        if not all(isinstance(item, str) for item in items):
            raise RecordError(f"{self.what}.{key} is not a list of strings: {_short(items)}")
        return tuple(items)

    def text_map(self, key: str) -> dict[str, str]:
        """text_map reads an object of string values."""
        items: dict[str, Any] = self._get(key, dict, "an object")
        if not all(isinstance(item, str) for item in items.values()):
            raise RecordError(f"{self.what}.{key} is not an object of strings: {_short(items)}")
        return dict(items)

    def json_object(self, key: str) -> dict[str, Any]:
        """json_object reads a free-form JSON object field as it is."""
        value: dict[str, Any] = self._get(key, dict, "an object")
        return value

    def object(self, key: str) -> Fields:
        """object reads a nested object."""
        return Fields(self._get(key, dict, "an object"), f"{self.what}.{key}")

    def optional_object(self, key: str) -> Fields | None:
        """optional_object reads a nested object that may be absent (or null)."""
        if self._value.get(key) is None:
            return None
        return self.object(key)

    def objects(self, key: str) -> list[Fields]:
        """objects reads a list of objects."""
        items: list[Any] = self._get(key, list, "a list")
        return [Fields(item, f"{self.what}.{key}[{index}]") for index, item in enumerate(items)]


def _short(value: object) -> str:
    text = json.dumps(value)
    return text if len(text) <= 120 else text[:117] + "..."


def id_list(values: Sequence[str]) -> str:
    """id_list is the JSON array argument of a list of ids."""
    return to_json(list(values))


def object_argument(values: Mapping[str, object]) -> str:
    """object_argument is the JSON object argument of a mapping."""
    return to_json(dict(values))
