"""bcmlp: the consortium member's command line.

bcmlp serve --org ORG / bcmlp wallet add --org ORG --member ID --identity-dir DIR
    an organisation's gateway service and its wallet (gateway.cli.serve).
bcmlp me | trust | committee | parameters | awaiting | ratings | rate | upload | download | certificate |
      check ... [--org ORG] [--identity DIR] [--json]
    the member's work through its organisation's gateway service (gateway.cli.client).
bcmlp roots -o ROOTS.json
    the consortium's root certificates (each organisation's MSP roots), the trust anchor an auditor
    keeps for offline verification; read from this machine's network description.
bcmlp export {artifact|model|pipeline} ID --project P [--organisation ORG] -o BUNDLE.json
    a self-contained bundle of the subject's ledger records (gateway.ledger.bundle), read through
    ORG's peer as its admin (default: the project's first organisation).
bcmlp attest {model|pipeline} ID --project P [--organisation ORG] -o STATEMENT.json
    the model's or pipeline's birth certificate, read from the ledger through ORG's peer as its admin,
    as an in-toto Statement with a SLSA Provenance v1 predicate (gateway.ledger.attestation), validated
    before it is written. Refused for a model that is not certified.
bcmlp verify --bundle BUNDLE.json --roots ROOTS.json [--content ARTIFACT_ID=PATH ...]
    checks the bundle offline against the roots, and each off-chain copy against its record;
    prints one verdict per record. Exit 0: all intact; 1: something altered; 2: bad input.
bcmlp verify workpiece ID --proof PROOF.json --project P [--organisation ORG]
    proves one workpiece's result from its inclusion proof (gateway/batches.py) against the Merkle root
    and size its batch's record holds on the ledger, read through ORG's peer as its admin; no other
    workpiece's result is needed. Exit 0: proven; 1: the proof does not lead to the recorded root;
    2: bad input (a file that is no proof, an unknown batch).
bcmlp verify {artifact|model|pipeline|tx} ID --project P [--organisation ORG]
    verifies online (gateway.verify) an artifact and its lineage, a model certificate and every
    artifact it cites, a pipeline certificate and every model it runs, or what a transaction wrote,
    as ORG's admin (default: the project's first organisation): records through ORG's peer, content
    through the project organisations' Kubo nodes, decrypted with the data keys of the project's key
    epochs on the ledger, each opened with the admin's own key-agreement keys. Prints one verdict per
    record. Exit 0: all intact; 1: something altered, missing, distrusted or uncertified; 2: bad input
    (unknown project, record, transaction or organisation, or an admin that holds no copy of a key
    the records need).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from cryptography import x509

from gateway import runtime
from gateway import verify as online
from gateway.api.wallet import WalletError
from gateway.artifacts.keys import KeyWrapError
from gateway.artifacts.project_keys import data_key_for_epoch, member_keyring
from gateway.artifacts.store import ArtifactStore
from gateway.batches import InclusionProof
from gateway.cli.client import add_commands as add_client_commands
from gateway.cli.client import run as run_client
from gateway.cli.serve import ServeError, run_serve, wallet_add
from gateway.consortium import Consortium, ConsortiumError, load_consortium
from gateway.ipfs import IpfsClient
from gateway.ledger import LedgerError, open_ledger
from gateway.ledger.attestation import ArtifactRef, AttestationError, model_attestation, pipeline_attestation
from gateway.ledger.bundle import (
    SUBJECTS,
    Bundle,
    BundleError,
    export_bundle,
    load_roots,
    roots_to_json,
    verify_bundle,
    verify_content,
)

USAGE_ERROR, ALTERED = 2, 1


class UsageError(Exception):
    """UsageError is input the command cannot act on; its message says which and why."""


def consortium_roots(consortium: Consortium) -> dict[str, list[x509.Certificate]]:
    """consortium_roots reads every organisation's MSP root certificates from its MSP folder."""
    roots = {}
    for org in consortium.organisations:
        pems = sorted((org.msp_dir / "cacerts").glob("*.pem"))
        if not pems:
            raise ConsortiumError(f"{org.name}'s MSP folder {org.msp_dir} holds no root certificate")
        roots[org.msp_id] = [x509.load_pem_x509_certificate(p.read_bytes()) for p in pems]
    return roots


