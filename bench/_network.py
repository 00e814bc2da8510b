"""What the benches that need a founded consortium share: a network of their own, started in a temporary
run directory on ports of their own (BCMLP_BENCH_PORT_BASE, default 22000) so that it can run beside
`make up`, founded as `make consortium` founds it, and stopped at the end whatever happened; and each
organisation's admin connected to its own peer.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from gateway.consortium import Consortium, load_consortium
from gateway.ledger import Ledger, open_ledger

ROOT = Path(__file__).resolve().parent.parent


class ScriptFailed(Exception):
    """ScriptFailed: a network script or module exited non-zero; the message ends with what it printed
    last, which says why."""


@dataclass(frozen=True)
class BenchNetwork:
    """BenchNetwork is the bench's own network: its run directory and the environment its scripts get."""

    run_dir: Path
    env: dict[str, str]

    def script(self, name: str, *args: str) -> None:
        """script runs network/<name> with args against this network."""
        self._run([str(ROOT / "network" / name), *args])

    def module(self, module: str, *args: str) -> None:
        """module runs a Python module of the repository (python -m) against this network."""
        self._run([sys.executable, "-m", module, *args])

    def consortium(self) -> Consortium:
        """consortium reads the network description, again each time (a project channel adds to it)."""
        return load_consortium(self.run_dir)

    def _run(self, command: list[str]) -> None:
        proc = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True)
        if proc.returncode != 0:
            said = (proc.stdout + proc.stderr).strip().splitlines()[-10:]
            raise ScriptFailed(f"{' '.join(command)} exited {proc.returncode}:\n" + "\n".join(said))


@contextmanager
def founded_network() -> Iterator[BenchNetwork]:
    """founded_network starts the bench's network, founds its consortium and yields it; the network is
    stopped and its run directory removed on the way out."""
    with tempfile.TemporaryDirectory(prefix="bcmlp-bench-") as run_dir:
        env = {
            **os.environ,
            "BCMLP_RUN": run_dir,
            "BCMLP_PORT_BASE": os.environ.get("BCMLP_BENCH_PORT_BASE", "22000"),
        }
        # The gateway code the benches call in-process finds the run directory the same way.
        os.environ.update(env)
        network = BenchNetwork(Path(run_dir), env)
        try:
            network.script("up.sh")
            network.module("gateway.cli.consortium_init")
            yield network
        finally:
            subprocess.run([str(ROOT / "network/down.sh")], env=env, check=False, capture_output=True)


@asynccontextmanager
async def admins(consortium: Consortium, organisations: Sequence[str]) -> AsyncIterator[dict[str, Ledger]]:
    """admins connects each organisation's admin to its own peer, by organisation name."""
    async with AsyncExitStack() as stack:
        ledgers = {}
        for name in organisations:
            admin_dir = consortium.organisation(name).admin_dir
            ledgers[name] = await stack.enter_async_context(
                open_ledger(consortium, organisation=name, identity_dir=admin_dir)
            )
        yield ledgers
