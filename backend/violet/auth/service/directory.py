"""Users and groups: who exists, which groups they are in, what each group may do.

The no-lock-out rule: at least one active user must keep both `user.manage` and `group.manage`
(through live groups), so an administrator can always repair permissions. Every change that could
break it calls `ensure_an_administrator_remains()` after flushing, inside the same transaction.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache, lru_cache
from typing import Any, NamedTuple, cast

from flask import current_app
from marshmallow import ValidationError, fields, validate
from sqlalchemy import Select, and_, bindparam, func, select, true, update
from sqlalchemy.orm import selectinload

from violet.auth.events import USER_CREATED, USER_DELETED
from violet.auth.models import (
    EMAIL_MAX,
    ApiToken,
    Group,
    Invitation,
    Permission,
    RefreshToken,
    User,
    group_permissions,
    user_groups,
)
from violet.auth.permissions import ADMIN_PERMISSIONS, DEFAULT_GROUPS
from violet.auth.service import mfa
from violet.auth.service.credentials import check_policy, hash_password
from violet.auth.service.grants import (
    ensure_may_change_user,
    ensure_may_grant,
    ensure_may_grant_groups,
    ensure_may_take_away,
)
from violet.config import ConfigError
from violet.core import audit, encryption
from violet.core.database import fetch_rows
from violet.core.domain import ADMINISTRATORS, declared_permissions, default_group_codes
from violet.core.errors import Conflict, NotFound, Unprocessable
from violet.core.events import publish
from violet.core.models import including_deleted, prepared, utcnow
from violet.core.pagination import attach_related, given, paginate
from violet.core.search import contains, contains_any_parameter, like_pattern
from violet.core.tenancy import CurrentWorkspace, remember_workspace, request_workspace_query
from violet.extensions import db

log = logging.getLogger(__name__)


# --- permissions -----------------------------------------------------------------------------


def effective_permissions(user_id: uuid.UUID) -> frozenset[str]:
    """The union of the permissions of the user's live groups."""
    codes = db.session.scalars(
        select(group_permissions.c.permission_code)
        .distinct()
        .join(user_groups, user_groups.c.group_id == group_permissions.c.group_id)
        .join(Group, Group.id == user_groups.c.group_id)
        .where(user_groups.c.user_id == user_id)
    )
    return frozenset(codes)


class UserState(NamedTuple):
    """What authentication reads of a user (`user_with_permissions`), in its statement's order."""

    id: uuid.UUID
    is_active: bool
    tokens_valid_after: datetime | None
    mfa_enabled: bool
    permission_codes: list[str] | None
    workspace_id: uuid.UUID | None = None  # the request's workspace, if asked for
    workspace_slug: str | None = None
    workspace_name: str | None = None


def user_with_permissions(
    user_id: uuid.UUID, *, bound_to: uuid.UUID | None = None
) -> tuple[UserState | None, frozenset[str]]:
    """What authentication checks of a live user, and their effective permissions, in one
    statement: a row of `id`, `is_active`, `tokens_valid_after` and `mfa_enabled` (None when the
    user is absent or deleted).

    Authentication runs this on every request, so it is read fresh each time: a group change,
    a deactivation or a sign-out everywhere applies to the very next request. It reads columns,
    not a User object, straight from the driver (`fetch_rows`): a view that needs the User
    loads it (`core.auth.current_user()`). The same statement finds the request's workspace
    (`bound_to`: an API token's) and remembers it for `current_workspace()` (core/tenancy.py),
    so a tenant-owned list costs no round trip for it.
    """
    workspace = request_workspace_query(user_id, bound_to)
    statement = _user_statement(workspace[0] if workspace else None)
    parameters = {"auth_user_id": user_id, **(workspace[1] if workspace else {})}
    rows = fetch_rows(db.session.connection(), statement, parameters)
    if not rows:
        return None, frozenset()
    row = UserState(*rows[0])
    if row.workspace_id is not None:  # asked for and found: its slug and name are not null
        remember_workspace(
            CurrentWorkspace(
                id=row.workspace_id,
                slug=cast(str, row.workspace_slug),
                name=cast(str, row.workspace_name),
            )
        )
    return row, frozenset(row.permission_codes or ())


