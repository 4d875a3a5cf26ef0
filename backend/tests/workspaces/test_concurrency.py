"""Two member lists of one workspace saved at once, on two connections.

This test commits for real (each request its own session and connection, as gunicorn's workers
do), so it builds and removes its own rows.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, select

from tests.concurrency import run_interleaved
from violet.auth.models import User
from violet.core.audit import AuditEvent
from violet.extensions import db
from violet.workspaces.models import Workspace, WorkspaceMember
from violet.workspaces.service import replace_members


@pytest.fixture
def committed_workspace(real_sessions):
    """A committed workspace whose members are Petra and Quentin; removed afterwards."""
    suffix = uuid.uuid4().hex[:8]
    workspace = Workspace(name=f"Client {suffix}", slug=f"client-{suffix}")
    users = [
        User(
            email=f"{name}-{suffix}@example.test",
            display_name=name,
            password_hash="not a hash: nobody signs in",
        )
        for name in ("petra", "quentin")
    ]
    real_sessions.add_all([workspace, *users])
    real_sessions.flush()
    real_sessions.add_all(
        WorkspaceMember(workspace_id=workspace.id, user_id=user.id) for user in users
    )
    real_sessions.commit()
    ids = workspace.id, [user.id for user in users]
    yield ids
    real_sessions.rollback()
    real_sessions.execute(delete(WorkspaceMember).where(WorkspaceMember.workspace_id == ids[0]))
    real_sessions.execute(delete(AuditEvent).where(AuditEvent.object_id.in_([ids[0], *ids[1]])))
    real_sessions.execute(delete(User).where(User.id.in_(ids[1])))
    real_sessions.execute(delete(Workspace).where(Workspace.id == ids[0]))
    real_sessions.commit()


def test_two_member_lists_saved_at_once_never_leave_the_workspace_empty(app, committed_workspace):
    workspace_id, (petra, quentin) = committed_workspace

    # Two administrators' screens, each removing the other member.
    def keep_only(user_id: uuid.UUID):
        return lambda: replace_members(db.session.get(Workspace, workspace_id), [user_id])

    outcomes = run_interleaved(app, workspace_id, keep_only(petra), keep_only(quentin))

    assert outcomes == {"first": "ok", "second": "ok"}
    members = db.session.scalars(
        select(WorkspaceMember.user_id).where(WorkspaceMember.workspace_id == workspace_id)
    ).all()
    # Before the lock: nobody.
    assert members == [quentin], "the second list, as it was sent"