def write_new(path: Path, text: str) -> None:
    """write_new writes text to path and refuses to replace a file: an auditor's evidence stays."""
    try:
        with path.open("x") as out:
            out.write(text + "\n")
    except FileExistsError:
        raise UsageError(f"{path} exists: give a new file name") from None
    except OSError as error:
        raise UsageError(f"{path}: {error}") from error


def project_organisation(consortium: Consortium, project: str, organisation: str | None) -> str:
    """project_organisation is the organisation to act as: organisation, which must be one of the
    project's, or the project's first."""
    organisations = consortium.channels.get(project)
    if not organisations or project == "mainchain":
        raise UsageError(f"{project!r} is not a project channel of this network")
    name = organisation or organisations[0]
    if name not in organisations:
        raise UsageError(f"{name} is not one of {project}'s organisations ({', '.join(organisations)})")
    return name


async def export(subject: str, subject_id: str, project: str, organisation: str | None) -> Bundle:
    consortium = load_consortium()
    name = project_organisation(consortium, project, organisation)
    admin = consortium.organisation(name)
    async with open_ledger(consortium, organisation=name, identity_dir=admin.admin_dir) as ledger:
        return await export_bundle(ledger, project, subject, subject_id)


async def attest(subject: str, cert_id: str, project: str, organisation: str | None) -> dict[str, Any]:
    """attest reads subject cert_id's certificate (and, for a model, every artifact its phases cite)
    from the ledger and exports it as an in-toto attestation."""
    consortium = load_consortium()
    name = project_organisation(consortium, project, organisation)
    admin = consortium.organisation(name)
    async with open_ledger(consortium, organisation=name, identity_dir=admin.admin_dir) as ledger:
        provenance = ledger.provenance(project)
        try:
            if subject == "pipeline":
                pipeline = await provenance.get_pipeline_certificate(cert_id)
                return pipeline_attestation(pipeline.record, channel=project)
            cert = await provenance.get_model_certificate(cert_id)
            refs = {}
            for artifact_id in dict.fromkeys(a for p in cert.phases for a in p.artifacts):
                record = await provenance.get_artifact(artifact_id)
                refs[artifact_id] = ArtifactRef(record.artifact_id, record.kind, record.cid, record.sha256)
        except LedgerError as error:
            if any("does not exist" in r for r in error.reasons):
                raise UsageError(
                    f"project {project} has no {subject} certificate {cert_id!r}: {error.said}"
                ) from None
            raise
    return model_attestation(cert.record, channel=project, artifacts=refs)


def parse_contents(items: list[str]) -> dict[str, Path]:
    contents = {}
    for item in items:
        artifact_id, sep, path = item.partition("=")
        if not sep or not artifact_id or not path:
            raise UsageError(f"--content {item!r} is not ARTIFACT_ID=PATH")
        if not Path(path).is_file():
            raise UsageError(f"--content {artifact_id}: {path} is not a file")
        contents[artifact_id] = Path(path)
    return contents


def verify(bundle_path: Path, roots_path: Path, content_items: list[str]) -> int:
    contents = parse_contents(content_items)
    try:
        bundle = Bundle.from_json(bundle_path.read_text())
    except OSError as error:
        raise UsageError(f"{bundle_path}: {error}") from error
    findings = verify_bundle(bundle, load_roots(roots_path))
    unknown = set(contents) - {f.record_id for f in findings if f.kind == "artifact"}
    if unknown:
        raise UsageError(f"--content names artifacts the bundle does not hold: {', '.join(sorted(unknown))}")
    for i, finding in enumerate(findings):
        if finding.kind == "artifact" and finding.record_id in contents:
            findings[i] = verify_content(finding, contents[finding.record_id].read_bytes())
    print(f"bundle of {bundle.subject_kind} {bundle.subject_id} on {bundle.channel}:")
    for finding in findings:
        print(finding.line())
    altered = [f for f in findings if f.problems]
    print(f"{len(findings) - len(altered)} intact, {len(altered)} altered")
    return ALTERED if altered else 0


