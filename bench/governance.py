"""Measures governance on the whole network: genesis by consent of the four founding organisations, the
commit latency of enrolment approvals, and `make org-add` end to end (a fifth organisation's CA, Kubo
node, peer, chaincode server and mainchain configuration update, after its on-chain approval).

Starts its own network in a temporary run directory on its own ports and stops it at the end.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _network import CID

from gateway import runtime
from gateway.consortium import Consortium, load_consortium
from gateway.fabric import GatewayError
from gateway.ledger import Document, Founder, client_id, open_ledger

ROOT = Path(__file__).resolve().parent.parent
FOUNDERS = ("Manufacturer", "ModelTrainer", "ConditionMonitor", "QualityControl")
NEWCOMERS = ("Supplier", "Auditor", "Logistics")
DOCUMENT = Document(CID, "0" * 64, "register extract")


async def settle(consortium: Consortium, transaction_id: str) -> None:
    """settle waits until every founding organisation's peer has committed transaction_id: the gateway
    waits for its own peer only, and the next step is endorsed on others."""
    for name in FOUNDERS:
        org = consortium.organisation(name)
        async with open_ledger(consortium, organisation=name, identity_dir=org.admin_dir) as ledger:
            qscc = ledger.gateway.network("mainchain").contract("qscc")
            for _ in range(300):
                try:
                    await qscc.evaluate("GetTransactionByID", args=["mainchain", transaction_id])
                    break
                except GatewayError:
                    await asyncio.sleep(0.05)


async def genesis(consortium: Consortium) -> float:
    """genesis proposes the consortium as Manufacturer's admin and has every founder confirm it."""
    t0 = time.perf_counter()
    founders = []
    for name in FOUNDERS:
        cert = (consortium.organisation(name).admin_dir / "msp" / "signcerts" / "cert.pem").read_bytes()
        founders.append(Founder(f"founder-{name.lower()}", name, client_id(cert)))
    proposal = ""
    for name in FOUNDERS:
        org = consortium.organisation(name)
        async with open_ledger(consortium, organisation=name, identity_dir=org.admin_dir) as ledger:
            if not proposal:
                proposal = await ledger.registry.init_consortium(founders)
                tx = proposal
            else:
                tx = (await ledger.registry.confirm_consortium(proposal)).transaction_id
        await settle(consortium, tx)
    return time.perf_counter() - t0


async def approve(consortium: Consortium, newcomer: str) -> list[float]:
    """approve has Manufacturer request newcomer's enrolment and two other founders approve it; returns
    each approval's time from submission to commit."""
    sponsor = consortium.organisation("Manufacturer")
    async with open_ledger(consortium, organisation=sponsor.name, identity_dir=sponsor.admin_dir) as ledger:
        request = await ledger.registry.request_organisation_enrolment(
            newcomer, documents=[DOCUMENT], msp_id=f"{newcomer}MSP"
        )
    await settle(consortium, request)
    latencies = []
    for name in ("ModelTrainer", "ConditionMonitor"):
        org = consortium.organisation(name)
        async with open_ledger(consortium, organisation=name, identity_dir=org.admin_dir) as ledger:
            t0 = time.perf_counter()
            committed = await ledger.registry.approve_enrolment(request)
            latencies.append(time.perf_counter() - t0)
        await settle(consortium, committed.transaction_id)
    return latencies


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bcmlp-bench-") as run_dir:
        env = {
            **os.environ,
            "BCMLP_RUN": run_dir,
            "BCMLP_PORT_BASE": os.environ.get("BCMLP_BENCH_PORT_BASE", "22000"),
        }
        os.environ["BCMLP_RUN"] = run_dir

        def script(name: str, *args: str) -> float:
            t0 = time.perf_counter()
            subprocess.run([str(ROOT / "network" / name), *args], env=env, check=True, capture_output=True)
            return time.perf_counter() - t0

        try:
            script("up.sh")
            consortium = load_consortium(Path(run_dir))
            genesis_s = runtime.run(genesis(consortium))
            approvals = [t for n in NEWCOMERS for t in runtime.run(approve(consortium, n))]
            org_add_s = script("org-add.sh", NEWCOMERS[0])
        finally:
            subprocess.run([str(ROOT / "network/down.sh")], env=env, check=False, capture_output=True)
    print(f"genesis (proposal and three confirmations, each committed on every peer): {genesis_s:.2f} s")
    print(
        f"enrolment approval commit latency over {len(approvals)}: "
        f"p50 {statistics.median(approvals) * 1000:.0f} ms, max {max(approvals) * 1000:.0f} ms"
    )
    print(f"make org-add end to end after approval (CA, Kubo, peer, chaincode, update): {org_add_s:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
