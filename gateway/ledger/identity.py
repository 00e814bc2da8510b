"""Client ids: how the contracts name an X.509 identity ("x509::<subject DN>::<issuer DN>").

The contracts record creators, raters and founders by the id that Fabric's chaincode ``cid`` package
derives from the signing certificate (decoded from its base64). Its DNs are not the certificate's
own sequence: Go's pkix.Name rebuilds them in a fixed order (C, ST, L, STREET, POSTALCODE, O, OU,
CN, SERIALNUMBER; all values of one type as one multi-valued RDN; only the last CN and serial
number; other attribute types dropped), and ``cid`` prints that sequence most specific first with
RFC 2253 escaping. ``client_id`` reproduces exactly that, so that an id computed here matches the
one the chaincode records.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.x509.oid import NameOID

# Most specific first, as cid prints the sequence pkix.Name.ToRDNSequence builds in reverse.
_DN_ORDER = (
    (NameOID.SERIAL_NUMBER, "SERIALNUMBER", True),
    (NameOID.COMMON_NAME, "CN", True),
    (NameOID.ORGANIZATIONAL_UNIT_NAME, "OU", False),
    (NameOID.ORGANIZATION_NAME, "O", False),
    (NameOID.POSTAL_CODE, "POSTALCODE", False),
    (NameOID.STREET_ADDRESS, "STREET", False),
    (NameOID.LOCALITY_NAME, "L", False),
    (NameOID.STATE_OR_PROVINCE_NAME, "ST", False),
    (NameOID.COUNTRY_NAME, "C", False),
)


def client_id(certificate_pem: bytes) -> str:
    """client_id is the id the contracts record for the identity with this PEM certificate."""
    certificate = x509.load_pem_x509_certificate(certificate_pem)
    return f"x509::{_dn(certificate.subject)}::{_dn(certificate.issuer)}"


def _dn(name: x509.Name) -> str:
    rdns = []
    for oid, label, last_only in _DN_ORDER:
        values = [str(attribute.value) for attribute in name.get_attributes_for_oid(oid)]
        if last_only:  # pkix.Name keeps one CN and serial number, and drops an empty one
            values = [value for value in values[-1:] if value]
        if values:
            rdns.append("+".join(f"{label}={_escape(value)}" for value in values))
    return ",".join(rdns)


def _escape(value: str) -> str:
    out = []
    for index, char in enumerate(value):
        edge = (index == 0 and char in " #") or (index == len(value) - 1 and char == " ")
        out.append("\\" + char if edge or char in ',+"\\<>;' else char)
    return "".join(out)
