"""install-bin.sh fabric refuses a source archive that is not the pinned release, before building
anything, and leaves the binary cache as it was; it checks release binaries given with FABRIC_BIN_DIR."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import NETWORK, ROOT

ARCHIVE = ROOT.parent / "shared" / "upstream" / "fabric-3.1.5.tar.gz"


def pinned_sha256() -> str:
    for line in (NETWORK / "versions.env").read_text().splitlines():
        if line.startswith("FABRIC_SOURCE_SHA256="):
            return line.split("=", 1)[1].strip()
    raise AssertionError("versions.env pins no FABRIC_SOURCE_SHA256")


def install(cache: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NETWORK / "install-bin.sh"), "fabric"],
        env={**os.environ, "BCMLP_CACHE": str(cache), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def listing(cache: Path) -> list[str]:
    return sorted(str(p.relative_to(cache)) for p in cache.rglob("*"))


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    c = tmp_path / "cache"
    (c / "kubo-0.43.0").mkdir(parents=True)
    (c / "kubo-0.43.0" / ".complete").touch()
    return c


def test_the_shared_archive_is_the_pinned_one() -> None:
    assert hashlib.sha256(ARCHIVE.read_bytes()).hexdigest() == pinned_sha256()


@pytest.mark.parametrize("damage", ["tampered", "truncated"])
def test_a_damaged_archive_is_refused_naming_both_sums_and_the_cache_is_unchanged(
    cache: Path, tmp_path: Path, damage: str
) -> None:
    data = bytearray(ARCHIVE.read_bytes())
    if damage == "tampered":
        data[len(data) // 2] ^= 0x01
    else:
        del data[len(data) // 2 :]
    bad = tmp_path / "fabric-3.1.5.tar.gz"
    bad.write_bytes(bytes(data))
    before = listing(cache)

    proc = install(cache, FABRIC_SOURCE_ARCHIVE=str(bad))

    assert proc.returncode != 0
    assert hashlib.sha256(bytes(data)).hexdigest() in proc.stderr, proc.stderr
    assert pinned_sha256() in proc.stderr, proc.stderr
    assert "building" not in proc.stdout
    assert listing(cache) == before


def test_a_missing_archive_path_is_refused(cache: Path, tmp_path: Path) -> None:
    proc = install(cache, FABRIC_SOURCE_ARCHIVE=str(tmp_path / "nowhere.tar.gz"))
    assert proc.returncode != 0
    assert "is not a file" in proc.stderr, proc.stderr
    assert listing(cache) == ["kubo-0.43.0", "kubo-0.43.0/.complete"]


def release_dir(tmp_path: Path, version: str) -> Path:
    """release_dir lays out an official release archive's folders with scripts standing in for the
    binaries, each answering `version` the way Fabric's do."""
    bin_dir = tmp_path / "release" / "bin"
    builders = tmp_path / "release" / "builders" / "ccaas" / "bin"
    bin_dir.mkdir(parents=True)
    builders.mkdir(parents=True)
    (tmp_path / "release" / "config").mkdir()
    for name in ("core.yaml", "orderer.yaml", "configtx.yaml"):
        (tmp_path / "release" / "config" / name).write_text("# sample\n")
    for name in ("peer", "orderer", "configtxgen", "osnadmin", "ledgerutil", "configtxlator"):
        script = bin_dir / name
        script.write_text(f"#!/bin/sh\nprintf '{name}:\\n Version: {version}\\n Commit SHA: 0\\n'\n")
        script.chmod(0o755)
    for name in ("detect", "build", "release"):
        (builders / name).write_text("#!/bin/sh\nexit 1\n")
        (builders / name).chmod(0o755)
    return bin_dir


def test_release_binaries_of_another_version_are_refused(cache: Path, tmp_path: Path) -> None:
    proc = install(cache, FABRIC_BIN_DIR=str(release_dir(tmp_path, "3.1.4")))
    assert proc.returncode != 0
    assert "reports another version than 3.1.5" in proc.stderr, proc.stderr


def test_release_binaries_of_the_pinned_version_are_used(cache: Path, tmp_path: Path) -> None:
    proc = install(cache, FABRIC_BIN_DIR=str(release_dir(tmp_path, "3.1.5")))
    assert proc.returncode == 0, proc.stderr
    assert "using the release binaries" in proc.stdout


def test_release_binaries_missing_a_tool_are_refused(cache: Path, tmp_path: Path) -> None:
    bin_dir = release_dir(tmp_path, "3.1.5")
    (bin_dir / "osnadmin").unlink()
    proc = install(cache, FABRIC_BIN_DIR=str(bin_dir))
    assert proc.returncode != 0
    assert "no executable 'osnadmin'" in proc.stderr, proc.stderr
