"""Identities come from each organisation's own Fabric CA, with the SANs TLS needs."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtensionOID, NameOID

from tests.integration.conftest import RunningNetwork


def load_cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def issued_by(cert: x509.Certificate, root: x509.Certificate) -> bool:
    key = root.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    try:
        assert cert.signature_hash_algorithm is not None
        key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
    except Exception:
        return False
    return cert.issuer == root.subject


def node_dirs(network: RunningNetwork) -> list[tuple[str, Path, str]]:
    """(organisation, identity folder, expected OU) for every node and admin identity."""
    out = []
    for org in network.consortium.organisations:
        base = org.msp_dir.parent
        for kind, ou in (("peers/*", "peer"), ("orderers/*", "orderer"), ("users/admin-*", "admin")):
            for d in sorted(base.glob(kind)):
                out.append((org.name, d, ou))
    return out


def test_every_identity_is_issued_by_its_own_organisations_ca(network: RunningNetwork) -> None:
    identities = node_dirs(network)
    # 3 orderers + 1 orderer admin, and a peer and an admin for each of the 4 peer organisations
    assert len(identities) == 4 + 4 * 2
    roots = {o.name: load_cert(o.ca.root_cert) for o in network.consortium.organisations}
    for org, d, ou in identities:
        cert = load_cert(d / "msp" / "signcerts" / "cert.pem")
        assert issued_by(cert, roots[org]), f"{d} is not signed by {org}'s CA"
        others = [name for name, root in roots.items() if name != org and issued_by(cert, root)]
        assert others == [], f"{d} verifies against foreign CAs {others}"
        assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == ou
        assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == org


def test_tls_certificates_carry_ip_sans(network: RunningNetwork) -> None:
    for _org, d, _ in node_dirs(network):
        cert = load_cert(d / "tls" / "server.crt")
        san = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
        assert ipaddress.ip_address("127.0.0.1") in san.get_values_for_type(x509.IPAddress), d
        assert issued_by(cert, load_cert(d / "tls" / "ca.crt")), d
    for org in network.consortium.organisations:
        ca_tls = load_cert(org.ca.root_cert.parent / "tls-cert.pem")
        san = ca_tls.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
        assert ipaddress.ip_address("127.0.0.1") in san.get_values_for_type(x509.IPAddress), org.name


def test_msp_folders_declare_node_ous(network: RunningNetwork) -> None:
    for org in network.consortium.organisations:
        config = (org.msp_dir / "config.yaml").read_text()
        for ou in ("client", "peer", "admin", "orderer"):
            assert f"OrganizationalUnitIdentifier: {ou}" in config, org.name
        assert (org.msp_dir / "cacerts" / "ca-cert.pem").read_bytes() == org.ca.root_cert.read_bytes()


def test_another_identity_is_registered_and_enrolled(network: RunningNetwork) -> None:
    network.script("ca.sh", "identity", "QualityControl", "qc-auditor-1", "client")
    d = network.consortium.organisation("QualityControl").msp_dir.parent / "users" / "qc-auditor-1"
    cert = load_cert(d / "msp" / "signcerts" / "cert.pem")
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "qc-auditor-1"
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == "client"
    # enrolling the same name again is a no-op, not a second registration
    network.script("ca.sh", "identity", "QualityControl", "qc-auditor-1", "client")
    assert load_cert(d / "msp" / "signcerts" / "cert.pem") == cert


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("Acme", "x", "client"), "unknown organisation 'Acme'"),
        (("QualityControl", "bad name", "client"), "identity name 'bad name' must be"),
        (("QualityControl", "x", "wizard"), "identity type must be client, peer, orderer or admin"),
    ],
)
def test_identity_bad_input_is_refused(network: RunningNetwork, args: tuple[str, ...], message: str) -> None:
    code, out = network.script("ca.sh", "identity", *args, check=False)
    assert code != 0
    assert message in out


def test_no_secret_reaches_a_log(network: RunningNetwork) -> None:
    secrets = [p.read_text().strip() for p in network.run_dir.rglob("*.secret")]
    secrets += [p.read_text().split()[-1] for p in network.run_dir.rglob("api.header")]
    assert len(secrets) >= 5 + 12 + 4
    logs = list((network.run_dir / "logs").glob("*.log"))
    assert logs
    for log in logs:
        text = log.read_text(errors="replace")
        leaked = [s[:6] + "..." for s in secrets if s in text]
        assert leaked == [], f"{log.name} contains secrets {leaked}"
    for p in network.run_dir.rglob("*.secret"):
        assert p.stat().st_mode & 0o077 == 0, f"{p} is readable by others"
