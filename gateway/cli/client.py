"""The member's commands that talk to its organisation's gateway service (`bcmlp me`, `bcmlp trust`, ...).

Each signs in with mutual TLS as the identity in ``--identity DIR`` (an identity folder with ``tls/``, as
network/ca.sh writes it; default: the organisation's admin) at ``--org``'s service (default: the first
peer organisation), whose URL and CA come from the network description. Output is a table for people,
or the service's JSON with ``--json`` for scripts; uploads and downloads show a progress bar on a
terminal. A refused request prints the service's problem (code and detail, each refusing peer) and
exits 1; bad input exits 2.

bcmlp me | trust [MEMBER] | committee | parameters
bcmlp awaiting PROJECT | ratings PROJECT ARTIFACT | rate PROJECT ARTIFACT SCORE [--comment C]
bcmlp upload PROJECT FILE --id ID --kind KIND [--parents A,B] [--media-type T] [--request-feedback]
bcmlp download PROJECT ARTIFACT -o FILE
bcmlp certificate PROJECT CERT | check PROJECT {artifact|model|pipeline|tx} ID
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import mimetypes
import ssl
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn
from rich.table import Table

from gateway import runtime
from gateway.consortium import Consortium, ConsortiumError, load_consortium
from gateway.fabric import EcdsaSigner, load_msp_identity

PIECE = 1 << 20


class ClientError(Exception):
    """ClientError is input the command cannot act on."""


@dataclass
class Refused(Exception):
    """Refused is a problem document the service answered with."""

    status: int
    problem: dict[str, Any]

    def __str__(self) -> str:
        lines = [f"{self.status} {self.problem.get('code', '?')}: {self.problem.get('detail', '')}"]
        lines += [f"  {p['mspId']} ({p['address']}): {p['message']}" for p in self.problem.get("peers", [])]
        lines += [f"  - {e}" for e in self.problem.get("errors", [])]
        return "\n".join(lines)


def connect(
    consortium: Consortium, organisation: str | None, identity: Path | None
) -> tuple[str, ssl.SSLContext]:
    """connect is the service URL of organisation and a TLS context presenting identity's TLS pair."""
    org = consortium.organisation(organisation) if organisation else consortium.peer_organisations[0]
    if org.api is None:
        raise ClientError(f"{org.name} runs no gateway service (restart the network if it predates them)")
    folder = identity or org.admin_dir
    certificate, key = folder / "tls" / "server.crt", folder / "tls" / "server.key"
    if not certificate.is_file() or not key.is_file():
        raise ClientError(
            f"{folder} has no tls/server.crt and tls/server.key: pass an identity folder of {org.name}'s CA"
        )
    context = ssl.create_default_context(cafile=str(org.tls_root_cert))
    context.load_cert_chain(certificate, key)
    return org.api.url, context


class Service:
    """Service is one signed-in session with an organisation's gateway service."""

    def __init__(self, url: str, context: ssl.SSLContext) -> None:
        self.url = url
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context))

    async def close(self) -> None:
        await self.session.close()

    async def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        async with self.session.request(method, self.url + path, json=body, **kwargs) as response:
            data = await response.json(content_type=None)
            if response.status >= 400:
                raise Refused(response.status, data if isinstance(data, dict) else {"detail": str(data)})
            return data


def progress(console: Console) -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=console,
        disable=not console.is_terminal,
    )


async def upload(service: Service, console: Console, args: argparse.Namespace) -> Any:
    path: Path = args.file
    if not path.is_file():
        raise ClientError(f"{path} is not a file")
    media_type = args.media_type or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    query = {
        "artifactId": args.id,
        "kind": args.kind,
        "requestFeedback": "true" if args.request_feedback else "false",
    }
    if args.parents:
        query["parents"] = args.parents
    size = path.stat().st_size
    with progress(console) as bar:
        task = bar.add_task(f"upload {path.name}", total=size)

        async def pieces() -> AsyncIterator[bytes]:
            with path.open("rb") as source:
                while piece := source.read(PIECE):
                    bar.advance(task, len(piece))
                    yield piece

        return await service.call(
            "POST",
            f"/v1/projects/{args.project}/artifacts",
            None,
            params=query,
            data=pieces(),
            headers={"Content-Type": media_type},
        )


def partial_of(out: Path) -> Path:
    """partial_of is where a download into the new file out is written until it is complete (then
    renamed to out); a ClientError when out exists, so nothing is overwritten."""
    if out.exists():
        raise ClientError(f"{out} exists: give a new file name")
    return out.with_name(out.name + ".partial")


