"""Database diagnostics and the test-only reset."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from violet.core import audit
from violet.core.domain import seed_all
from violet.extensions import db

log = logging.getLogger(__name__)

# Kept by a reset: the migration history itself.
NOT_RESET = {"alembic_version"}


def database_status() -> dict[str, Any]:
    """Revision and table count, or `reachable: False` when the database cannot be reached.

    Uses its own short-lived connection with a statement timeout, so a sick database answers
    within seconds instead of hanging the request.
    """
    try:
        # A transaction even in a GET (violet/core/database.py): SET LOCAL needs one.
        transactional = db.engine.connect().execution_options(isolation_level="READ COMMITTED")
        with transactional as connection:
            connection.execute(text("SET LOCAL statement_timeout = 2000"))
            revision = connection.execute(
                text("SELECT version_num FROM alembic_version LIMIT 1")
            ).scalar_one_or_none()
            table_count = connection.execute(
                text(
                    "SELECT count(*) FROM information_schema.tables "
                    "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                )
            ).scalar_one()
    except SQLAlchemyError as exc:
        log.warning("database unreachable: %s", exc.__class__.__name__)
        return {"reachable": False}
    return {"reachable": True, "alembic_revision": revision, "table_count": table_count}


def business_tables() -> list[str]:
    names = db.session.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    ).scalars()
    return [name for name in names if name not in NOT_RESET]


def reset_database() -> int:
    """Empty every business table and seed again (the e2e suite's clean slate).

    One TRUNCATE … CASCADE handles foreign-key order; seeding runs in the same transaction.
    """
    tables = business_tables()
    if tables:
        quoted = ", ".join(f'"{name}"' for name in tables)
        db.session.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    with audit.paused():  # seeding is the machine's doing, as at start-up
        notice = seed_all()
        db.session.flush()
    if notice:  # a generated password nobody will see
        log.warning("reset created an administrator with a generated password; set ADMIN_PASSWORD")
    return len(tables)
