"""Helpers for tests of requests running at once: each on its own connection, committing for
real, interleaved at a chosen point (with the `real_sessions` fixture of conftest.py)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import text

from violet.core.tenancy import acting_in
from violet.extensions import db

WAIT_LIMIT_S = 20  # a guard against a hang, not an assertion


def waiting_on_locks(connection) -> int:
    count = connection.execute(
        text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
    ).scalar_one()
    connection.rollback()  # statistics are a snapshot per transaction: take a new one next time
    return count


def run_interleaved(
    app, workspace_id: uuid.UUID, first: Callable[[], Any], second: Callable[[], Any]
) -> dict[str, object]:
    """`first` runs and flushes, then waits before its commit while `second` runs until it is
    done or waits for a lock; then `first` commits, and `second` finishes. The outcome of each:
    "ok" or the exception it raised."""
    outcomes: dict[str, object] = {}
    first_flushed, commit_first = threading.Event(), threading.Event()

    def run(label: str, work: Callable[[], Any], before_commit: Callable[[], None]) -> None:
        with app.app_context(), acting_in(workspace_id):
            try:
                work()
                before_commit()
                db.session.commit()
                outcomes[label] = "ok"
            except Exception as error:  # reported by the caller's assertions
                db.session.rollback()
                outcomes[label] = error
            finally:
                first_flushed.set()
                db.session.remove()

    def hold() -> None:
        first_flushed.set()
        commit_first.wait(WAIT_LIMIT_S)

    one = threading.Thread(target=run, args=("first", first, hold))
    one.start()
    first_flushed.wait(WAIT_LIMIT_S)
    two = threading.Thread(target=run, args=("second", second, lambda: None))
    two.start()
    with db.engine.connect() as observer:
        deadline = time.monotonic() + WAIT_LIMIT_S
        while two.is_alive() and waiting_on_locks(observer) < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
    commit_first.set()
    one.join(WAIT_LIMIT_S)
    two.join(WAIT_LIMIT_S)
    return outcomes