@cache
def _user_statement(workspace: Select[uuid.UUID, str, str] | None) -> Select[Any]:
    """`user_with_permissions`' statement, built once per workspace select (the values are
    parameters): building it cost as much CPU as running it. It runs on the connection, where
    no default criteria are added: each table's live-rows condition is written here."""
    codes = (
        # Not DISTINCT (PostgreSQL would sort for it): the frozenset removes a code that two
        # groups both grant.
        select(func.array_agg(group_permissions.c.permission_code))
        .join(user_groups, user_groups.c.group_id == group_permissions.c.group_id)
        .join(Group, and_(Group.id == user_groups.c.group_id, Group.deleted_at.is_(None)))
        .where(user_groups.c.user_id == User.id)
        .correlate(User)
        .scalar_subquery()
        .label("permission_codes")
    )
    statement = select(
        User.id, User.is_active, User.tokens_valid_after, User.mfa_enabled, codes
    ).where(User.id == bindparam("auth_user_id"), User.deleted_at.is_(None))
    if workspace is not None:
        found = workspace.subquery("request_workspace")
        statement = statement.outerjoin(found, true()).add_columns(
            found.c.id.label("workspace_id"),
            found.c.slug.label("workspace_slug"),
            found.c.name.label("workspace_name"),
        )
    return statement


def list_permissions(query: Mapping[str, Any]) -> dict[str, Any]:
    """A page of permission codes, by code unless `sort` says otherwise."""
    return paginate(
        select(Permission),
        query,
        sortable={"code": Permission.code, "description": Permission.description},
        default_sort="code",
        tiebreaker=Permission.code,
    )


def seed_permissions_and_groups() -> None:
    """Put every permission code and the default groups in place (idempotent).

    A default group that exists keeps the permissions an administrator gave it; only the
    Administrators group is topped up with new codes, so it always holds everything.
    """
    declared = declared_permissions()
    known = set(db.session.scalars(select(Permission.code)))
    for code, permission in declared.items():
        if code not in known:
            db.session.add(Permission(code=code, description=permission.description))
    db.session.flush()
    for name, description in DEFAULT_GROUPS.items():
        group = db.session.scalar(select(Group).where(func.lower(Group.name) == name.lower()))
        if group is None:
            group = Group(name=name, description=description)
            db.session.add(group)
            group.permissions = _permissions_for(default_group_codes(name))
        elif name == ADMINISTRATORS:
            group.permissions = _permissions_for(declared)
    db.session.flush()


def _permissions_for(codes: Iterable[str]) -> list[Permission]:
    codes = list(dict.fromkeys(codes))
    found = {
        p.code: p for p in db.session.scalars(select(Permission).where(Permission.code.in_(codes)))
    }
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise Unprocessable(
            f"Unknown permission: {', '.join(unknown)}.",
            errors={"permissions": [f"Unknown permission: {code}." for code in unknown]},
        )
    return [found[code] for code in codes]


# The key of the advisory lock `ensure_an_administrator_remains` takes (any constant no other
# single-key advisory lock uses).
ADMINISTRATOR_CHECK_LOCK = int.from_bytes(b"vioADMIN", "big")


