"""From `Authorization: Bearer …` to a Principal: registered with core.auth at start-up."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from violet.auth.models import User
from violet.auth.service import api_tokens
from violet.auth.service.directory import user_with_permissions
from violet.auth.service.sessions import (
    ENROL_CLAIM,
    ISSUED_CLAIM,
    decode_access_token,
    issued_microseconds,
)
from violet.core.auth import Principal, Restriction
from violet.core.errors import Unauthorized
from violet.extensions import db

# While `mfa_required` forces enrolment, a session may only use the views marked
# `@allowed_while(MFA_ENROLMENT)`: enrol, look at itself, leave (auth/routes/session.py).
MFA_ENROLMENT = Restriction(
    name="mfa_enrolment",
    detail="Two-factor authentication is required: enrol with POST /auth/mfa/setup and "
    "/auth/mfa/enable, then sign in again.",
)


def authenticate_bearer(token: str) -> Principal:
    if token.startswith(api_tokens.API_TOKEN_PREFIX):
        return api_tokens.authenticate(token)
    claims = decode_access_token(token)
    try:
        user_id = uuid.UUID(claims["sub"])
    except (KeyError, ValueError) as exc:
        raise Unauthorized("The access token is invalid.") from exc
    user, permissions = user_with_permissions(user_id)
    if user is None or not user.is_active:
        raise Unauthorized("The account behind this token no longer exists or is deactivated.")
    if user.tokens_valid_after is not None and issued_at(claims) < issued_microseconds(
        user.tokens_valid_after
    ):
        raise Unauthorized("This session was signed out; sign in again.")
    return Principal(
        user_id=user_id,
        permissions=permissions,
        claims=claims,
        restriction=MFA_ENROLMENT if claims.get(ENROL_CLAIM) and not user.mfa_enabled else None,
    )


def load_user(user_id: uuid.UUID) -> User | None:
    """The signed-in user's User object, for the views that need more than its id."""
    return db.session.get(User, user_id)


def issued_at(claims: dict) -> int:
    """When the token was issued, in microseconds (tokens without our claim: whole seconds)."""
    precise = claims.get(ISSUED_CLAIM)
    if isinstance(precise, int):
        return precise
    return issued_microseconds(datetime.fromtimestamp(claims["iat"], UTC))
