"""Checkpoints: how far an event listener got, so that it resumes after the last event it processed.

A checkpoint is a pair (block_number, transaction_id), with the meaning the official clients give
it: ``transaction_id`` empty means "block ``block_number`` is the next one to process"; otherwise
``transaction_id`` is the last transaction processed inside block ``block_number``, and events
resume just after it. Resuming is the peer's work: a chaincode events request carries both values
and the peer skips the checkpoint's transaction and everything before it (see ``events``). Record a
checkpoint only after an event is fully processed.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .events import ChaincodeEvent


class Checkpoint(Protocol):
    """Checkpoint is a read-only position in the ledger's event history."""

    @property
    def block_number(self) -> int | None:
        """block_number is the block in which the next event is expected; None before any checkpoint."""
        ...

    @property
    def transaction_id(self) -> str:
        """transaction_id is the last transaction processed in block_number, or "" if none."""
        ...


class Checkpointer:
    """Checkpointer keeps a checkpoint in memory; FileCheckpointer also persists it."""

    def __init__(self, *, block_number: int | None = None, transaction_id: str = "") -> None:
        if block_number is None and transaction_id:
            raise ValueError("transaction_id needs the block_number of the block that contains it")
        _check_block_number(block_number)
        self._block_number = block_number
        self._transaction_id = transaction_id

    @property
    def block_number(self) -> int | None:
        """block_number is the block in which the next event is expected; None before any checkpoint."""
        return self._block_number

    @property
    def transaction_id(self) -> str:
        """transaction_id is the last transaction processed in block_number, or "" if none."""
        return self._transaction_id

    def checkpoint_block(self, block_number: int) -> None:
        """checkpoint_block records that every event in block_number has been processed."""
        self.checkpoint_transaction(block_number + 1, "")

    def checkpoint_transaction(self, block_number: int, transaction_id: str) -> None:
        """checkpoint_transaction records that transaction_id in block_number has been processed."""
        _check_block_number(block_number)
        self._block_number = block_number
        self._transaction_id = transaction_id
        self._saved()

    def checkpoint_chaincode_event(self, event: ChaincodeEvent) -> None:
        """checkpoint_chaincode_event records that event has been processed."""
        self.checkpoint_transaction(event.block_number, event.tx_id)

    def _saved(self) -> None:
        """_saved is called after every change; subclasses persist the new state here."""


class FileCheckpointer(Checkpointer):
    """FileCheckpointer is a Checkpointer persisted as JSON, so a restarted listener resumes.

    The file holds ``{"blockNumber": ..., "transactionId": ...}``, the format of the official
    clients' file checkpointers. Every checkpoint rewrites it atomically (a temporary file in the
    same folder, fsync, then rename), so a crash leaves either the old or the new checkpoint.
    """

    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        block_number, transaction_id = _read_state(self._path)
        super().__init__(block_number=block_number, transaction_id=transaction_id)

    @property
    def path(self) -> Path:
        """path is the JSON file holding the checkpoint."""
        return self._path

    def _saved(self) -> None:
        state = {"blockNumber": self.block_number, "transactionId": self.transaction_id}
        _write_atomically(self._path, json.dumps(state).encode())


def _check_block_number(block_number: int | None) -> None:
    if block_number is not None and (isinstance(block_number, bool) or block_number < 0):
        raise ValueError(f"block_number must be a non-negative integer, got {block_number!r}")


def _read_state(path: Path) -> tuple[int | None, str]:
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None, ""
    if not text.strip():
        return None, ""
    try:
        state = json.loads(text)
        block_number = state.get("blockNumber")
        transaction_id = state.get("transactionId") or ""
    except (ValueError, AttributeError) as error:
        raise ValueError(f"checkpoint file {path} is not checkpoint JSON; delete it to start over") from error
    if not (block_number is None or (isinstance(block_number, int) and not isinstance(block_number, bool))):
        raise ValueError(f"checkpoint file {path} has blockNumber {block_number!r}; expected an integer")
    if not isinstance(transaction_id, str):
        raise ValueError(f"checkpoint file {path} has transactionId {transaction_id!r}; expected a string")
    return block_number, transaction_id


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    # The rename is durable only once the folder entry is on disk too.
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
