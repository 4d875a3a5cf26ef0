"""A real PostgreSQL without installing one: pgserver runs it from its wheel.

Used by `make run` when DATABASE_URL is unset, and by the test suites. The server listens on a
Unix socket inside the data directory; it is stopped when the last Python process holding it
exits (pgserver's `cleanup_mode="stop"`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

# pgserver stops the server at interpreter exit only while a handle is alive.
_servers: dict[Path, Any] = {}


def start(pgdata: Path) -> Any:
    """Start (or attach to) the embedded server whose data lives in `pgdata`."""
    import pgserver  # dev extra: imported only when the embedded database is wanted

    pgdata = pgdata.resolve()
    if pgdata not in _servers:
        pgdata.mkdir(parents=True, exist_ok=True)
        log.info("starting embedded PostgreSQL in %s", pgdata)
        _servers[pgdata] = pgserver.get_server(pgdata, cleanup_mode="stop")
    return _servers[pgdata]


def database_url(
    pgdata: Path, database: str, *, recreate: bool = False, durable: bool = True
) -> str:
    """SQLAlchemy URL of `database` on the embedded server, created if missing.

    `recreate=True` drops it first (a clean slate for a test session). `durable=False` is for
    the test suites' throw-away server: it stops flushing to disk at each commit and checkpoint,
    which a crash could cost it but a test database does not need (the e2e suite's reset of the
    database between tests takes about a third of the time).
    """
    server = start(pgdata)
    admin_uri = server.get_uri()  # postgresql://postgres:@/postgres?host=<socket dir>
    with psycopg.connect(admin_uri, autocommit=True) as connection:
        if not durable:
            for setting in ("fsync", "synchronous_commit", "full_page_writes"):
                connection.execute(f"ALTER SYSTEM SET {setting} = off")
            connection.execute("SELECT pg_reload_conf()")
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
        ).fetchone()
        if exists and recreate:
            connection.execute(
                sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(database))
            )
            exists = None
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    return server.get_uri(database).replace("postgresql://", "postgresql+psycopg://", 1)
