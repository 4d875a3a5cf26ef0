"""Invitations: an administrator invites an email into groups; the invitee picks a password.

The one-time token travels in the accept URL and is stored only as its SHA-256. An invitation is
pending until it is accepted (once), revoked, or expired; the last three answer 410.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from violet.auth.models import Invitation
from violet.auth.service import throttle
from violet.auth.service.credentials import check_policy, new_token, token_hash
from violet.auth.service.directory import create_user, find_live_user_by_email, live_groups
from violet.auth.service.grants import ensure_may_grant_groups
from violet.auth.service.sessions import Client, start_session
from violet.core.errors import Conflict, Gone, NotFound
from violet.core.models import utcnow
from violet.core.pagination import paginate
from violet.extensions import db


def accept_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/accept-invitation?token={token}"


def create(
    *,
    email: str,
    group_ids: list[uuid.UUID],
    expires_in_hours: int,
    caller_permissions: frozenset[str] | None,
) -> tuple[Invitation, str]:
    """A pending invitation into groups that grant nothing beyond the caller's permissions.

    `caller_permissions` is None only for the instance itself (the first administrator's link).
    """
    groups = live_groups(group_ids)
    if caller_permissions is not None:
        ensure_may_grant_groups(caller_permissions, groups)
    email = email.strip().lower()
    if find_live_user_by_email(email) is not None:
        raise Conflict(
            f"{email} already has an account.",
            errors={"email": ["A user with this email already exists."]},
        )
    token = new_token()
    invitation = Invitation(
        email=email,
        token_hash=token_hash(token),
        expires_at=utcnow() + timedelta(hours=expires_in_hours),
    )
    invitation.groups = groups
    db.session.add(invitation)
    db.session.flush()
    return invitation, token


def list_invitations(query: Mapping[str, Any]) -> dict[str, Any]:
    """A page of invitations; filter `status`."""
    statement = select(Invitation).options(
        selectinload(Invitation.groups), selectinload(Invitation.inviter)
    )
    if status := query.get("status"):
        statement = statement.where(Invitation.status == status)
    return paginate(
        statement,
        query,
        sortable={
            "created_at": Invitation.created_at,
            "email": Invitation.email,
            "expires_at": Invitation.expires_at,
        },
        default_sort="-created_at",
        tiebreaker=Invitation.id,
    )


def revoke(invitation_id: uuid.UUID, *, by: uuid.UUID) -> None:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound("No such invitation.")
    if invitation.status == "accepted":
        raise Conflict("The invitation was already accepted; deactivate the user instead.")
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        invitation.revoked_by = by


def find_usable(token: str, *, address: str | None, lock: bool = False) -> Invitation:
    """The pending invitation behind `token`: 404 when unknown, 410 when no longer usable.

    Each of those failures counts against the caller's `address`; too many, and 429 (throttle.py).
    """
    guards = throttle.invitation_guards(address)
    throttle.ensure_allowed(guards, throttle.TOO_MANY_INVITATION_TRIES)
    statement = select(Invitation).where(Invitation.token_hash == token_hash(token))
    if lock:
        statement = statement.with_for_update()
    invitation = db.session.scalar(statement)
    if invitation is None:
        throttle.fail(guards, NotFound("No such invitation."))
    status = invitation.status
    if status != "pending":
        throttle.fail(guards, Gone(f"This invitation is {status}; ask for a new one."))
    return invitation


def accept(token: str, *, display_name: str, password: str, client: Client) -> dict[str, Any]:
    """Create the invited user in the invitation's groups and sign them in."""
    check_policy(password)
    # Locked so two tabs accepting at once cannot create two users.
    invitation = find_usable(token, address=client.ip_address, lock=True)
    user = create_user(
        email=invitation.email,
        password=password,
        display_name=display_name,
        groups=list(invitation.groups),
        created_by=invitation.created_by,
    )
    invitation.accepted_at = utcnow()
    invitation.accepted_user_id = user.id
    return start_session(user, client)
