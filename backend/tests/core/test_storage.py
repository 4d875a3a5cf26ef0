"""Evidence blob storage: the local directory and a real S3-compatible server (moto's).

Every rule is checked on both back-ends: what is stored is what was sent (bytes, sha256, size),
the type comes from the bytes, and a refused or failed upload leaves nothing behind.
"""

from __future__ import annotations

import errno
import hashlib
import io
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest
from flask import Flask
from moto.server import ThreadedMotoServer

from violet.config import ConfigError, load_config
from violet.core.errors import ApiError
from violet.core.storage import (
    S3_PART_BYTES,
    BlobNotFound,
    BlobStore,
    LocalBlobStore,
    S3BlobStore,
    StorageUnavailable,
    sanitise_filename,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200)
ELF = b"\x7fELF\x02\x01\x01" + bytes(300)
BUCKET = "violet-evidence"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on a free port, over real HTTP, for this module."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_environment(monkeypatch, s3_endpoint):
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return s3_endpoint


@pytest.fixture
def s3_bucket(s3_environment):
    client = boto3.client("s3")
    client.create_bucket(Bucket=BUCKET)
    yield client
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=item["Key"])
    for upload in client.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []):
        client.abort_multipart_upload(Bucket=BUCKET, Key=upload["Key"], UploadId=upload["UploadId"])
    client.delete_bucket(Bucket=BUCKET)


