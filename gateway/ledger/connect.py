"""Opening the ledger as one member: its enrolled identity, a TLS connection to a peer, the typed clients.

Services, the CLI and the pipeline start here::

    async with open_ledger(load_consortium(), organisation="Manufacturer", identity_dir=...) as ledger:
        member = await ledger.registry.get_member("alice")
        artifact = await ledger.provenance("project-a").get_artifact("dataset-7")
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from gateway.consortium import Consortium
from gateway.fabric import Gateway, Signer, X509Identity, load_msp_identity, tls_certificate_hash

from ._chaincode import Organisations
from .provenance import ProvenanceClient
from .registry import RegistryClient


@dataclass(frozen=True, slots=True)
class TlsClientCertificate:
    """TlsClientCertificate is the certificate and key a member presents to peers under mutual TLS."""

    certificate_pem: bytes
    private_key_pem: bytes

    @property
    def sha256(self) -> bytes:
        """sha256 is the SHA-256 of the certificate's DER, which Fabric binds deliver requests to."""
        return tls_certificate_hash(self.certificate_pem)


@dataclass(frozen=True, slots=True)
class MemberIdentity:
    """MemberIdentity is a member's signing identity and, when it has one, its TLS client pair."""

    identity: X509Identity
    signer: Signer
    tls: TlsClientCertificate | None


def load_member_identity(identity_dir: Path, msp_id: str) -> MemberIdentity:
    """load_member_identity reads an identity folder as ``network/ca.sh identity`` writes it.

    The folder holds ``msp/`` (signcerts/cert.pem and keystore/*_sk), or is itself that MSP
    folder; a ``tls/`` subfolder with signcerts/ and keystore/ (enrolment with the tls profile)
    adds the TLS client certificate and key for mutual TLS.
    """
    identity_dir = Path(identity_dir)
    msp_dir = identity_dir / "msp" if (identity_dir / "msp").is_dir() else identity_dir
    identity, signer = load_msp_identity(msp_dir, msp_id)
    tls_dir = identity_dir / "tls"
    if not ((tls_dir / "signcerts").is_dir() and (tls_dir / "keystore").is_dir()):
        return MemberIdentity(identity, signer, None)
    certificates = sorted((tls_dir / "signcerts").glob("*.pem"))
    if len(certificates) != 1:
        raise ValueError(
            f"{tls_dir / 'signcerts'} holds {len(certificates)} certificates; keep exactly the one TLS "
            "certificate enrolment wrote (or remove tls/ to connect without a client certificate)"
        )
    certificate_pem = certificates[0].read_bytes()
    return MemberIdentity(
        identity,
        signer,
        TlsClientCertificate(certificate_pem, _matching_key(tls_dir / "keystore", certificate_pem)),
    )


def _matching_key(keystore: Path, certificate_pem: bytes) -> bytes:
    """_matching_key returns the PEM key in keystore whose public key is the certificate's."""
    public_format = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    wanted = x509.load_pem_x509_certificate(certificate_pem).public_key().public_bytes(*public_format)
    for path in sorted(p for p in keystore.iterdir() if p.is_file() and not p.name.startswith(".")):
        pem = path.read_bytes()
        try:
            key = load_pem_private_key(pem, password=None)
        except (ValueError, TypeError):
            continue
        if key.public_key().public_bytes(*public_format) == wanted:
            return pem
    raise ValueError(
        f"no unencrypted PEM key in {keystore} matches the TLS certificate; re-enrol the TLS identity"
    )


@dataclass(frozen=True, slots=True)
class Ledger:
    """Ledger is one member's open connection: the Gateway, the registry and each project's provenance."""

    gateway: Gateway
    registry: RegistryClient
    organisations: Organisations
    provenance_chaincode: str = "provenance"

    def provenance(self, project_channel: str) -> ProvenanceClient:
        """provenance returns the provenance client of a project channel."""
        return ProvenanceClient(
            self.gateway, self.organisations, channel=project_channel, chaincode=self.provenance_chaincode
        )


# gRPC's 4 MiB default refuses the endorsement of a trust snapshot of 10,000 ratings (its write set is
# about 6 MB: measured by bench/snapshot.py); Fabric's peers take and send up to 100 MiB (their
# MaxRecvMsgSize and MaxSendMsgSize defaults), so the client does too.
MESSAGE_LIMITS: tuple[tuple[str, int], ...] = (
    ("grpc.max_receive_message_length", 100 * 1024 * 1024),
    ("grpc.max_send_message_length", 100 * 1024 * 1024),
)


def channel_credentials(tls_root_cert: Path, client: TlsClientCertificate | None) -> grpc.ChannelCredentials:
    """channel_credentials trusts the peer's TLS root and presents the client pair when given (mutual TLS)."""
    root = Path(tls_root_cert).read_bytes()
    if client is None:
        return grpc.ssl_channel_credentials(root_certificates=root)
    return grpc.ssl_channel_credentials(
        root_certificates=root, private_key=client.private_key_pem, certificate_chain=client.certificate_pem
    )


@asynccontextmanager
async def open_ledger(
    consortium: Consortium,
    *,
    organisation: str,
    identity_dir: Path,
    peer_organisation: str | None = None,
    tls_host_override: str | None = None,
    registry_channel: str = "mainchain",
    registry_chaincode: str = "registry",
    provenance_chaincode: str = "provenance",
) -> AsyncIterator[Ledger]:
    """open_ledger connects a member of organisation to a peer and yields the ledger's typed clients.

    consortium is the network description (``gateway.consortium.load_consortium()``), which names
    each organisation's peer and TLS root; the member talks to its own organisation's peer unless
    peer_organisation names another's. identity_dir is the member's identity folder (see
    ``load_member_identity``); tls_host_override the host name the peer's TLS certificate names when
    its address is not in it. With a TLS client pair in identity_dir the connection uses mutual TLS
    and block event requests carry the certificate's hash. The gRPC channel closes on exit.
    """
    target = consortium.organisation(peer_organisation or organisation)
    if target.peer is None:
        raise ValueError(f"{target.name} runs no peer; connect through a peer organisation's peer")
    peer_address, tls_root_cert = target.peer.address, target.tls_root_cert
    member = load_member_identity(identity_dir, consortium.organisation(organisation).msp_id)
    options: list[tuple[str, int | str]] = list(MESSAGE_LIMITS)
    if tls_host_override is not None:
        options.append(("grpc.ssl_target_name_override", tls_host_override))
    channel = grpc.aio.secure_channel(
        peer_address, channel_credentials(tls_root_cert, member.tls), options=options
    )
    try:
        gateway = Gateway.connect(
            identity=member.identity,
            signer=member.signer,
            client=channel,
            tls_client_certificate_hash=None if member.tls is None else member.tls.sha256,
        )
        registry = RegistryClient(gateway, consortium, channel=registry_channel, chaincode=registry_chaincode)
        yield Ledger(gateway, registry, consortium, provenance_chaincode)
    finally:
        await channel.close()
