"""Start a live Violet (gunicorn) on a free port against its own embedded database, the way
the e2e suite and `bench/spa_budget.py` need it: migrated, seeded, with the test-only reset
route and a known admin (api_client.ADMIN_EMAIL / ADMIN_PASSWORD)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from api_client import ADMIN_EMAIL, ADMIN_PASSWORD

REPO_ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the e2e server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the e2e server did not answer {url} within {timeout}s")


def server_environment(database: str = "violet_e2e") -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        VIOLET_ENV="test",
        VIOLET_ENABLE_DIAG_RESET="1",
        HOST="127.0.0.1",
        PORT=str(free_port()),
        WEB_CONCURRENCY="2",
        LOG_LEVEL="WARNING",
        ADMIN_EMAIL=ADMIN_EMAIL,
        ADMIN_PASSWORD=ADMIN_PASSWORD,
    )
    if env.get("TEST_DATABASE_URL"):
        env["DATABASE_URL"] = env["TEST_DATABASE_URL"]
    else:
        from violet.config import data_dir
        from violet.core import embedded_db

        env["DATABASE_URL"] = embedded_db.database_url(
            data_dir() / "postgres-test", database, recreate=True, durable=False
        )
    return env


@contextmanager
def running_server(database: str = "violet_e2e") -> Iterator[str]:
    """Yield the base URL of a gunicorn serving API + built SPA; stop it afterwards."""
    if not (REPO_ROOT / "frontend" / "dist" / "index.html").is_file():
        raise RuntimeError("frontend/dist is missing: run `make frontend`")
    env = server_environment(database)
    # Migrate and seed before the workers start, exactly as `make run` does.
    subprocess.run(
        [sys.executable, "-c", "from violet.launcher import prepare_instance; prepare_instance()"],
        env=env,
        check=True,
        cwd=REPO_ROOT,
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        env=env,
        cwd=REPO_ROOT,
    )
    base_url = f"http://127.0.0.1:{env['PORT']}"
    try:
        wait_until_up(f"{base_url}/api/v1/diag/health", server)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=15)


def reset_database(base_url: str, attempts: int = 3) -> None:
    """A clean, seeded database (POST /diag/reset, only with VIOLET_ENABLE_DIAG_RESET=1).

    The previous test's page may still have a request in flight; its locks can deadlock with the
    reset's TRUNCATE, which PostgreSQL resolves by failing one of them (503 here): try again.
    """
    request = urllib.request.Request(f"{base_url}/api/v1/diag/reset", method="POST")
    for attempt in range(1, attempts + 1):
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                assert response.status == 200
                return
        except urllib.error.HTTPError as error:
            if error.code != 503 or attempt == attempts:
                raise
            time.sleep(0.5)
