"""Watching every process's command line while something runs, to prove that no secret reaches one.

A command line is public on Linux: any local user reads it in /proc/PID/cmdline. The scripts under
network/ therefore pass secrets through files and environment variables only; `watch_command_lines`
samples /proc while they run, and `run_dir_secrets` lists what must never show up there.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path


class CommandLines:
    """CommandLines is every distinct command line seen by `watch_command_lines`, arguments joined by
    spaces."""

    def __init__(self) -> None:
        self._raw: set[bytes] = set()
        self.samples = 0

    @property
    def lines(self) -> list[str]:
        return sorted(raw.rstrip(b"\0").replace(b"\0", b" ").decode(errors="replace") for raw in self._raw)

    def containing(self, text: str) -> list[str]:
        """containing returns the command lines that contain text."""
        return [line for line in self.lines if text in line]

    def leaks(self, secrets: Iterable[str]) -> list[str]:
        """leaks returns one entry per command line holding a secret, the secret itself shortened so
        that a failing test's report does not print it."""
        out = []
        for secret in secrets:
            for line in self.containing(secret):
                out.append(line.replace(secret, secret[:4] + "****")[:300])
        return out

    def _sample(self) -> None:
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    raw = f.read()
            except OSError:  # gone between listing and reading, or not ours to read
                continue
            if raw:
                self._raw.add(raw)
        self.samples += 1


@contextmanager
def watch_command_lines(interval: float = 0.02) -> Iterator[CommandLines]:
    """watch_command_lines samples the command line of every process every interval seconds (on a
    thread) until the block ends. A process living less than an interval may be missed, so a test should
    also check that the short-lived tools it cares about were seen (`CommandLines.containing`)."""
    seen = CommandLines()
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            seen._sample()
            stop.wait(interval)

    thread = threading.Thread(target=loop, name="watch_command_lines", daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        stop.set()
        thread.join()
        seen._sample()


def run_dir_secrets(run_dir: Path) -> list[str]:
    """run_dir_secrets returns every secret the network scripts keep under run_dir: the CAs' bootstrap
    and every identity's enrolment secret (*.secret), each Kubo node's RPC bearer token (api.header) and
    the swarm's pre-shared key."""
    secrets = [p.read_text().strip() for p in run_dir.rglob("*.secret")]
    secrets += [p.read_text().split()[-1] for p in run_dir.rglob("api.header")]
    secrets += [p.read_text().split()[-1] for p in run_dir.rglob("swarm.key")]
    return list(dict.fromkeys(s for s in secrets if s))  # the swarm key is in every node's repo too