def ensure_an_administrator_remains() -> None:
    """409 when no active user would be left holding every administrative permission."""
    holders = (
        select(user_groups.c.user_id)
        .join(Group, Group.id == user_groups.c.group_id)
        .join(group_permissions, group_permissions.c.group_id == Group.id)
        .join(User, User.id == user_groups.c.user_id)
        .where(
            User.is_active.is_(True),
            group_permissions.c.permission_code.in_(ADMIN_PERMISSIONS),
        )
        .group_by(user_groups.c.user_id)
        .having(
            func.count(func.distinct(group_permissions.c.permission_code)) == len(ADMIN_PERMISSIONS)
        )
        .limit(1)
    )
    db.session.flush()
    # One such check at a time, each seeing the changes committed before it: two administrators
    # deactivating (or ungrouping) each other at the same moment each saw the other still
    # active, and both changes went through, leaving nobody to manage users. The lock is held
    # until this transaction ends, so the next check waits for this change to commit or not.
    db.session.execute(select(func.pg_advisory_xact_lock(ADMINISTRATOR_CHECK_LOCK)))
    if db.session.scalar(holders) is None:
        raise Conflict(
            "This change would leave no active user who can manage users and groups "
            f"({' and '.join(ADMIN_PERMISSIONS)}); give those permissions to someone else first."
        )


# --- users -----------------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_live_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def email_of(user_id: uuid.UUID | None) -> str | None:
    """The email of a user, deleted or not: to show who did something."""
    if user_id is None:
        return None
    return db.session.scalar(including_deleted(select(User.email).where(User.id == user_id)))


def emails_of(user_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The emails of several users, deleted or not, in one statement."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        including_deleted(select(User.id, User.email).where(User.id.in_(user_ids)))
    )
    return {user_id: email for user_id, email in rows}


def get_user(
    user_id: uuid.UUID, *, include_deleted: bool = False, for_update: bool = False
) -> User:
    """The user with their groups; `for_update` for a write: the row is locked until the
    transaction ends and read as it is then, so two administrators' changes at once apply one
    after the other instead of the second failing on the version it read (412 without
    If-Match). FOR NO KEY UPDATE: rows naming the user (notes, audit events) are still written."""
    statement = including_deleted(
        select(User).where(User.id == user_id).options(selectinload(User.groups)),
        include_deleted,
    )
    if for_update:
        statement = statement.with_for_update(of=User, key_share=True).execution_options(
            populate_existing=True
        )
    user = db.session.scalar(statement)
    if user is None:
        raise NotFound("No such user.")
    return user


# What a user list item shows (UserOut), selected as columns: no User objects to build.
USER_LIST_COLUMNS = (
    User.id,
    User.email,
    User.display_name,
    User.is_active,
    User.mfa_enabled,
    User.version,
    User.created_at,
    User.updated_at,
    User.last_login_at,
    User.deleted_at,
)


def list_users(query: Mapping[str, Any]) -> dict[str, Any]:
    """A page of users; filters `q` (email or name), `group`, `active`, `include_deleted`.

    Two statements: the page's columns, then the live groups of the page's users (the
    soft-delete criteria apply to both, as to any select of mapped columns).
    """
    filters = {
        "q": like_pattern(query["q"]) if query.get("q") else None,
        "group": query.get("group"),
    }
    parameters = given(filters)
    statement = _user_list_statement(
        frozenset(parameters), active=query.get("active"), include_deleted=query["include_deleted"]
    )
    page = paginate(
        statement,
        query,
        sortable={
            "email": User.email,
            "display_name": User.display_name,
            "created_at": User.created_at,
            "last_login_at": User.last_login_at,
        },
        default_sort="email",
        tiebreaker=User.id,
        parameters=parameters,
    )
    attach_related(page["items"], "groups", _USER_GROUPS, user_groups.c.user_id)
    return page


@lru_cache(maxsize=64)
def _user_list_statement(
    filters: frozenset[str], *, active: bool | None, include_deleted: bool
) -> Select[Any]:
    """The user list's statement for one shape, built once: the values of the filters used are
    the parameters `q` (a `like_pattern`) and `group`."""
    # Typed per column; the filters and the pagination take any Select.
    statement = including_deleted(cast(Select[Any], select(*USER_LIST_COLUMNS)), include_deleted)
    if "q" in filters:
        statement = statement.where(contains_any_parameter("q", User.email, User.display_name))
    if "group" in filters:
        statement = statement.where(
            User.id.in_(
                select(user_groups.c.user_id).where(user_groups.c.group_id == bindparam("group"))
            )
        )
    if active is not None:
        statement = statement.where(User.is_active.is_(active))
    return prepared(statement)


