"""Guesses sent at the same moment get no more tries than the limit.

These tests commit for real (each request thread has its own session and connection, as
gunicorn's workers do), so they use keys of their own and remove what they wrote.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter

import pytest
from sqlalchemy import delete, or_

from violet.auth.service import sessions
from violet.core import limits
from violet.core.audit import AuditEvent
from violet.extensions import db

BURST = 15  # more than the (account, address) limit of 10, below the address ceiling of 30
WAIT_LIMIT_S = 20  # a guard against a hang, not an assertion


@pytest.fixture
def stranger():
    """An unknown email and an address of this test only; their counters and audit rows are
    removed afterwards."""
    email = f"nobody-{uuid.uuid4().hex[:8]}@example.test"
    address = "192.0.2.77"
    yield email, address
    with db.engine.begin() as connection:
        connection.execute(
            delete(limits.FailureCounter).where(
                or_(
                    limits.FailureCounter.key.contains(email),
                    limits.FailureCounter.key.contains(address),
                )
            )
        )
        connection.execute(delete(AuditEvent).where(AuditEvent.object_label == email))


def test_wrong_passwords_sent_at_once_get_ten_tries_then_429(
    app, real_sessions, stranger, monkeypatch
):
    email, address = stranger
    # Every request that gets as far as the password check waits there until each of the
    # others has reached it too or been answered: all the guesses are in flight at once, the
    # way a burst from a script arrives at gunicorn's workers.
    settled = threading.Condition()
    in_flight_or_answered = 0
    real_verify = sessions.verify_password

    def verify_when_all_arrived(password_hash, password):
        nonlocal in_flight_or_answered
        with settled:
            in_flight_or_answered += 1
            settled.notify_all()
            settled.wait_for(lambda: in_flight_or_answered >= BURST, timeout=WAIT_LIMIT_S)
        return real_verify(password_hash, password)

    monkeypatch.setattr(sessions, "verify_password", verify_when_all_arrived)
    statuses: list[int] = []

    def guess(number: int) -> None:
        nonlocal in_flight_or_answered
        try:
            response = app.test_client().post(
                "/api/v1/auth/login",
                json={"email": email, "password": f"wrong guess {number}"},
                environ_base={"REMOTE_ADDR": address},
            )
            statuses.append(response.status_code)
            if response.status_code != 401:  # answered without reaching the check
                with settled:
                    in_flight_or_answered += 1
                    settled.notify_all()
        finally:
            db.session.remove()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(BURST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_LIMIT_S * 2)

    assert Counter(statuses) == {401: 10, 429: BURST - 10}
