import socket
import time
import uuid

from flask_jwt_extended import create_access_token

from tests.conftest import make_app
from violet.diag.service import business_tables


def test_health_is_public_and_ok(client):
    response = client.get("/api/v1/diag/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_db_reports_revision_and_table_count(client, db_connection, make_user, auth_header):
    from sqlalchemy import text

    head = db_connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    tables = db_connection.execute(
        text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    ).scalar_one()

    response = client.get("/api/v1/diag/db", headers=auth_header(make_user(perms=["diag.read"])))

    assert response.status_code == 200
    assert response.json == {"reachable": True, "alembic_revision": head, "table_count": tables}


def signed_token_header(app):
    """A token with a valid signature: during an outage its permissions cannot be looked up."""
    with app.app_context():
        return {"Authorization": f"Bearer {create_access_token(identity=str(uuid.uuid4()))}"}


def test_db_needs_the_diag_read_permission(client, make_user, auth_header):
    assert client.get("/api/v1/diag/db").status_code == 401
    response = client.get("/api/v1/diag/db", headers=auth_header(make_user(perms=["user.read"])))
    assert response.status_code == 403


def test_db_answers_503_quickly_when_database_hangs(app_session):
    # A socket that accepts TCP connections but never speaks PostgreSQL: the worst outage,
    # where a naive client would hang forever.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    port = silent.getsockname()[1]
    app = make_app(f"postgresql+psycopg://violet@127.0.0.1:{port}/violet")
    try:
        started = time.monotonic()
        response = app.test_client().get("/api/v1/diag/db", headers=signed_token_header(app))
        elapsed = time.monotonic() - started
    finally:
        silent.close()

    assert response.status_code == 503
    assert response.json == {"reachable": False}
    assert elapsed < 3.5, f"diag/db took {elapsed:.1f}s on a silent database"


def test_db_answers_503_when_port_is_closed(app_session):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there any more
    app = make_app(f"postgresql+psycopg://violet@127.0.0.1:{port}/violet")

    response = app.test_client().get("/api/v1/diag/db", headers=signed_token_header(app))

    assert response.status_code == 503
    assert response.json == {"reachable": False}


def test_reset_route_is_absent_by_default(client):
    response = client.post("/api/v1/diag/reset")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"


def test_reset_truncates_business_tables_when_enabled(database_url, db_connection):
    from sqlalchemy import text

    app = make_app(database_url, VIOLET_ENABLE_DIAG_RESET=True)
    db_connection.execute(text("CREATE TABLE reset_probe (id int)"))
    db_connection.execute(text("INSERT INTO reset_probe VALUES (1), (2)"))

    # db.session is bound to this test's transaction, so the reset is rolled back afterwards.
    response = app.test_client().post("/api/v1/diag/reset")

    assert response.status_code == 200
    assert response.json["status"] == "reset"
    assert "reset_probe" in business_tables()
    assert db_connection.execute(text("SELECT count(*) FROM reset_probe")).scalar_one() == 0
    revision = db_connection.execute(text("SELECT count(*) FROM alembic_version")).scalar_one()
    assert revision == 1, "the migration history survives a reset"
