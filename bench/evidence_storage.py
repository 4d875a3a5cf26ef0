"""Benchmark: saving and reading back a 200 MB evidence file, wall time and peak memory.

    .venv/bin/python bench/evidence_storage.py [--megabytes 200]

Each case runs in its own fresh Python process, so its peak resident memory (ru_maxrss) is its
own: the figure to read is the growth over the first case, the floor (an interpreter with
Violet imported and nothing read). Cases:
- floor: import Violet's storage module and exit;
- naive baseline: read the whole file into memory and hash it (what streaming avoids);
- local save / local read: LocalBlobStore under a temporary directory;
- S3 save / S3 read: S3BlobStore against moto's S3 server in a separate process (so the
  server's memory, which keeps every object, is not counted).
The file is a log (text), so the save also sniffs it as text/plain.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3

REPO_ROOT = Path(__file__).resolve().parents[1]

CASE = r"""
import hashlib, io, json, resource, sys, time
from pathlib import Path
from flask import Flask
from violet.core.storage import LocalBlobStore, S3BlobStore

case, source, directory, key = sys.argv[1:5]
app = Flask("bench")
started = time.perf_counter()
result = {}
with app.app_context():
    if case == "naive baseline":
        payload = Path(source).read_bytes()
        result["sha256"] = hashlib.sha256(payload).hexdigest()
    elif case != "floor":
        if case.startswith("local"):
            store = LocalBlobStore(Path(directory))
        else:
            store = S3BlobStore("bench", "")
        if case.endswith("save"):
            with open(source, "rb") as stream:
                blob = store.save(stream, filename="big.log", max_bytes=1 << 40)
            result.update(key=blob.key, sha256=blob.sha256, content_type=blob.content_type)
        else:
            digest = hashlib.sha256()
            for chunk in store.open(key):
                digest.update(chunk)
            result["sha256"] = digest.hexdigest()
result["seconds"] = time.perf_counter() - started
result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
"""


def run_case(case: str, source: Path, directory: Path, key: str, env: dict[str, str]) -> dict:
    output = subprocess.run(
        [sys.executable, "-c", CASE, case, str(source), str(directory), key],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.splitlines()[-1])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=200)
    args = parser.parse_args()

    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT / "backend"),
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    moto = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with tempfile.TemporaryDirectory() as work:
            source = Path(work) / "big.log"
            line = b"2026-11-30T10:00:00Z host=ws-042 event=process_start image=cmd.exe ok\n"
            with source.open("wb") as file:
                for _ in range(args.megabytes * 1024 * 1024 // len(line)):
                    file.write(line)
            size_mb = source.stat().st_size / 1024 / 1024
            wait_for(port)
            os.environ.update({name: value for name, value in env.items() if "AWS_" in name})
            boto3.client("s3").create_bucket(Bucket="bench")
            print(f"evidence file: {size_mb:.0f} MB of log lines")
            print(f"{'case':<16} {'seconds':>8} {'MB/s':>7} {'peak RSS MB':>12} {'over floor':>11}")
            floor = run_case("floor", source, Path(work), "", env)
            key = {}
            for case in [
                "floor",
                "naive baseline",
                "local save",
                "local read",
                "S3 save",
                "S3 read",
            ]:
                backend = case.split()[0].lower()
                result = (
                    floor
                    if case == "floor"
                    else run_case(case, source, Path(work) / "blobs", key.get(backend, ""), env)
                )
                if case.endswith("save"):
                    key[backend] = result["key"]
                    saved_sha256 = result["sha256"]
                if case.endswith("read") and result["sha256"] != saved_sha256:
                    raise RuntimeError(f"{case}: the bytes read back differ from those saved")
                rate = size_mb / result["seconds"] if case != "floor" else 0
                print(
                    f"{case:<16} {result['seconds']:>8.2f} {rate:>7.0f} "
                    f"{result['peak_rss_mb']:>12.1f} "
                    f"{result['peak_rss_mb'] - floor['peak_rss_mb']:>+11.1f}"
                )
    finally:
        moto.terminate()
        moto.wait()


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("moto's S3 server did not start")


if __name__ == "__main__":
    main()
