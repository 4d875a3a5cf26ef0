"""`/users`: the directory of people (docs/api.md, "Users, groups and invitations")."""

from __future__ import annotations

from uuid import UUID

from flask.views import MethodView

from violet.auth.routes.common import caller_permissions, refuse_api_tokens
from violet.auth.schemas import IncludeDeletedQuery, UserCreate, UserOut, UserQuery, UserUpdate
from violet.auth.service import directory
from violet.core.auth import check_include_deleted, current_principal, require_perm
from violet.core.errors import Forbidden
from violet.core.pagination import list_response
from violet.core.serialization import Blueprint
from violet.core.versioning import versioned
from violet.extensions import db

blp = Blueprint("users", __name__, description="Users and their groups.")

OWN_PASSWORD = "Change your own password with POST /auth/password, which asks for the current one."
OWN_MFA = (
    "Turn your own two-factor authentication off with POST /auth/mfa/disable, which asks for "
    "your password and a code."
)


def guard_own_account(user_id: UUID, changes: dict | None = None) -> None:
    """One's own credentials change only through /auth (docs/security.md): the caller always
    holds what they hold themselves, so the rules for changing a user would let a stolen session
    or a leaked API token set a new password or drop the TOTP with no current password or code.
    An API token may not deactivate or delete its owner either (that signs them out).

    `changes` is a PATCH's; None for DELETE /users/{id} and /users/{id}/mfa (their own checks).
    """
    if user_id != current_principal().user_id:
        return
    if changes is not None and "password" in changes:
        raise Forbidden(OWN_PASSWORD)
    if changes is None or changes.get("is_active") is False:
        refuse_api_tokens()


@blp.route("")
class Users(MethodView):
    @require_perm("user.read")
    @list_response(blp, UserQuery, UserOut)
    def get(self, query):
        """List users; filter by text (`q`), group and active state."""
        check_include_deleted(query["include_deleted"], "user.manage")
        return directory.list_users(query)

    @require_perm("user.manage")
    @blp.arguments(UserCreate)
    @blp.response(201, UserOut)
    @versioned
    def post(self, payload):
        """Create a user with a password directly (automation; people are usually invited)."""
        user = directory.create_user(**payload, caller_permissions=caller_permissions())
        db.session.commit()
        return user


@blp.route("/<uuid:user_id>")
class UserById(MethodView):
    @require_perm("user.read")
    @blp.arguments(IncludeDeletedQuery, location="query")
    @blp.response(200, UserOut)
    @versioned
    def get(self, query, user_id: UUID):
        """One user."""
        check_include_deleted(query["include_deleted"], "user.manage")
        return directory.get_user(user_id, include_deleted=query["include_deleted"])

    @require_perm("user.manage")
    @blp.arguments(UserUpdate)
    @blp.response(200, UserOut)
    @versioned
    def patch(self, payload, user_id: UUID):
        """Change a user's name, groups, active state or password.

        Setting a password or deactivating a user ends their sessions and API tokens. Changing a
        user who holds a permission the caller lacks, or giving groups with such a permission,
        is refused (403). A change that would leave no active administrator is refused (409).
        One's own password is changed at POST /auth/password (403 here), and an API token cannot
        deactivate its own owner (403).
        """
        guard_own_account(user_id, payload)
        user = directory.update_user(
            directory.get_user(user_id, for_update=True),
            payload,
            caller_permissions=caller_permissions(),
        )
        db.session.commit()
        return user

    @require_perm("user.manage")
    @blp.response(204)
    @versioned
    def delete(self, user_id: UUID):
        """Delete a user (soft: restorable); their sessions and API tokens are revoked.

        An API token cannot delete its own owner (403). The only lead of a live mission is 409
        naming the missions (a mission keeps a lead): give each another lead first.
        """
        guard_own_account(user_id)
        directory.delete_user(
            directory.get_user(user_id, for_update=True),
            caller_permissions=caller_permissions(),
        )
        db.session.commit()


@blp.route("/<uuid:user_id>/restore")
class UserRestore(MethodView):
    @require_perm("user.manage")
    @blp.response(200, UserOut)
    @versioned
    def post(self, user_id: UUID):
        """Bring a deleted user back (their old tokens stay revoked)."""
        user = directory.restore_user(
            directory.get_user(user_id, include_deleted=True, for_update=True),
            caller_permissions=caller_permissions(),
        )
        db.session.commit()
        return user


@blp.route("/<uuid:user_id>/mfa")
class UserMfa(MethodView):
    @require_perm("user.manage")
    @blp.response(204)
    @versioned
    def delete(self, user_id: UUID):
        """Reset a user's two-factor authentication (lost device); their sessions end.

        Not one's own (403): that is POST /auth/mfa/disable, with the password and a code.
        """
        if user_id == current_principal().user_id:
            raise Forbidden(OWN_MFA)
        directory.reset_mfa(
            directory.get_user(user_id, for_update=True),
            caller_permissions=caller_permissions(),
        )
        db.session.commit()
