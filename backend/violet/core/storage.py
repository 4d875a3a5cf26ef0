"""Evidence blobs: where uploaded files live, behind one small interface.

Two back-ends, chosen by `EVIDENCE_STORAGE` (docs/operations.md, "Evidence storage"):

- `local` (the default): files under `VIOLET_DATA_DIR/evidence/`;
- `s3://bucket/prefix`: an S3-compatible object store through boto3 (the `[s3]` extra); the
  endpoint and credentials come from boto3's own environment variables (`AWS_ENDPOINT_URL`,
  `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_DEFAULT_REGION`).

`save` streams: the body is read in chunks of `CHUNK_BYTES`, hashed and counted on the way, and
never held whole in memory (bench/evidence_storage.py measures it). The type is sniffed from the
first bytes, not taken from the client; the size cap is enforced while reading. Whatever goes
wrong, `save` leaves no blob behind: a local partial file is removed, an S3 multipart upload is
aborted. Blobs are stored under a generated key; the original name is only ever kept in the
database, sanitised by `sanitise_filename`.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import os
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, urlsplit

from flask import Flask, current_app
from werkzeug.utils import secure_filename

from violet.core.errors import ApiError, Unprocessable, size_limit

CHUNK_BYTES = 1024 * 1024
# S3 parts other than the last must be at least 5 MiB; 8 MiB keeps the part count low.
S3_PART_BYTES = 8 * 1024 * 1024
SNIFF_BYTES = 8192

# The allow-list: magic numbers of the binary types we accept. Text (logs, CSV, JSON) has no
# magic number; it is recognised by being valid UTF-8 without NUL bytes (see `sniff`).
MAGIC_NUMBERS: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"PK\x05\x06", "application/zip"),  # an empty archive
    (b"\xd4\xc3\xb2\xa1", "application/vnd.tcpdump.pcap"),  # little-endian, microseconds
    (b"\xa1\xb2\xc3\xd4", "application/vnd.tcpdump.pcap"),  # big-endian, microseconds
    (b"\x4d\x3c\xb2\xa1", "application/vnd.tcpdump.pcap"),  # little-endian, nanoseconds
    (b"\xa1\xb2\x3c\x4d", "application/vnd.tcpdump.pcap"),  # big-endian, nanoseconds
    (b"\x0a\x0d\x0d\x0a", "application/x-pcapng"),
    (b"ElfFile\x00", "application/x-ms-evtx"),
]
TEXT_TYPES_BY_EXTENSION = {".json": "application/json", ".csv": "text/csv"}
ALLOWED_TYPES = sorted(
    {content_type for _, content_type in MAGIC_NUMBERS}
    | {"image/webp", "text/plain", *TEXT_TYPES_BY_EXTENSION.values()}
)


class PayloadTooLarge(ApiError):
    status = 413


def file_too_large(max_bytes: int) -> str:
    """The 413's detail, whether the body or the file in it was found too large."""
    return f"The file is larger than the limit of {size_limit(max_bytes)}."


class UnsupportedMediaType(ApiError):
    status = 415


class StorageUnavailable(ApiError):
    status = 503


class BlobNotFound(Exception):
    """The blob a row points at is gone from the store."""


@dataclass(frozen=True)
class StoredBlob:
    key: str
    size: int
    sha256: str
    content_type: str


def attachment(filename: str, fallback: str | None = None) -> str:
    """`Content-Disposition` of a download saved as `filename`: RFC 6266 `filename*` (UTF-8,
    every letter kept) and a plain `filename` for old clients, `fallback` when `filename` is not
    ASCII. Both must be free of quotes, slashes and control characters (the caller's names are
    sanitised)."""
    plain = fallback if fallback is not None else filename
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename)}"


def sanitise_filename(filename: str | None) -> str:
    """The name to keep and show: no directories, no control or shell characters, ≤ 255 chars.

    werkzeug's `secure_filename` drops directory parts (`../../x` → `x`), leading dots and
    anything outside ASCII letters, digits, `._-`; a stem with nothing left becomes `evidence`.
    The stem and the extension are cleaned apart: a name written in another script
    (`スクリーンショット.png`) has no ASCII letter left, and cleaned whole it lost its dot too
    ("png"), so the file downloaded had no extension to be opened by (`evidence.png` now).
    """
    # Windows clients send `C:\\Users\\me\\shot.png`; secure_filename only splits on "/".
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem, extension = os.path.splitext(base)
    cleaned_extension = secure_filename(extension)  # ".png" → "png" (it drops leading dots)
    extension = f".{cleaned_extension}"[:20] if cleaned_extension else ""
    stem = secure_filename(stem) or "evidence"
    return stem[: 255 - len(extension)] + extension


