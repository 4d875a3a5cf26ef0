"""Brute-force guards of the auth domain, counted in PostgreSQL (violet.core.limits).

Passwords at login. A stranger who knows an email must not be able to lock its owner out, and an
attacker must not get unlimited guesses, so failures are counted three ways:

- per (account, address): 10 per 15 minutes, the documented limit. Guessing one account from one
  address stops after 10 tries, and only that address is refused;
- per address: 30 per 15 minutes, against one address spraying many accounts;
- per account: 100 per 15 minutes, against many addresses guessing one account. Reaching it
  takes a stranger 100 requests from at least 10 addresses, and refuses the owner for at most
  15 minutes.

Guesses (passwords, codes) are counted before they are checked (`begin_attempt`), so a burst
sent at once gets no more tries than the limit; invitation links are counted after (`fail`), as
only unknown or unusable links count.

Second factors (TOTP codes at login, the password or code asked again of a signed-in user):
5 failures per 5 minutes per user, keyed on the user of a *verified* challenge or session, so
nobody can spend someone else's budget.

Invitation links (the public lookup and accept): their tokens are unguessable, so an address whose
links keep being unknown or no longer usable is scanning: 30 such failures per 15 minutes per
address, then 429.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import NoReturn

from violet.core import limits
from violet.core.errors import ApiError
from violet.extensions import db

LOGIN_PER_ACCOUNT_AND_ADDRESS = limits.Limit("login-account-address", 10, timedelta(minutes=15))
LOGIN_PER_ADDRESS = limits.Limit("login-address", 30, timedelta(minutes=15))
LOGIN_PER_ACCOUNT = limits.Limit("login-account", 100, timedelta(minutes=15))
SECOND_FACTOR = limits.Limit("second-factor", 5, timedelta(minutes=5))
INVITATION_PER_ADDRESS = limits.Limit("invitation-address", 30, timedelta(minutes=15))

TOO_MANY_LOGINS = "Too many failed sign-ins; wait and try again (see Retry-After)."
TOO_MANY_CODES = "Too many wrong codes or passwords; wait and try again (see Retry-After)."
TOO_MANY_INVITATION_TRIES = (
    "Too many unknown or unusable invitation links; wait and try again (see Retry-After)."
)


def login_guards(email: str, address: str | None) -> list[limits.Counted]:
    address = address or "-"
    return [
        limits.counted(LOGIN_PER_ACCOUNT_AND_ADDRESS, email, address),
        limits.counted(LOGIN_PER_ADDRESS, address),
        limits.counted(LOGIN_PER_ACCOUNT, email),
    ]


def second_factor_guards(user_id: uuid.UUID) -> list[limits.Counted]:
    return [limits.counted(SECOND_FACTOR, user_id)]


def invitation_guards(address: str | None) -> list[limits.Counted]:
    return [limits.counted(INVITATION_PER_ADDRESS, address or "-")]


def begin_attempt(guards: list[limits.Counted], message: str) -> None:
    """Count this guess as a failure before it is checked (429 when the guards are used up),
    committed at once so that guesses sent at the same moment each see the ones before them.

    Then exactly one of: `failed` (the count stays), `succeeded` / `release` (given back).
    """
    limits.claim_attempt(db.session, guards, message)
    db.session.commit()


def failed(error: ApiError) -> NoReturn:
    """A guess `begin_attempt` counted was wrong: commit (the audit record written meanwhile;
    the error handler rolls back), then raise `error`."""
    db.session.commit()
    raise error


def release(guards: list[limits.Counted]) -> None:
    """A guess `begin_attempt` counted was right, or was never checked: give it back."""
    limits.release_attempt(db.session, guards)


def ensure_allowed(guards: list[limits.Counted], message: str) -> None:
    """429 (with Retry-After) while any of the guards has used up its failures."""
    limits.ensure_not_exceeded(db.session, guards, message)


def fail(guards: list[limits.Counted], error: ApiError) -> NoReturn:
    """Count the failure, commit it (the error handler rolls back), then raise `error`."""
    limits.record_failure(db.session, guards)
    db.session.commit()
    raise error


def succeeded(guards: list[limits.Counted]) -> None:
    """Forget the guards' failures (after a right guess)."""
    limits.clear(db.session, guards)