async def verify_online(subject: str, subject_id: str, project: str, organisation: str | None) -> int:
    """verify_online is `bcmlp verify SUBJECT ID`: gateway.verify's verdicts, keys from the ledger."""
    consortium = load_consortium()
    name = project_organisation(consortium, project, organisation)
    admin = consortium.organisation(name)
    nodes = {
        o: IpfsClient(node, timeout=30)
        for o in consortium.channels[project]
        if (node := consortium.organisation(o).ipfs) is not None
    }
    try:
        async with open_ledger(consortium, organisation=name, identity_dir=admin.admin_dir) as ledger:
            try:
                keyring = await member_keyring(ledger, project, admin.admin_dir)
            except KeyWrapError as error:
                raise UsageError(
                    f"{name}'s admin: {error}; verify as another organisation (--organisation)"
                ) from None
            member_id = keyring.member_id

            async def data_key_for(epoch: int) -> bytes:
                try:
                    return await data_key_for_epoch(ledger, project, keyring, epoch)
                except KeyWrapError as error:
                    raise UsageError(
                        f"{name}'s admin (member {member_id}) cannot open the data key of epoch {epoch}, "
                        f"which {subject} {subject_id} needs: {error}; verify as another organisation "
                        "(--organisation)"
                    ) from None

            try:
                verdicts = await online.verify(
                    ledger, ArtifactStore(nodes), project, subject, subject_id, data_key_for=data_key_for
                )
            except online.VerifyError as error:
                raise UsageError(str(error)) from None
            except LedgerError as error:
                if any("does not exist" in r for r in error.reasons):
                    raise UsageError(
                        f"project {project} has no {subject} {subject_id!r} (or lacks a record it cites): "
                        + error.said
                    ) from None
                raise
    finally:
        for client in nodes.values():
            await client.close()
    print(f"{subject} {subject_id} of {project}, verified as {name}'s admin (member {member_id}):")
    for verdict in verdicts:
        print(verdict.line())
    counts = {status: sum(v.status == status for v in verdicts) for status in online.STATUSES}
    print(", ".join(f"{n} {status}" for status, n in counts.items()))
    return 0 if counts["intact"] == len(verdicts) else ALTERED


