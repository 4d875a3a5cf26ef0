"""`make run` on a fresh database: the generated administrator credentials come last, in a box
with the sign-in URL, after the server's start-up noise; and they work."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time

from api_client import ApiClient
from live_server import REPO_ROOT, free_port

BOX_LINE = re.compile(r"^\| (.*?) +\|$")


def _fresh_database_url() -> str:
    if os.environ.get("TEST_DATABASE_URL"):
        return os.environ["TEST_DATABASE_URL"]
    from violet.config import data_dir
    from violet.core import embedded_db

    return embedded_db.database_url(
        data_dir() / "postgres-test", "violet_first_start", recreate=True, durable=False
    )


def _read_until_box(process: subprocess.Popen, lines: list[str], timeout: float) -> None:
    """Collect output lines until the box has closed (two rules seen after its first line)."""
    reader = threading.Thread(
        target=lambda: lines.extend(line.rstrip("\n") for line in process.stdout), daemon=True
    )
    reader.start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        rules = [index for index, line in enumerate(lines) if line.startswith("+--")]
        if len(rules) >= 2:
            return
        time.sleep(0.2)
    raise AssertionError("no credentials box within the time:\n" + "\n".join(lines))


def test_the_first_start_ends_with_the_admin_credentials_in_a_box():
    port = free_port()
    env = dict(os.environ)
    env.pop("ADMIN_PASSWORD", None)
    env.update(
        DATABASE_URL=_fresh_database_url(),
        VIOLET_ENV="test",
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY="1",
        ADMIN_EMAIL="first@e2e.violet.test",
        # Offline: the first ATT&CK sync fails at once, adding its noise to the start-up.
        MITRE_DEFAULT_URL="https://127.0.0.1:9/enterprise-attack.json",
        MITRE_ALLOWED_SOURCES="https://127.0.0.1:9/",
        MITRE_BUNDLE_FILE="",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "violet.launcher"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    base_url = f"http://127.0.0.1:{port}"
    try:
        _read_until_box(process, lines, timeout=120)
        first_rule = next(index for index, line in enumerate(lines) if line.startswith("+--"))
        box = {
            key.strip(): value.strip()
            for line in lines[first_rule:]
            if (match := BOX_LINE.match(line)) and ":" in match.group(1)
            for key, value in [match.group(1).split(":", 1)]
        }
        # The server answers by the time the box is printed, and the credentials work.
        ApiClient(base_url).sign_in(box["Email"], box["Password"])
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)

    assert "Booting worker" in "\n".join(lines[:first_rule]), "the box comes after start-up"
    assert "shown only this once" in lines[first_rule + 1]
    assert box["Email"] == "first@e2e.violet.test"
    assert box["Sign in"] == f"{base_url}/sign-in"