# A page of users' groups, by name (core.attach_related).
_USER_GROUPS = prepared(
    cast(
        Select[Any],
        select(Group.id, Group.name)
        .join(user_groups, user_groups.c.group_id == Group.id)
        .order_by(Group.name, Group.id),
    )
)


def create_user(
    *,
    email: str,
    password: str,
    display_name: str | None = None,
    group_ids: list[uuid.UUID] | None = None,
    groups: list[Group] | None = None,
    created_by: uuid.UUID | None = None,
    workspace_ids: list[uuid.UUID] | None = None,
    caller_permissions: frozenset[str] | None = None,
) -> User:
    """A new active user; 409 when a live user already has the email.

    `workspace_ids`: where the user works, for the workspaces domain (None: the default one).
    With `caller_permissions` (an API caller), the groups may grant nothing beyond them (403).
    """
    check_policy(password)
    email = normalise_email(email)
    groups = groups if groups is not None else live_groups(group_ids or [])
    if caller_permissions is not None:
        ensure_may_grant_groups(caller_permissions, groups)
    # The email's invitations are locked before the user is written, the order an accept takes
    # them in: an administrator's request inserting the user and then revoking the invitations
    # an accept held, while the accept inserted the same email, deadlocked (503). Now the later
    # one waits, then finds the account made (409 here, 410 "revoked" for the accept).
    lock_invitations_of(email)
    if find_live_user_by_email(email) is not None:
        raise Conflict(
            f"A user with the email {email} already exists.",
            errors={"email": ["A user with this email already exists."]},
        )
    user = User(
        email=email,
        display_name=(display_name or "").strip() or email.split("@")[0],
        password_hash=hash_password(password),
        created_by=created_by,
        updated_by=created_by,
    )
    user.groups = groups
    db.session.add(user)
    db.session.flush()
    revoke_pending_invitations(email)
    publish(USER_CREATED, user_id=user.id, workspace_ids=workspace_ids)
    return user


def lock_invitations_of(email: str) -> None:
    """Lock every invitation of the email, in one order (by id), until the transaction ends:
    what creating an account of that email and accepting one of its invitations both take
    first, so that two of them at once wait for each other instead of deadlocking."""
    db.session.execute(
        select(Invitation.id)
        .where(func.lower(Invitation.email) == normalise_email(email))
        .order_by(Invitation.id)
        .with_for_update()
    )


def revoke_pending_invitations(email: str) -> None:
    """The email has an account now: its other pending invitations are revoked (an accepted one
    is no longer pending). Left pending, one would create the account again once it is deleted.
    Revoked one by one, so the audit trail records each."""
    pending = select(Invitation).where(
        func.lower(Invitation.email) == normalise_email(email), Invitation.status == "pending"
    )
    for invitation in db.session.scalars(pending):
        invitation.revoked_at = utcnow()
    db.session.flush()


def update_user(user: User, changes: dict[str, Any], *, caller_permissions: frozenset[str]) -> User:
    """Apply a PATCH: `display_name`, `is_active`, `group_ids`, `password`.

    The caller must hold every permission the user holds, and every permission of the new
    groups (403). A password reset or a deactivation ends all of the user's sessions and tokens.
    """
    ensure_may_change_user(caller_permissions, effective_permissions(user.id))
    if "display_name" in changes:
        user.display_name = (changes["display_name"] or "").strip()
    if "group_ids" in changes:
        groups = live_groups(changes["group_ids"])
        ensure_may_grant_groups(caller_permissions, groups)
        user.groups = groups
    if "password" in changes:
        check_policy(changes["password"])
        user.password_hash = hash_password(changes["password"])
        end_sessions(user)
        # Only unrecorded columns change (the hash, tokens_valid_after): say it happened.
        audit.record("auth.password_reset", object_type="user", object_id=user.id, label=user.email)
    if "is_active" in changes and changes["is_active"] != user.is_active:
        user.is_active = changes["is_active"]
        if not user.is_active:
            end_sessions(user)
    ensure_an_administrator_remains()
    return user


