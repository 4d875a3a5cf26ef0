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

Hot selects: `fetch_rows`. A select built once and run on every request (authentication's, a
list's page) is compiled once and sent straight to psycopg: SQLAlchemy's execution around the
same SQL (its compiled cache lookup, execution context and result objects) cost more CPU than
psycopg's own work (docs/performance.md, "Seventeenth look").

Reads: `autocommit_safe_requests`. A GET or HEAD request changes nothing, so its connection
runs in autocommit mode: no BEGIN before its first statement, no ROLLBACK after its last, each
statement reading the latest committed data (a list's count and page are two statements). A
safe request must not write more than one statement that belongs together; today the only write
in one is an API token's `last_used_at`. Code that needs one snapshot or `SET LOCAL` in a GET
asks for a transaction: `engine.connect().execution_options(isolation_level="READ COMMITTED")`.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from flask import has_request_context, request
from sqlalchemy import Select, event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.sql.compiler import SQLCompiler

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


ResultProcessors = tuple[tuple[int, Callable[[Any], Any]], ...]


@dataclass
class _DriverSelect:
    """A select compiled once for psycopg: its SQL, its compiled form (for the values of its
    parameters), and SQLAlchemy's conversions of the values sent and read. The conversions
    read depend on the types PostgreSQL answers with (a numeric's), so they are looked up at
    the first run."""

    sql: str
    compiled: SQLCompiler
    bind_processors: Mapping[str, Callable[[Any], Any]]
    result_processors: ResultProcessors | None = None


# select → its compiled form, or None where SQLAlchemy does more than send the SQL (compiled
# for the one database Violet speaks to: PostgreSQL through psycopg).
_DRIVER_SELECTS: weakref.WeakKeyDictionary[Select[Any], _DriverSelect | None] = (
    weakref.WeakKeyDictionary()
)
# Selects run once so far: compiled for the driver when run again (SQLAlchemy's cache keeps
# serving a select built anew on each request, which must not be compiled on each request).
_SEEN_ONCE: weakref.WeakSet[Select[Any]] = weakref.WeakSet()


def fetch_rows(
    connection: Connection, statement: Select[Any], parameters: Mapping[str, Any]
) -> Sequence[Sequence[Any]]:
    """The rows of `statement` (tuples of its columns' values), run on `connection`'s psycopg
    connection, in its transaction, with the SQL and values SQLAlchemy would send, and
    SQLAlchemy's conversions of the values read.

    For a select built once and run on many requests (an object kept, its values bind
    parameters): compiled once per object, at its second run. It runs through
    `connection.execute` instead at its first run, while anything listens to the statements
    sent (tests and the bench count them), and for a select SQLAlchemy does more for than send
    its SQL (parameters expanded at execution, such as an IN list). An error goes through
    SQLAlchemy's handling, so a lost connection is invalidated and raised as before.
    """
    selected = _driver_select(statement, connection.dialect)
    if selected is None or connection.dispatch.before_cursor_execute:
        return list(connection.execute(statement, parameters))
    values = selected.compiled.construct_params(parameters)
    for name, process in selected.bind_processors.items():
        values[name] = process(values[name])
    if not connection.in_transaction():  # as connection.execute() would begin one
        connection.begin()
    cursor = connection.connection.cursor()
    try:
        cursor.execute(selected.sql, values)
        rows = cursor.fetchall()
        if selected.result_processors is None:
            selected.result_processors = _result_processors(
                selected.compiled, connection.dialect, cursor.description
            )
    except Exception as error:
        connection._handle_dbapi_exception(error, selected.sql, values, cursor, None)
    finally:
        cursor.close()
    if selected.result_processors:
        return [_processed(row, selected.result_processors) for row in rows]
    return rows


def _result_processors(
    compiled: SQLCompiler, dialect: Dialect, description: Sequence[Any]
) -> ResultProcessors:
    """SQLAlchemy's conversion of each column that has one, for the type PostgreSQL sent."""
    return tuple(
        (index, process)
        for index, (column, sent) in enumerate(
            zip(compiled._result_columns, description, strict=True)
        )
        if (process := column.type._cached_result_processor(dialect, sent.type_code)) is not None
    )


def _processed(row: tuple[Any, ...], processors: ResultProcessors) -> tuple[Any, ...]:
    values = list(row)
    for index, process in processors:
        values[index] = process(values[index])
    return tuple(values)


def _driver_select(statement: Select[Any], dialect: Dialect) -> _DriverSelect | None:
    if statement in _DRIVER_SELECTS:
        return _DRIVER_SELECTS[statement]
    if statement not in _SEEN_ONCE:
        _SEEN_ONCE.add(statement)
        return None
    _SEEN_ONCE.discard(statement)
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    bind_processors = compiled._bind_processors
    plain = all(callable(process) for process in bind_processors.values()) and not (
        compiled.positional
        or compiled.literal_execute_params
        or compiled.post_compile_params
        or compiled.escaped_bind_names
        or compiled.schema_translate_map
    )
    selected = (
        _DriverSelect(
            sql=compiled.string,
            compiled=compiled,
            bind_processors=cast(Mapping[str, Callable[[Any], Any]], bind_processors),
        )
        if plain
        else None
    )
    _DRIVER_SELECTS[statement] = selected
    return selected
