"""The demonstration `make demo` runs once the consortium is up (`make up`).

For now it shows the ledger and the storage working across organisations: Manufacturer stores an
inspection record encrypted under the project's current data key (its latest key epoch on the channel,
opened with Manufacturer's admin's own key-agreement key) on two organisations' Kubo nodes and records
it on the project channel; ModelTrainer reads the record from the ledger through its own peer, opens
its own copy of that epoch's data key, reads the content through its own node, and checks it; then
writes the record's audit report (gateway/report.py) as HTML under run/reports/. The pipeline issue
replaces this with the whole certified pipeline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import sys
from decimal import Decimal

from gateway.artifacts.errors import ArtifactError
from gateway.artifacts.keys import KeyWrapError
from gateway.artifacts.project_keys import current_data_key, data_key_for_epoch, member_keyring
from gateway.artifacts.recording import record_or_remove
from gateway.artifacts.store import ArtifactStore
from gateway.consortium import ConsortiumError, load_consortium
from gateway.ipfs import IpfsClient
from gateway.ledger import DataBounds, LedgerError, open_ledger
from gateway.report import artifact_report, to_html

WRITER, READER = "Manufacturer", "ModelTrainer"


async def demo(project: str) -> int:
    consortium = load_consortium()
    if project not in consortium.channels:
        print(
            f"project channel {project!r} does not exist: make project NAME={project} ORGS=...",
            file=sys.stderr,
        )
        return 2
    writer, reader = consortium.organisation(WRITER), consortium.organisation(READER)
    assert writer.ipfs is not None and reader.ipfs is not None
    report = json.dumps({"workpiece": f"wp-{secrets.token_hex(4)}", "verdict": "ok", "scratches": 0}).encode()
    artifact_id = f"demo-report-{secrets.token_hex(6)}"
    async with open_ledger(consortium, organisation=WRITER, identity_dir=writer.admin_dir) as ledger:
        epoch, data_key = await current_data_key(
            ledger, project, await member_keyring(ledger, project, writer.admin_dir)
        )
    async with IpfsClient(writer.ipfs) as writer_node, IpfsClient(reader.ipfs) as reader_node:
        store = ArtifactStore({WRITER: writer_node, READER: reader_node})
        stored = await store.put(artifact_id, report, data_key, home=WRITER)
        print(f"{WRITER} stored {artifact_id}: cid {stored.cid}, pinned on {', '.join(stored.pinned_on)}")
        async with open_ledger(consortium, organisation=WRITER, identity_dir=writer.admin_dir) as ledger:
            committed = await record_or_remove(
                ledger.provenance(project),
                store,
                stored,
                kind="dataset",
                media_type="application/json",
                wrapped_key_epoch=epoch,
                bounds=DataBounds("inspection-station-1", "json", Decimal(0), Decimal(1)),
            )
        print(
            f"{WRITER} recorded it on {project}: "
            f"block {committed.block_number}, tx {committed.transaction_id}"
        )
        async with open_ledger(consortium, organisation=READER, identity_dir=reader.admin_dir) as ledger:
            record = await ledger.provenance(project).get_artifact(artifact_id)
            keyring = await member_keyring(ledger, project, reader.admin_dir)
            reader_key = await data_key_for_epoch(ledger, project, keyring, record.wrapped_key_epoch)

            async def key_of(epoch: int) -> bytes:
                return await data_key_for_epoch(ledger, project, keyring, epoch)

            audit = await artifact_report(
                ledger, store, project, artifact_id, data_key_for=key_of, generated_for=keyring.member_id
            )
        content = await store.get(stored, reader_key, via=READER)
    reports = consortium.run_dir / "reports"
    reports.mkdir(exist_ok=True)
    report_path = reports / f"{artifact_id}.html"
    report_path.write_text(to_html(audit))
    print(
        f"{READER} read it back through its own peer and node: created by {record.creator_msp} "
        f"in tx {record.tx_id}, {len(content)} bytes, sha256 verified (data key epoch {epoch}, "
        f"{READER}'s own copy)"
    )
    verdicts = ", ".join(f"{v.record_id} {v.status}" for v in audit.verdicts)
    print(f"{READER}'s audit report of {artifact_id}: {report_path} ({verdicts})")
    return 0 if record.tx_id == committed.transaction_id and content == report and audit.intact else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", default="demo", help="project channel to record on (default: demo)")
    args = parser.parse_args()
    try:
        sys.exit(asyncio.run(demo(args.project)))
    except (ConsortiumError, LedgerError, KeyWrapError, ArtifactError) as error:
        print(f"demo: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
