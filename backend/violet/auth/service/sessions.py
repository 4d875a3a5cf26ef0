"""Sign-in sessions: login (with the TOTP second step), access JWTs, refresh-token rotation.

A login starts a *family* of refresh tokens. Each refresh spends the presented token and issues
the next one of the family. A spent token presented again means it was stolen (or replayed): the
whole family is revoked, so neither the thief nor the victim can go on without signing in.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from flask import current_app
from flask_jwt_extended import create_access_token, decode_token
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt import ExpiredSignatureError, PyJWTError
from sqlalchemy import Select, and_, bindparam, func, literal_column, select, update
from sqlalchemy.dialects.postgresql import aggregate_order_by

from violet.auth.models import Group, RefreshToken, User, user_groups
from violet.auth.service import mfa, throttle
from violet.auth.service.credentials import (
    check_policy,
    hash_password,
    new_token,
    token_hash,
    verify_password,
)
from violet.auth.service.directory import (
    effective_permissions,
    end_sessions,
    find_live_user_by_email,
    normalise_email,
)
from violet.core import audit
from violet.core.errors import Unauthorized, Unprocessable
from violet.core.models import prepared, utcnow
from violet.core.serialization import Extended
from violet.extensions import db
from violet.notifications import service as notifications
from violet.settings import service as settings

INVALID_CREDENTIALS = "Invalid email or password."
INVALID_REFRESH = "The refresh token is invalid, expired or revoked; sign in again."
MFA_TOKEN_MINUTES = 5
# Claims that restrict what an access JWT may be used for.
MFA_PENDING_CLAIM = "mfa_pending"  # password checked, TOTP code still due: only /auth/login/mfa
ENROL_CLAIM = "mfa_enrol"  # `mfa_required` is on and the user has no TOTP yet
# When the token was issued, in microseconds: `iat` has whole seconds only, and a token issued in
# the same second as a "sign out everywhere" must be told apart from one issued just after it.
ISSUED_CLAIM = "iat_us"


@dataclass(frozen=True)
class Client:
    """Where a request comes from, recorded on refresh tokens."""

    ip_address: str | None
    user_agent: str | None


def describe(user: User, permissions: frozenset[str] | None = None) -> Extended:
    """The signed-in user with what the SPA needs to know about the session (MeOut).

    `permissions` are the session's when they differ from the user's (an API token's scope).
    """
    held = effective_permissions(user.id) if permissions is None else permissions
    return Extended(
        user,
        permissions=sorted(held),
        mfa_enrolment_required=needs_mfa_enrolment(user),
        recovery_codes_remaining=mfa.remaining_recovery_codes(user.id),
        unread_notifications=notifications.unread_count(user.id, held),
    )


def describe_caller(user_id: uuid.UUID, permissions: frozenset[str]) -> dict[str, Any]:
    """`describe` for GET /auth/me, which the SPA reads on every page: the user's columns, their
    live groups, both counts and the mfa_required setting in one statement, no User or Group
    objects."""
    parameters = {
        "user_id": user_id,
        notifications.READS_ALL_PARAMETER: notifications.reads_every_mission(permissions),
    }
    row = db.session.execute(_caller_statement(), parameters).mappings().one_or_none()
    if row is None:  # deleted since authentication, within this request
        raise Unauthorized("The account behind this token no longer exists or is deactivated.")
    caller = dict(row)
    if not notifications.visible_to_caller():
        caller["unread_notifications"] = 0
    elif notifications.bound_workspace() is not None:
        # A token bound to a workspace counts that workspace's only: one more statement, for
        # such tokens alone (the statement above counts every workspace's).
        caller["unread_notifications"] = notifications.unread_count(user_id, permissions)
    mfa_required = settings.or_default("mfa_required", caller.pop("mfa_required"))
    return {
        **caller,
        "permissions": sorted(permissions),
        "mfa_enrolment_required": not caller["mfa_enabled"] and bool(mfa_required),
    }


@cache
def _caller_statement() -> Select[Any]:
    """`describe_caller`'s statement, built once; the user is the parameter `user_id`."""
    group = func.json_build_object("id", Group.id, "name", Group.name)
    groups = (
        select(
            func.coalesce(
                func.json_agg(aggregate_order_by(group, Group.name, Group.id)),
                literal_column("'[]'::json"),
            )
        )
        .select_from(user_groups)
        # Live groups only, said here: a correlated subquery is plain SQL to the ORM.
        .join(Group, and_(Group.id == user_groups.c.group_id, Group.deleted_at.is_(None)))
        .where(user_groups.c.user_id == User.id)
        .correlate(User)
        .scalar_subquery()
    )
    return prepared(
        select(
            User.id,
            User.email,
            User.display_name,
            User.is_active,
            User.mfa_enabled,
            groups.label("groups"),
            User.version,
            User.created_at,
            User.updated_at,
            User.last_login_at,
            User.deleted_at,
            mfa.unused_recovery_codes(User.id).label("recovery_codes_remaining"),
            notifications.unread(User.id).label("unread_notifications"),
            settings.stored_value("mfa_required").label("mfa_required"),
        ).where(User.id == bindparam("user_id"))
    )


def needs_mfa_enrolment(user: User) -> bool:
    return not user.mfa_enabled and bool(settings.get_value("mfa_required"))


def login(email: str, password: str, client: Client) -> dict[str, Any]:
    """Check the password; answer a token pair, or an MFA challenge for TOTP users.

    Unknown email and wrong password give the same 401 after the same work (a dummy hash
    is verified when the email is unknown). Failures are counted (auth/service/throttle.py).
    """
    guards = throttle.login_guards(normalise_email(email), client.ip_address)
    # Counted before the password is checked: requests sent at once get no more guesses.
    throttle.begin_attempt(guards, throttle.TOO_MANY_LOGINS)
    user = find_live_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        _record_failed_login(email, user)
        throttle.failed(Unauthorized(INVALID_CREDENTIALS))
    # Only the (account, address) pair is forgotten: signing into one's own account must not
    # wipe the counters of an address or an account someone else is guessing; this attempt is
    # given back to those.
    throttle.succeeded(guards[:1])
    throttle.release(guards[1:])
    if not user.is_active:
        # The right password for a deactivated account (someone who left, or their password)
        # is a failed sign-in too; committed here, as the error handler rolls back.
        _record_failed_login(email, user)
        db.session.commit()
        raise Unauthorized("This account is deactivated; ask an administrator.")
    if user.mfa_enabled:
        mfa_token = create_access_token(
            identity=str(user.id),
            additional_claims={MFA_PENDING_CLAIM: True},
            expires_delta=timedelta(minutes=MFA_TOKEN_MINUTES),
        )
        return {"mfa_required": True, "mfa_token": mfa_token}
    return start_session(user, client)


def _record_failed_login(email: str, user: User | None) -> None:
    audit.record(
        "auth.login_failed",
        object_type="user",
        object_id=user.id if user else None,
        label=normalise_email(email),
        actor_email=normalise_email(email),
    )


def complete_mfa_login(
    mfa_token: str, client: Client, *, code: str | None = None, recovery_code: str | None = None
) -> dict[str, Any]:
    """Second step of an MFA login: the challenge token plus a fresh TOTP code or an unused
    recovery code (each works once)."""
    try:
        claims = decode_token(mfa_token)
    except (PyJWTError, JWTExtendedException) as exc:
        raise Unauthorized("The sign-in challenge is invalid or expired; sign in again.") from exc
    if not claims.get(MFA_PENDING_CLAIM):
        raise Unauthorized("The sign-in challenge is invalid or expired; sign in again.")
    user = db.session.get(User, uuid.UUID(claims["sub"]))
    if user is None or user.is_deleted or not user.is_active or not user.mfa_enabled:
        raise Unauthorized("The sign-in challenge is invalid or expired; sign in again.")
    # Keyed on the verified challenge's user: nobody can spend another user's budget.
    guards = throttle.second_factor_guards(user.id)
    throttle.begin_attempt(guards, throttle.TOO_MANY_CODES)
    if recovery_code is not None:
        if not mfa.use_recovery_code(user, recovery_code):
            _record_for(user, "auth.second_factor_failed")
            throttle.failed(Unauthorized("The recovery code is wrong or was already used."))
    elif code is None or not mfa.verify_code(user, code):
        _record_for(user, "auth.second_factor_failed")
        throttle.failed(Unauthorized("The authentication code is wrong or was already used."))
    throttle.succeeded(guards)
    return start_session(user, client)


def start_session(
    user: User,
    client: Client,
    family_id: uuid.UUID | None = None,
    family_started_at: datetime | None = None,
) -> dict[str, Any]:
    """Issue an access JWT and a refresh token (a new family unless one is given)."""
    config = current_app.config
    refresh_token = new_token()
    db.session.add(
        RefreshToken(
            user_id=user.id,
            token_hash=token_hash(refresh_token),
            family_id=family_id or uuid.uuid4(),
            family_started_at=family_started_at or utcnow(),
            expires_at=utcnow() + timedelta(days=config["JWT_REFRESH_TOKEN_DAYS"]),
            ip_address=(client.ip_address or "")[:64] or None,
            user_agent=(client.user_agent or "")[:200] or None,
        )
    )
    if family_id is None:
        mfa.remember_sign_in(user, last_login_at=utcnow())
        _record_for(user, "auth.login")
    me = describe(user)
    claims: dict[str, Any] = {ISSUED_CLAIM: issued_microseconds(utcnow())}
    if me.mfa_enrolment_required:
        claims[ENROL_CLAIM] = True
    access_token = create_access_token(
        identity=str(user.id),
        additional_claims=claims,
        expires_delta=timedelta(minutes=config["JWT_ACCESS_TOKEN_MINUTES"]),
    )
    db.session.flush()
    return {
        "access_token": access_token,
        "refresh_token": refresh_token,
        "token_type": "Bearer",
        "expires_in": config["JWT_ACCESS_TOKEN_MINUTES"] * 60,
        "user": me,
    }


def issued_microseconds(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def refresh(refresh_token: str, client: Client) -> dict[str, Any]:
    """Spend a refresh token for a new pair; a replayed one revokes its family (and 401).

    Locks the user's row, then the token, in the order `end_sessions` takes them, so a
    concurrent "sign out everywhere" cannot miss the token this refresh issues.
    """
    by_hash = RefreshToken.token_hash == token_hash(refresh_token)
    owner_id = db.session.scalar(select(RefreshToken.user_id).where(by_hash))
    if owner_id is None:
        raise Unauthorized(INVALID_REFRESH)
    user = db.session.scalar(select(User).where(User.id == owner_id).with_for_update())
    presented = db.session.scalar(select(RefreshToken).where(by_hash).with_for_update())
    now = utcnow()
    if presented is None or presented.revoked_at is not None or presented.expires_at <= now:
        raise Unauthorized(INVALID_REFRESH)
    if (
        user is not None
        and user.tokens_valid_after is not None
        and presented.family_started_at < user.tokens_valid_after
    ):
        raise Unauthorized(INVALID_REFRESH)
    if presented.spent_at is not None:
        revoke_family(presented.family_id)
        if user is not None:
            _record_for(user, "auth.refresh_token_reused")
        # Committed before answering 401: the error handler rolls back, the revocation must stay.
        db.session.commit()
        raise Unauthorized(
            "This refresh token was already used, so the session was ended everywhere it was "
            "used; sign in again."
        )
    if user is None or user.is_deleted or not user.is_active:
        raise Unauthorized(INVALID_REFRESH)
    presented.spent_at = now
    return start_session(
        user, client, family_id=presented.family_id, family_started_at=presented.family_started_at
    )


def revoke_family(family_id: uuid.UUID) -> None:
    db.session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def logout(user: User, refresh_token: str) -> None:
    """End the session the refresh token belongs to (unknown tokens are ignored: 204 anyway)."""
    presented = db.session.scalar(
        select(RefreshToken).where(
            RefreshToken.token_hash == token_hash(refresh_token),
            RefreshToken.user_id == user.id,
        )
    )
    if presented is not None:
        revoke_family(presented.family_id)


def logout_everywhere(user: User) -> None:
    """Revoke every refresh and API token and refuse every access token issued until now."""
    end_sessions(user)
    _record_for(user, "auth.logout_all")


def change_password(
    user: User, current_password: str, new_password: str, *, keep_api_tokens: bool = False
) -> None:
    """Set a new password and end every session; API tokens survive only when asked."""
    guards = throttle.second_factor_guards(user.id)
    throttle.begin_attempt(guards, throttle.TOO_MANY_CODES)
    if not verify_password(user.password_hash, current_password):
        throttle.failed(
            Unprocessable(
                "The current password is wrong.",
                errors={"current_password": ["Incorrect password."]},
            )
        )
    throttle.release(guards)
    check_policy(new_password, field="new_password")
    user.password_hash = hash_password(new_password)
    end_sessions(user, keep_api_tokens=keep_api_tokens)
    _record_for(user, "auth.password_changed")


def _record_for(user: User, action: str) -> None:
    """An event of the user's own account, by the user (the audit trail, core/audit.py)."""
    audit.record(action, object_type="user", object_id=user.id, label=user.email, actor_id=user.id)


# Access JWTs this app has already verified, by their exact text. A request presenting one again
# skips the signature check and the JSON decoding (a fifth of authentication's CPU); its expiry
# is still checked on every use. Revocation never rested on the signature: the user's row is read
# on every request (principals.py). Bounded: emptied when full, so it costs a re-verify at worst.
VERIFIED_TOKENS_KEY = "violet.verified_access_tokens"
VERIFIED_TOKENS_MAX = 4096


def decode_access_token(token: str) -> dict[str, Any]:
    """The claims of a valid access JWT, or 401."""
    verified: dict[str, dict[str, Any]] = current_app.extensions.setdefault(VERIFIED_TOKENS_KEY, {})
    claims = verified.get(token)
    if claims is None:
        claims = _verify_access_token(token)
        if len(verified) >= VERIFIED_TOKENS_MAX:
            verified.clear()
        verified[token] = claims
    # As PyJWT decides it: expired once `exp` is not after now less the configured leeway.
    expires = claims.get("exp")
    leeway = current_app.config.get("JWT_DECODE_LEEWAY", 0)
    if expires is not None and expires <= time.time() - leeway:
        verified.pop(token, None)
        raise Unauthorized("The access token has expired; refresh it.")
    return claims


def _verify_access_token(token: str) -> dict[str, Any]:
    try:
        claims = decode_token(token)
    except ExpiredSignatureError as exc:
        raise Unauthorized("The access token has expired; refresh it.") from exc
    except (PyJWTError, JWTExtendedException, ValueError) as exc:
        raise Unauthorized("The access token is invalid.") from exc
    if claims.get("type") != "access" or claims.get(MFA_PENDING_CLAIM):
        raise Unauthorized("The access token is invalid.")
    return claims
