"""The e2e harness: a live Violet (gunicorn) on a free port, its own embedded database, and
Debian's chromium driven by Playwright. Screenshots and the browser console are saved under
`e2e/artifacts/` when a test fails.

Fixtures: `live_server` (base URL), `reset` (clean, seeded database with the known admin),
`page` (a fresh browser context), `admin_api` (an ApiClient signed in as the admin),
`sign_in(page, email, password)` (through the sign-in form), `bundle_file` (a small STIX bundle).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_client import ADMIN_EMAIL, ADMIN_PASSWORD, ApiClient, admin_client
from playwright.sync_api import Browser, Page, expect, sync_playwright
from stix import write_bundle

REPO_ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO_ROOT / "e2e" / "artifacts"
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


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 30) -> None:
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


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """Base URL of a gunicorn serving API + built SPA against a fresh database."""
    if not (REPO_ROOT / "frontend" / "dist" / "index.html").is_file():
        pytest.exit("frontend/dist is missing: run `make frontend` (make e2e does it)", 2)
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
            data_dir() / "postgres-test", "violet_e2e", recreate=True
        )
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


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def reset(live_server: str) -> None:
    """A clean, seeded database for the test."""
    request = urllib.request.Request(f"{live_server}/api/v1/diag/reset", method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def page(browser: Browser, live_server: str, reset: None, request) -> Iterator[Page]:
    """A fresh browser context per test; on failure, a screenshot and the console log."""
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"[{message.type}] {message.text}"))
    page.on("pageerror", lambda error: console.append(f"[pageerror] {error}"))
    yield page
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = request.node.name
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        (ARTIFACTS / f"{name}.console.log").write_text("\n".join(console))
    context.close()


@pytest.fixture
def admin_api(live_server: str, reset: None) -> ApiClient:
    """The API as the seeded admin (every permission), after the reset."""
    return admin_client(live_server)


def sign_in_through_form(page: Page, email: str, password: str) -> None:
    """Sign in on /sign-in and wait for the signed-in shell."""
    if "/sign-in" not in page.url:
        page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


@pytest.fixture
def sign_in():
    return sign_in_through_form


@pytest.fixture
def bundle_file(tmp_path: Path) -> Path:
    path = tmp_path / "enterprise-attack-e2e.json"
    write_bundle(path)
    return path
