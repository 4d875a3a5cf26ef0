"""Round trips the connection pool saves: pings of busy connections, BEGIN/ROLLBACK of reads.

Pinging: `ping_idle_connections`.

SQLAlchemy's `pool_pre_ping` costs a round trip on every checkout, so on every request. Here a
connection is pinged only when it has been idle in the pool for `idle_seconds` or more; a busy
pool (LIFO, so the connections in use stay hot) never pays for it. A database restart takes
longer than that, so the first request after one finds only pinged (and replaced) connections.
A connection that breaks while in use raises a disconnect error: the request answers 503 and
SQLAlchemy invalidates the whole pool, so the next request connects afresh.

Outages: `is_outage`. psycopg raises OperationalError for a lost connection, and also for
errors of a statement that say nothing of the database's health (a statement too complex,
one with too many parameters): only the first kind is the 503 "the database is unavailable".
A statement stopped by the operator's `statement_timeout` or `lock_timeout` (`is_timeout`) is a
503 too, saying so.

Reads: `autocommit_safe_requests`. A GET or HEAD request changes nothing, so its connection
runs in autocommit mode: no BEGIN before its first statement, no ROLLBACK after its last, each
statement reading the latest committed data (a list's count and page are two statements). A
safe request must not write more than one statement that belongs together; today the only write
in one is an API token's `last_used_at`. Code that needs one snapshot or `SET LOCAL` in a GET
asks for a transaction: `engine.connect().execution_options(isolation_level="READ COMMITTED")`.
"""

from __future__ import annotations

import time
from typing import Any

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, OperationalError

CHECKED_IN_AT = "violet_checked_in_at"
# SQLSTATEs of a database that cannot serve now: class 08 (connection exception), class 53
# (out of disk, memory or connections), and 57P01-57P05 (shut down, starting, dropped).
# Connection exceptions, transaction rollbacks (a deadlock or serialisation failure PostgreSQL
# broke by failing this transaction: the same request succeeds when retried), lack of resources.
OUTAGE_CLASSES = ("08", "40", "53")
OUTAGE_STATES = frozenset({"57P01", "57P02", "57P03", "57P04", "57P05"})
# A statement stopped by a time limit the database's operator set (`statement_timeout`,
# `lock_timeout`, e.g. on Violet's role) or cancelled by them: the database is up but too busy
# for this request now.
TIMEOUT_STATES = frozenset({"57014", "55P03"})
SAFE_METHODS = frozenset({"GET", "HEAD"})


def ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    """Make `engine`'s pool ping a connection idle for `idle_seconds` before handing it out."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def remember_checkin(dbapi_connection: Any, record: Any) -> None:
        record.info[CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        checked_in_at = record.info.get(CHECKED_IN_AT)
        if checked_in_at is None or time.monotonic() - checked_in_at < idle_seconds:
            return  # new, or just used: trusted
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            # The pool discards this connection and checks out (or opens) another one.
            raise DisconnectionError("an idle pooled connection no longer answers") from exc


def autocommit_safe_requests(engine: Engine) -> None:
    """Hand GET and HEAD requests connections in autocommit mode (every other use: not)."""

    @event.listens_for(engine, "checkout")
    def autocommit_if_safe(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        # psycopg then sends no BEGIN, and SQLAlchemy's rollback at the end is a no-op.
        dbapi_connection.autocommit = has_request_context() and request.method in SAFE_METHODS


def is_timeout(exc: OperationalError) -> bool:
    """Whether the statement was stopped by a time limit (or cancelled by an operator)."""
    return (getattr(exc.orig, "sqlstate", None) or "") in TIMEOUT_STATES


def is_outage(exc: OperationalError) -> bool:
    """Whether the error means the database cannot be reached or cannot serve right now (a
    deadlock included: 503 tells the client to retry, which succeeds).

    A connection that broke during a statement is invalidated by SQLAlchemy; an error with no
    statement came from connecting. A statement's own failure (StatementTooComplex, a
    parameter limit, a cancelled query) is not an outage: retrying would fail the same way.
    """
    if exc.connection_invalidated or exc.statement is None:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    return sqlstate.startswith(OUTAGE_CLASSES) or sqlstate in OUTAGE_STATES
