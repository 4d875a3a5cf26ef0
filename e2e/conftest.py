"""The e2e harness: a live Violet (gunicorn) on a free port, its own embedded database, and
Debian's chromium driven by Playwright. Screenshots and the browser console are saved under
`e2e/artifacts/` when a test fails.

Fixtures: `live_server` (base URL), `reset` (clean, seeded database with the known admin),
`page` (a fresh browser context; the accessibility gate checks every page it shows, see
e2e/a11y.py), `a11y_gate` (that gate), `admin_api` (an ApiClient signed in as the admin),
`sign_in(page, email, password)` (through the sign-in form), `open_context(email)` (another
user's page in a context of its own, for tests of several people at once), `bundle_file` (a
small STIX bundle), `real_bundle_file` (the real enterprise bundle; skips when it is absent).
`skip_to_next_refresh(*pages)` spares a test the wait for the SPA's periodic refresh.
"""

from __future__ import annotations

import gzip
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from a11y import A11yGate
from api_client import USER_PASSWORD, ApiClient, admin_client
from live_server import CHROMIUM, CHROMIUM_ARGS, REPO_ROOT, reset_database, running_server
from playwright.sync_api import Browser, Page, expect, sync_playwright
from stix import write_bundle

ARTIFACTS = REPO_ROOT / "e2e" / "artifacts"


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """Base URL of a gunicorn serving API + built SPA against a fresh database."""
    if not (REPO_ROOT / "frontend" / "dist" / "index.html").is_file():
        pytest.exit("frontend/dist is missing: run `make frontend` (make e2e does it)", 2)
    with running_server() as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def reset(live_server: str) -> None:
    """A clean, seeded database for the test (the admin re-seeded from the known env)."""
    reset_database(live_server)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After a test body that passed, the accessibility gate's verdict on the pages it showed."""
    result = yield
    gate: A11yGate | None = getattr(item, "a11y_gate", None)
    if gate is not None:
        gate.assert_accessible()
    return result


@pytest.fixture
def page(browser: Browser, live_server: str, reset: None, request) -> Iterator[Page]:
    """A fresh browser context per test, watched by the accessibility gate; on failure, a
    screenshot and the console log."""
    context = browser.new_context(base_url=live_server)
    request.node.a11y_gate = A11yGate(context)
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
def a11y_gate(page: Page, request) -> A11yGate:
    """The gate watching `page` (its findings so far: `a11y_gate.finish()`)."""
    return request.node.a11y_gate


@pytest.fixture
def admin_api(live_server: str, reset: None) -> ApiClient:
    """The API as the seeded admin (every permission), after the reset."""
    return admin_client(live_server)


# The SPA asks again for an open mission's tests, notes and evidence every 15 s, and for the
# notifications every 10 s, while the tab is visible. A context whose clock is installed
# (`context.clock.install()`: time still flows) jumps past that instead of waiting for it.
NEXT_REFRESH = "00:16"


def skip_to_next_refresh(*pages: Page) -> None:
    """Move each page's clock past the SPA's refresh interval, firing the timers due."""
    for page in pages:
        page.clock.fast_forward(NEXT_REFRESH)


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
def open_context(browser: Browser, live_server: str) -> Iterator:
    """`open_context(email=None)` → a page in a browser context of its own (signed in when an
    email is given), watched by its own accessibility gate; `clock=True` installs Playwright's
    clock there, for `skip_to_next_refresh`."""
    gates: list[A11yGate] = []

    def open_as(
        email: str | None = None, password: str = USER_PASSWORD, *, clock: bool = False
    ) -> Page:
        context = browser.new_context(base_url=live_server)
        if clock:
            context.clock.install()
        gates.append(A11yGate(context))
        page = context.new_page()
        if email:
            sign_in_through_form(page, email, password)
        return page

    yield open_as
    try:
        for gate in gates:
            gate.assert_accessible()
    finally:
        for gate in gates:
            gate.context.close()


@pytest.fixture
def bundle_file(tmp_path: Path) -> Path:
    path = tmp_path / "enterprise-attack-e2e.json"
    write_bundle(path)
    return path


# The real ATT&CK Enterprise v18.1 bundle, as backend/tests/mitre/test_full_attack.py finds it
# (ATTACK_BUNDLE points elsewhere, e.g. from a clone outside the project's folder).
REAL_BUNDLE = Path(
    os.environ.get(
        "ATTACK_BUNDLE", REPO_ROOT.parent / "shared" / "data" / "enterprise-attack-v18.1.json.gz"
    )
)


@pytest.fixture
def real_bundle_file(tmp_path: Path) -> Path:
    """The real enterprise bundle, uncompressed (the sync takes JSON); skips when absent."""
    if not REAL_BUNDLE.exists():
        pytest.skip(f"the real ATT&CK bundle is absent ({REAL_BUNDLE})")
    path = tmp_path / "enterprise-attack.json"
    with gzip.open(REAL_BUNDLE) as source, path.open("wb") as target:
        shutil.copyfileobj(source, target)
    return path
