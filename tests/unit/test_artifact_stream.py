"""The chunked artifact format: every way of moving, dropping, cutting or changing chunks is reported as
an altered chunk, named, and nothing unauthenticated is ever handed out."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

import pytest

from gateway.artifacts import ArtifactAltered, ArtifactError, ChunkAltered, decrypt, encrypt
from gateway.artifacts.stream import (
    CHUNK_PLAINTEXT,
    FIRST_CHUNK_PLAINTEXT,
    FORMAT,
    SEGMENT_BYTES,
    Decryptor,
    Encryptor,
    chunk_count,
    ciphertext_size,
)

TESTDATA = Path(__file__).parent / "testdata"
KEY = bytes(range(32))
ID = "dataset-7"


def plaintext(size: int) -> bytes:
    """plaintext is size deterministic bytes, different in every chunk."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(counter.to_bytes(8, "big")).digest() * 1024
        counter += 1
    return bytes(out[:size])


# Four full chunks and a short fifth one.
PLAINTEXT = plaintext(FIRST_CHUNK_PLAINTEXT + 3 * CHUNK_PLAINTEXT + 1000)


@pytest.fixture(scope="module")
def sealed() -> bytes:
    return encrypt(KEY, PLAINTEXT, artifact_id=ID)


def chunks_of(blob: bytes) -> list[bytes]:
    """chunks_of splits a stored artifact into its chunks; the first carries the FORMAT line and header."""
    first = len(FORMAT) + SEGMENT_BYTES
    return [blob[:first]] + [blob[i : i + SEGMENT_BYTES] for i in range(first, len(blob), SEGMENT_BYTES)]


def altered(blob: bytes, *, key: bytes = KEY, artifact_id: str = ID) -> ChunkAltered:
    with pytest.raises(ChunkAltered) as err:
        decrypt(key, blob, artifact_id=artifact_id)
    assert err.value.artifact_id == artifact_id
    assert str(err.value).startswith(f"artifact {artifact_id}: chunk {err.value.chunk} fails authentication")
    return err.value


def test_the_sample_has_five_chunks(sealed: bytes) -> None:
    assert [len(c) for c in chunks_of(sealed)] == [len(FORMAT) + SEGMENT_BYTES] + [SEGMENT_BYTES] * 3 + [1016]
    assert decrypt(KEY, sealed, artifact_id=ID) == PLAINTEXT


@pytest.mark.parametrize(
    "size",
    [0, 1, FIRST_CHUNK_PLAINTEXT - 1, FIRST_CHUNK_PLAINTEXT, FIRST_CHUNK_PLAINTEXT + 1]
    + [FIRST_CHUNK_PLAINTEXT + CHUNK_PLAINTEXT + d for d in (-1, 0, 1)],
)
def test_every_size_round_trips_with_the_predicted_length(size: int) -> None:
    data = plaintext(size)
    blob = encrypt(KEY, data, artifact_id=ID)
    assert len(blob) == ciphertext_size(size)
    assert len(chunks_of(blob)) == chunk_count(size)
    assert decrypt(KEY, blob, artifact_id=ID) == data


def test_the_layout_is_fixed() -> None:
    # 1 MiB chunks, 16-byte tags, a 40-byte header and the FORMAT line: changing any of them makes
    # stored artifacts unreadable, so the numbers are pinned here.
    assert FORMAT == b"bcmlp-stream-aes256gcm-hkdf-1mb-v2\n"
    assert (FIRST_CHUNK_PLAINTEXT, CHUNK_PLAINTEXT) == (1048520, 1048560)
    assert chunk_count(5 << 30) == 5121
    assert ciphertext_size(5 << 30) == 5368709120 + 35 + 40 + 16 * 5121


def test_two_chunks_swapped_are_reported_at_the_first(sealed: bytes) -> None:
    c = chunks_of(sealed)
    assert altered(b"".join([c[0], c[2], c[1], c[3], c[4]])).chunk == 1


def test_a_dropped_chunk_is_reported_where_it_is_missing(sealed: bytes) -> None:
    c = chunks_of(sealed)
    assert altered(b"".join([c[0], c[1], c[3], c[4]])).chunk == 2


def test_a_repeated_chunk_is_reported(sealed: bytes) -> None:
    c = chunks_of(sealed)
    assert altered(b"".join([c[0], c[1], c[1], c[2], c[3], c[4]])).chunk == 2


def test_a_ciphertext_cut_at_a_chunk_boundary_is_reported(sealed: bytes) -> None:
    c = chunks_of(sealed)
    err = altered(b"".join(c[:3]))
    assert err.chunk == 3
    assert "chunk 2 was not written as the last: chunks were cut off or dropped" in str(err)
    assert altered(b"".join(c[:4])).chunk == 4  # only the short last chunk is gone


def test_a_ciphertext_cut_inside_a_chunk_is_reported(sealed: bytes) -> None:
    assert altered(sealed[: len(FORMAT) + 2 * SEGMENT_BYTES + 500]).chunk == 2
    assert altered(sealed[:-1]).chunk == 4
    assert "inside the header" in str(altered(sealed[: len(FORMAT) + 10]))


def test_bytes_after_the_last_chunk_are_reported(sealed: bytes) -> None:
    assert altered(sealed + b"\x00").chunk == 4
    assert altered(sealed + chunks_of(sealed)[1]).chunk == 4


@pytest.mark.parametrize(("offset", "chunk"), [(len(FORMAT) + 5, 0), (len(FORMAT) + 100, 0), (-1, 4)])
def test_a_flipped_bit_is_reported_in_its_chunk(sealed: bytes, offset: int, chunk: int) -> None:
    blob = bytearray(sealed)
    blob[offset] ^= 0x10
    assert altered(bytes(blob)).chunk == chunk


