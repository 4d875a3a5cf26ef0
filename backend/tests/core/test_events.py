"""Domain events: handlers run in the publisher's transaction, and a failing one undoes it all."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

import violet.domains
from tests.conftest import make_app
from violet.auth.events import USER_DELETED
from violet.auth.models import Group, User
from violet.core.domain import Domain
from violet.core.errors import Conflict
from violet.core.models import including_deleted
from violet.extensions import db


def leave_a_trace(user_id) -> None:
    db.session.add(Group(name=f"trace of {user_id}"))


def refuse(user_id) -> None:
    raise Conflict("A subscriber refuses this deletion.")


def app_with_handlers(database_url, monkeypatch, *handlers):
    listener = Domain(name="listener", handlers={USER_DELETED: list(handlers)})
    monkeypatch.setattr(violet.domains, "DOMAINS", [*violet.domains.DOMAINS, listener])
    return make_app(database_url)


def traces(user_id: uuid.UUID) -> list[str]:
    return list(db.session.scalars(select(Group.name).where(Group.name == f"trace of {user_id}")))


def user_is_deleted(user_id: uuid.UUID) -> bool:
    statement = including_deleted(select(User.deleted_at).where(User.id == user_id))
    return db.session.scalar(statement) is not None


@pytest.fixture
def doomed(make_user) -> uuid.UUID:
    """The id of a user to delete (the other app's context ends its session's objects)."""
    return make_user().id


def test_a_handler_writes_in_the_publishers_transaction(
    database_url, monkeypatch, admin_header, doomed
):
    app = app_with_handlers(database_url, monkeypatch, leave_a_trace)
    with app.app_context():
        response = app.test_client().delete(f"/api/v1/users/{doomed}", headers=admin_header)

    assert response.status_code == 204
    assert user_is_deleted(doomed)
    assert traces(doomed) == [f"trace of {doomed}"]


def test_a_failing_handler_rolls_the_whole_write_back(
    database_url, monkeypatch, admin_header, doomed
):
    app = app_with_handlers(database_url, monkeypatch, leave_a_trace, refuse)
    with app.app_context():
        response = app.test_client().delete(f"/api/v1/users/{doomed}", headers=admin_header)

    assert response.status_code == 409
    assert response.json["detail"] == "A subscriber refuses this deletion."
    assert not user_is_deleted(doomed)
    assert traces(doomed) == []


def test_handlers_belong_to_their_app(admin_header, client, doomed):
    # The app of the other tests subscribed nothing: its deletions leave no trace.
    assert client.delete(f"/api/v1/users/{doomed}", headers=admin_header).status_code == 204
    assert traces(doomed) == []
