"""Calling the organisations' gateway services over HTTPS as a member (mutual TLS), for the tests of the
service's routes (test_api.py) and of what they show (test_certificates.py's audit report)."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import aiohttp

from tests.integration.conftest import RunningNetwork
from tests.integration.founding import founder_id


def client_context(network: RunningNetwork, organisation: str, identity_dir: Path) -> ssl.SSLContext:
    """client_context trusts organisation's CA (the service's certificate) and presents identity_dir's
    TLS pair."""
    org = network.consortium.organisation(organisation)
    context = ssl.create_default_context(cafile=str(org.tls_root_cert))
    context.load_cert_chain(identity_dir / "tls" / "server.crt", identity_dir / "tls" / "server.key")
    return context


class Client:
    """Client calls one organisation's service as one identity."""

    def __init__(self, network: RunningNetwork, organisation: str, context: ssl.SSLContext) -> None:
        api = network.consortium.organisation(organisation).api
        assert api is not None
        self.url = api.url
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context))

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any, dict[str, str]]:
        async with self.session.request(method, self.url + path, json=body) as response:
            data = await response.json(content_type=None)
            return response.status, data, dict(response.headers)

    async def fetch(self, path: str, **params: str) -> tuple[int, bytes, dict[str, str]]:
        """fetch GETs path and answers the body's bytes as they came (reports, contents)."""
        async with self.session.get(self.url + path, params=params) as response:
            return response.status, await response.read(), dict(response.headers)

    async def close(self) -> None:
        await self.session.close()


def wallet_add(network: RunningNetwork, organisation: str, member_id: str, identity_dir: Path) -> None:
    proc = network.bcmlp(
        "wallet", "add", "--org", organisation, "--member", member_id, "--identity-dir", str(identity_dir)
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def signed_in(network: RunningNetwork, organisation: str, member_id: str, identity_dir: Path) -> Client:
    """signed_in puts identity_dir's key into organisation's wallet as member member_id and opens a client
    of organisation's service presenting identity_dir's TLS pair."""
    wallet_add(network, organisation, member_id, identity_dir)
    return Client(network, organisation, client_context(network, organisation, identity_dir))


def founder_client(network: RunningNetwork, organisation: str) -> Client:
    """founder_client is organisation's founder (its admin identity) signed in to its own service."""
    admin = network.consortium.organisation(organisation).admin_dir
    return signed_in(network, organisation, founder_id(organisation), admin)
