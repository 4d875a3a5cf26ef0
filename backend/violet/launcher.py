"""`make run`: database, migrations, seed, first admin, then gunicorn; Ctrl-C stops it all.

Run as `python -m violet.launcher`; `python -m violet.launcher flask ARGS` runs a flask command
against the same database. Without DATABASE_URL it starts the embedded PostgreSQL
under VIOLET_DATA_DIR (default ./var) and keeps it running until gunicorn exits.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time

from violet.config import REPO_ROOT, data_dir

log = logging.getLogger("violet.launcher")


def ensure_database_url() -> None:
    if os.environ.get("DATABASE_URL"):
        return
    from violet.core import embedded_db

    pgdata = data_dir() / "postgres"
    os.environ["DATABASE_URL"] = embedded_db.database_url(pgdata, "violet")
    print(f"Embedded PostgreSQL running from {pgdata}", flush=True)


def prepare_instance() -> None:
    """Migrate to head and seed; runs before any worker starts, so workers never race it."""
    from flask_migrate import upgrade

    from violet import create_app
    from violet.cli import print_first_admin_password
    from violet.extensions import db
    from violet.seed import seed_all

    app = create_app()
    with app.app_context():
        upgrade()
        generated_password = seed_all()
        db.session.commit()
        print_first_admin_password(generated_password)


def serve() -> int:
    command = [sys.executable, "-m", "gunicorn", "-c", str(REPO_ROOT / "gunicorn.conf.py")]
    command.append("wsgi:app")
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    print(f"Violet is starting on http://{host}:{port}/ (Ctrl-C stops it)", flush=True)
    server = subprocess.Popen(command, cwd=REPO_ROOT)

    def stop(signum: int, _frame: object) -> None:
        # Ctrl-C reaches gunicorn too; forwarding covers a plain `kill` of this process.
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    return server.wait()


def run_flask(arguments: list[str]) -> int:
    """`flask <arguments>` against the same database `make run` uses."""
    from flask.cli import FlaskGroup

    from violet import create_app

    ensure_database_url()
    cli = FlaskGroup(create_app=lambda: create_app())
    return cli.main(args=arguments, prog_name="flask", standalone_mode=False) or 0


def main(arguments: list[str]) -> int:
    if arguments[:1] == ["flask"]:
        return run_flask(arguments[1:])
    started = time.monotonic()
    ensure_database_url()
    prepare_instance()
    print(f"Database ready in {time.monotonic() - started:.1f}s", flush=True)
    code = serve()
    print("Violet stopped; stopping the embedded database (if any).", flush=True)
    return 0 if code in (0, -signal.SIGTERM, -signal.SIGINT) else code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
