"""`/users`: the directory of people (docs/api.md, "Users, groups and invitations")."""

from __future__ import annotations

from uuid import UUID

from flask.views import MethodView

from violet.auth.routes.common import caller_permissions
from violet.auth.schemas import IncludeDeletedQuery, UserCreate, UserOut, UserQuery, UserUpdate
from violet.auth.service import directory
from violet.core.auth import check_include_deleted, require_perm
from violet.core.pagination import list_response
from violet.core.serialization import Blueprint
from violet.core.versioning import versioned
from violet.extensions import db

blp = Blueprint("users", __name__, description="Users and their groups.")


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
        """
        user = directory.update_user(
            directory.get_user(user_id),
            payload,
            caller_permissions=caller_permissions(),
        )
        db.session.commit()
        return user

    @require_perm("user.manage")
    @blp.response(204)
    @versioned
    def delete(self, user_id: UUID):
        """Delete a user (soft: restorable); their sessions and API tokens are revoked."""
        directory.delete_user(
            directory.get_user(user_id),
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
            directory.get_user(user_id, include_deleted=True),
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
        """Reset a user's two-factor authentication (lost device); their sessions end."""
        directory.reset_mfa(
            directory.get_user(user_id),
            caller_permissions=caller_permissions(),
        )
        db.session.commit()