async def download(service: Service, console: Console, args: argparse.Namespace) -> Any:
    out: Path = args.output
    partial = partial_of(out)
    async with service.session.get(
        f"{service.url}/v1/projects/{args.project}/artifacts/{args.artifact}/content"
    ) as response:
        if response.status >= 400:
            raise Refused(response.status, await response.json(content_type=None))
        with progress(console) as bar, partial.open("wb") as sink:
            task = bar.add_task(f"download {args.artifact}", total=response.content_length)
            received = 0
            async for piece in response.content.iter_chunked(PIECE):
                sink.write(piece)
                received += len(piece)
                bar.advance(task, len(piece))
    if response.content_length is not None and received != response.content_length:
        partial.unlink()
        raise Refused(
            409,
            {"code": "content_altered", "detail": "the service cut the content off: it failed verification"},
        )
    partial.rename(out)
    return {
        "artifactId": args.artifact,
        "file": str(out),
        "bytes": received,
        "sha256": response.headers.get("X-Content-Sha256", ""),
    }


async def audit_report(service: Service, console: Console, args: argparse.Namespace) -> Any:
    out: Path = args.output
    partial = partial_of(out)
    form = args.format or ("pdf" if out.suffix.lower() == ".pdf" else "html")
    path = f"/v1/projects/{args.project}/reports/{args.subject}/{args.id}"
    # Verifying a long lineage takes a while: a spinner on a terminal, nothing in scripts.
    with console.status(f"verifying {args.subject} {args.id} and writing its report"):
        async with service.session.get(service.url + path, params={"format": form}) as response:
            if response.status >= 400:
                raise Refused(response.status, await response.json(content_type=None))
            body = await response.read()
    partial.write_bytes(body)
    partial.rename(out)
    return {"subject": args.subject, "id": args.id, "format": form, "file": str(out), "bytes": len(body)}


async def events(service: Service, console: Console, args: argparse.Namespace) -> Any:
    """events prints the chaincode's events as they come (one JSON line each with --json), resuming after
    --after; it stops after --count events, or never (Ctrl-C)."""
    params = {"after": args.after} if args.after else {}
    if args.start_block is not None:
        params["startBlock"] = str(args.start_block)
    path = f"/v1/events/{args.channel}/{args.chaincode}"
    seen = 0
    async with service.session.get(service.url + path, params=params, timeout=None) as response:
        if response.status >= 400:
            raise Refused(response.status, await response.json(content_type=None))
        kind, data = "", ""
        async for raw in response.content:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                kind = line[len("event: ") :]
            elif line.startswith("data: "):
                data = line[len("data: ") :]
            elif not line and data:
                if kind == "error":
                    problem = json.loads(data)
                    raise Refused(502, problem)
                event = json.loads(data)
                if args.json:
                    print(json.dumps(event), flush=True)
                else:
                    console.print(
                        f"{event['blockNumber']}:{event['transactionId']} {event['event']} "
                        f"{json.dumps(event['payload'])[:200]}"
                    )
                seen += 1
                kind, data = "", ""
                if args.count and seen >= args.count:
                    break
    return None


async def offline(
    service: Service, console: Console, args: argparse.Namespace, consortium: Consortium
) -> Any:
    """offline submits one contract call signed here, with the key of --identity's msp/ folder, through
    the service's four offline-signing steps: the key never leaves this machine."""
    org = consortium.organisation(args.org) if args.org else consortium.peer_organisations[0]
    folder = args.identity or org.admin_dir
    try:
        identity, signer = load_msp_identity(folder / "msp", org.msp_id)
    except (FileNotFoundError, ValueError) as error:
        raise ClientError(f"{folder / 'msp'}: {error}") from None
    if not isinstance(signer, EcdsaSigner):  # Ed25519 signs the message, not a digest made elsewhere
        raise ClientError(f"{folder / 'msp'}: offline signing needs an ECDSA key (Fabric CA's kind)")

    def signed(step: dict[str, Any], field: str) -> dict[str, Any]:
        signature = signer.sign_digest(base64.b64decode(step["digest"]))
        encoded = base64.b64encode(signature).decode()
        return {"memberId": args.member, field: step[field], "signature": encoded}

    call = {
        "memberId": args.member,
        "certificate": identity.certificate_pem.decode(),
        "channel": args.channel,
        "chaincode": args.chaincode,
        "function": args.function,
        "args": args.args,
    }
    with console.status(f"{args.function} on {args.channel}, signed here"):
        proposal = await service.call("POST", "/v1/offline/proposals", call)
        transaction = await service.call("POST", "/v1/offline/endorsements", signed(proposal, "proposal"))
        commit = await service.call("POST", "/v1/offline/submissions", signed(transaction, "transaction"))
        return await service.call("POST", "/v1/offline/commits", signed(commit, "commit"))


