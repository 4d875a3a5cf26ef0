"""Failure counters kept in PostgreSQL, so every worker and every instance sees the same count.

A per-process counter is no limit at all: `make run` has two gunicorn workers, and a production
deployment several containers. Brute-force guards (wrong passwords, wrong TOTP codes) count their
failures here, in fixed windows: the first failure opens a window of `Limit.window`; once
`Limit.amount` failures fall inside it, the key is refused (429 with Retry-After) until it ends.

A guess (a password, a TOTP code) is counted *before* it is checked (`claim_attempt`), and given
back when it was right (`release_attempt`): checking the count first and recording the failure
after the slow check let every request sent at once pass the check, so thirty guesses sent
together were thirty tries against a limit of ten.

Keys are built by the caller from values it has already verified or parsed (never by reading the
request body a second time).

Request bodies are capped too: MAX_CONTENT_LENGTH (1 MiB by default) for every endpoint, checked
by Werkzeug before a byte of the body is parsed; an endpoint that needs more calls
`allow_body_up_to` before it reads its body.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import g, request
from sqlalchemy import Index, String, case, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Mapped, mapped_column

from violet.core.errors import TooManyRequests
from violet.core.models import Base

# Room for the multipart envelope (boundaries, part headers, small form fields) around an upload.
MULTIPART_OVERHEAD = 64 * 1024
# Counters whose window ended this long ago are deleted when a new failure is recorded.
FORGET_AFTER = timedelta(days=1)


class FailureCounter(Base):
    __tablename__ = "failure_counters"
    __table_args__ = (Index("ix_failure_counters_window_started_at", "window_started_at"),)

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    window_started_at: Mapped[datetime]
    failures: Mapped[int]


def allow_body_up_to(max_bytes: int, too_large: str) -> None:
    """Raise this request's body cap (413 beyond it); call before the body is read.

    `too_large` is the 413's detail, naming the limit (`size_limit`): Werkzeug's own says only
    that "the data value transmitted exceeds the capacity limit".
    """
    request.max_content_length = max_bytes + MULTIPART_OVERHEAD
    g.too_large_detail = too_large


@dataclass(frozen=True)
class Limit:
    """At most `amount` failures per `window` for one key; `name` prefixes the key."""

    name: str
    amount: int
    window: timedelta

    def key(self, *parts: object) -> str:
        return ":".join([self.name, *(str(part) for part in parts)])[:400]


@dataclass(frozen=True)
class Counted:
    """One limit applied to one key."""

    limit: Limit
    key: str


def counted(limit: Limit, *parts: object) -> Counted:
    return Counted(limit, limit.key(*parts))


def ensure_not_exceeded(session, guards: Sequence[Counted], message: str) -> None:
    """429 with Retry-After when any guarded key has used up its failures (one SELECT)."""
    by_key = {guard.key: guard.limit for guard in guards}
    rows = session.execute(
        select(
            FailureCounter.key,
            FailureCounter.window_started_at,
            FailureCounter.failures,
            func.now(),
        ).where(FailureCounter.key.in_(by_key))
    ).all()
    wait = 0.0
    for key, started, failures, now in rows:
        limit = by_key[key]
        ends = started + limit.window
        if failures >= limit.amount and ends > now:
            wait = max(wait, (ends - now).total_seconds())
    if wait:
        raise TooManyRequests(message, headers={"Retry-After": str(max(1, math.ceil(wait)))})


def claim_attempt(session, guards: Sequence[Counted], message: str) -> None:
    """Count one attempt as a failure for every key, atomically, or 429 with Retry-After when a
    key has used up its failures (then nothing is counted: the caller's rollback undoes it).

    The caller commits right after, so a concurrent attempt on the same key waits for this
    count and sees it (the upsert locks the counter's row until then).
    """
    wait = 0.0
    for guard in guards:
        started, failures, now = _count_failure(session, guard)
        if failures > guard.limit.amount:
            wait = max(wait, (started + guard.limit.window - now).total_seconds())
    _forget_old_counters(session)
    if wait:
        raise TooManyRequests(message, headers={"Retry-After": str(max(1, math.ceil(wait)))})


def release_attempt(session, guards: Sequence[Counted]) -> None:
    """Give back an attempt `claim_attempt` counted: it succeeded, so it was no failure."""
    session.execute(
        update(FailureCounter)
        .where(FailureCounter.key.in_([g.key for g in guards]), FailureCounter.failures > 0)
        .values(failures=FailureCounter.failures - 1)
    )


def record_failure(session, guards: Sequence[Counted]) -> None:
    """Count one failure for every key, atomically (concurrent workers never lose a count)."""
    for guard in guards:
        _count_failure(session, guard)
    _forget_old_counters(session)


def _count_failure(session, guard: Counted) -> tuple[datetime, int, datetime]:
    """One more failure for the guard's key (a new window when its last one has ended), in one
    upsert; answers the window's start, the failures in it and the database's time."""
    expired = FailureCounter.window_started_at <= func.now() - guard.limit.window
    statement = insert(FailureCounter).values(
        key=guard.key, window_started_at=func.now(), failures=1
    )
    started, failures, now = session.execute(
        statement.on_conflict_do_update(
            index_elements=[FailureCounter.key],
            set_={
                "failures": case((expired, 1), else_=FailureCounter.failures + 1),
                "window_started_at": case(
                    (expired, func.now()), else_=FailureCounter.window_started_at
                ),
            },
        ).returning(FailureCounter.window_started_at, FailureCounter.failures, func.now())
    ).one()
    return started, failures, now


def _forget_old_counters(session) -> None:
    session.execute(
        delete(FailureCounter).where(FailureCounter.window_started_at < func.now() - FORGET_AFTER)
    )


def clear(session, guards: Sequence[Counted]) -> None:
    """Forget the failures of these keys (after a success)."""
    session.execute(delete(FailureCounter).where(FailureCounter.key.in_([g.key for g in guards])))
