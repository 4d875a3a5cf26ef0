"""`/groups` and `/permissions`: what each group may do (docs/api.md)."""

from __future__ import annotations

from uuid import UUID

from flask.views import MethodView

from violet.auth.routes.common import caller_permissions
from violet.auth.schemas import (
    GroupCreate,
    GroupOut,
    GroupQuery,
    GroupUpdate,
    IncludeDeletedQuery,
    PermissionOut,
    PermissionQuery,
)
from violet.auth.service import directory
from violet.core.auth import check_include_deleted, require_auth, require_perm
from violet.core.pagination import list_response
from violet.core.serialization import Blueprint
from violet.core.versioning import versioned
from violet.extensions import db

blp = Blueprint("groups", __name__, description="Groups and permissions.")


@blp.route("/permissions")
class Permissions(MethodView):
    @require_auth
    @list_response(blp, PermissionQuery, PermissionOut)
    def get(self, query):
        """The permission codes with what each allows (`limit=500` gets them all)."""
        return directory.list_permissions(query)


@blp.route("/groups")
class Groups(MethodView):
    @require_perm("user.read")
    @list_response(blp, GroupQuery, GroupOut)
    def get(self, query):
        """List groups with their permissions and member counts."""
        check_include_deleted(query["include_deleted"], "group.manage")
        return directory.list_groups(query)

    @require_perm("group.manage")
    @blp.arguments(GroupCreate)
    @blp.response(201, GroupOut)
    @versioned
    def post(self, payload):
        """Create a group with a set of permissions."""
        group = directory.create_group(**payload, caller_permissions=caller_permissions())
        db.session.commit()
        return directory.get_group(group.id)


@blp.route("/groups/<uuid:group_id>")
class GroupById(MethodView):
    @require_perm("user.read")
    @blp.arguments(IncludeDeletedQuery, location="query")
    @blp.response(200, GroupOut)
    @versioned
    def get(self, query, group_id: UUID):
        """One group."""
        check_include_deleted(query["include_deleted"], "group.manage")
        return directory.get_group(group_id, include_deleted=query["include_deleted"])

    @require_perm("group.manage")
    @blp.arguments(GroupUpdate)
    @blp.response(200, GroupOut)
    @versioned
    def patch(self, payload, group_id: UUID):
        """Rename a group or replace its permissions (`permissions` is the whole new set).

        Adding or removing a permission the caller lacks → 403, and so does naming a group
        Administrators without holding every permission (that group gets every one at each
        start). A change that would leave no active user able to manage users and groups → 409.
        """
        group = directory.update_group(
            directory.get_group(group_id, for_update=True),
            payload,
            caller_permissions=caller_permissions(),
        )
        db.session.commit()
        return directory.get_group(group.id)

    @require_perm("group.manage")
    @blp.response(204)
    @versioned
    def delete(self, group_id: UUID):
        """Delete a group (soft); its members lose its permissions. Refused if it locks out (409)
        or takes away a permission the caller lacks (403)."""
        directory.delete_group(
            directory.get_group(group_id, for_update=True), caller_permissions=caller_permissions()
        )
        db.session.commit()


@blp.route("/groups/<uuid:group_id>/restore")
class GroupRestore(MethodView):
    @require_perm("group.manage")
    @blp.response(200, GroupOut)
    @versioned
    def post(self, group_id: UUID):
        """Bring a deleted group back with its members and permissions."""
        group = directory.restore_group(
            directory.get_group(group_id, include_deleted=True, for_update=True),
            caller_permissions=caller_permissions(),
        )
        db.session.commit()
        return directory.get_group(group.id)
