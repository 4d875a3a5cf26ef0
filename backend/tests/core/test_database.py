"""The connection pool survives a database that is SIGKILLed and restarted, no app restart.

These tests run their own throw-away PostgreSQL cluster (under $VIOLET_DATA_DIR), since they
kill it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psutil
import psycopg
import pytest
from flask import Flask
from flask_jwt_extended import create_access_token
from flask_migrate import upgrade
from psycopg import sql

from tests.conftest import make_app
from violet.auth.models import User
from violet.config import data_dir
from violet.extensions import db

DATABASE = "violet_restart"


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    import pgserver

    server = pgserver.get_server(data_dir() / "postgres-restart-test", cleanup_mode="stop")
    with psycopg.connect(server.get_uri(), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
    url = server.get_uri(DATABASE).replace("postgresql://", "postgresql+psycopg://", 1)
    migrated = make_app(url)
    with migrated.app_context():
        upgrade()
        db.session.add(User(email="restart@example.test", password_hash="unused"))
        db.session.commit()
        db.engine.dispose()
    server.violet_url = url
    yield server
    server.cleanup()


def kill(server: Any) -> None:
    """SIGKILL the postmaster and every backend: a crash, not a shutdown."""
    postmaster = psutil.Process(server.get_pid())
    processes = [postmaster, *postmaster.children(recursive=True)]
    for process in processes:
        process.kill()
    psutil.wait_procs(processes, timeout=10)


def restart(server: Any) -> None:
    with server._lock:  # pgserver's own start-up, under its lock as it expects
        server.ensure_postgres_running()


def signed_in(app: Flask) -> dict[str, str]:
    with app.app_context():
        user_id = db.session.scalar(db.select(User.id))
        db.session.remove()
        return {"Authorization": f"Bearer {create_access_token(identity=str(user_id))}"}


def me_status(app: Flask, headers: dict[str, str]) -> int:
    response = app.test_client().get("/api/v1/auth/me", headers=headers)
    if response.status_code == 503:
        assert response.headers["Content-Type"] == "application/problem+json"
        assert "database is unavailable" in response.json["detail"]
    return response.status_code


def test_requests_during_an_outage_get_503_and_the_restarted_database_is_used_at_once(
    server, app_session
):
    app = make_app(server.violet_url)  # default: no ping for a connection used just now
    headers = signed_in(app)
    assert me_status(app, headers) == 200
    assert me_status(app, headers) == 200  # authentication's statement now goes to psycopg

    kill(server)
    assert me_status(app, headers) == 503  # the pooled connection is dead
    assert me_status(app, headers) == 503  # no database to connect to
    restart(server)

    assert me_status(app, headers) == 200
    assert me_status(app, headers) == 200


def test_an_idle_connection_is_pinged_and_replaced_after_a_restart(server, app_session):
    app = make_app(server.violet_url, DB_PING_AFTER_IDLE_SECONDS=0)  # every checkout is "idle"
    headers = signed_in(app)
    assert me_status(app, headers) == 200

    kill(server)
    restart(server)  # nobody asked anything while it was down

    assert me_status(app, headers) == 200  # not even one 503


def transaction_open_after_a_statement() -> bool:
    """Whether the request's connection sits in a transaction after one SELECT (protocol
    status: "idle in transaction" rather than "idle")."""
    db.session.execute(db.text("SELECT 1"))
    status = db.session.connection().connection.dbapi_connection.info.transaction_status
    return status != psycopg.pq.TransactionStatus.IDLE


def test_reads_skip_begin_and_rollback_and_writes_keep_their_transaction(server, app_session):
    app = make_app(server.violet_url)
    for method, transactional in (("GET", False), ("HEAD", False), ("POST", True)):
        with app.test_request_context("/api/v1/users", method=method):
            assert transaction_open_after_a_statement() is transactional, method
            db.session.remove()
    with app.app_context():  # CLI commands, seeds, migrations: transactional too
        assert transaction_open_after_a_statement() is True
        db.session.remove()

    assert me_status(app, signed_in(app)) == 200  # a whole GET, autocommit from end to end
