"""Make targets that take variables honour them (docs/development.md)."""

from __future__ import annotations

import os
import subprocess

from violet.config import REPO_ROOT

INHERITED = {"CHROMIUM_PATH", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"}


def make(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *arguments],
        cwd=REPO_ROOT,
        # Not what an outer `make test` passes down (its variables, CHROMIUM_PATH).
        env={name: value for name, value in os.environ.items() if name not in INHERITED},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_test_backend_passes_args_to_pytest():
    dry_run = make("-n", "test-backend", "ARGS=-k some_name")

    assert dry_run.returncode == 0, dry_run.stderr
    assert ".venv/bin/pytest backend/tests -k some_name" in dry_run.stdout


def test_chromium_checks_the_browser_chromium_path_names(tmp_path):
    browser = tmp_path / "chrome"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)

    assert make("chromium", f"CHROMIUM_PATH={browser}").returncode == 0
    missing = make("chromium", f"CHROMIUM_PATH={tmp_path / 'no-browser'}")
    assert missing.returncode != 0
    assert f"CHROMIUM_PATH={tmp_path / 'no-browser'} is not an executable browser" in (
        missing.stderr
    )