TRAINING_OPTIONS = {
    "epochs": int,
    "batch_size": int,
    "learning_rate": float,
    "image_size": int,
    "width": int,
    "seed": int,
    "held_out": float,
}


async def training_run(service: Service, console: Console, args: argparse.Namespace) -> Any:
    """training_run submits a training run and, unless --no-wait, follows it to its end with a bar of
    epochs; the run as the service last answered it."""
    config = {}
    for name in TRAINING_OPTIONS:
        value = getattr(args, name)
        if value is not None:
            head, *rest = name.split("_")
            config[head + "".join(word.title() for word in rest)] = value
    body = {
        "runId": args.run_id,
        "datasetArtifactId": args.dataset,
        "modelArtifactId": args.model_id,
        "config": config,
    }
    run = await service.call("POST", f"/v1/projects/{args.project}/training-runs", body)
    if args.no_wait:
        return run
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        "{task.completed}/{task.total} epochs",
        console=console,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task(f"training {args.run_id}", total=run["epochs"])
        while run["status"] in ("queued", "running"):
            await asyncio.sleep(1)
            run = await service.call("GET", f"/v1/projects/{args.project}/training-runs/{args.run_id}")
            bar.update(task, completed=run["epoch"], total=run["epochs"])
    return run


def table(console: Console, rows: list[dict[str, Any]], columns: list[str], title: str) -> None:
    view = Table(title=title)
    for column in columns:
        view.add_column(column)
    for row in rows:
        view.add_row(*(str(row.get(c, "")) for c in columns))
    console.print(view)


Show = Callable[[Console, Any], None]


def _records(columns: list[str], key: str, title: str) -> Show:
    return lambda console, data: table(console, data[key], columns, title)


def _fields(title: str) -> Show:
    def show(console: Console, data: Any) -> None:
        rows = [
            {"field": k, "value": json.dumps(v) if isinstance(v, (dict, list)) else v}
            for k, v in data.items()
        ]
        table(console, rows, ["field", "value"], title)

    return show


def add_commands(commands: Any) -> None:
    """add_commands declares the client commands on bcmlp's subparsers."""

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = commands.add_parser(name, help=help_text)
        parser.add_argument("--org", help="the organisation whose service to use (default: the first)")
        parser.add_argument("--identity", type=Path, help="your identity folder (default: the org's admin)")
        parser.add_argument("--json", action="store_true", help="print the service's JSON")
        parser.set_defaults(client=True)
        return parser

    command("me", "who you are signed in as")
    command("trust", "the trust table, or one member's row").add_argument("member", nargs="?")
    command("committee", "the committee")
    command("parameters", "the consortium's parameters")
    command("awaiting", "records awaiting your rating").add_argument("project")
    ratings = command("ratings", "the ratings of a record")
    ratings.add_argument("project")
    ratings.add_argument("artifact")
    rate = command("rate", "rate a record")
    rate.add_argument("project")
    rate.add_argument("artifact")
    rate.add_argument("score", help="in [-1, 1], at most six decimals")
    rate.add_argument("--comment", default="")
    up = command("upload", "store a file as an artifact and record it")
    up.add_argument("project")
    up.add_argument("file", type=Path)
    up.add_argument("--id", required=True)
    up.add_argument("--kind", required=True)
    up.add_argument("--parents", help="comma-separated artifact ids")
    up.add_argument("--media-type")
    up.add_argument("--request-feedback", action="store_true")
    down = command("download", "an artifact's verified plaintext into a new file")
    down.add_argument("project")
    down.add_argument("artifact")
    down.add_argument("-o", "--output", type=Path, required=True)
    cert = command("certificate", "a model's birth certificate")
    cert.add_argument("project")
    cert.add_argument("cert")
    check = command("check", "verify a record through the service")
    check.add_argument("project")
    check.add_argument("subject", choices=["artifact", "model", "pipeline", "tx"])
    check.add_argument("id")
    sign = command("offline", "submit a contract call signed here with your own key (offline signing)")
    sign.add_argument("channel")
    sign.add_argument("chaincode", choices=["registry", "provenance"])
    sign.add_argument("function", help="the contract function, e.g. RateRecord")
    sign.add_argument("args", nargs="*", help="its arguments, as the contract takes them")
    sign.add_argument("--member", required=True, help="your member id in the registry")
    tail = command("events", "the chaincode's events of a channel as they are committed")
    tail.add_argument("channel")
    tail.add_argument("chaincode", choices=["registry", "provenance"])
    tail.add_argument("--after", help="resume after this event id (<block>:<transaction>)")
    tail.add_argument("--start-block", type=int, help="from this block on (default: from now on)")
    tail.add_argument("--count", type=int, default=0, help="stop after so many events (default: never)")
    fit = command("train", "train the model on a dataset artifact; the model is recorded as yours")
    fit.add_argument("project")
    fit.add_argument("dataset", help="a dataset artifact: a tar archive of one folder of images per class")
    fit.add_argument("--run-id", required=True)
    fit.add_argument("--model-id", required=True, help="the artifact id to record the model under")
    for name, kind in TRAINING_OPTIONS.items():
        fit.add_argument("--" + name.replace("_", "-"), type=kind, help="default: the pipeline's")
    fit.add_argument("--no-wait", action="store_true", help="submit only; follow it with --json later")
    report = command("report", "a model's or an artifact's audit report, as HTML or PDF, into a new file")
    report.add_argument("project")
    report.add_argument("subject", choices=["model", "artifact"])
    report.add_argument("id")
    report.add_argument("-o", "--output", type=Path, required=True)
    report.add_argument("--format", choices=["html", "pdf"], help="default: pdf for a .pdf file, else html")


