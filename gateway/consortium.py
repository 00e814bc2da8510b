"""The running consortium as described by `network/describe.sh` (run/network.json).

Python code learns addresses, MSP ids and file locations only from this description, so the port plan
lives in one place (network/lib.sh).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path


class ConsortiumError(Exception):
    """ConsortiumError reports a missing or unreadable network description."""


@dataclass(frozen=True, slots=True)
class CertificateAuthority:
    url: str
    operations: str
    root_cert: Path


@dataclass(frozen=True, slots=True)
class IpfsNode:
    api: str
    swarm: str
    repo: Path
    peer_id: str
    api_header_file: Path


@dataclass(frozen=True, slots=True)
class Peer:
    """Peer is an organisation's peer: its gRPC address (TLS from the organisation's CA) and
    operations endpoint; dir holds its identity (msp/, tls/)."""

    name: str
    address: str
    operations: str
    dir: Path


@dataclass(frozen=True, slots=True)
class ApiService:
    """ApiService is an organisation's gateway service (`bcmlp serve`): its HTTPS URL, its folder (wallet,
    log) and the identity it presents (TLS server and peer client certificate)."""

    url: str
    dir: Path
    identity: Path

    @property
    def wallet_dir(self) -> Path:
        return self.dir / "wallet"

    @property
    def passphrase_file(self) -> Path:
        return self.dir / "wallet.passphrase"


@dataclass(frozen=True, slots=True)
class Orderer:
    name: str
    address: str
    admin: str
    operations: str
    dir: Path


@dataclass(frozen=True, slots=True)
class Organisation:
    name: str
    msp_id: str
    msp_dir: Path
    ca: CertificateAuthority
    admin_dir: Path
    ipfs: IpfsNode | None
    peer: Peer | None = None
    orderers: tuple[Orderer, ...] = ()
    api: ApiService | None = None

    @property
    def tls_root_cert(self) -> Path:
        """tls_root_cert is the root of every TLS certificate of the organisation (one CA issues both)."""
        return self.ca.root_cert


@dataclass(frozen=True, slots=True)
class Consortium:
    run_dir: Path
    organisations: tuple[Organisation, ...]
    # channel name -> the names of its organisations (mainchain and every project channel made)
    channels: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def organisation(self, name: str) -> Organisation:
        """organisation returns the organisation called name; ConsortiumError names the known ones."""
        for org in self.organisations:
            if org.name == name:
                return org
        known = ", ".join(o.name for o in self.organisations)
        raise ConsortiumError(f"unknown organisation {name!r}; the consortium has: {known}")

    @property
    def peer_organisations(self) -> tuple[Organisation, ...]:
        return tuple(o for o in self.organisations if o.ipfs is not None)


def default_run_dir() -> Path:
    return Path(os.environ.get("BCMLP_RUN") or Path(__file__).resolve().parent.parent / "run")


def load_consortium(run_dir: Path | None = None) -> Consortium:
    """load_consortium reads run_dir/network.json, written by `make up`."""
    path = (run_dir or default_run_dir()) / "network.json"
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        raise ConsortiumError(f"{path} does not exist: start the network with 'make up'") from None
    except json.JSONDecodeError as exc:
        raise ConsortiumError(f"{path} is not valid JSON ({exc}): run 'make up' again") from None
    orgs = []
    for o in raw["organisations"]:
        ipfs = o.get("ipfs")
        orgs.append(
            Organisation(
                name=o["name"],
                msp_id=o["msp_id"],
                msp_dir=Path(o["msp_dir"]),
                ca=CertificateAuthority(o["ca"]["url"], o["ca"]["operations"], Path(o["ca"]["root_cert"])),
                admin_dir=Path(o["admin"]),
                ipfs=None
                if ipfs is None
                else IpfsNode(
                    api=ipfs["api"],
                    swarm=ipfs["swarm"],
                    repo=Path(ipfs["repo"]),
                    peer_id=ipfs["peer_id"],
                    api_header_file=Path(ipfs["api_header_file"]),
                ),
                peer=None if "peer" not in o else Peer(**{**o["peer"], "dir": Path(o["peer"]["dir"])}),
                orderers=tuple(Orderer(**{**r, "dir": Path(r["dir"])}) for r in o.get("orderers", ())),
                api=None
                if "api" not in o
                else ApiService(o["api"]["url"], Path(o["api"]["dir"]), Path(o["api"]["identity"])),
            )
        )
    channels = {name: tuple(c["organisations"]) for name, c in raw.get("channels", {}).items()}
    return Consortium(run_dir=Path(raw["run_dir"]), organisations=tuple(orgs), channels=channels)
