"""What the benches that need a founded consortium share: a network of their own, started in a temporary
run directory on ports of their own (BCMLP_BENCH_PORT_BASE, default 22000) so that it can run beside
`make up`, founded as `make consortium` founds it, and stopped at the end whatever happened; and each
organisation's admin connected to its own peer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from gateway.artifacts.store import ArtifactStore
from gateway.consortium import Consortium, load_consortium
from gateway.ipfs import IpfsClient
from gateway.ledger import Ledger, open_ledger

ROOT = Path(__file__).resolve().parent.parent
# The project channel the ledger benches share (bench/run.py makes it once): two organisations, as the
# official clients, Caliper, the growth and the verify benches all need no more.
PROJECT = "bench"
PROJECT_ORGS = ("Manufacturer", "ModelTrainer")
# A syntactically valid CID for records whose content no bench reads back.
CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"


class ScriptFailed(Exception):
    """ScriptFailed: a network script or module exited non-zero; the message ends with what it printed
    last, which says why."""


@dataclass(frozen=True)
class BenchNetwork:
    """BenchNetwork is the bench's own network: its run directory, the environment its scripts get, and
    how long starting it (`up`, a fresh run directory, warm binary cache) and founding it took."""

    run_dir: Path
    env: dict[str, str]
    seconds: dict[str, float]

    def script(self, name: str, *args: str) -> float:
        """script runs network/<name> with args against this network and answers how long it took."""
        return self._run([str(ROOT / "network" / name), *args])

    def module(self, module: str, *args: str) -> float:
        """module runs a Python module of the repository (python -m) against this network and answers how
        long it took."""
        return self._run([sys.executable, "-m", module, *args])

    def resident_kib(self) -> dict[str, int]:
        """resident_kib is the resident memory of each process of the network (and its children), by the
        name of its pid file."""
        pid_files = sorted((self.run_dir / "pids").glob("*.pid"))
        return {f.stem: rss_kib(int(f.read_text().split()[0])) for f in pid_files}

    def consortium(self) -> Consortium:
        """consortium reads the network description, again each time (a project channel adds to it)."""
        return load_consortium(self.run_dir)

    def _run(self, command: list[str]) -> float:
        started = time.perf_counter()
        proc = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True)
        if proc.returncode != 0:
            said = (proc.stdout + proc.stderr).strip().splitlines()[-10:]
            raise ScriptFailed(f"{' '.join(command)} exited {proc.returncode}:\n" + "\n".join(said))
        return time.perf_counter() - started


def rss_kib(pid: int) -> int:
    """rss_kib is the resident memory of pid and its descendants, from /proc."""
    total = 0
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    todo = [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def npm_ci(folder: Path) -> None:
    """npm_ci installs folder's Node packages as its package-lock.json pins them (`npm ci`), unless the
    node_modules there were installed from that very lock file: npm keeps a copy of what it installed in
    node_modules/.package-lock.json, and `npm ci` would otherwise delete and fetch everything again."""
    lock, installed = folder / "package-lock.json", folder / "node_modules" / ".package-lock.json"
    if installed.is_file():
        wanted = json.loads(lock.read_text())["packages"]
        have = json.loads(installed.read_text())["packages"]
        if {k: v for k, v in wanted.items() if k} == have:
            return
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--quiet"], cwd=folder, check=True)


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
        network = BenchNetwork(Path(run_dir), env, {})
        try:
            network.seconds["up"] = network.script("up.sh")
            network.seconds["founding"] = network.module("gateway.cli.consortium_init")
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


@asynccontextmanager
async def project_store(consortium: Consortium) -> AsyncIterator[ArtifactStore]:
    """project_store is an artifact store over the project organisations' Kubo nodes, closed on exit."""
    nodes = {}
    try:
        for name in PROJECT_ORGS:
            node = consortium.organisation(name).ipfs
            assert node is not None, f"{name} has no Kubo node"
            nodes[name] = IpfsClient(node)
        yield ArtifactStore(nodes)
    finally:
        for client in nodes.values():
            await client.close()