def test_a_flipped_bit_in_the_middle_yields_only_the_chunks_before_it(sealed: bytes) -> None:
    blob = bytearray(sealed)
    blob[len(FORMAT) + 2 * SEGMENT_BYTES + 12345] ^= 0x01
    got = []
    with pytest.raises(ChunkAltered, match=f"artifact {ID}: chunk 2 fails authentication"):
        for chunk in Decryptor(KEY, cast(BinaryIO, io.BytesIO(bytes(blob))), artifact_id=ID).chunks():
            got.append(chunk)
    assert b"".join(got) == PLAINTEXT[: FIRST_CHUNK_PLAINTEXT + CHUNK_PLAINTEXT]


def test_another_artifact_id_or_key_fails_at_the_first_chunk(sealed: bytes) -> None:
    assert altered(sealed, artifact_id="dataset-8").chunk == 0
    assert altered(sealed, key=bytes(32)).chunk == 0


def test_a_chunk_of_another_encryption_of_the_same_artifact_is_reported(sealed: bytes) -> None:
    # Each encryption draws its own salt, hence its own artifact key: chunks do not mix even when the
    # artifact id, the data key and the plaintext are the same.
    again = chunks_of(encrypt(KEY, PLAINTEXT, artifact_id=ID))
    c = chunks_of(sealed)
    assert altered(b"".join([c[0], again[1], c[2], c[3], c[4]])).chunk == 1


def test_bytes_that_are_no_artifact_are_refused() -> None:
    with pytest.raises(ArtifactAltered, match=f"artifact {ID}: the stored bytes are not a bcmlp encrypted"):
        decrypt(KEY, b"PK\x03\x04 a zip file" + bytes(100), artifact_id=ID)
    with pytest.raises(ArtifactAltered, match="not a bcmlp encrypted artifact"):
        decrypt(KEY, b"", artifact_id=ID)


def test_a_failing_source_is_not_reported_as_altered(sealed: bytes) -> None:
    class Broken(io.RawIOBase):
        def __init__(self) -> None:
            super().__init__()
            self._data = io.BytesIO(sealed)

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            if self._data.tell() > 2 * SEGMENT_BYTES:
                raise ConnectionResetError("the node went away")
            return self._data.read(size)

    with pytest.raises(ConnectionResetError, match="the node went away"):
        for _ in Decryptor(KEY, cast(BinaryIO, Broken()), artifact_id=ID).chunks():
            pass


def test_the_encryptor_hands_out_ciphertext_as_it_goes() -> None:
    encryptor = Encryptor(KEY, artifact_id=ID)
    sizes = [len(encryptor.update(PLAINTEXT[i : i + 65536])) for i in range(0, len(PLAINTEXT), 65536)]
    sizes.append(len(encryptor.finish()))
    assert sum(sizes) == ciphertext_size(len(PLAINTEXT))
    # Ciphertext comes out while plaintext goes in; Tink buffers its output, so up to two chunks' worth
    # is held back at a time, never the artifact.
    assert sum(1 for s in sizes[:-1] if s) >= 4 and max(sizes) <= 2 * SEGMENT_BYTES


def test_bad_keys_ids_and_pieces_are_named() -> None:
    with pytest.raises(ArtifactError, match=f"artifact {ID}: a data key has 32 bytes, not 16 bytes"):
        Encryptor(os.urandom(16), artifact_id=ID)
    with pytest.raises(ArtifactError, match="a data key has 32 bytes, not str"):
        Encryptor(cast(bytes, "k" * 32), artifact_id=ID)
    with pytest.raises(ArtifactError, match="an artifact id is a non-empty string, not ''"):
        Encryptor(KEY, artifact_id="")
    with pytest.raises(ArtifactError, match="a data key has 32 bytes, not 0 bytes"):
        decrypt(b"", b"", artifact_id=ID)
    encryptor = Encryptor(KEY, artifact_id=ID)
    with pytest.raises(TypeError, match=f"artifact {ID}: plaintext comes as bytes, not str"):
        encryptor.update(cast(bytes, "text"))
    encryptor.finish()
    with pytest.raises(ArtifactError, match="update after finish"):
        encryptor.update(b"more")


def test_golden_files_stay_readable() -> None:
    expected = b"golden artifact: surface image labels, batch 1\n" * 8
    for version in ("v1", "v2"):
        blob = (TESTDATA / f"artifact-{version}.bin").read_bytes()
        assert decrypt(KEY, blob, artifact_id="golden-1") == expected, version
        with pytest.raises(ArtifactAltered, match="golden-2"):
            decrypt(KEY, blob, artifact_id="golden-2")


def test_a_v1_artifact_longer_than_expected_is_refused_before_it_is_read_whole() -> None:
    blob = (TESTDATA / "artifact-v1.bin").read_bytes()
    source = cast(BinaryIO, io.BytesIO(blob))
    with pytest.raises(ArtifactAltered, match="longer than a 100-byte artifact's"):
        list(Decryptor(KEY, source, artifact_id="golden-1", legacy_limit=100).chunks())


def pieces_of(data: bytes, size: int) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


@pytest.mark.parametrize("piece", [1, 4096, CHUNK_PLAINTEXT + 7])
def test_any_piece_size_gives_the_same_plaintext(piece: int) -> None:
    data = PLAINTEXT[: FIRST_CHUNK_PLAINTEXT + 10] if piece == 1 else PLAINTEXT
    encryptor = Encryptor(KEY, artifact_id=ID)
    blob = b"".join(encryptor.update(p) for p in pieces_of(data, piece)) + encryptor.finish()
    assert decrypt(KEY, blob, artifact_id=ID) == data
