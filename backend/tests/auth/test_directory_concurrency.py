"""Two administrators changing users at the same moment, on two connections.

These tests commit for real (each request its own session and connection, as gunicorn's
workers do), so they build and remove their own rows.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, select

from tests.concurrency import run_interleaved
from violet.auth.models import Group, Permission, User, user_groups
from violet.auth.permissions import ADMIN_PERMISSIONS
from violet.auth.service import directory
from violet.core.audit import AuditEvent
from violet.core.domain import declared_permissions
from violet.core.errors import Conflict
from violet.extensions import db
from violet.workspaces.models import WorkspaceMember


@pytest.fixture
def two_committed_administrators(real_sessions, default_workspace):
    """Xena and Yusuf, the only active users holding the administrative permissions."""
    suffix = uuid.uuid4().hex[:8]
    group = Group(name=f"admins-{suffix}")
    group.permissions = list(
        real_sessions.scalars(select(Permission).where(Permission.code.in_(ADMIN_PERMISSIONS)))
    )
    users = [
        User(
            email=f"{name}-{suffix}@example.test",
            display_name=name,
            password_hash="not a hash: nobody signs in",
            groups=[group],
        )
        for name in ("xena", "yusuf")
    ]
    real_sessions.add_all([group, *users])
    real_sessions.commit()
    ids = [user.id for user in users]
    group_id = group.id
    yield ids
    real_sessions.rollback()
    real_sessions.execute(delete(user_groups).where(user_groups.c.user_id.in_(ids)))
    real_sessions.execute(delete(WorkspaceMember).where(WorkspaceMember.user_id.in_(ids)))
    real_sessions.execute(delete(AuditEvent).where(AuditEvent.object_id.in_([*ids, group_id])))
    real_sessions.execute(delete(User).where(User.id.in_(ids)))
    real_sessions.execute(delete(Group).where(Group.id == group_id))
    real_sessions.commit()


def test_two_administrators_deactivating_each_other_at_once_leave_one(
    app, default_workspace, two_committed_administrators
):
    xena, yusuf = two_committed_administrators
    everything = frozenset(declared_permissions())

    def deactivate(user_id: uuid.UUID):
        return lambda: directory.update_user(
            directory.get_user(user_id, for_update=True),
            {"is_active": False},
            caller_permissions=everything,
        )

    outcomes = run_interleaved(app, default_workspace.id, deactivate(yusuf), deactivate(xena))

    # Before: both went through, and nobody could manage users any more.
    assert outcomes["first"] == "ok"
    assert isinstance(outcomes["second"], Conflict), outcomes
    with app.app_context():
        active = db.session.scalars(
            select(User.id).where(User.id.in_([xena, yusuf]), User.is_active.is_(True))
        ).all()
        db.session.remove()
    assert active == [xena]


def test_two_edits_of_one_user_at_once_both_apply(
    app, default_workspace, two_committed_administrators
):
    _, yusuf = two_committed_administrators
    everything = frozenset(declared_permissions())

    def rename(name: str):
        return lambda: directory.update_user(
            directory.get_user(yusuf, for_update=True),
            {"display_name": name},
            caller_permissions=everything,
        )

    outcomes = run_interleaved(app, default_workspace.id, rename("Yusuf A."), rename("Yusuf"))

    # Before: the second failed on the version it had read (StaleDataError, 412 without
    # If-Match).
    assert outcomes == {"first": "ok", "second": "ok"}
    with app.app_context():
        db.session.expire_all()  # this session loaded the user when it made them
        user = db.session.get(User, yusuf)
        assert (user.display_name, user.version) == ("Yusuf", 3)
        db.session.remove()
