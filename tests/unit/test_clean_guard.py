"""`make clean` removes a run directory that bcmlp's scripts made, and nothing else: not a folder that a
mistyped BCMLP_RUN names, not $HOME, not the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.conftest import NETWORK, ROOT


def make_clean(run_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "-s", "-C", str(ROOT), "clean", f"BCMLP_RUN={run_dir}"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def made_by_scripts(run_dir: Path) -> None:
    """made_by_scripts creates run_dir the way the network scripts do: by sourcing lib.sh."""
    subprocess.run(
        [
            "bash",
            "-c",
            f'source "{NETWORK}/lib.sh"; mkdir -p "$BCMLP_RUN/logs"; echo up >"$BCMLP_RUN/logs/ca.log"',
        ],
        env={**os.environ, "BCMLP_RUN": str(run_dir)},
        check=True,
    )


def test_a_folder_without_the_marker_is_left_intact(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "thesis.tex").write_text("years of work")
    proc = make_clean(notes)
    assert proc.returncode != 0
    assert (
        f"BCMLP_RUN={notes} has no .bcmlp-run marker, so bcmlp's scripts did not create it; refusing"
        in proc.stderr
    )
    assert (notes / "thesis.tex").read_text() == "years of work"


def test_a_run_directory_made_by_the_scripts_is_removed(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    made_by_scripts(run_dir)
    assert (run_dir / ".bcmlp-run").exists()
    assert run_dir.stat().st_mode & 0o077 == 0  # private from the start
    proc = make_clean(run_dir)
    assert proc.returncode == 0, proc.stderr
    assert not run_dir.exists()
    assert tmp_path.exists()


def test_a_missing_or_empty_folder_is_fine(tmp_path: Path) -> None:
    assert make_clean(tmp_path / "never-made").returncode == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = make_clean(empty)
    assert proc.returncode == 0, proc.stderr
    assert not empty.exists()


def test_a_used_folder_is_not_marked(tmp_path: Path) -> None:
    """A BCMLP_RUN naming a folder that already holds something is used but never marked as a run
    directory, so `make clean` will not remove it after an `up`."""
    used = tmp_path / "used"
    used.mkdir()
    (used / "keep").write_text("mine")
    made_by_scripts(used)
    assert not (used / ".bcmlp-run").exists()
    assert make_clean(used).returncode != 0
    assert (used / "keep").exists()


def test_home_is_refused_even_with_a_marker(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "sub").mkdir(parents=True)
    (home / ".bcmlp-run").touch()
    (home / ".profile").write_text("")
    proc = make_clean(home / "sub" / "..", HOME=str(home))
    assert proc.returncode != 0
    assert "is your home directory; refusing to remove it" in proc.stderr
    assert (home / ".profile").exists()


def test_the_repository_is_refused_even_through_a_link(tmp_path: Path) -> None:
    # On a copy of the scripts, so that a broken guard would remove the copy, not this repository.
    repo = tmp_path / "repo"
    (repo / "network").mkdir(parents=True)
    for script in ("clean.sh", "down.sh", "lib.sh", "versions.env"):
        shutil.copy2(NETWORK / script, repo / "network" / script)
    (repo / ".bcmlp-run").touch()
    (tmp_path / "link").symlink_to(repo)
    for named in (repo, tmp_path / "link"):
        proc = subprocess.run(
            [str(repo / "network/clean.sh")],
            env={**os.environ, "BCMLP_RUN": str(named)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode != 0
        assert "is the repository; refusing to remove it" in proc.stderr
        assert (repo / "network/clean.sh").exists()
