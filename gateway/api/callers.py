"""Who is calling: the member behind a mutual-TLS connection, with a ledger connection signed as it.

The service's TLS context trusts every consortium organisation's CA, so a member of another
organisation completes the handshake and is told which service is its own (a certificate of no
consortium CA, or an expired one, fails the handshake itself). For a certificate of the service's own
organisation, the common name names the CA identity; its wallet entry gives the member id and the
enrolment key. A certificate its CA has revoked is refused on every request: each organisation's MSP
folder keeps its CA's certificate revocation list in crls/ (Fabric's MSP layout; `network/ca.sh revoke`
revokes an identity and puts the new list there), read again whenever the file changes.
The registry then has the last word: the member's bound identity must be the wallet's
certificate and its status active. Decrypted signers are kept for the service's life; a member's
standing is read again once it is older than STANDING_SECONDS, so a suspension takes effect within that.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec

from gateway.api.problems import ApiError
from gateway.api.wallet import Wallet, WalletError, common_name
from gateway.artifacts.keys import MemberKeyring
from gateway.artifacts.store import ArtifactStore
from gateway.consortium import Consortium, Organisation, load_consortium
from gateway.fabric import Gateway, Signer, X509Identity
from gateway.ipfs import IpfsClient
from gateway.ledger import Ledger, LedgerError, RegistryClient, Standing, client_id

STANDING_SECONDS = 5.0
LOG = logging.getLogger("bcmlp.api")


@dataclass
class Caller:
    """Caller is a signed-in member: its wallet name, member id, standing and ledger (signed as it)."""

    name: str
    member_id: str
    standing: Standing
    ledger: Ledger
    keyring: MemberKeyring  # its key-agreement keys, which open its copies of the projects' data keys
    checked_at: float
    in_flight: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def _issued_by(certificate: x509.Certificate, root: x509.Certificate) -> bool:
    if certificate.issuer != root.subject:
        return False
    key = root.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey) or certificate.signature_hash_algorithm is None:
        return False
    try:
        key.verify(
            certificate.signature,
            certificate.tbs_certificate_bytes,
            ec.ECDSA(certificate.signature_hash_algorithm),
        )
    except InvalidSignature:
        return False
    return True


class Revocations:
    """Revocations are the consortium CAs' certificate revocation lists, as each organisation's MSP folder
    holds them (crls/*.pem), each used only if its organisation's CA signed it."""

    def __init__(self, consortium: Consortium, roots: Mapping[str, list[x509.Certificate]]) -> None:
        self._consortium = consortium
        self._roots = roots
        self._lists: dict[Path, tuple[tuple[int, int], x509.CertificateRevocationList | None]] = {}

    def _list(self, organisation: str, path: Path) -> x509.CertificateRevocationList | None:
        stat = path.stat()
        version = (stat.st_mtime_ns, stat.st_size)
        known = self._lists.get(path)
        if known is not None and known[0] == version:
            return known[1]
        crl: x509.CertificateRevocationList | None = None
        try:
            loaded = x509.load_pem_x509_crl(path.read_bytes())
        except ValueError as error:
            LOG.error("%s is no PEM revocation list, so it is not used: %s", path, error)
        else:
            signed = any(
                isinstance(key := root.public_key(), ec.EllipticCurvePublicKey)
                and loaded.is_signature_valid(key)
                for root in self._roots[organisation]
            )
            if signed:
                crl = loaded
            else:
                LOG.error("%s is not signed by %s's CA, so it is not used", path, organisation)
        self._lists[path] = (version, crl)
        return crl

    def revoked(self, certificate: x509.Certificate, organisation: str) -> x509.RevokedCertificate | None:
        """revoked is certificate's entry in a revocation list of organisation's CA (its issuer), or None."""
        folder = self._consortium.organisation(organisation).msp_dir / "crls"
        for path in sorted(folder.glob("*.pem")):
            crl = self._list(organisation, path)
            if crl is not None and crl.issuer == certificate.issuer:
                entry = crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
                if entry is not None:
                    return entry
        return None


class Callers:
    """Callers resolves and caches the members calling one organisation's service."""

    def __init__(
        self,
        consortium: Consortium,
        organisation: str,
        wallet: Wallet,
        peer: grpc.aio.Channel,
        *,
        service_identity: tuple[X509Identity, Signer],
        nodes: Mapping[str, IpfsClient],
        tls_certificate_hash: bytes | None,
        provenance_chaincode: str = "provenance",
    ) -> None:
        """service_identity is the service's own identity (api-<org>): it reads members' standing for
        requests signed offline, and writes nothing."""
        self.consortium = consortium
        self.organisation = consortium.organisation(organisation)
        self.wallet = wallet
        self.peer = peer
        self.tls_hash = tls_certificate_hash
        self._provenance = provenance_chaincode
        self._roots = {
            org.name: [
                x509.load_pem_x509_certificate(p.read_bytes())
                for p in sorted((org.msp_dir / "cacerts").glob("*.pem"))
            ]
            for org in consortium.organisations
        }
        self.revocations = Revocations(consortium, self._roots)
        self._callers: dict[str, Caller] = {}
        self.nodes = dict(nodes)
        identity, signer = service_identity
        reader = Gateway.connect(
            identity=identity, signer=signer, client=peer, tls_client_certificate_hash=tls_certificate_hash
        )
        self.reader = RegistryClient(reader, consortium)

    def project_organisations(self, project: str) -> tuple[str, ...]:
        """project_organisations are the organisations of project channel project, as the network
        description says now (project channels are made while the service runs): 404 for a channel
        that does not exist, 403 for one this organisation is not on."""
        organisations = load_consortium(self.consortium.run_dir).channels.get(project)
        if not organisations or project == "mainchain":
            raise ApiError(404, "not_found", f"{project!r} is no project channel of this network")
        if self.organisation.name not in organisations:
            raise ApiError(
                403, "forbidden", f"{self.organisation.name} is not an organisation of project {project}"
            )
        return organisations

    def store(self, project: str) -> ArtifactStore:
        """store is an artifact store over the Kubo nodes of project's organisations."""
        nodes = {o: self.nodes[o] for o in self.project_organisations(project) if o in self.nodes}
        return ArtifactStore(nodes, replicas=min(2, len(nodes)))

    def _issuer(self, certificate: x509.Certificate) -> Organisation | None:
        for name, roots in self._roots.items():
            if any(_issued_by(certificate, root) for root in roots):
                return self.consortium.organisation(name)
        return None

    def refuse_revoked(self, certificate: x509.Certificate, issuer: Organisation | None = None) -> None:
        """refuse_revoked raises a 401 for a certificate its issuing consortium CA has revoked. issuer is
        that organisation when the caller already found it (each finding checks signatures), else found
        here."""
        issuer = issuer or self._issuer(certificate)
        if issuer is None:
            return
        entry = self.revocations.revoked(certificate, issuer.name)
        if entry is not None:
            raise ApiError(
                401,
                "certificate_revoked",
                f"{issuer.name}'s CA revoked this certificate (serial {certificate.serial_number:x}) on "
                f"{entry.revocation_date_utc.isoformat()}: enrol again for a new one",
            )

    async def resolve(self, der: bytes | None) -> Caller:
        """resolve is the member presenting the DER certificate der, or an ApiError saying why not."""
        if der is None:
            raise ApiError(
                401, "no_certificate", "sign in with mutual TLS: present your Fabric CA certificate"
            )
        certificate = x509.load_der_x509_certificate(der)
        issuer = self._issuer(certificate)
        if issuer is None:
            raise ApiError(401, "unknown_issuer", "your certificate is issued by no CA of the consortium")
        self.refuse_revoked(certificate, issuer)
        try:
            name = common_name(certificate)
        except WalletError as error:
            raise ApiError(401, "no_common_name", str(error)) from None
        if issuer.name != self.organisation.name:
            raise ApiError(
                403,
                "wrong_organisation",
                f"{name} is an identity of {issuer.name}: sign in to {issuer.name}'s service, not "
                f"{self.organisation.name}'s",
            )
        caller = self._callers.get(name)
        if caller is None:
            caller = await self._open(name)
        if time.monotonic() - caller.checked_at > STANDING_SECONDS:
            async with caller.lock:
                if time.monotonic() - caller.checked_at > STANDING_SECONDS:
                    caller.standing = await self._standing(
                        caller.ledger.registry, caller.member_id, caller.standing.identity
                    )
                    caller.checked_at = time.monotonic()
        return caller

    async def _open(self, name: str) -> Caller:
        try:
            entry = self.wallet.entry(name)
            if entry is None:
                raise ApiError(
                    403,
                    "not_in_wallet",
                    f"{name} has no key in {self.organisation.name}'s wallet: ask its admin to add you "
                    "(bcmlp wallet add), or sign offline",
                )
            identity, signer = self.wallet.signer(entry)
            keyring = self.wallet.keyring(entry)
        except WalletError as error:
            raise ApiError(500, "wallet_unreadable", str(error)) from None
        gateway = Gateway.connect(
            identity=identity, signer=signer, client=self.peer, tls_client_certificate_hash=self.tls_hash
        )
        ledger = Ledger(gateway, RegistryClient(gateway, self.consortium), self.consortium, self._provenance)
        bound = client_id(entry.certificate_pem)
        standing = await self._standing(ledger.registry, entry.member_id, bound)
        caller = Caller(name, entry.member_id, standing, ledger, keyring, time.monotonic())
        self._callers[name] = caller
        return caller

    async def _standing(self, registry: RegistryClient, member_id: str, identity: str) -> Standing:
        try:
            standing = await registry.get_standing(member_id)
        except LedgerError as error:
            if "does not exist" in error.said:
                raise ApiError(
                    403,
                    "not_a_member",
                    f"the wallet names member {member_id}, which the registry does not know",
                ) from None
            raise
        if standing.identity != identity:
            raise ApiError(
                403,
                "identity_mismatch",
                f"member {member_id} is bound in the registry to {standing.identity}, not to this "
                "certificate: re-add the member's current enrolment to the wallet",
            )
        if standing.status != "active":
            raise ApiError(
                403, f"member_{standing.status}", f"member {member_id} is {standing.status} in the registry"
            )
        return standing