def update_own_profile(
    user: User, changes: dict[str, Any], *, caller_permissions: frozenset[str]
) -> None:
    """The caller's own display name. Through an API token, the token must carry every
    permission of its owner (a token without permissions cannot change its owner's profile)."""
    ensure_may_change_user(caller_permissions, effective_permissions(user.id))
    if "display_name" in changes:
        user.display_name = changes["display_name"].strip()


def delete_user(user: User, *, caller_permissions: frozenset[str]) -> None:
    """Soft delete: the user disappears, their sessions and API tokens stop working."""
    ensure_may_change_user(caller_permissions, effective_permissions(user.id))
    user.soft_delete()
    end_sessions(user)
    ensure_an_administrator_remains()
    publish(USER_DELETED, user_id=user.id)


def restore_user(user: User, *, caller_permissions: frozenset[str]) -> User:
    """Bring a deleted user back; it must not give them more than the caller holds."""
    if not user.is_deleted:
        return user
    ensure_may_change_user(caller_permissions, effective_permissions(user.id))
    if find_live_user_by_email(user.email) is not None:
        raise Conflict(f"Another live user now has the email {user.email}.")
    user.restore()
    db.session.flush()
    return user


def reset_mfa(user: User, *, caller_permissions: frozenset[str]) -> None:
    """An administrator clears a user's TOTP (lost device); they enrol again at next login.

    Whoever could reset it could then sign in with the password alone, so the same rule as for
    any change applies, and every session and token of the user ends.
    """
    ensure_may_change_user(caller_permissions, effective_permissions(user.id))
    end_sessions(user)
    mfa.forget(user)


def rotate_mfa_secrets() -> int:
    """Re-encrypt every stored TOTP secret under the current key; returns how many."""
    # Deleted users too: a restored user keeps their TOTP.
    users = list(
        db.session.scalars(including_deleted(select(User).where(User.mfa_secret.is_not(None))))
    )
    for user in users:
        if user.mfa_secret is not None:
            user.mfa_secret = encryption.reencrypt(user.mfa_secret)
    db.session.flush()
    return len(users)


def revoke_refresh_tokens(user_id: uuid.UUID) -> None:
    db.session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def end_sessions(user: User, *, keep_api_tokens: bool = False) -> None:
    """A credential changed: every refresh token, API token and access token of the user ends.

    The user's row is locked first. A refresh locks it too (before the refresh token), so a
    refresh running concurrently either finishes first, and its new token is revoked here, or
    starts after, and sees `tokens_valid_after`.
    """
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    now = utcnow()
    user.tokens_valid_after = now
    revoke_refresh_tokens(user.id)
    if not keep_api_tokens:
        db.session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
    db.session.flush()


def email_field(**kwargs: Any) -> fields.Email:
    """An email as the API takes it (auth/schemas.py); `check_email` applies the same rule."""
    return fields.Email(validate=validate.Length(max=EMAIL_MAX), **kwargs)


def check_email(email: str) -> None:
    """422 unless the API would take `email`: an administrator created from the command line or
    the environment never gets an address the API refuses."""
    try:
        email_field(required=True).deserialize(email)
    except ValidationError as exc:
        messages = [str(message) for message in cast(list[Any], exc.messages)]
        raise Unprocessable(
            f"Not a valid email address: {email!r}.", errors={"email": messages}
        ) from exc