async def _run(args: argparse.Namespace, console: Console) -> tuple[Any, Show | None]:
    consortium = load_consortium()
    url, context = connect(consortium, args.org, args.identity)
    service = Service(url, context)
    try:
        name = args.command
        if name == "me":
            return await service.call("GET", "/v1/me"), _fields("signed in as")
        if name == "trust":
            if args.member:
                return await service.call("GET", f"/v1/trust/{args.member}"), _fields(args.member)
            return await service.call("GET", "/v1/trust"), _records(
                ["memberId", "trust", "level"], "members", "trust"
            )
        if name == "committee":
            return await service.call("GET", "/v1/committee"), _records(
                ["memberId", "trust", "level"], "members", "committee"
            )
        if name == "parameters":
            return await service.call("GET", "/v1/parameters"), _fields("parameters")
        if name == "awaiting":
            columns = ["artifactId", "kind", "creatorMsp", "txId"]
            return await service.call("GET", f"/v1/projects/{args.project}/feedback/awaiting"), _records(
                columns, "artifacts", "awaiting your rating"
            )
        if name == "ratings":
            columns = ["raterMsp", "score", "comment", "period", "txId"]
            return await service.call(
                "GET", f"/v1/projects/{args.project}/artifacts/{args.artifact}/ratings"
            ), _records(columns, "ratings", args.artifact)
        if name == "rate":
            body = {"score": args.score, "comment": args.comment}
            return await service.call(
                "POST", f"/v1/projects/{args.project}/artifacts/{args.artifact}/ratings", body
            ), _fields("rated")
        if name == "upload":
            return await upload(service, console, args), _fields("stored and recorded")
        if name == "download":
            return await download(service, console, args), _fields("downloaded and verified")
        if name == "certificate":
            return await service.call("GET", f"/v1/projects/{args.project}/models/{args.cert}"), _fields(
                args.cert
            )
        if name == "check":
            data = await service.call("GET", f"/v1/projects/{args.project}/verify/{args.subject}/{args.id}")
            columns = ["status", "kind", "recordId", "blockNumber", "transactionId", "why"]
            return data, _records(columns, "verdicts", f"{args.subject} {args.id}")
        if name == "offline":
            return await offline(service, console, args, consortium), _fields("committed")
        if name == "train":
            return await training_run(service, console, args), _fields("training run")
        if name == "events":
            return await events(service, console, args), None
        if name == "report":
            return await audit_report(service, console, args), _fields("audit report")
        raise ClientError(f"unknown command {name}")
    finally:
        await service.close()


def run(args: argparse.Namespace) -> int:
    """run executes a client command; returns the exit status."""
    console = Console(stderr=False)
    try:
        data, show = runtime.run(_run(args, console))
    except (ClientError, ConsortiumError) as error:
        print(f"bcmlp {args.command}: {error}", file=sys.stderr)
        return 2
    except Refused as refused:
        print(f"bcmlp {args.command}: {refused}", file=sys.stderr)
        return 1
    except aiohttp.ClientError as error:
        print(f"bcmlp {args.command}: the service cannot be reached: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # how one stops `bcmlp events`
        return 130
    if data is None:  # printed as it came (events)
        return 0
    if args.json or show is None:
        print(json.dumps(data, indent=2))
    else:
        show(console, data)
    if args.command == "check" and not data.get("intact", False):
        return 1
    if args.command == "train" and data.get("status") == "failed":
        return 1
    return 0
