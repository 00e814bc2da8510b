"""The encrypted form of an artifact, written and read one chunk at a time, so that no artifact is ever
held whole in memory, whatever its size.

Format v2 (FORMAT): the line ``bcmlp-stream-aes256gcm-hkdf-1mb-v2``, then the ciphertext of Tink's
streaming AEAD AES256_GCM_HKDF_1MB: a 40-byte header (its length, a random 32-byte salt, a random
7-byte nonce prefix) and chunks ("segments") of 1 MiB of ciphertext, the first 40 bytes shorter, each
AES-256-GCM with a 16-byte tag. The artifact's own key is HKDF-SHA256 of the project data key with that
salt and, as info, FORMAT ‖ artifact id (so the id is authenticated); chunk i's nonce is the prefix, i
as a 32-bit big-endian number and a last-chunk flag byte. A chunk moved, dropped, repeated or cut off,
a ciphertext ending early or going on after its last chunk, and another artifact's or another key's
ciphertext therefore all fail authentication, and the first chunk that fails is named.

Format v1 (LEGACY_FORMAT, written before streaming): the line ``bcmlp-aes256gcm-v1``, a 12-byte nonce
and AES-256-GCM of the whole plaintext with LEGACY_FORMAT ‖ artifact id as associated data. It is
still read (whole, up to the size the caller expects), so that artifacts recorded before stay readable.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any, BinaryIO, cast

import tink
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from tink import secret_key_access, streaming_aead
from tink.proto import aes_gcm_hkdf_streaming_pb2, common_pb2, tink_pb2

from gateway.artifacts.errors import ArtifactAltered, ArtifactError, ChunkAltered

FORMAT = b"bcmlp-stream-aes256gcm-hkdf-1mb-v2\n"
LEGACY_FORMAT = b"bcmlp-aes256gcm-v1\n"

DATA_KEY_BYTES = 32
SEGMENT_BYTES = 1 << 20  # ciphertext bytes per chunk (Tink's AES256_GCM_HKDF_1MB)
HEADER_BYTES = 1 + 32 + 7  # Tink's header: its length, the HKDF salt, the nonce prefix
TAG_BYTES = 16
FIRST_CHUNK_PLAINTEXT = SEGMENT_BYTES - HEADER_BYTES - TAG_BYTES
CHUNK_PLAINTEXT = SEGMENT_BYTES - TAG_BYTES
_LEGACY_NONCE = 12

_KEY_TYPE = "type.googleapis.com/google.crypto.tink.AesGcmHkdfStreamingKey"
streaming_aead.register()


def chunk_count(plaintext_size: int) -> int:
    """chunk_count is how many chunks FORMAT gives a plaintext of plaintext_size bytes (never an empty
    last chunk after a full one: the encryptor holds a full chunk back until it knows whether more
    follows)."""
    if plaintext_size <= FIRST_CHUNK_PLAINTEXT:
        return 1
    return 1 + -(-(plaintext_size - FIRST_CHUNK_PLAINTEXT) // CHUNK_PLAINTEXT)


def ciphertext_size(plaintext_size: int) -> int:
    """ciphertext_size is the stored size, FORMAT line included, of a plaintext of plaintext_size bytes."""
    return len(FORMAT) + HEADER_BYTES + plaintext_size + TAG_BYTES * chunk_count(plaintext_size)


def chunk_of(plaintext_offset: int) -> int:
    """chunk_of is the index of the chunk that holds the plaintext byte at plaintext_offset."""
    if plaintext_offset < FIRST_CHUNK_PLAINTEXT:
        return 0
    return 1 + (plaintext_offset - FIRST_CHUNK_PLAINTEXT) // CHUNK_PLAINTEXT


def check_inputs(data_key: bytes, artifact_id: str) -> None:
    """check_inputs refuses a data key or an artifact id that no artifact can be encrypted with."""
    if not isinstance(artifact_id, str) or not artifact_id:
        raise ArtifactError(f"an artifact id is a non-empty string, not {artifact_id!r}")
    if not isinstance(data_key, bytes) or len(data_key) != DATA_KEY_BYTES:
        got = f"{len(data_key)} bytes" if isinstance(data_key, bytes) else type(data_key).__name__
        raise ArtifactError(
            f"artifact {artifact_id}: a data key has {DATA_KEY_BYTES} bytes, not {got}; "
            "use the key that unwrap_data_key or KeyEpoch.unwrap returned"
        )


def _associated_data(artifact_id: str) -> bytes:
    return FORMAT + artifact_id.encode()


def _primitive(data_key: bytes) -> Any:
    """_primitive is Tink's streaming AEAD keyed with the project data key itself.

    Tink makes its own keys; ours come from the project's key epochs (keys.py), wrapped per member, so
    the data key is put into a one-key Tink keyset as the AES256_GCM_HKDF_1MB key material.
    """
    key = aes_gcm_hkdf_streaming_pb2.AesGcmHkdfStreamingKey(
        version=0,
        key_value=data_key,
        params=aes_gcm_hkdf_streaming_pb2.AesGcmHkdfStreamingParams(
            ciphertext_segment_size=SEGMENT_BYTES,
            derived_key_size=DATA_KEY_BYTES,
            hkdf_hash_type=common_pb2.SHA256,
        ),
    )
    keyset = tink_pb2.Keyset(
        primary_key_id=1,
        key=[
            tink_pb2.Keyset.Key(
                key_data=tink_pb2.KeyData(
                    type_url=_KEY_TYPE,
                    value=key.SerializeToString(),
                    key_material_type=tink_pb2.KeyData.SYMMETRIC,
                ),
                status=tink_pb2.ENABLED,
                key_id=1,
                output_prefix_type=tink_pb2.RAW,
            )
        ],
    )
    handle = tink.proto_keyset_format.parse(keyset.SerializeToString(), secret_key_access.TOKEN)
    return handle.primitive(streaming_aead.StreamingAead)


class _Collector(io.RawIOBase):
    """_Collector takes what Tink's encrypting stream writes, until the encryptor hands it on."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        self._parts.append(bytes(b))
        return len(b)

    def take(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


class Encryptor:
    """Encryptor turns an artifact's plaintext, given piece by piece, into FORMAT's ciphertext.

    update returns the ciphertext of every chunk completed so far (the FORMAT line and header first),
    finish the rest, ending with the chunk flagged last. Nothing but the chunk being filled is kept.
    """

    def __init__(self, data_key: bytes, *, artifact_id: str) -> None:
        check_inputs(data_key, artifact_id)
        self.artifact_id = artifact_id
        self._out = _Collector()
        self._out.write(FORMAT)
        self._stream = _primitive(data_key).new_encrypting_stream(self._out, _associated_data(artifact_id))
        self._finished = False

    def update(self, plaintext: bytes | bytearray | memoryview) -> bytes:
        """update encrypts the next piece of plaintext and returns the ciphertext ready so far."""
        if self._finished:
            raise ArtifactError(f"artifact {self.artifact_id}: update after finish; start a new Encryptor")
        if not isinstance(plaintext, (bytes, bytearray, memoryview)):
            raise TypeError(
                f"artifact {self.artifact_id}: plaintext comes as bytes, not {type(plaintext).__name__}"
            )
        self._stream.write(plaintext)
        return self._out.take()

    def finish(self) -> bytes:
        """finish encrypts what is left as the last chunk and returns the remaining ciphertext."""
        if not self._finished:
            self._finished = True
            self._stream.close()
        return self._out.take()


def _read_up_to(source: BinaryIO, n: int | None) -> bytes:
    """_read_up_to reads n bytes (all of them if n is None), fewer only at the end of source."""
    parts = []
    while n is None or n > 0:
        part = source.read(CHUNK_PLAINTEXT if n is None else n)
        if not part:
            break
        parts.append(part)
        if n is not None:
            n -= len(part)
    return b"".join(parts)


class _CountingReader(io.RawIOBase):
    """_CountingReader passes reads through, counting the bytes and noting the end of the source, and
    keeps what a failing read raised: Tink turns it into an error of its own, which must not pass for
    an altered chunk."""

    def __init__(self, source: BinaryIO, *, already_read: int) -> None:
        super().__init__()
        self._source = source
        self.count = already_read
        self.ended = False
        self.failure: Exception | None = None

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        try:
            data = self._source.read(size)
        except Exception as exc:
            self.failure = exc
            raise
        if not data and size != 0:
            self.ended = True
        self.count += len(data)
        return data


def _chunk_start(index: int) -> int:
    """_chunk_start is where chunk index begins in the stored ciphertext (FORMAT line included)."""
    return len(FORMAT) + (HEADER_BYTES if index == 0 else index * SEGMENT_BYTES)


class Decryptor:
    """Decryptor reads an artifact's ciphertext from source (a blocking binary file) chunk by chunk.

    chunks yields the plaintext of each chunk once it is authenticated; the first chunk that fails
    raises ChunkAltered naming it, so nothing unauthenticated is ever returned. A v1 artifact comes as
    one piece, read whole only if it is no larger than legacy_limit plaintext bytes.
    """

    def __init__(
        self, data_key: bytes, source: BinaryIO, *, artifact_id: str, legacy_limit: int | None = None
    ) -> None:
        check_inputs(data_key, artifact_id)
        self.artifact_id = artifact_id
        self._key = data_key
        self._source = source
        self._legacy_limit = legacy_limit

    def chunks(self) -> Iterator[bytes]:
        head = _read_up_to(self._source, len(FORMAT))
        if head.startswith(LEGACY_FORMAT):
            yield self._legacy(head[len(LEGACY_FORMAT) :])
            return
        if head != FORMAT:
            raise ArtifactAltered(
                f"artifact {self.artifact_id}: the stored bytes are not a bcmlp encrypted artifact "
                f"(they begin {head[:24]!r}, not {FORMAT[:-1]!r})"
            )
        source = _CountingReader(self._source, already_read=len(FORMAT))
        stream = _primitive(self._key).new_decrypting_stream(source, _associated_data(self.artifact_id))
        # The raw stream decrypts a chunk only when its first byte is asked for, and reading exactly to
        # each chunk's end keeps Tink's buffered reader from looking ahead: so the chunk whose read fails
        # is the chunk that fails authentication.
        raw = stream.raw
        offset = 0
        while True:
            index = chunk_of(offset)
            want = FIRST_CHUNK_PLAINTEXT if index == 0 else CHUNK_PLAINTEXT
            chunk = bytearray()
            try:
                while len(chunk) < want:
                    part = raw.read(want - len(chunk))
                    if not part:
                        break
                    chunk += part
            except tink.TinkError:
                if source.failure is not None:
                    raise source.failure from None
                if source.ended and source.count <= _chunk_start(index):
                    why = (
                        f"the stored ciphertext ends after {source.count} bytes, before it, and chunk "
                        f"{index - 1} was not written as the last: chunks were cut off or dropped"
                        if index > 0
                        else f"the stored ciphertext ends after {source.count} bytes, inside the header"
                    )
                else:
                    why = (
                        "the stored ciphertext was changed (chunks reordered, dropped or cut off, a byte "
                        "altered) or is another artifact's, or the data key is not the one it was "
                        "encrypted with"
                    )
                raise ChunkAltered(
                    f"artifact {self.artifact_id}: chunk {index} fails authentication: {why}",
                    artifact_id=self.artifact_id,
                    chunk=index,
                ) from None
            offset += len(chunk)
            if chunk:
                yield bytes(chunk)
            if len(chunk) < want:
                return

    def _legacy(self, start: bytes) -> bytes:
        limit = self._legacy_limit
        overhead = _LEGACY_NONCE + TAG_BYTES
        blob = start + _read_up_to(self._source, None if limit is None else limit + overhead + 1 - len(start))
        if limit is not None and len(blob) > limit + overhead:
            raise ArtifactAltered(
                f"artifact {self.artifact_id}: the stored v1 ciphertext is longer than a {limit}-byte "
                "artifact's"
            )
        if len(blob) < _LEGACY_NONCE + TAG_BYTES:
            raise ArtifactAltered(f"artifact {self.artifact_id}: the stored v1 ciphertext is cut short")
        try:
            return AESGCM(self._key).decrypt(
                blob[:_LEGACY_NONCE], blob[_LEGACY_NONCE:], LEGACY_FORMAT + self.artifact_id.encode()
            )
        except InvalidTag:
            raise ArtifactAltered(
                f"artifact {self.artifact_id}: stored bytes fail authentication (changed, swapped for "
                "another artifact's, or encrypted under another data key)"
            ) from None


def encrypt(data_key: bytes, plaintext: bytes, *, artifact_id: str) -> bytes:
    """encrypt is the whole-in-memory shorthand: Encryptor.update(plaintext) then finish."""
    encryptor = Encryptor(data_key, artifact_id=artifact_id)
    return encryptor.update(plaintext) + encryptor.finish()


def decrypt(data_key: bytes, blob: bytes, *, artifact_id: str) -> bytes:
    """decrypt is the whole-in-memory shorthand of Decryptor; ArtifactAltered when the blob was changed
    or belongs to another artifact."""
    source = cast(BinaryIO, io.BytesIO(blob))
    return b"".join(Decryptor(data_key, source, artifact_id=artifact_id).chunks())
