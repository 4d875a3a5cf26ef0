"""No one grants what they do not hold, and no one changes a user who holds more than they do.

`caller_permissions` is what the request may do: a signed-in user's effective permissions, or an
API token's (its scope intersected with its owner's). Every grant (a user's groups, an
invitation's groups, a group's permissions) must stay inside it, so must every permission taken
from a group (removed, or the group deleted), and every change to a user (password, TOTP, active
state, deletion, groups, profile) needs the caller to hold everything the target holds. Each
refusal is a 403 naming the missing permission codes.
"""

from __future__ import annotations

from collections.abc import Iterable

from violet.auth.models import Group
from violet.core.errors import Forbidden


def _ensure_held(caller_permissions: frozenset[str], codes: Iterable[str], refusal: str) -> None:
    """403 `refusal`, naming the missing codes, when `codes` holds one the caller lacks."""
    missing = sorted(set(codes) - caller_permissions)
    if missing:
        raise Forbidden(f"{refusal}; missing: {', '.join(missing)}.")


def ensure_may_grant(caller_permissions: frozenset[str], codes: Iterable[str]) -> None:
    """403 when `codes` holds a permission the caller lacks."""
    _ensure_held(caller_permissions, codes, "You cannot grant permissions you do not hold")


def ensure_may_take_away(caller_permissions: frozenset[str], codes: Iterable[str]) -> None:
    """403 when `codes` holds a permission the caller lacks: removing it from a group (or
    deleting the group) changes its members, who hold more than the caller, and nobody could
    give it back."""
    _ensure_held(caller_permissions, codes, "You cannot take away permissions you do not hold")


def ensure_may_grant_groups(caller_permissions: frozenset[str], groups: Iterable[Group]) -> None:
    """403 when membership of `groups` would give a permission the caller lacks."""
    ensure_may_grant(
        caller_permissions, {code for group in groups for code in group.permission_codes}
    )


def ensure_may_change_user(
    caller_permissions: frozenset[str], target_permissions: frozenset[str]
) -> None:
    """403 when the target user holds a permission the caller lacks (it would take them over)."""
    _ensure_held(
        caller_permissions,
        target_permissions,
        "You cannot change a user who holds permissions you do not hold",
    )
