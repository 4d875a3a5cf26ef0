"""Reference data every instance needs, written idempotently.

`seed_all()` runs on every start (`flask seed`, `make run`) and after `/diag/reset`. Each domain's
seed step is called here explicitly, in dependency order, and must be safe to run again on a
seeded database. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from violet.auth.service import invitations
from violet.auth.service.directory import (
    administrators_group,
    ensure_first_admin,
    has_any_user,
    seed_permissions_and_groups,
)

# How long the production first-administrator link stays usable.
FIRST_ADMIN_LINK_HOURS = 24


@dataclass(frozen=True)
class FirstAdmin:
    """What to tell the operator, once, about a first administrator just provided for."""

    email: str
    # Development and test without ADMIN_PASSWORD: a generated password.
    password: str | None = None
    # Production without ADMIN_PASSWORD: a one-time link to choose the password (it expires).
    setup_url: str | None = None


def seed_all() -> FirstAdmin | None:
    """Seed reference data in the current transaction.

    With no user at all, provides the first administrator: with ADMIN_PASSWORD when set;
    otherwise production issues a one-time setup link (an invitation into Administrators that
    expires after FIRST_ADMIN_LINK_HOURS), so no password ever reaches a log, while development
    and test generate a password to print once.
    """
    seed_permissions_and_groups()
    config = current_app.config
    email, password = config["ADMIN_EMAIL"], config["ADMIN_PASSWORD"] or None
    if password or config["VIOLET_ENV"] != "production":
        generated = ensure_first_admin(email, password)
        return FirstAdmin(email, password=generated) if generated else None
    if has_any_user():
        return None
    _, token = invitations.create(
        email=email,
        group_ids=[administrators_group().id],
        expires_in_hours=FIRST_ADMIN_LINK_HOURS,
        by=None,
        caller_permissions=None,
    )
    base_url = config["PUBLIC_BASE_URL"] or "http://localhost:8000"
    return FirstAdmin(email, setup_url=invitations.accept_url(base_url, token))