async def verify_workpiece(
    workpiece_id: str, proof_path: Path, project: str, organisation: str | None
) -> int:
    """verify_workpiece is `bcmlp verify workpiece ID --proof P`: the proof against its batch's record."""
    try:
        proof = InclusionProof.from_json(proof_path.read_text())
    except (OSError, ValueError) as error:
        raise UsageError(f"{proof_path}: {error}") from None
    if proof.workpiece_id != workpiece_id:
        raise UsageError(f"{proof_path} proves workpiece {proof.workpiece_id}, not {workpiece_id}")
    consortium = load_consortium()
    name = project_organisation(consortium, project, organisation)
    admin = consortium.organisation(name)
    async with open_ledger(consortium, organisation=name, identity_dir=admin.admin_dir) as ledger:
        try:
            batch = await ledger.provenance(project).get_result_batch(proof.batch_id)
        except LedgerError as error:
            if any("does not exist" in r for r in error.reasons):
                raise UsageError(f"project {project} has no result batch {proof.batch_id!r}") from None
            raise
    model = batch.model_certificate_id
    where = f"batch {batch.batch_id} of {batch.size} (tx {batch.tx_id}, model certificate {model})"
    try:
        reached = proof.root().hex()
    except ValueError as error:
        reached = f"nothing ({error})"
    if proof.size != batch.size or reached != batch.merkle_root:
        print(f"altered     workpiece {workpiece_id} in {where}")
        print(
            f"            - the proof (leaf {proof.index} of {proof.size}) leads to {reached}, but the batch "
            f"records root {batch.merkle_root} over {batch.size} results"
        )
        return ALTERED
    print(f"intact      workpiece {workpiece_id} in {where}")
    print(f"            - result: {json.dumps(proof.result, sort_keys=True)}")
    return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bcmlp", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    srv = commands.add_parser("serve", help="run an organisation's gateway service")
    srv.add_argument("--org", required=True)
    wal = commands.add_parser("wallet", help="manage an organisation's wallet of member keys")
    wal.add_argument("action", choices=["add"])
    wal.add_argument("--org", required=True)
    wal.add_argument("--member", required=True, help="the member id the registry knows it by")
    wal.add_argument("--identity-dir", type=Path, required=True)
    roots = commands.add_parser("roots", help="write the consortium's root certificates")
    roots.add_argument("-o", "--output", type=Path, required=True)
    exp = commands.add_parser("export", help="write a self-contained bundle of a subject's records")
    exp.add_argument("subject", choices=sorted(SUBJECTS))
    exp.add_argument("id")
    exp.add_argument("--project", required=True)
    exp.add_argument("--organisation")
    exp.add_argument("-o", "--output", type=Path, required=True)
    att = commands.add_parser("attest", help="write a certificate as an in-toto/SLSA attestation")
    att.add_argument("subject", choices=["model", "pipeline"])
    att.add_argument("id")
    att.add_argument("--project", required=True)
    att.add_argument("--organisation")
    att.add_argument("-o", "--output", type=Path, required=True)
    ver = commands.add_parser(
        "verify", help="verify a bundle offline, or a record online (verify SUBJECT ID --project P)"
    )
    ver.add_argument(
        "subject", nargs="?", choices=[*online.SUBJECTS, "workpiece"], help="online: what to verify"
    )
    ver.add_argument("--proof", type=Path, help="workpiece: its inclusion proof file")
    ver.add_argument("id", nargs="?", help="online: its id (artifact, certificate or transaction id)")
    ver.add_argument("--project", help="online: the project channel")
    ver.add_argument("--organisation", help="online: act as this organisation's admin")
    ver.add_argument("--bundle", type=Path)
    ver.add_argument("--roots", type=Path)
    ver.add_argument("--content", action="append", default=[], metavar="ARTIFACT_ID=PATH")
    add_client_commands(commands)
    args = parser.parse_args(argv)
    if getattr(args, "client", False):
        sys.exit(run_client(args))
    if args.command == "verify":
        if args.subject is not None:
            if args.id is None or args.project is None:
                ver.error(f"verify {args.subject} needs its ID and --project P")
            if (args.subject == "workpiece") != (args.proof is not None):
                ver.error("--proof PROOF.json goes with verify workpiece ID, and only there")
            if args.bundle or args.roots or args.content:
                ver.error(
                    f"verify {args.subject} checks online: --bundle, --roots and --content are for bundles"
                )
        elif args.bundle is None or args.roots is None:
            ver.error("give --bundle B.json --roots R.json, or verify SUBJECT ID --project P")
    if args.command == "serve":
        sys.exit(run_serve(args.org))
    try:
        if args.command == "wallet":
            print(wallet_add(args.org, args.member, args.identity_dir))
        elif args.command == "roots":
            write_new(args.output, roots_to_json(consortium_roots(load_consortium())))
        elif args.command == "export":
            bundle = runtime.run(export(args.subject, args.id, args.project, args.organisation))
            write_new(args.output, bundle.to_json())
            what = f"{bundle.subject_kind} {bundle.subject_id}"
            print(f"{args.output}: {len(bundle.records)} records of {what}")
        elif args.command == "attest":
            statement = runtime.run(attest(args.subject, args.id, args.project, args.organisation))
            write_new(args.output, json.dumps(statement, indent=2, sort_keys=True))
            print(f"{args.output}: in-toto statement of {args.subject} certificate {args.id}")
        elif args.subject == "workpiece":
            sys.exit(runtime.run(verify_workpiece(args.id, args.proof, args.project, args.organisation)))
        elif args.subject is not None:
            sys.exit(runtime.run(verify_online(args.subject, args.id, args.project, args.organisation)))
        else:
            sys.exit(verify(args.bundle, args.roots, args.content))
    except (UsageError, BundleError, ConsortiumError, AttestationError, WalletError, ServeError) as error:
        print(f"bcmlp {args.command}: {error}", file=sys.stderr)
        sys.exit(USAGE_ERROR)
    except LedgerError as error:
        print(f"bcmlp {args.command}: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
