"""A configuration mistake stops Violet with one line naming it, not a traceback: from
`flask --app wsgi …`, from gunicorn (checked once, in its master, before any worker starts) and
from `make flask` (the launcher)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from violet.config import REPO_ROOT

MISSING_SECRETS = "Violet cannot start: VIOLET_ENV=production needs SECRET_KEY"
SECRETS = ("SECRET_KEY", "JWT_SECRET_KEY", "MFA_ENCRYPTION_KEY")
# Nothing listens there: the configuration is refused before anything connects.
NOWHERE = "postgresql://u@127.0.0.1:9/v"


def production_without_secrets() -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in SECRETS}
    return {**env, "VIOLET_ENV": "production", "DATABASE_URL": NOWHERE}


def run(*command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command],
        cwd=REPO_ROOT,
        env=env or production_without_secrets(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_flask_cli_prints_the_configuration_error_without_a_traceback():
    result = run("flask", "--app", "wsgi", "db", "upgrade")

    assert result.returncode != 0
    assert result.stderr.startswith(MISSING_SECRETS)
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1


def test_gunicorn_checks_the_configuration_once_before_any_worker_starts():
    result = run("gunicorn", "-c", "gunicorn.conf.py", "--bind", "127.0.0.1:0", "wsgi:app")

    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert output.count(MISSING_SECRETS) == 1
    assert "Traceback" not in output and "Booting worker" not in output


def test_a_malformed_worker_count_is_named_before_gunicorn_starts():
    # gunicorn parses WEB_CONCURRENCY itself, with a traceback, before it reads
    # gunicorn.conf.py; the image's CMD runs `flask db upgrade` first, which names it.
    env = {**os.environ, "VIOLET_ENV": "development", "WEB_CONCURRENCY": "abc"}
    result = run("flask", "--app", "wsgi", "db", "upgrade", env=env)

    assert result.returncode != 0
    assert result.stderr == "Violet cannot start: WEB_CONCURRENCY must be an integer, got 'abc'\n"


def test_make_flask_prints_the_configuration_error_without_a_traceback():
    result = run("violet.launcher", "flask", "routes")

    assert result.returncode == 1
    assert result.stderr.startswith(MISSING_SECRETS)
    assert "Traceback" not in result.stderr


def image_server_command() -> str:
    """What the image's CMD runs to serve, after migrating and seeding (the part after exec)."""
    dockerfile = (REPO_ROOT / "backend" / "Dockerfile").read_text()
    command = dockerfile[dockerfile.index("CMD [") :].splitlines()[0]
    return command[command.index("exec ") + len("exec ") : command.rindex('"')]


@pytest.mark.parametrize(
    ("value", "line"),
    [
        ("abc", "Violet cannot start: WEB_CONCURRENCY must be an integer, got 'abc'"),
        ("0", "Violet cannot start: WEB_CONCURRENCY must be 1 or more, got 0"),
        # Blank is the default, as for every setting: the server goes on to check the others.
        ("", MISSING_SECRETS),
    ],
)
def test_the_image_server_names_a_bad_worker_count_in_one_line(value, line):
    # gunicorn parses WEB_CONCURRENCY with int() before it reads gunicorn.conf.py: run bare, a
    # malformed or blank value is its traceback.
    bin_dir = os.path.dirname(sys.executable)
    env = {**production_without_secrets(), "WEB_CONCURRENCY": value, "PORT": "0"}
    env["PATH"] = f"{bin_dir}:{env.get('PATH', '')}"
    result = subprocess.run(
        ["sh", "-c", image_server_command().replace("python ", f"{sys.executable} ", 1)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert output.startswith(line)
    assert "Traceback" not in output and len(output.splitlines()) == 1