def create_admin(email: str, password: str | None = None) -> tuple[User, str | None]:
    """A user in the Administrators group; returns the generated password when none was given."""
    check_email(email)
    seed_permissions_and_groups()
    generated = None if password else secrets.token_urlsafe(18)
    administrators = db.session.scalars(select(Group).where(Group.name == ADMINISTRATORS)).one()
    user = create_user(
        email=email,
        password=password or generated or "",
        display_name="Administrator",
        groups=[administrators],
    )
    return user, generated


def has_any_user() -> bool:
    """Any user at all, deleted ones too: the first administrator is provided for only once."""
    return db.session.scalar(including_deleted(select(User.id).limit(1))) is not None


def administrators_group() -> Group:
    return db.session.scalars(
        select(Group).where(Group.name == ADMINISTRATORS, Group.deleted_at.is_(None))
    ).one()


def ensure_first_admin(email: str, password: str | None) -> str | None:
    """Create the first administrator when the instance has no user at all.

    Returns the generated password (to print once) or None.
    """
    if has_any_user():
        return None
    _, generated = create_admin(email, password)
    log.info("created the first administrator %s", email)
    return generated


# How long the production first-administrator link stays usable.
FIRST_ADMIN_LINK_HOURS = 24


def seed_first_admin() -> str | None:
    """Seed step: provide the first administrator when the instance has no user at all.

    With ADMIN_PASSWORD, the administrator is created with it. Without it, production issues a
    one-time setup link (an invitation into Administrators that expires after
    FIRST_ADMIN_LINK_HOURS), so no password ever reaches a log; development and test generate a
    password. The returned notice shows the link or the generated password once.
    """
    # invitations builds on this module; imported here so the two do not import each other.
    from violet.auth.service import invitations

    config = current_app.config
    email, password = config["ADMIN_EMAIL"], config["ADMIN_PASSWORD"] or None
    if not has_any_user():
        try:
            check_email(email)
        except Unprocessable as exc:
            raise ConfigError(
                f"ADMIN_EMAIL (the first administrator) is not a valid email address: {email!r}"
            ) from exc
        if password:
            # As ADMIN_EMAIL: one line naming the variable, not the API's 422 as a traceback.
            try:
                check_policy(password)
            except Unprocessable as exc:
                raise ConfigError(
                    f"ADMIN_PASSWORD (the first administrator's password) is refused: {exc.detail}"
                ) from exc
    if password or config["VIOLET_ENV"] != "production":
        generated = ensure_first_admin(email, password)
        if not generated:
            return None
        return (
            "First administrator (the password is shown only this once):\n"
            "\n"
            f"  Email:    {email}\n"
            f"  Password: {generated}\n"
            "\n"
            "Change the password after signing in (Account → Password)."
        )
    if has_any_user():
        return None
    _, token = invitations.create(
        email=email,
        group_ids=[administrators_group().id],
        expires_in_hours=FIRST_ADMIN_LINK_HOURS,
        caller_permissions=None,
    )
    base_url = config["PUBLIC_BASE_URL"] or f"http://localhost:{config['PORT']}"
    return (
        f"First administrator: {email}\n"
        f"Choose the password within {FIRST_ADMIN_LINK_HOURS} hours, once, at:\n"
        "\n"
        f"  {invitations.accept_url(base_url, token)}"
    )


# --- groups ----------------------------------------------------------------------------------


def live_groups(group_ids: Iterable[uuid.UUID]) -> list[Group]:
    """The live groups with these ids; 422 naming any unknown id."""
    group_ids = list(dict.fromkeys(group_ids))
    if not group_ids:
        return []
    found = {
        group.id: group
        for group in db.session.scalars(select(Group).where(Group.id.in_(group_ids)))
    }
    unknown = [str(group_id) for group_id in group_ids if group_id not in found]
    if unknown:
        raise Unprocessable(
            f"Unknown group: {', '.join(unknown)}.",
            errors={"group_ids": [f"Unknown group: {group_id}." for group_id in unknown]},
        )
    return [found[group_id] for group_id in group_ids]


