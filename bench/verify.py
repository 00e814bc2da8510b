"""Measures online verification (`bcmlp verify artifact`, gateway.verify) of a 1 GB lineage (100 MB when
quick) on the whole network against OpenSSL's SHA-256 and Kubo's own `ipfs cat` of the same content
(issue 10's closing note; issue 13's rows: at least 0.5x OpenSSL's throughput and 0.8x `ipfs cat`'s).

On the bench's network and its project channel of Manufacturer and ModelTrainer (bench/run.py), has
Manufacturer's admin store (encrypted under the project's data key, pinned on both
organisations' nodes) and record a lineage of random bytes, BCMLP_BENCH_VERIFY_MB MB in
all (default 1000, or 100 when quick): raw data (60 %), a dataset derived from it (30 %) and a model
trained on the dataset (10 %). Then
times, each the median of 3 runs, the three interleaved:

- verify_artifact over the model as ModelTrainer's admin, through its own peer and its own Kubo node,
  as `bcmlp verify artifact` runs it: every record, its block and its creator's standing read, the
  data key of its epoch opened, every artifact fetched, decrypted and re-hashed;
- `openssl dgst -sha256` over the same three plaintexts, as files in the page cache (one process);
- `ipfs cat` of the three stored ciphertexts from the same Kubo node to /dev/null (one process).

Prints the plaintext's size, each time with its throughput, verify's time as a ratio to each of the
other two, and the bench process's peak resident memory while verifying beside what it held before.
"""

from __future__ import annotations

import os
import re
import resource
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from _network import PROJECT, PROJECT_ORGS, ROOT, BenchNetwork, admins, project_store
from _results import Row

from gateway import runtime
from gateway.artifacts.project_keys import current_data_key, data_key_for_epoch, member_keyring
from gateway.artifacts.store import ArtifactStore, StoredArtifact
from gateway.artifacts.stream import ciphertext_size
from gateway.ledger import Ledger
from gateway.ledger.errors import LAG_REASONS, resend_on_lag
from gateway.verify import verify_artifact

WRITER, READER = PROJECT_ORGS
# The lineage, oldest first: id, kind, share of the total size. Each is derived from the one before.
LINEAGE = (("bench-raw", "raw-data", 0.6), ("bench-dataset", "dataset", 0.3), ("bench-model", "model", 0.1))
RUNS = 3
PIECE = 1 << 20


def write_random(path: Path, size: int) -> None:
    with path.open("wb") as out:
        for start in range(0, size, PIECE):
            out.write(os.urandom(min(PIECE, size - start)))


async def build_lineage(
    ledger: Ledger, store: ArtifactStore, files: dict[str, Path], data_key: tuple[int, bytes]
) -> list[StoredArtifact]:
    """build_lineage stores and records files (by artifact id, oldest first, of LINEAGE's kinds) as the
    writer, each derived from the one before, and returns what was stored."""
    epoch, key = data_key
    stored_all: list[StoredArtifact] = []
    provenance = ledger.provenance(PROJECT)
    for (artifact_id, path), (_, kind, _) in zip(files.items(), LINEAGE, strict=True):
        stored = await store.put_file(artifact_id, path, key, home=WRITER)
        parents = (stored_all[-1].artifact_id,) if stored_all else ()
        record = partial(
            provenance.record_artifact,
            stored,
            kind=kind,
            media_type="application/octet-stream",
            wrapped_key_epoch=epoch,
            parents=parents,
        )
        # The parent is committed on the writer's peer; another endorsing peer may not have it yet.
        await resend_on_lag(record, reasons=(*LAG_REASONS, "does not exist"))
        stored_all.append(stored)
    return stored_all


