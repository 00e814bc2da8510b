"""bcmlp serve and bcmlp wallet: an organisation's gateway service and its wallet of member keys.

bcmlp serve --org ORG
    runs ORG's service (gateway.api) at the URL the network description gives it, until SIGTERM or
    SIGINT. HTTPS with mutual TLS: its server certificate is the TLS certificate of ORG's identity
    ``api-<org>`` (network/ca.sh); clients must present a certificate of a consortium CA. It talks to
    ORG's peer presenting the same identity's TLS pair, and signs as each caller with its wallet key.
bcmlp wallet add --org ORG --member MEMBER_ID --identity-dir DIR
    puts the enrolment key of DIR (an identity folder of network/ca.sh: msp/signcerts, msp/keystore)
    into ORG's wallet, encrypted, as member MEMBER_ID; the member then signs in with its certificate.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import ssl
import sys
from pathlib import Path
from urllib.parse import urlsplit

import grpc
from aiohttp import web

from gateway import runtime
from gateway.api.app import make_app
from gateway.api.callers import Callers
from gateway.api.wallet import Wallet, WalletError
from gateway.consortium import ApiService, Consortium, ConsortiumError, Organisation, load_consortium
from gateway.ipfs import IpfsClient
from gateway.ledger.connect import MESSAGE_LIMITS, channel_credentials, load_member_identity


class ServeError(Exception):
    """ServeError is a service that cannot start: what is missing and how to get it."""


def api_of(organisation: Organisation) -> ApiService:
    if organisation.api is None or organisation.peer is None:
        raise ServeError(
            f"{organisation.name} has no gateway service in the network description: only peer "
            "organisations run one; restart the network (make down up) if it predates the service"
        )
    return organisation.api


def server_context(consortium: Consortium, api: ApiService) -> ssl.SSLContext:
    """server_context presents the service's TLS certificate and requires a client certificate of any
    consortium CA (the service then tells a member of another organisation which service is its own)."""
    tls = api.identity / "tls"
    if not (tls / "server.crt").is_file():
        raise ServeError(
            f"{tls / 'server.crt'} is missing: network/api.sh start enrols the service's identity"
        )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(tls / "server.crt", tls / "server.key")
    context.verify_mode = ssl.CERT_REQUIRED
    for org in consortium.organisations:
        for root in sorted((org.msp_dir / "cacerts").glob("*.pem")):
            context.load_verify_locations(cafile=root)
    return context


async def serve(organisation: str) -> None:
    consortium = load_consortium()
    org = consortium.organisation(organisation)
    api = api_of(org)
    assert org.peer is not None
    wallet = Wallet.open(api.wallet_dir, api.passphrase_file)
    member = load_member_identity(api.identity, org.msp_id)
    if member.tls is None:
        raise ServeError(f"{api.identity} has no tls/ pair; network/api.sh start enrols one")
    peer = grpc.aio.secure_channel(
        org.peer.address, channel_credentials(org.tls_root_cert, member.tls), options=list(MESSAGE_LIMITS)
    )
    nodes = {o.name: IpfsClient(o.ipfs, timeout=60) for o in consortium.peer_organisations if o.ipfs}
    callers = Callers(
        consortium,
        organisation,
        wallet,
        peer,
        service_identity=(member.identity, member.signer),
        nodes=nodes,
        tls_certificate_hash=member.tls.sha256,
    )
    runner = web.AppRunner(make_app(organisation, callers), access_log=None)
    await runner.setup()
    url = urlsplit(api.url)
    site = web.TCPSite(runner, url.hostname, url.port, ssl_context=server_context(consortium, api))
    await site.start()
    listening = {"event": "listening", "url": api.url, "organisation": organisation}
    logging.getLogger("bcmlp.api").info(json.dumps(listening))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await peer.close()
        for node in nodes.values():
            await node.close()


def wallet_add(organisation: str, member_id: str, identity_dir: Path) -> str:
    consortium = load_consortium()
    org = consortium.organisation(organisation)
    api = api_of(org)
    try:
        entry = Wallet.open(api.wallet_dir, api.passphrase_file).add(
            member_id=member_id, msp_id=org.msp_id, identity_dir=identity_dir
        )
    except (FileNotFoundError, ValueError) as error:
        raise WalletError(f"{identity_dir}: {error}") from None
    keys = len(entry.encrypted_agreement_keys)
    return f"{organisation}'s wallet holds {entry.name} as member {member_id} ({keys} key-agreement keys)"


def run_serve(organisation: str) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    try:
        runtime.run(serve(organisation))
    except (ServeError, WalletError, ConsortiumError) as error:
        print(f"bcmlp serve: {error}", file=sys.stderr)
        return 2
    return 0
