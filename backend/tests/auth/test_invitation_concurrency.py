"""Two invitations of one email accepted at the same moment (two tabs, two links).

This test commits for real (each request thread has its own session and connection, as
gunicorn's workers do), so it builds and removes its own rows.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
from flask_jwt_extended import create_access_token
from sqlalchemy import delete, or_, select

from tests.concurrency import waiting_on_locks
from violet.auth.models import Group, Invitation, Permission, RefreshToken, User, user_groups
from violet.auth.permissions import ADMIN_PERMISSIONS
from violet.auth.service import directory, invitations
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


@pytest.fixture
def committed_administrator(app, real_sessions):
    """An administrator committed for real, and the header of their requests; removed after."""
    suffix = uuid.uuid4().hex[:8]
    group = Group(name=f"admins-{suffix}")
    group.permissions = list(
        real_sessions.scalars(select(Permission).where(Permission.code.in_(ADMIN_PERMISSIONS)))
    )
    admin = User(
        email=f"admin-{suffix}@example.test",
        display_name="Ada",
        password_hash="not a hash: signs in by token",
        groups=[group],
    )
    real_sessions.add_all([group, admin])
    real_sessions.commit()
    admin_id, group_id = admin.id, group.id
    with app.app_context():
        header = {"Authorization": f"Bearer {create_access_token(identity=str(admin_id))}"}
    yield header
    real_sessions.rollback()
    real_sessions.execute(delete(user_groups).where(user_groups.c.user_id == admin_id))
    real_sessions.execute(delete(WorkspaceMember).where(WorkspaceMember.user_id == admin_id))
    real_sessions.execute(
        delete(AuditEvent).where(
            or_(AuditEvent.actor_id == admin_id, AuditEvent.object_id.in_([admin_id, group_id]))
        )
    )
    real_sessions.execute(delete(User).where(User.id == admin_id))
    real_sessions.execute(delete(Group).where(Group.id == group_id))
    real_sessions.commit()


def wait_for_a_lock_wait() -> None:
    """Until another request waits for a lock (or a while has passed)."""
    with db.engine.connect() as observer:
        deadline = time.monotonic() + BOTH_IN_S * 2
        while waiting_on_locks(observer) < 1 and time.monotonic() < deadline:
            time.sleep(0.02)


def accept_and_create_at_once(
    app, token: str, email: str, admin_header: dict[str, str], *, first: str, holding
) -> dict[str, Any]:
    """The invitee accepts `token` while an administrator creates an account of `email` with
    `POST /users`. The `first` ("accept" or "create") starts alone; the other starts once the
    event `holding` is set (by the caller's patch, once the first holds its locks). The status
    and body of each answer."""
    answers: dict[str, Any] = {}
    requests = {
        "accept": (
            "/api/v1/invitations/accept",
            {"token": token, "display_name": "Ines", "password": "correct horse battery staple"},
            {},
        ),
        "create": (
            "/api/v1/users",
            {"email": email.upper(), "password": "another horse battery staple"},
            admin_header,
        ),
    }

    def send(label: str) -> None:
        if label != first:
            holding.wait(WAIT_LIMIT_S)
        url, body, headers = requests[label]
        try:
            response = app.test_client().post(
                url, json=body, headers=headers, environ_base={"REMOTE_ADDR": ADDRESS}
            )
            answers[label] = (response.status_code, response.json)
        finally:
            holding.set()  # a first request that failed early lets the other one go
            db.session.remove()

    threads = [threading.Thread(target=send, args=(label,)) for label in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_LIMIT_S)
    return answers


def test_an_administrator_creating_the_invitees_account_while_they_accept(
    app, two_invitations, committed_administrator, monkeypatch
):
    """The invitee accepts their link while an administrator creates an account of that email
    with `POST /users`. The accept locked the email's invitations and then inserted the user;
    the administrator's request inserted the user and then revoked the invitations: each waited
    for the other, and one of them was 503 "The database is unavailable". Both now take the
    invitations first: the later request waits, then finds the account made (409)."""
    email, tokens = two_invitations
    holding = threading.Event()
    real_create_user = invitations.create_user

    def create_user_once_the_other_waits(**kwargs):
        holding.set()  # the accept holds the email's invitations
        wait_for_a_lock_wait()
        return real_create_user(**kwargs)

    monkeypatch.setattr(invitations, "create_user", create_user_once_the_other_waits)

    answers = accept_and_create_at_once(
        app, tokens[0], email, committed_administrator, first="accept", holding=holding
    )

    assert answers["accept"][0] == 201, answers
    status, body = answers["create"]
    assert status == 409, answers
    assert body["errors"] == {"email": ["A user with this email already exists."]}
    assert body["detail"] == f"A user with the email {email} already exists."
    users = db.session.scalars(select(User.display_name).where(User.email == email)).all()
    assert users == ["Ines"]


def test_an_invitee_accepting_while_an_administrator_creates_their_account(
    app, two_invitations, committed_administrator, monkeypatch
):
    """The other way round: the administrator's request is first. It inserted the user, the
    accept then locked the invitations and inserted the same email, and the revocation waited
    for the accept: a deadlock (503). Now the accept waits, then finds its link revoked by the
    account made (410, as when it comes after)."""
    email, tokens = two_invitations
    holding = threading.Event()
    real_revoke = directory.revoke_pending_invitations

    def revoke_once_the_other_waits(address: str) -> None:
        if not holding.is_set():  # the administrator's request: it has written the user
            holding.set()
            wait_for_a_lock_wait()
        real_revoke(address)

    monkeypatch.setattr(directory, "revoke_pending_invitations", revoke_once_the_other_waits)

    answers = accept_and_create_at_once(
        app, tokens[0], email, committed_administrator, first="create", holding=holding
    )

    assert answers["create"][0] == 201, answers
    status, body = answers["accept"]
    assert status == 410, answers
    assert body["detail"].startswith(f"An account for {email} exists now: sign in")
    users = db.session.scalars(select(User.display_name).where(User.email == email)).all()
    assert users == [email.split("@")[0]]