def get_group(
    group_id: uuid.UUID, *, include_deleted: bool = False, for_update: bool = False
) -> Group:
    """The group with its permissions; `for_update` for a write, as `get_user`."""
    statement = including_deleted(
        select(Group).where(Group.id == group_id).options(selectinload(Group.permissions)),
        include_deleted,
    )
    if for_update:
        statement = statement.with_for_update(of=Group, key_share=True).execution_options(
            populate_existing=True
        )
    group = db.session.scalar(statement)
    if group is None:
        raise NotFound("No such group.")
    return group


def list_groups(query: Mapping[str, Any]) -> dict[str, Any]:
    """A page of groups; filters `q` (name) and `include_deleted`."""
    statement = including_deleted(
        select(Group).options(selectinload(Group.permissions)), query["include_deleted"]
    )
    if q := query.get("q"):
        statement = statement.where(contains(Group.name, q))
    return paginate(
        statement,
        query,
        sortable={"name": Group.name, "created_at": Group.created_at},
        default_sort="name",
        tiebreaker=Group.id,
    )


def _check_group_name_free(name: str, *, except_id: uuid.UUID | None = None) -> None:
    statement = select(Group.id).where(func.lower(Group.name) == name.lower())
    if except_id is not None:
        statement = statement.where(Group.id != except_id)
    if db.session.scalar(statement) is not None:
        raise Conflict(
            f"A group named {name!r} already exists.",
            errors={"name": ["A group with this name already exists."]},
        )


def _ensure_may_take_name(name: str, caller_permissions: frozenset[str]) -> None:
    """Naming a group Administrators grants it every permission: the seed gives that group
    every declared code at each start (`seed_permissions_and_groups`), whatever it held."""
    if name.strip().lower() == ADMINISTRATORS.lower():
        ensure_may_grant(caller_permissions, declared_permissions())


def create_group(
    *,
    name: str,
    description: str | None,
    permissions: list[str],
    caller_permissions: frozenset[str],
) -> Group:
    ensure_may_grant(caller_permissions, permissions)
    _ensure_may_take_name(name, caller_permissions)
    name = name.strip()
    _check_group_name_free(name)
    group = Group(name=name, description=description or "")
    group.permissions = _permissions_for(permissions)
    db.session.add(group)
    db.session.flush()
    return group


def update_group(
    group: Group, changes: dict[str, Any], *, caller_permissions: frozenset[str]
) -> Group:
    """Rename, describe, or replace the permissions (adding or removing only codes the caller
    holds)."""
    if "name" in changes:
        name = changes["name"].strip()
        if name.lower() != group.name.lower():
            _ensure_may_take_name(name, caller_permissions)
        _check_group_name_free(name, except_id=group.id)
        group.name = name
    if "description" in changes:
        group.description = changes["description"] or ""
    if "permissions" in changes:
        ensure_may_grant(
            caller_permissions, set(changes["permissions"]) - set(group.permission_codes)
        )
        ensure_may_take_away(
            caller_permissions, set(group.permission_codes) - set(changes["permissions"])
        )
        group.permissions = _permissions_for(changes["permissions"])
    ensure_an_administrator_remains()
    return group


def delete_group(group: Group, *, caller_permissions: frozenset[str]) -> None:
    """Soft delete: its members lose its permissions, so the caller must hold them all."""
    ensure_may_take_away(caller_permissions, group.permission_codes)
    group.soft_delete()
    ensure_an_administrator_remains()


def restore_group(group: Group, *, caller_permissions: frozenset[str]) -> Group:
    """Bring a deleted group back: its members regain its permissions, so the caller needs them."""
    if group.is_deleted:
        ensure_may_grant(caller_permissions, group.permission_codes)
        _ensure_may_take_name(group.name, caller_permissions)
        _check_group_name_free(group.name)
        group.restore()
        db.session.flush()
    return group