def s3_leftovers(client) -> list[str]:
    objects = [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    uploads = [
        item["Key"] for item in client.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
    ]
    return objects + uploads


@pytest.fixture(params=["local", "s3"])
def store_and_leftovers(request, tmp_path: Path, app: Flask):
    """(a store, a function listing whatever it holds) for each back-end."""
    with app.app_context():
        if request.param == "local":
            yield (
                LocalBlobStore(tmp_path),
                lambda: sorted(
                    str(path.relative_to(tmp_path))
                    for path in tmp_path.rglob("*")
                    if path.is_file()
                ),
            )
        else:
            client = request.getfixturevalue("s3_bucket")
            yield S3BlobStore(BUCKET, "evidence/"), lambda: s3_leftovers(client)


def read_all(store: BlobStore, key: str) -> bytes:
    return b"".join(store.open(key))


def test_a_saved_blob_reads_back_with_its_hash_size_and_sniffed_type(store_and_leftovers):
    store, leftovers = store_and_leftovers

    blob = store.save(io.BytesIO(PNG), filename="shot.txt", max_bytes=10_000)

    assert blob.content_type == "image/png"  # from the bytes, whatever the name says
    assert blob.size == len(PNG) and blob.sha256 == hashlib.sha256(PNG).hexdigest()
    assert read_all(store, blob.key) == PNG and store.exists(blob.key)
    assert len(leftovers()) == 1


def test_a_large_file_goes_through_in_parts_and_reads_back_whole(store_and_leftovers):
    store, leftovers = store_and_leftovers
    payload = b"2026-11-30 10:00:00 login ok\n" * (S3_PART_BYTES * 2 // 29 + 1000)

    blob = store.save(io.BytesIO(payload), filename="auth.log", max_bytes=len(payload))

    assert blob.size == len(payload) > 2 * S3_PART_BYTES
    assert blob.sha256 == hashlib.sha256(payload).hexdigest()
    assert blob.content_type == "text/plain"
    assert hashlib.sha256(read_all(store, blob.key)).hexdigest() == blob.sha256
    assert len(leftovers()) == 1


@pytest.mark.parametrize(
    "payload, status",
    [
        (ELF, 415),  # an executable, whatever its name
        (b"MZ\x90\x00\x03" + bytes(100), 415),
        (b"caf\xe9 latin-1 is not UTF-8", 415),
        (b"", 422),  # an empty file is no evidence
    ],
)
def test_a_refused_file_leaves_nothing(store_and_leftovers, payload, status):
    store, leftovers = store_and_leftovers

    with pytest.raises(ApiError) as refused:
        store.save(io.BytesIO(payload), filename="screenshot.png", max_bytes=10_000)

    assert refused.value.status == status and "file" in refused.value.errors
    assert leftovers() == []


def test_one_byte_over_the_cap_is_413_and_leaves_nothing(store_and_leftovers):
    store, leftovers = store_and_leftovers
    payload = b"a" * (S3_PART_BYTES + 1)

    at_cap = store.save(io.BytesIO(payload[:-1]), filename="a.log", max_bytes=S3_PART_BYTES)
    with pytest.raises(ApiError) as refused:
        store.save(io.BytesIO(payload), filename="a.log", max_bytes=S3_PART_BYTES)

    assert at_cap.size == S3_PART_BYTES
    assert refused.value.status == 413
    assert len(leftovers()) == 1  # only the file at the cap


def test_concurrent_saves_each_store_their_own_bytes(store_and_leftovers):
    store, leftovers = store_and_leftovers
    payloads = [f"line from upload {number}\n".encode() * 5000 for number in range(8)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        blobs = list(
            pool.map(
                lambda p: store.save(io.BytesIO(p), filename="x.log", max_bytes=10**6), payloads
            )
        )

    assert len({blob.key for blob in blobs}) == 8
    assert [read_all(store, blob.key) for blob in blobs] == payloads
    assert len(leftovers()) == 8


def test_delete_removes_the_blob_and_is_idempotent(store_and_leftovers):
    store, leftovers = store_and_leftovers
    blob = store.save(io.BytesIO(b"{}"), filename="x.json", max_bytes=100)

    store.delete(blob.key)
    store.delete(blob.key)

    assert leftovers() == [] and not store.exists(blob.key)
    with pytest.raises(BlobNotFound):
        read_all(store, blob.key)


def test_unreachable_s3_is_503_and_nothing_is_written(app, monkeypatch, s3_bucket):
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    with app.app_context():
        unreachable = S3BlobStore(BUCKET, "evidence")
        with pytest.raises(StorageUnavailable) as refused:
            unreachable.save(io.BytesIO(PNG), filename="shot.png", max_bytes=10_000)

    assert refused.value.status == 503
    assert s3_leftovers(s3_bucket) == []


class FillsUpAfterOneChunk:
    """A file being written on a disk that is full after the first chunk."""

    def __init__(self, file) -> None:
        self.file = file
        self.chunks = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.file.close()

    def write(self, chunk: bytes) -> int:
        if self.chunks:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.chunks += 1
        return self.file.write(chunk)


def test_a_local_disk_that_fills_up_is_503_and_leaves_no_partial_file(app, tmp_path, monkeypatch):
    real_open = Path.open

    def open_on_a_full_disk(path: Path, mode: str = "r", *args, **kwargs):
        file = real_open(path, mode, *args, **kwargs)
        return FillsUpAfterOneChunk(file) if mode == "xb" else file

    monkeypatch.setattr(Path, "open", open_on_a_full_disk)
    store = LocalBlobStore(tmp_path / "evidence")
    with app.app_context(), pytest.raises(StorageUnavailable) as refused:
        store.save(io.BytesIO(PNG * 10_000), filename="big.png", max_bytes=10_000_000)

    assert refused.value.status == 503
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


def test_a_missing_bucket_is_503(app, s3_environment):
    with app.app_context(), pytest.raises(StorageUnavailable):
        S3BlobStore("no-such-bucket", "").save(io.BytesIO(PNG), filename="a.png", max_bytes=10_000)


@pytest.mark.parametrize(
    "sent, kept",
    [
        ("../../x", "x"),
        ("..\\..\\windows\\system32\\evil.png", "evil.png"),
        ("/etc/passwd", "passwd"),
        ("C:\\Users\\me\\Screen Shot 2026.png", "Screen_Shot_2026.png"),
        ("..", "evidence"),
        ("", "evidence"),
        (".bashrc", "bashrc"),
        ("a" * 300 + ".png", "a" * 251 + ".png"),
        ("rapport\x00.pdf", "rapport.pdf"),
        ("スクリーンショット.png", "evidence.png"),
        ("x.tar.gz", "x.tar.gz"),
        ("trail. ", "trail"),
    ],
)
def test_filenames_are_sanitised(sent, kept):
    assert sanitise_filename(sent) == kept


@pytest.mark.parametrize(
    "name, payload, content_type",
    [
        ("a.json", b'{"alert": 1}', "application/json"),
        ("a.csv", b"host,rule\nws1,T1059\n", "text/csv"),
        ("a.pdf", b"%PDF-1.7\n", "application/pdf"),
        ("a.zip", b"PK\x03\x04" + bytes(30), "application/zip"),
        ("a.pcap", b"\xd4\xc3\xb2\xa1" + bytes(20), "application/vnd.tcpdump.pcap"),
        ("a.evtx", b"ElfFile\x00" + bytes(100), "application/x-ms-evtx"),
        ("a.jpg", b"\xff\xd8\xff\xe0" + bytes(20), "image/jpeg"),
        ("a.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        ("a.png", "journal été\n".encode(), "text/plain"),
    ],
)
def test_allowed_types_are_recognised_from_their_bytes(tmp_path, name, payload, content_type):
    blob = LocalBlobStore(tmp_path).save(io.BytesIO(payload), filename=name, max_bytes=1000)
    assert blob.content_type == content_type


def test_evidence_storage_configuration_is_checked(database_url):
    base = {"VIOLET_ENV": "test", "SQLALCHEMY_DATABASE_URI": database_url}
    with pytest.raises(ConfigError, match="EVIDENCE_STORAGE"):
        load_config({**base, "EVIDENCE_STORAGE": "ftp://bucket"})
    with pytest.raises(ConfigError, match="EVIDENCE_MAX_BYTES"):
        load_config({**base, "EVIDENCE_MAX_BYTES": 0})
    assert load_config({**base, "EVIDENCE_STORAGE": "s3://bucket/p"})["EVIDENCE_STORAGE"]
