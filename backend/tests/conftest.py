"""Fixtures: one real PostgreSQL per test session, one rolled-back transaction per test.

The database is the embedded pgserver under `$VIOLET_DATA_DIR/postgres-test` (default
./var/postgres-test), or `TEST_DATABASE_URL` when set. The schema is built by running the
migrations, which also tests them.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_jwt_extended import create_access_token
from flask_migrate import upgrade
from sqlalchemy import event, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import scoped_session, sessionmaker

from tests.tenant_probe import create_probe_table
from violet import create_app
from violet.auth.events import USER_CREATED
from violet.auth.models import Group, Permission, User
from violet.auth.service.credentials import hash_password
from violet.config import data_dir, normalise_database_url
from violet.core import embedded_db
from violet.core.domain import declared_permissions
from violet.core.events import publish
from violet.extensions import db
from violet.workspaces.models import Workspace, WorkspaceMember
from violet.workspaces.service import ensure_default_workspace

TEST_DATABASE = "violet_test"
# Flask-SQLAlchemy's own session, for tests that run a second app against another database.
APP_SESSION = db.session


def embedded_test_pgdata() -> Path:
    return data_dir() / "postgres-test"


def fresh_database_url(name: str = TEST_DATABASE) -> str:
    """A fresh, empty database named `name` for this test session."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return embedded_db.database_url(embedded_test_pgdata(), name, recreate=True, durable=False)


