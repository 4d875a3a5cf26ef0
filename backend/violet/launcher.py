"""`make run`: database, migrations, seed, first admin, then gunicorn; Ctrl-C stops it all.

With an empty ATT&CK catalogue it also syncs one: from MITRE_BUNDLE_FILE before the server
starts, else from the pinned MITRE_DEFAULT_URL in the background (offline: a message, no harm).

Run as `python -m violet.launcher`; `python -m violet.launcher flask ARGS` runs a flask command
against the same database; `python -m violet.launcher gunicorn ARGS` is gunicorn itself (the
image's server), with WEB_CONCURRENCY checked first (`run_gunicorn`). Without DATABASE_URL it
starts the embedded PostgreSQL under VIOLET_DATA_DIR (default ./var) and keeps it running until
gunicorn exits.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from typing import NamedTuple

from violet.config import REPO_ROOT, ConfigError, data_dir, env_int

log = logging.getLogger("violet.launcher")


def ensure_database_url() -> None:
    if os.environ.get("DATABASE_URL"):
        return
    from violet.core import embedded_db

    pgdata = data_dir() / "postgres"
    os.environ["DATABASE_URL"] = embedded_db.database_url(pgdata, "violet")
    print(f"Embedded PostgreSQL running from {pgdata}", flush=True)


class FirstStart(NamedTuple):
    """What `main` needs to know after preparing the database."""

    mitre_catalogue_empty: bool
    mitre_bundle_file: str
    mitre_default_sha256: str = ""
    # What the seed steps want the operator to see once (the generated admin password).
    notices: tuple[str, ...] = ()


def prepare_instance() -> FirstStart:
    """Migrate to head and seed; runs before any worker starts, so workers never race it."""
    from flask_migrate import upgrade

    from violet import create_app
    from violet.core.domain import seed_all
    from violet.extensions import db
    from violet.mitre.service import catalogue_is_empty

    app = create_app()
    with app.app_context():
        upgrade()
        notices = seed_all()
        db.session.commit()
        return FirstStart(
            catalogue_is_empty(),
            app.config["MITRE_BUNDLE_FILE"],
            app.config["MITRE_DEFAULT_SHA256"],
            tuple(notices),
        )


def first_mitre_sync(first_start: FirstStart) -> None:
    """Fill an empty ATT&CK catalogue without delaying the server more than a local file needs.

    `flask mitre sync` runs in a child process, so this process never holds the parsed bundle.
    MITRE_BUNDLE_FILE was named by the operator, so it is trusted without a hash. The default URL
    is checked against MITRE_DEFAULT_SHA256 when one is pinned; without a pin the download is
    trusted on first use (https, allow-listed host) and its hash is recorded for the operator to
    check in /mitre/status. Failures (offline, …) are reported by the command, recorded in the
    sync history, and Violet carries on.
    """
    if not first_start.mitre_catalogue_empty:
        return
    command = [sys.executable, "-m", "violet.launcher", "flask", "mitre", "sync", "--if-empty"]
    if first_start.mitre_bundle_file:
        bundle = first_start.mitre_bundle_file
        subprocess.run([*command, "--file", bundle, "--allow-unverified"], cwd=REPO_ROOT)
        return
    print(
        "The ATT&CK catalogue is empty: syncing the default release in the background "
        "(set MITRE_BUNDLE_FILE to use a local copy).",
        flush=True,
    )
    if not first_start.mitre_default_sha256:
        command.append("--allow-unverified")
        print(
            "No MITRE_DEFAULT_SHA256 is pinned: the download is trusted on first use; check the "
            "sha256 shown by /api/v1/mitre/status and pin it.",
            flush=True,
        )
    threading.Thread(
        target=subprocess.run,
        args=(command,),
        kwargs={"cwd": REPO_ROOT},
        name="mitre-first-sync",
        daemon=True,
    ).start()


STARTUP_WAIT_S = 60  # how long the credentials wait for the server before they print anyway


def announce_first_admin(first_start: FirstStart, base_url: str, server: subprocess.Popen) -> None:
    """Print the generated admin credentials once the server answers, after its start-up noise.

    Printed after at most STARTUP_WAIT_S even when the server is slow, so they are never lost.
    """
    if not first_start.notices:
        return
    from violet.cli import notice_box

    deadline = time.monotonic() + STARTUP_WAIT_S
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{base_url}/api/v1/diag/health", timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    sign_in_url = f"{base_url}/sign-in"
    for notice in first_start.notices:
        print(f"\n{notice_box(notice, f'  Sign in:  {sign_in_url}')}\n", flush=True)


def run_gunicorn(arguments: list[str]) -> int:
    """`gunicorn ARGUMENTS`, after checking WEB_CONCURRENCY as every other setting is checked.

    gunicorn reads WEB_CONCURRENCY with int() as it is imported, before gunicorn.conf.py (which
    names any other mistake in one line) is read: a malformed or blank value would end in
    gunicorn's traceback.
    """
    try:
        env_int("WEB_CONCURRENCY", 2, minimum=1)
    except ConfigError as exc:
        return cannot_start(exc)
    # Blank is the default, as for every Violet setting; gunicorn.conf.py sets `workers` from it.
    if os.environ.get("WEB_CONCURRENCY") == "":
        del os.environ["WEB_CONCURRENCY"]
    from gunicorn.app.wsgiapp import run

    sys.argv = ["gunicorn", *arguments]  # gunicorn parses its arguments from sys.argv
    run(prog="gunicorn")
    return 0


def serve(first_start: FirstStart) -> int:
    command = [sys.executable, "-m", "violet.launcher", "gunicorn"]
    command += ["-c", str(REPO_ROOT / "gunicorn.conf.py")]
    command.append("wsgi:app")
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    # Listening on every interface: this machine reaches it, and the URL is one to click.
    base_url = f"http://{'localhost' if host in ('0.0.0.0', '::') else host}:{port}"
    print(f"Violet is starting on {base_url}/ (Ctrl-C stops it)", flush=True)
    # gunicorn gets a process group of its own: a terminal's Ctrl-C would otherwise reach its
    # workers directly, they would die before the master noticed, and the master would spawn
    # fresh ones just to kill them 10 s later. The master alone hears of the stop, from here.
    server = subprocess.Popen(command, cwd=REPO_ROOT, start_new_session=True)
    threading.Thread(
        target=announce_first_admin,
        args=(first_start, base_url, server),
        name="first-admin",
        daemon=True,
    ).start()

    def stop(signum: int, _frame: object) -> None:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    return server.wait()


def run_flask(arguments: list[str]) -> int:
    """`flask <arguments>` against the same database `make run` uses."""
    import click
    from flask.cli import FlaskGroup

    from violet import create_app

    ensure_database_url()
    cli = FlaskGroup(create_app=lambda: create_app())
    try:
        return cli.main(args=arguments, prog_name="flask", standalone_mode=False) or 0
    except click.ClickException as exc:  # a clean "Error: …", not a traceback
        exc.show()
        return exc.exit_code
    except ConfigError as exc:
        return cannot_start(exc)


def cannot_start(exc: ConfigError) -> int:
    """A configuration mistake: one line naming it, not a traceback."""
    print(f"Violet cannot start: {exc}", file=sys.stderr, flush=True)
    return 1


def main(arguments: list[str]) -> int:
    if arguments[:1] == ["gunicorn"]:  # the image's server: its VIOLET_ENV is left alone
        return run_gunicorn(arguments[1:])
    # `make run` and the make targets are development tools; the WSGI entry alone (gunicorn in
    # production) defaults to production when VIOLET_ENV is unset.
    os.environ.setdefault("VIOLET_ENV", "development")
    if arguments[:1] == ["flask"]:
        return run_flask(arguments[1:])
    started = time.monotonic()
    ensure_database_url()
    try:
        first_start = prepare_instance()
    except ConfigError as exc:
        return cannot_start(exc)
    print(f"Database ready in {time.monotonic() - started:.1f}s", flush=True)
    first_mitre_sync(first_start)
    code = serve(first_start)
    print("Violet stopped; stopping the embedded database (if any).", flush=True)
    return 0 if code in (0, -signal.SIGTERM, -signal.SIGINT) else code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
