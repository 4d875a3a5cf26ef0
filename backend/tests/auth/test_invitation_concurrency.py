"""Two invitations of one email accepted at the same moment (two tabs, two links).

This test commits for real (each request thread has its own session and connection, as
gunicorn's workers do), so it builds and removes its own rows.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete, or_, select

from violet.auth.models import Invitation, RefreshToken, User
from violet.auth.service import invitations
from violet.auth.service.credentials import new_token, token_hash
from violet.core import limits
from violet.core.audit import AuditEvent
from violet.core.models import utcnow
from violet.extensions import db
from violet.workspaces.models import WorkspaceMember

ADDRESS = "192.0.2.78"
WAIT_LIMIT_S = 20  # a guard against a hang, not an assertion
BOTH_IN_S = 2  # how long the first accept waits for the second one to catch up


@pytest.fixture
def two_invitations(real_sessions):
    """Two committed pending invitations of one email, and their tokens; removed afterwards
    with the user an accept made."""
    email = f"invitee-{uuid.uuid4().hex[:8]}@example.test"
    tokens = [new_token(), new_token()]
    rows = [
        Invitation(
            email=email, token_hash=token_hash(token), expires_at=utcnow() + timedelta(hours=1)
        )
        for token in tokens
    ]
    real_sessions.add_all(rows)
    real_sessions.commit()
    ids = [row.id for row in rows]
    yield email, tokens
    real_sessions.rollback()
    users = list(real_sessions.scalars(select(User.id).where(User.email == email)))
    real_sessions.execute(delete(Invitation).where(Invitation.id.in_(ids)))
    real_sessions.execute(delete(RefreshToken).where(RefreshToken.user_id.in_(users)))
    real_sessions.execute(delete(WorkspaceMember).where(WorkspaceMember.user_id.in_(users)))
    real_sessions.execute(
        delete(AuditEvent).where(
            or_(AuditEvent.object_id.in_([*ids, *users]), AuditEvent.actor_id.in_(users))
        )
    )
    real_sessions.execute(delete(User).where(User.id.in_(users)))
    real_sessions.execute(
        delete(limits.FailureCounter).where(limits.FailureCounter.key.contains(ADDRESS))
    )
    real_sessions.commit()


def test_two_invitations_of_one_email_accepted_at_once_make_one_user(
    app, two_invitations, monkeypatch
):
    email, tokens = two_invitations
    # Each accept, once its link is found and locked, waits (a little) for the other one to
    # get as far: the moment both tabs' requests are in flight.
    both_in = threading.Barrier(2)
    real_create_user = invitations.create_user

    def create_user_when_both_in(**kwargs):
        # Broken after BOTH_IN_S: the other accept is waiting for this one, so go on.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_in.wait(BOTH_IN_S)
        return real_create_user(**kwargs)

    monkeypatch.setattr(invitations, "create_user", create_user_when_both_in)
    statuses: dict[int, int] = {}

    def accept(number: int) -> None:
        try:
            response = app.test_client().post(
                "/api/v1/invitations/accept",
                json={
                    "token": tokens[number],
                    "display_name": "Ines",
                    "password": "correct horse battery staple",
                },
                environ_base={"REMOTE_ADDR": ADDRESS},
            )
            statuses[number] = response.status_code
        finally:
            db.session.remove()

    threads = [threading.Thread(target=accept, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_LIMIT_S)

    # Before: a deadlock, answered 503 "The database is unavailable".
    assert sorted(statuses.values()) == [201, 410]
    assert len(db.session.scalars(select(User.id).where(User.email == email)).all()) == 1
