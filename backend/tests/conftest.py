"""Fixtures: one real PostgreSQL per test session, one rolled-back transaction per test.

The database is the embedded pgserver under `$VIOLET_DATA_DIR/postgres-test` (default
./var/postgres-test), or `TEST_DATABASE_URL` when set. The schema is built by running the
migrations, which also tests them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import scoped_session, sessionmaker

from violet import create_app
from violet.config import data_dir, normalise_database_url
from violet.core import embedded_db
from violet.extensions import db

TEST_DATABASE = "violet_test"


def embedded_test_pgdata() -> Path:
    return data_dir() / "postgres-test"


def test_database_url(name: str = TEST_DATABASE) -> str:
    """A fresh, empty database named `name` for this test session."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return embedded_db.database_url(embedded_test_pgdata(), name, recreate=True)


def make_app(database_url: str, **overrides: object) -> Flask:
    config = {
        "VIOLET_ENV": "test",
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": True,
        "LOG_LEVEL": "WARNING",
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def database_url() -> str:
    return test_database_url()


@pytest.fixture(scope="session")
def app(database_url: str) -> Flask:
    app = make_app(database_url)
    with app.app_context():
        upgrade()
    return app


@pytest.fixture
def db_connection(app: Flask) -> Iterator[Connection]:
    """The test's connection, inside an outer transaction that is rolled back at the end.

    Flask-SQLAlchemy 3.1 ignores a connection passed as `bind=` (issue #1167), so `db.session`
    is swapped for a plain scoped session bound to this connection. `create_savepoint` turns
    every commit made by the code under test into a savepoint release, so nothing leaks.
    """
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original_session = db.session
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        )
        try:
            yield connection
        finally:
            db.session.remove()
            db.session = original_session
            outer.rollback()
            connection.close()


@pytest.fixture(autouse=True)
def _isolated(app: Flask, db_connection: Connection) -> Iterator[None]:
    """Every test runs in an app context, in its own transaction, with fresh rate limits."""
    from violet.extensions import limiter

    limiter.reset()
    with app.app_context():
        yield


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            self.statements.append(statement)


@pytest.fixture
def count_statements(db_connection: Connection) -> Callable[[], object]:
    """`with count_statements() as counter: ...; counter.count` — SQL sent by the code inside.

    Savepoint bookkeeping from the test transaction is not counted.
    """

    @contextmanager
    def counting() -> Iterator[StatementCounter]:
        counter = StatementCounter()
        event.listen(db_connection, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db_connection, "before_cursor_execute", counter)

    return counting