def sniff(head: bytes, filename: str, *, complete: bool) -> str:
    """The content type of a file from its first bytes, or UnsupportedMediaType (415).

    `complete` says `head` is the whole file (so a multi-byte character cut at its end is an
    error, not an artefact of the cut). The file name only picks among text types (`.csv` →
    text/csv); it can never make binary bytes acceptable.
    """
    for magic, content_type in MAGIC_NUMBERS:
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if b"\x00" not in head:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
        except UnicodeDecodeError:
            pass
        else:
            extension = os.path.splitext(filename)[1].lower()
            return TEXT_TYPES_BY_EXTENSION.get(extension, "text/plain")
    raise UnsupportedMediaType(
        "This type of file is not accepted as evidence.",
        errors={"file": ["Accepted: images, text and logs, JSON, CSV, PDF, pcap, evtx, zip."]},
    )


class _MeasuredStream:
    """Reads a stream in chunks, hashing and counting, and refuses to go past `max_bytes`."""

    def __init__(self, stream: BinaryIO, max_bytes: int) -> None:
        self._stream = stream
        self._max_bytes = max_bytes
        self._digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = CHUNK_BYTES) -> bytes:
        chunk = self._stream.read(size)
        self.size += len(chunk)
        if self.size > self._max_bytes:
            raise PayloadTooLarge(
                file_too_large(self._max_bytes),
                errors={"file": [f"At most {size_limit(self._max_bytes)}."]},
            )
        self._digest.update(chunk)
        return chunk

    def read_head(self) -> bytes:
        """At least SNIFF_BYTES (or the whole file when shorter), however the stream chunks."""
        head = b""
        while len(head) < SNIFF_BYTES:
            chunk = self.read(SNIFF_BYTES - len(head))
            if not chunk:
                break
            head += chunk
        return head

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()


