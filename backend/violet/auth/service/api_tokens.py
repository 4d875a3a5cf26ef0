"""Personal API tokens: bearer secrets for automation (CI jobs, SOAR, scripts).

A token may be bound to one workspace its owner belongs to; it then acts only there.
A token's `mission_access` (none, read or write) caps what its owner's mission memberships let it
do; the missions domain applies it (missions/service/access.py).
A token carries a subset of its owner's permissions, chosen at creation; at each use it gets the
intersection of that subset with what the owner holds *now*, so taking a permission from a user
takes it from their tokens too. Deactivating or deleting the owner revokes them. The secret is
shown once; the database keeps its SHA-256 and a short prefix to tell tokens apart.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, select

from violet.auth.models import ApiToken, User
from violet.auth.service.credentials import new_token, token_hash
from violet.auth.service.directory import effective_permissions, user_with_permissions
from violet.core.auth import MISSION_ACCESS_NONE, Principal
from violet.core.errors import NotFound, Unauthorized, Unprocessable
from violet.core.models import prepared, utcnow
from violet.core.pagination import paginate
from violet.core.tenancy import resolve_workspace
from violet.extensions import db

API_TOKEN_PREFIX = "vlt_"
MAX_DAYS = 365
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def create(
    user: User,
    *,
    name: str,
    expires_in_days: int,
    permissions: list[str],
    mission_access: str = MISSION_ACCESS_NONE,
    workspace_id: uuid.UUID | None = None,
) -> tuple[ApiToken, str]:
    held = effective_permissions(user.id)
    not_held = sorted(set(permissions) - held)
    if not_held:
        raise Unprocessable(
            "A token can only carry permissions you hold.",
            errors={"permissions": [f"You do not hold {code}." for code in not_held]},
        )
    if workspace_id is not None:
        _check_member_of(user, held, workspace_id)
    secret = new_token(API_TOKEN_PREFIX)
    token = ApiToken(
        user_id=user.id,
        name=name.strip(),
        token_hash=token_hash(secret),
        prefix=secret[: len(API_TOKEN_PREFIX) + 6],
        permissions=sorted(set(permissions)),
        expires_at=utcnow() + timedelta(days=expires_in_days),
        workspace_id=workspace_id,
        mission_access=mission_access,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def _check_member_of(user: User, held: frozenset[str], workspace_id: uuid.UUID) -> None:
    """A token can only be bound to a workspace its owner belongs to (422 otherwise)."""
    try:
        resolve_workspace(Principal(user_id=user.id, permissions=held), str(workspace_id))
    except NotFound as exc:
        raise Unprocessable(
            "A token can only be bound to a workspace you belong to.",
            errors={"workspace_id": ["You do not belong to this workspace."]},
        ) from exc


def list_for(user_id: uuid.UUID, query: Mapping[str, Any]) -> dict[str, Any]:
    """A page of the user's tokens (revoked and expired ones included), newest first."""
    return paginate(
        select(ApiToken).where(ApiToken.user_id == user_id),
        query,
        sortable={
            "created_at": ApiToken.created_at,
            "name": ApiToken.name,
            "expires_at": ApiToken.expires_at,
            "last_used_at": ApiToken.last_used_at,
        },
        default_sort="-created_at",
        tiebreaker=ApiToken.id,
    )


def revoke(user_id: uuid.UUID, token_id: uuid.UUID) -> None:
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id)
    )
    if token is None:
        raise NotFound("No such API token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()


# `authenticate`'s lookup, built once (every request with an API token runs it).
_BY_HASH = prepared(select(ApiToken).where(ApiToken.token_hash == bindparam("token_hash")))


def authenticate(secret: str) -> Principal:
    token = db.session.scalar(_BY_HASH, {"token_hash": token_hash(secret)})
    now = utcnow()
    # Each refusal says why, so the job's author knows whether to renew the token or find out
    # who revoked it. Only the holder of the whole secret learns this: a guess is "not valid".
    if token is None:
        raise Unauthorized(
            "The API token is not valid: send the whole token, as shown once when it was created."
        )
    if token.revoked_at is not None:
        raise Unauthorized(
            f"The API token was revoked at {token.revoked_at.isoformat()} (by its owner, or when "
            "they changed their password, signed out everywhere or were deactivated): "
            "create a new one."
        )
    if token.expires_at <= now:
        raise Unauthorized(
            f"The API token expired at {token.expires_at.isoformat()}: create a new one "
            "(expires_in_days is at most 365)."
        )
    owner, owner_permissions = user_with_permissions(token.user_id, bound_to=token.workspace_id)
    if owner is None or not owner.is_active:
        raise Unauthorized(
            "The API token's owner is deactivated or deleted: their tokens no longer work."
        )
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now
        # Its own commit, before the view runs: read-only requests never commit.
        db.session.commit()
    permissions = owner_permissions & set(token.permissions)
    return Principal(
        user_id=owner.id,
        permissions=permissions,
        api_token_id=token.id,
        api_token_name=token.name,
        workspace_id=token.workspace_id,
        mission_access=token.mission_access,
        token_permissions=frozenset(token.permissions),
    )
