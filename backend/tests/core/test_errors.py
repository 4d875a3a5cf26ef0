"""Every error source answers application/problem+json with a clear detail."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.conftest import make_app
from violet.core.errors import Conflict, flatten_messages
from violet.extensions import db

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def error_app(database_url):
    """A separate app with routes that fail in each way the error handlers cover."""
    app = make_app(database_url)

    def raise_api_error():
        raise Conflict("Mission is archived.", errors={"status": ["Cannot change."]})

    def raise_integrity_error():
        class Diag:
            constraint_name = "uq_users_email"

        class Orig(Exception):
            diag = Diag()

        raise IntegrityError("INSERT ...", {}, Orig())

    def raise_unexpected():
        raise RuntimeError("secret internals: password=hunter2")

    def run_a_statement_too_complex():
        # PostgreSQL answers "stack depth limit exceeded" (an OperationalError in psycopg),
        # as it did for an import's lookup of 30,000 source ids.
        db.session.execute(text("SELECT " + " + ".join(["1"] * 100_000)))

    app.add_url_rule("/api/v1/_test/api-error", view_func=raise_api_error)
    app.add_url_rule("/api/v1/_test/integrity", view_func=raise_integrity_error)
    app.add_url_rule("/api/v1/_test/boom", view_func=raise_unexpected)
    app.add_url_rule("/api/v1/_test/too-complex", view_func=run_a_statement_too_complex)

    def lose_a_deadlock(code):
        # What PostgreSQL raises in the transaction it picks to break a deadlock (40P01) or a
        # serialisation conflict (40001).
        db.session.execute(text(f"DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '{code}'; END $$"))

    app.add_url_rule("/api/v1/_test/rolled-back/<code>", view_func=lose_a_deadlock)

    def run_past_a_time_limit(limit):
        # What an operator's `statement_timeout` or `lock_timeout` (set on Violet's role, say)
        # does to a slow statement or one waiting for a lock another session holds.
        db.session.execute(
            text("INSERT INTO settings (key, value) VALUES ('_test_half_written', '1')")
        )
        db.session.execute(text(f"SET LOCAL {limit} = '50ms'"))
        if limit == "statement_timeout":
            db.session.execute(text("SELECT pg_sleep(5)"))
        else:
            db.session.execute(text("LOCK TABLE _test_locked IN ACCESS EXCLUSIVE MODE"))

    app.add_url_rule(
        "/api/v1/_test/time-limit/<limit>", view_func=run_past_a_time_limit, methods=["POST"]
    )

    def refused_statement(name):
        # Statements PostgreSQL itself refuses (the database is fine), after a write of the same
        # request that must not survive the failure.
        db.session.execute(
            text("INSERT INTO settings (key, value) VALUES ('_test_half_written', '1')")
        )
        db.session.execute(text(REFUSED_STATEMENTS[name]))

    # A write (POST): a GET runs in autocommit mode, where there is no transaction to roll back.
    app.add_url_rule("/api/v1/_test/refused/<name>", view_func=refused_statement, methods=["POST"])
    return app


REFUSED_STATEMENTS = {
    "out-of-range": "SELECT 2147483648::integer",
    "too-long": "INSERT INTO settings (key, value) VALUES (repeat('k', 101), '1')",
    "not-a-uuid": "SELECT 'x'::uuid",
    "foreign-key": "INSERT INTO workspace_members (workspace_id, user_id, preferred) "
    "VALUES (gen_random_uuid(), gen_random_uuid(), false)",
}


def test_unknown_api_path_is_problem_json_404(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == PROBLEM
    assert response.json["status"] == 404
    assert response.json["title"] == "Not Found"
    assert response.json["type"] == "about:blank"
    assert response.json["detail"]


def test_api_error_keeps_status_detail_and_errors(error_app):
    response = error_app.test_client().get("/api/v1/_test/api-error")
    assert response.status_code == 409
    assert response.headers["Content-Type"] == PROBLEM
    assert response.json == {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "detail": "Mission is archived.",
        "errors": {"status": ["Cannot change."]},
    }


def test_integrity_error_becomes_409_naming_the_constraint(error_app):
    response = error_app.test_client().get("/api/v1/_test/integrity")
    assert response.status_code == 409
    assert "uq_users_email" in response.json["detail"]


def test_unexpected_error_is_500_without_internals(error_app, caplog):
    response = error_app.test_client().get("/api/v1/_test/boom", headers={"X-Request-Id": "req-42"})
    assert response.status_code == 500
    assert response.headers["Content-Type"] == PROBLEM
    assert "hunter2" not in response.get_data(as_text=True)
    assert "req-42" in response.json["detail"]
    assert any("unhandled error" in record.getMessage() for record in caplog.records)


def test_a_statement_too_complex_is_500_not_database_unavailable(error_app, app_session):
    # The database is up: "unavailable; retry shortly" would send the client retrying in vain.
    # (A dead database's 503: tests/core/test_database.py.)
    response = error_app.test_client().get(
        "/api/v1/_test/too-complex", headers={"X-Request-Id": "req-43"}
    )
    assert response.status_code == 500
    assert response.headers["Content-Type"] == PROBLEM
    assert "unavailable" not in response.json["detail"]
    assert "req-43" in response.json["detail"]


@pytest.mark.parametrize("code", ["40P01", "40001"])
def test_a_transaction_postgresql_rolled_back_is_503_retry(error_app, app_session, code):
    # A deadlock or serialisation failure is transient: the same request succeeds when retried
    # (the e2e harness's reset, which retries on 503, met one with a page's request in flight).
    response = error_app.test_client().get(f"/api/v1/_test/rolled-back/{code}")
    assert response.status_code == 503
    assert "retry" in response.json["detail"]


@pytest.mark.parametrize("limit", ["statement_timeout", "lock_timeout"])
def test_a_statement_stopped_by_a_time_limit_is_503_saying_so_and_writes_nothing(
    error_app, app_session, database_url, limit
):
    import psycopg

    with psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True) as other:
        other.execute("CREATE TABLE IF NOT EXISTS _test_locked (id integer)")
        with other.transaction():  # holds the lock the lock_timeout case waits for
            other.execute("LOCK TABLE _test_locked IN ACCESS EXCLUSIVE MODE")
            response = error_app.test_client().post(f"/api/v1/_test/time-limit/{limit}")
        other.execute("DROP TABLE _test_locked")
    assert response.status_code == 503
    assert response.headers["Content-Type"] == PROBLEM
    assert "did not finish in time" in response.json["detail"]
    assert limit in response.json["detail"]
    with error_app.app_context():
        half_written = text("SELECT count(*) FROM settings WHERE key = '_test_half_written'")
        assert db.session.scalar(half_written) == 0


@pytest.mark.parametrize(
    ("name", "status", "words"),
    [
        ("out-of-range", 422, "A number is too large or too small to be stored."),
        ("too-long", 422, "A text value is longer than can be stored."),
        ("not-a-uuid", 422, "A value is not in the form expected"),
        ("foreign-key", 409, "changed or removed by someone else meanwhile"),
    ],
)
def test_a_statement_postgresql_refuses_for_its_values_is_4xx_and_writes_nothing(
    error_app, app_session, name, status, words
):
    # Not a server fault (500) nor an outage (503): what the request asked for cannot be stored.
    response = error_app.test_client().post(f"/api/v1/_test/refused/{name}")
    assert response.status_code == status
    assert response.headers["Content-Type"] == PROBLEM
    assert words in response.json["detail"]
    with error_app.app_context():
        half_written = text("SELECT count(*) FROM settings WHERE key = '_test_half_written'")
        assert db.session.scalar(half_written) == 0


def test_query_validation_is_422_keyed_by_field():
    # webargs nests messages under the location; clients see field names only.
    messages = {
        "json": {
            "name": ["Missing data for required field."],
            "mitre": {"0": {"kind": ["Must be one of: tactic, technique."]}},
        },
        "query": {"limit": ["Too big."]},
    }
    assert flatten_messages(messages) == {
        "name": ["Missing data for required field."],
        "mitre.0.kind": ["Must be one of: tactic, technique."],
        "limit": ["Too big."],
    }


def test_schema_level_messages_keep_marshmallow_key():
    assert flatten_messages({"json": {"_schema": ["Invalid input type."]}}) == {
        "_schema": ["Invalid input type."]
    }