class BlobStore(ABC):
    """Save, read and delete blobs by key."""

    def save(self, stream: BinaryIO, *, filename: str, max_bytes: int) -> StoredBlob:
        """Sniff, cap, hash and store `stream`; when it raises, nothing is left stored."""
        measured = _MeasuredStream(stream, max_bytes)
        head = measured.read_head()
        if not head:
            raise Unprocessable("The file is empty.", errors={"file": ["The file is empty."]})
        content_type = sniff(head, filename, complete=len(head) < SNIFF_BYTES)
        key = uuid.uuid4().hex

        def chunks() -> Iterator[bytes]:
            yield head
            while chunk := measured.read():
                yield chunk

        self._write(key, chunks())
        return StoredBlob(key, measured.size, measured.sha256, content_type)

    @abstractmethod
    def _write(self, key: str, chunks: Iterator[bytes]) -> None:
        """Store every chunk under `key`, or nothing at all when anything raises."""

    @abstractmethod
    def open(self, key: str) -> Iterator[bytes]:
        """The blob's bytes in chunks (BlobNotFound, StorageUnavailable)."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the blob; removing a missing blob is not an error."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...


class LocalBlobStore(BlobStore):
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        if not key.isalnum():  # keys are generated hex; refuse anything that could escape
            raise ValueError(f"not a blob key: {key!r}")
        return self.root / key[:2] / key

    def _write(self, key: str, chunks: Iterator[bytes]) -> None:
        target = self.path(key)
        partial = target.with_name(key + ".partial")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with partial.open("xb") as file:
                for chunk in chunks:
                    file.write(chunk)
            partial.replace(target)
        except BaseException as exc:
            # The directory may be what failed (not a directory, no permission): then there
            # is no partial file to remove, and trying must not hide the first error.
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            # A storage failure (no permission, not a directory, disk full) is the same 503
            # as an unreachable S3 store, not a 500.
            if isinstance(exc, OSError):
                raise _unavailable(exc) from exc
            raise

    def open(self, key: str) -> Iterator[bytes]:
        try:
            file = self.path(key).open("rb")
        except FileNotFoundError as exc:
            raise BlobNotFound(key) from exc
        except OSError as exc:
            raise _unavailable(exc) from exc
        return _file_chunks(file)

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()


def _file_chunks(file: BinaryIO) -> Iterator[bytes]:
    with file:
        while chunk := file.read(CHUNK_BYTES):
            yield chunk


class S3BlobStore(BlobStore):
    def __init__(self, bucket: str, prefix: str) -> None:
        import boto3  # the [s3] extra; load_config refuses s3:// without it
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        # An unreachable store must answer 503 quickly, not after minutes of retries.
        self.client: Any = boto3.client(
            "s3",
            config=Config(connect_timeout=3, read_timeout=30, retries={"max_attempts": 2}),
        )

    def object_key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def _write(self, key: str, chunks: Iterator[bytes]) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        object_key = self.object_key(key)
        upload_id = None
        try:
            part = _next_part(chunks)
            if len(part) < S3_PART_BYTES:  # the whole file fits in one part: one request
                self.client.put_object(Bucket=self.bucket, Key=object_key, Body=part)
                return
            upload_id = self.client.create_multipart_upload(Bucket=self.bucket, Key=object_key)[
                "UploadId"
            ]
            parts: list[dict[str, Any]] = []
            while part:
                number = len(parts) + 1
                etag = self.client.upload_part(
                    Bucket=self.bucket,
                    Key=object_key,
                    UploadId=upload_id,
                    PartNumber=number,
                    Body=part,
                )["ETag"]
                parts.append({"ETag": etag, "PartNumber": number})
                part = _next_part(chunks)
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=object_key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
            )
        except BaseException as exc:
            if upload_id is not None:
                self._abort(object_key, upload_id)
            if isinstance(exc, BotoCoreError | ClientError):
                raise _unavailable(exc) from exc
            raise

    def _abort(self, object_key: str, upload_id: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=object_key, UploadId=upload_id
            )
        except (BotoCoreError, ClientError):
            current_app.logger.warning("could not abort S3 upload %s of %s", upload_id, object_key)

    def open(self, key: str) -> Iterator[bytes]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise BlobNotFound(key) from exc
            raise _unavailable(exc) from exc
        except BotoCoreError as exc:
            raise _unavailable(exc) from exc
        return body.iter_chunks(CHUNK_BYTES)

    def delete(self, key: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.object_key(key))
        except (BotoCoreError, ClientError) as exc:
            raise _unavailable(exc) from exc

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.object_key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                return False
            raise _unavailable(exc) from exc
        return True


def _next_part(chunks: Iterator[bytes]) -> bytes:
    """Up to S3_PART_BYTES from `chunks` (bounded memory: one part at a time)."""
    part = bytearray()
    for chunk in chunks:
        part += chunk
        if len(part) >= S3_PART_BYTES:
            break
    return bytes(part)


def _unavailable(exc: Exception) -> StorageUnavailable:
    current_app.logger.error("evidence storage failed: %s", exc)
    return StorageUnavailable("The evidence store is unavailable; nothing was stored. Try again.")


def parse_storage_url(url: str) -> tuple[str, str] | None:
    """`s3://bucket/prefix` → (bucket, prefix); `local` or empty → None; else ValueError."""
    if url in ("", "local"):
        return None
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"EVIDENCE_STORAGE must be `local` or s3://bucket/prefix, got {url!r}")
    return parts.netloc, parts.path.strip("/")


def build_blob_store(config: dict[str, Any]) -> BlobStore:
    s3 = parse_storage_url(config.get("EVIDENCE_STORAGE", ""))
    if s3 is None:
        return LocalBlobStore(Path(config["VIOLET_DATA_DIR"]) / "evidence")
    return S3BlobStore(*s3)


def init_app(app: Flask) -> None:
    app.extensions["violet.blob_store"] = build_blob_store(app.config)


def blob_store() -> BlobStore:
    """The application's blob store (built once by `init_app`)."""
    store: BlobStore = current_app.extensions["violet.blob_store"]
    return store
