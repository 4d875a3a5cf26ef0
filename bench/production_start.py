"""Benchmark: start-up time and memory per worker of a production instance, beside bare gunicorn.

    .venv/bin/python bench/production_start.py [--workers 2]

Builds the image's final stage without Docker exactly as e2e/test_production.py does (app
directory, wheel in a fresh venv, the Dockerfile's ENV and CMD), on a second embedded PostgreSQL,
then measures:
- first start: the CMD on an empty database (migrations, seed, gunicorn) until /diag/health is 200;
- restart: the CMD again on the migrated database (what every later start and replica pays);
- memory: resident (RSS) and unique (USS) memory of each gunicorn worker after a login and a few
  requests;
- baseline: the same gunicorn, same workers, serving a one-line WSGI app from the same venv
  (the floor: interpreter + gunicorn, no Violet).
"""

from __future__ import annotations

import argparse
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO_ROOT / "e2e"), str(REPO_ROOT / "backend")]

from api_client import ApiClient  # noqa: E402
from live_server import free_port  # noqa: E402
from test_production import Image, build_without_docker  # noqa: E402

from violet.core import embedded_db  # noqa: E402

ADMIN = ("admin@bench.test", secrets.token_urlsafe(18))
BARE_APP = """def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"status": "ok"}']
"""


def start(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[psutil.Popen, str, float]:
    """Start `command`; return it, its base URL and the seconds until its health check answers."""
    port = free_port()
    started = time.monotonic()
    process = psutil.Popen(
        command,
        cwd=cwd,
        env={**env, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{command} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base_url}/api/v1/diag/health", timeout=1):
                return process, base_url, time.monotonic() - started
        except OSError:
            time.sleep(0.05)


def worker_memory_mb(master: psutil.Process, count: int) -> list[tuple[float, float]]:
    """(RSS, USS) in MB of each of the `count` gunicorn workers (the master's children)."""
    while len(workers := master.children()) < count:  # the first answer may beat a late worker
        time.sleep(0.1)
    return [
        (info.rss / 2**20, info.uss / 2**20)
        for info in (worker.memory_full_info() for worker in workers)
    ]


def exercise(base_url: str) -> None:
    client = ApiClient(base_url)
    client.sign_in(*ADMIN)
    for _ in range(5):
        client.call("GET", "/auth/me")
        client.call("GET", "/mitre/status")
        urllib.request.urlopen(f"{base_url}/", timeout=10).read()


def stop(process: psutil.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)


def measure_violet(image: Image, env: dict[str, str], label: str) -> None:
    process, base_url, seconds = start(image.cmd, image.app_dir, env)
    exercise(base_url)
    # With sh -c "… && exec gunicorn", the CMD's process becomes the gunicorn master.
    report(label, seconds, worker_memory_mb(process, int(env["WEB_CONCURRENCY"])))
    stop(process)


def report(label: str, seconds: float, workers: list[tuple[float, float]]) -> None:
    memory = ", ".join(f"{rss:.0f} MB RSS / {uss:.0f} MB USS" for rss, uss in workers)
    print(f"{label:<34} {seconds:6.2f} s   workers: {memory}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    arguments = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="violet-bench-production-"))
    print(f"Building the image's steps in {root} …", flush=True)
    image = build_without_docker(root)
    database_url = embedded_db.database_url(root / "postgres", "violet_bench", recreate=True)
    env = {
        "PATH": f"{image.venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(root),
        **image.env,
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": str(arguments.workers),
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_SECRET_KEY": secrets.token_urlsafe(48),
        "ADMIN_EMAIL": ADMIN[0],
        "ADMIN_PASSWORD": ADMIN[1],
    }
    print(f"\n{arguments.workers} workers × {env.get('GUNICORN_THREADS', '4')} threads", flush=True)
    measure_violet(image, env, "violet, first start (empty db)")
    measure_violet(image, env, "violet, restart (migrated db)")

    (root / "bare.py").write_text(BARE_APP)
    gunicorn = [str(image.venv / "bin" / "gunicorn"), "-c", "gunicorn.conf.py"]
    bare = [*gunicorn, "--chdir", str(root), "bare:app"]
    process, _, seconds = start(bare, image.app_dir, env)
    report("baseline: bare gunicorn app", seconds, worker_memory_mb(process, arguments.workers))
    stop(process)


if __name__ == "__main__":
    main()
