"""X509Identity serialises as Fabric's creator, and load_msp_identity reads an enrolment's MSP folder."""

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from fabric_protos.msp import identities_pb2

from gateway.fabric import EcdsaSigner, Ed25519Signer, X509Identity, load_msp_identity
from tests.unit.certs import PrivateKey, self_signed_pem


def key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def make_msp(root: Path, key: PrivateKey, *, key_name: str = "0a1b2c_sk") -> Path:
    msp = root / "msp"
    (msp / "signcerts").mkdir(parents=True)
    (msp / "keystore").mkdir()
    (msp / "signcerts" / "cert.pem").write_bytes(self_signed_pem(key))
    (msp / "keystore" / key_name).write_bytes(key_pem(key))
    return msp


def test_serialized_is_a_serialized_identity_with_the_exact_pem() -> None:
    pem = self_signed_pem(ec.generate_private_key(ec.SECP256R1()))
    parsed = identities_pb2.SerializedIdentity.FromString(X509Identity("Org1MSP", pem).serialized())
    assert parsed.mspid == "Org1MSP"
    assert parsed.id_bytes == pem


def test_identity_refuses_empty_msp_id_and_non_certificate() -> None:
    pem = self_signed_pem(ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(ValueError, match="msp_id"):
        X509Identity("", pem)
    with pytest.raises(ValueError, match=r"not a PEM X\.509 certificate"):
        X509Identity("Org1MSP", b"-----BEGIN NONSENSE-----")


def test_load_msp_identity_returns_identity_and_matching_signer(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    msp = make_msp(tmp_path, key)

    identity, signer = load_msp_identity(msp, "Org1MSP")

    assert identity.msp_id == "Org1MSP"
    assert identity.certificate_pem == (msp / "signcerts" / "cert.pem").read_bytes()
    assert isinstance(signer, EcdsaSigner)
    key.public_key().verify(signer.sign(b"m"), b"m", ec.ECDSA(hashes.SHA256()))


def test_load_msp_identity_ed25519(tmp_path: Path) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    identity, signer = load_msp_identity(make_msp(tmp_path, key, key_name="priv_sk"), "Org2MSP")
    assert isinstance(signer, Ed25519Signer)
    public_key = identity.certificate.public_key()
    assert isinstance(public_key, ed25519.Ed25519PublicKey)
    public_key.verify(signer.sign(b"m"), b"m")


def test_load_msp_identity_picks_the_key_matching_the_certificate(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    msp = make_msp(tmp_path, key, key_name="new_sk")
    (msp / "keystore" / "old_sk").write_bytes(key_pem(ec.generate_private_key(ec.SECP256R1())))
    (msp / "keystore" / "zzz_sk").write_bytes(key_pem(ec.generate_private_key(ec.SECP256R1())))

    _, signer = load_msp_identity(msp, "Org1MSP")

    key.public_key().verify(signer.sign(b"m"), b"m", ec.ECDSA(hashes.SHA256()))


def test_load_msp_identity_names_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"MSP folder .*nowhere"):
        load_msp_identity(tmp_path / "nowhere", "Org1MSP")

    msp = tmp_path / "msp"
    msp.mkdir()
    with pytest.raises(FileNotFoundError, match="signcerts"):
        load_msp_identity(msp, "Org1MSP")

    (msp / "signcerts").mkdir()
    with pytest.raises(FileNotFoundError, match=r"signcerts contains no \*\.pem"):
        load_msp_identity(msp, "Org1MSP")

    key = ec.generate_private_key(ec.SECP256R1())
    (msp / "signcerts" / "cert.pem").write_bytes(self_signed_pem(key))
    with pytest.raises(FileNotFoundError, match="keystore does not exist"):
        load_msp_identity(msp, "Org1MSP")

    (msp / "keystore").mkdir()
    with pytest.raises(FileNotFoundError, match="keystore contains no private key"):
        load_msp_identity(msp, "Org1MSP")


def test_load_msp_identity_refuses_a_key_of_another_certificate(tmp_path: Path) -> None:
    msp = make_msp(tmp_path, ec.generate_private_key(ec.SECP256R1()))
    stranger = msp / "keystore" / "0a1b2c_sk"
    stranger.write_bytes(key_pem(ec.generate_private_key(ec.SECP256R1())))
    (msp / "keystore" / "junk_sk").write_bytes(b"garbage")
    with pytest.raises(ValueError, match=r"no private key .* matches the certificate .*cert\.pem.*junk_sk"):
        load_msp_identity(msp, "Org1MSP")


def test_load_msp_identity_refuses_several_certificates(tmp_path: Path) -> None:
    msp = make_msp(tmp_path, ec.generate_private_key(ec.SECP256R1()))
    (msp / "signcerts" / "other.pem").write_bytes(self_signed_pem(ec.generate_private_key(ec.SECP256R1())))
    with pytest.raises(ValueError, match="several certificates"):
        load_msp_identity(msp, "Org1MSP")