def seconds(call: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    call()
    return time.perf_counter() - t0


def reset_peak_rss() -> bool:
    """reset_peak_rss resets this process's peak resident memory (Linux >= 4.0), so that the peak read
    afterwards is what followed; False where the kernel does not allow it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_rss_mib() -> float:
    """peak_rss_mib is this process's peak resident memory since it started or reset_peak_rss: VmHWM,
    which the reset clears (getrusage's ru_maxrss may keep an older peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def ipfs_binary(network: BenchNetwork) -> str:
    """ipfs_binary is the cached Kubo binary the network's nodes run, found as network/ipfs.sh finds it."""
    return subprocess.run(
        ["bash", "-c", 'source network/lib.sh && echo "$(bin_dir kubo)/ipfs"'],
        cwd=ROOT,
        env=network.env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


async def measure(network: BenchNetwork, work: Path, total: int) -> dict[str, float]:
    consortium = network.consortium()
    files = {}
    for artifact_id, _, share in LINEAGE:
        files[artifact_id] = work / artifact_id
        write_random(files[artifact_id], round(total * share))
    numbers: dict[str, float] = {}
    async with project_store(consortium) as store, admins(consortium, (WRITER, READER)) as ledgers:
        writer, reader = ledgers[WRITER], ledgers[READER]
        keyring = await member_keyring(writer, PROJECT, consortium.organisation(WRITER).admin_dir)
        data_key = await current_data_key(writer, PROJECT, keyring)
        stored = await build_lineage(writer, store, files, data_key)
        model = stored[-1].artifact_id
        # The reader's peer has the whole lineage once it serves it.
        await resend_on_lag(
            partial(reader.provenance(PROJECT).get_lineage, model), reasons=("does not exist",)
        )
        # As `bcmlp verify` does: each epoch's data key read from the ledger and opened with the
        # reader's keyring when verification needs it.
        keyring = await member_keyring(reader, PROJECT, consortium.organisation(READER).admin_dir)

        async def data_key_for(epoch: int) -> bytes:
            return await data_key_for_epoch(reader, PROJECT, keyring, epoch)

        paths = [str(files[a]) for a, _, _ in LINEAGE]
        openssl = ["openssl", "dgst", "-sha256", *paths]
        digests = subprocess.run(openssl, check=True, capture_output=True, text=True).stdout
        recorded = sorted(s.sha256 for s in stored)
        assert sorted(re.findall(r"= ([0-9a-f]{64})$", digests, re.M)) == recorded, (digests, recorded)
        node = consortium.organisation(READER).ipfs
        assert node is not None
        # The Kubo command line takes the RPC API's secret only as an option, so it shows in this
        # process's arguments while it runs; the network is the bench's own, gone when it ends.
        secret = "bearer:" + node.api_header_file.read_text().split()[-1]
        cat = [ipfs_binary(network), "--api-auth", secret, "cat", *(s.cid for s in stored)]
        cat_env = {**network.env, "IPFS_PATH": str(node.repo)}

        reset = reset_peak_rss()
        numbers["rss before MiB"] = peak_rss_mib()
        times: dict[str, list[float]] = {"verify s": [], "openssl s": [], "ipfs cat s": []}
        # Interleaved, so that all three see the same load from whatever else the machine runs.
        for _ in range(RUNS):
            t0 = time.perf_counter()
            verdicts = await verify_artifact(
                reader, store, PROJECT, model, data_key_for=data_key_for, via=(READER,)
            )
            times["verify s"].append(time.perf_counter() - t0)
            assert [(v.record_id, v.status) for v in verdicts] == [
                (a, "intact") for a, _, _ in reversed(LINEAGE)
            ], verdicts
            times["openssl s"].append(
                seconds(partial(subprocess.run, openssl, check=True, capture_output=True))
            )
            times["ipfs cat s"].append(
                seconds(partial(subprocess.run, cat, env=cat_env, check=True, stdout=subprocess.DEVNULL))
            )
        numbers["peak rss MiB"] = peak_rss_mib()
        numbers["peak rss while verifying"] = float(reset)
        numbers.update({name: statistics.median(runs) for name, runs in times.items()})
    numbers["plaintext bytes"] = float(sum(s.size for s in stored))
    numbers["ciphertext bytes"] = float(sum(ciphertext_size(s.size) for s in stored))
    return numbers


def rows(network: BenchNetwork, quick: bool) -> list[Row]:
    """rows stores, records and verifies the lineage against both references."""
    default = "100" if quick else "1000"
    total = round(float(os.environ.get("BCMLP_BENCH_VERIFY_MB", default)) * 1e6)
    with tempfile.TemporaryDirectory(prefix="bcmlp-bench-verify-") as work:
        numbers = runtime.run(measure(network, Path(work), total))
    plain, cipher = numbers["plaintext bytes"], numbers["ciphertext bytes"]
    verify, openssl, cat = numbers["verify s"], numbers["openssl s"], numbers["ipfs cat s"]
    peak = "while verifying" if numbers["peak rss while verifying"] else "over the whole bench"
    lines = [
        ("lineage plaintext (3 artifacts)", f"{int(plain)} bytes ({plain / 1e6:.1f} MB)"),
        ("stored ciphertext", f"{int(cipher)} bytes"),
        (f"verify, {READER} (median of {RUNS})", f"{verify:.2f} s, {plain / 1e6 / verify:.1f} MB/s"),
        (f"openssl dgst -sha256 (median of {RUNS})", f"{openssl:.3f} s, {plain / 1e6 / openssl:.1f} MB/s"),
        (f"ipfs cat, {READER}'s node (median of {RUNS})", f"{cat:.2f} s, {cipher / 1e6 / cat:.1f} MB/s"),
        ("verify / openssl", f"verify takes {verify / openssl:.1f}x openssl's time"),
        ("verify / ipfs cat", f"verify takes {verify / cat:.1f}x ipfs cat's time"),
        (
            f"peak resident memory {peak}",
            f"{numbers['peak rss MiB']:.0f} MiB ({numbers['rss before MiB']:.0f} MiB before verifying)",
        ),
    ]
    for label, value in lines:
        print(f"{label + ':':46} {value}")
    megabytes = f"{plain / 1e6:.0f} MB lineage"
    return [
        Row(
            f"verify, {megabytes}, IPFS warm, decryption included (MB/s)",
            "openssl dgst -sha256",
            f"{plain / 1e6 / openssl:.0f} MB/s",
            f"{plain / 1e6 / verify:.0f} MB/s",
            openssl / verify,
            0.5,
        ),
        Row(
            f"verify, {megabytes} (MB/s of plaintext against ciphertext read)",
            "ipfs cat",
            f"{cipher / 1e6 / cat:.0f} MB/s",
            f"{plain / 1e6 / verify:.0f} MB/s",
            (plain / verify) / (cipher / cat),
            0.8,
        ),
    ]