def make_app(database_url: str, **overrides: object) -> Flask:
    config = {
        "VIOLET_ENV": "test",
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "LOG_LEVEL": "WARNING",
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def database_url() -> str:
    return fresh_database_url()


@pytest.fixture(scope="session")
def app(database_url: str) -> Flask:
    app = make_app(database_url)
    with app.app_context():
        upgrade()
        # As at first start: the workspace `default`, which make_user's users join.
        ensure_default_workspace()
        db.session.commit()
        with db.engine.begin() as connection:
            create_probe_table(connection)

    @app.before_request
    def start_like_a_fresh_session() -> None:
        # In production each request gets a new, empty session. Here the test's session
        # outlives requests, so make every request read rows again instead of trusting what an
        # earlier request (or the test) left in the identity map.
        db.session.expire_all()

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
    """Every test runs in an app context, in its own transaction (failure counters included)."""
    with app.app_context():
        yield


@pytest.fixture
def app_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give back Flask-SQLAlchemy's own session, bound to whichever app is current.

    For tests that build a second app (another database, an outage): the test transaction's
    session would otherwise answer from the test database.
    """
    monkeypatch.setattr(db, "session", APP_SESSION)


@pytest.fixture
def real_sessions(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[scoped_session]:
    """Thread-local sessions on the engine: each thread its own connection, commits are real
    (tests of requests running at once; they build and remove their own rows)."""
    sessions = scoped_session(sessionmaker(bind=db.engine))
    monkeypatch.setattr(db, "session", sessions)
    yield sessions
    sessions.remove()


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


# --- users and tokens ------------------------------------------------------------------------

DEFAULT_PASSWORD = "correct horse battery"


def previous_step_code(totp: Any) -> str:
    """The previous time step's TOTP code: accepted (the API allows ±1 step) and it leaves the
    current step's code unused for a later sign-in. A step about to end is waited out first:
    otherwise the server may check the code in the next step, when it is two steps old."""
    left = totp.interval - time.time() % totp.interval
    if left < 3:
        time.sleep(left)
    return totp.at(time.time() - totp.interval)


@cache
def password_hash_for(password: str) -> str:
    # argon2id is slow on purpose; tests reuse one hash per password.
    return hash_password(password)


@pytest.fixture
def make_user() -> Callable[..., User]:
    """`make_user(perms=["mitre.sync"])`: a live user holding exactly those permissions.

    Set-up data is committed; in tests a commit only releases a savepoint of the test's
    transaction, which is rolled back at the end.

    The permissions come through a group made for the user; `groups=` adds existing groups.
    """
    created = 0

    def factory(
        email: str | None = None,
        *,
        perms: list[str] | None = None,
        password: str = DEFAULT_PASSWORD,
        is_active: bool = True,
        groups: list[Group] | None = None,
        display_name: str | None = None,
    ) -> User:
        nonlocal created
        created += 1
        email = email or f"user{created}-{uuid.uuid4().hex[:8]}@example.test"
        user = User(
            email=email.lower(),
            display_name=display_name or email.split("@")[0],
            password_hash=password_hash_for(password),
            is_active=is_active,
        )
        user.groups = list(groups or [])
        if perms:
            group = Group(name=f"perms-{uuid.uuid4().hex[:12]}")
            group.permissions = list(
                db.session.scalars(select(Permission).where(Permission.code.in_(perms)))
            )
            assert len(group.permissions) == len(set(perms)), f"unknown permission in {perms}"
            user.groups.append(group)
        db.session.add(user)
        db.session.flush()
        # As the auth service does: other domains react (the user joins the default workspace).
        publish(USER_CREATED, user_id=user.id)
        # Committed (a savepoint release here), as if made by an earlier request: a request that
        # fails rolls back its own work only.
        db.session.commit()
        return user

    return factory


@pytest.fixture
def auth_header(app: Flask) -> Callable[[User], dict[str, str]]:
    """`auth_header(user)` → `{"Authorization": "Bearer <access JWT>"}`."""

    def header(user: User) -> dict[str, str]:
        return {"Authorization": f"Bearer {create_access_token(identity=str(user.id))}"}

    return header


@pytest.fixture
def make_group() -> Callable[..., Group]:
    """`make_group(perms=["user.read"], members=[user])`: a live group, committed."""

    def factory(
        name: str | None = None,
        *,
        perms: list[str] | None = None,
        members: list[User] | None = None,
        description: str = "",
    ) -> Group:
        group = Group(name=name or f"group-{uuid.uuid4().hex[:12]}", description=description)
        codes = perms or []
        group.permissions = list(
            db.session.scalars(select(Permission).where(Permission.code.in_(codes)))
        )
        assert len(group.permissions) == len(set(codes)), f"unknown permission in {codes}"
        db.session.add(group)
        for member in members or []:
            member.groups.append(group)
        db.session.commit()
        return group

    return factory


@pytest.fixture
def user_header(make_user, auth_header) -> Callable[..., dict[str, str]]:
    """`user_header(perms=["mitre.sync"])`: the Authorization header of a new user holding
    exactly those permissions (none by default): one line per caller in a test."""

    def header(*, perms: list[str] | None = None) -> dict[str, str]:
        return auth_header(make_user(perms=perms))

    return header


@pytest.fixture
def admin(make_user) -> User:
    """A user holding every permission."""
    return make_user("admin@example.test", perms=list(declared_permissions()))


@pytest.fixture
def admin_header(admin: User, auth_header) -> dict[str, str]:
    return auth_header(admin)


# --- workspaces ------------------------------------------------------------------------------


@pytest.fixture
def make_workspace() -> Callable[..., Workspace]:
    """`make_workspace(members=[user])`: a live workspace (committed, like make_user)."""

    def factory(
        slug: str | None = None, *, members: list[User] = (), name: str | None = None
    ) -> Workspace:
        slug = slug or f"ws-{uuid.uuid4().hex[:10]}"
        workspace = Workspace(name=name or slug.replace("-", " ").title(), slug=slug)
        db.session.add(workspace)
        db.session.flush()
        db.session.add_all(
            WorkspaceMember(workspace_id=workspace.id, user_id=user.id) for user in members
        )
        db.session.commit()
        return workspace

    return factory


@pytest.fixture
def default_workspace() -> Workspace:
    return db.session.scalars(select(Workspace).where(Workspace.is_default.is_(True))).one()
