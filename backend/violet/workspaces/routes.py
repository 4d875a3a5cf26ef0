"""`/workspaces`: the tenant boundary, its members, and the caller's current workspace."""

from __future__ import annotations

from uuid import UUID

from flask.views import MethodView

from violet.core.auth import (
    check_include_deleted,
    current_principal,
    require_auth,
    require_perm,
)
from violet.core.pagination import MAX_LIMIT, list_response, page_of
from violet.core.serialization import Blueprint
from violet.core.tenancy import current_workspace
from violet.extensions import db
from violet.workspaces import service
from violet.workspaces.schemas import (
    CurrentWorkspaceOut,
    DeleteQuery,
    IncludeDeletedQuery,
    MemberIn,
    MemberOut,
    MemberQuery,
    PreferredIn,
    WorkspaceCreate,
    WorkspaceOut,
    WorkspaceQuery,
    WorkspaceUpdate,
)

blp = Blueprint("workspaces", __name__, description="Workspaces: the tenant boundary.")


@blp.route("")
class Workspaces(MethodView):
    @require_auth
    @list_response(blp, WorkspaceQuery, WorkspaceOut)
    def get(self, query):
        """The workspaces the caller belongs to (every one with `workspace.read_all`)."""
        check_include_deleted(query["include_deleted"], "workspace.manage")
        return service.list_workspaces(current_principal(), query)

    @require_perm("workspace.manage")
    @blp.arguments(WorkspaceCreate)
    @blp.response(201, WorkspaceOut)
    def post(self, payload):
        """Create a workspace; the caller becomes its first member."""
        workspace = service.create_workspace(current_principal(), **payload)
        db.session.commit()
        return service.get_workspace(current_principal(), workspace.id)


@blp.route("/current")
class CurrentWorkspace(MethodView):
    @require_auth
    @blp.response(200, CurrentWorkspaceOut)
    def get(self):
        """The workspace this request acts in (`X-Violet-Workspace`, else the caller's default)."""
        return current_workspace()

    @require_auth
    @blp.arguments(PreferredIn)
    @blp.response(200, CurrentWorkspaceOut)
    def put(self, payload):
        """Make a workspace the caller belongs to their default (remembered across sign-ins)."""
        chosen = service.set_preferred(current_principal(), payload["workspace_id"])
        db.session.commit()
        return chosen


@blp.route("/<uuid:workspace_id>")
class WorkspaceById(MethodView):
    @require_auth
    @blp.arguments(IncludeDeletedQuery, location="query")
    @blp.response(200, WorkspaceOut)
    def get(self, query, workspace_id: UUID):
        """One workspace the caller may see."""
        check_include_deleted(query["include_deleted"], "workspace.manage")
        return service.get_workspace(
            current_principal(), workspace_id, include_deleted=query["include_deleted"]
        )

    @require_perm("workspace.manage")
    @blp.arguments(WorkspaceUpdate)
    @blp.response(200, WorkspaceOut)
    def patch(self, payload, workspace_id: UUID):
        """Rename a workspace or change its slug."""
        workspace = service.get_workspace(current_principal(), workspace_id)
        service.update_workspace(workspace, payload)
        db.session.commit()
        return service.get_workspace(current_principal(), workspace_id)

    @require_perm("workspace.manage")
    @blp.arguments(DeleteQuery, location="query")
    @blp.response(204)
    def delete(self, query, workspace_id: UUID):
        """Delete a workspace (soft: restorable). One that still holds data needs `confirm=true`.

        The default workspace cannot be deleted (409).
        """
        workspace = service.get_workspace(current_principal(), workspace_id)
        service.delete_workspace(workspace, confirm=query["confirm"])
        db.session.commit()


@blp.route("/<uuid:workspace_id>/restore")
class WorkspaceRestore(MethodView):
    @require_perm("workspace.manage")
    @blp.response(200, WorkspaceOut)
    def post(self, workspace_id: UUID):
        """Bring a deleted workspace back, with its members and data."""
        workspace = service.get_workspace(current_principal(), workspace_id, include_deleted=True)
        service.restore_workspace(workspace)
        db.session.commit()
        return service.get_workspace(current_principal(), workspace_id)


@blp.route("/<uuid:workspace_id>/members")
class WorkspaceMembers(MethodView):
    @require_auth
    @list_response(blp, MemberQuery, MemberOut)
    def get(self, query, workspace_id: UUID):
        """The members of a workspace the caller may see."""
        workspace = service.get_workspace(current_principal(), workspace_id)
        return service.list_members(workspace, query)

    @require_perm("workspace.manage")
    @blp.arguments(MemberIn(many=True))
    @blp.response(200, page_of(MemberOut))
    def put(self, payload, workspace_id: UUID):
        """Replace the members: `[{user_id}, …]` (live users, at least one).

        Those removed leave the workspace's missions too; removing the only lead of a live
        mission is 409 naming it. A deleted member (listed with `deleted: true`) sent back
        keeps their place (back once restored); left out, they leave as anyone does.
        """
        workspace = service.get_workspace(current_principal(), workspace_id)
        service.replace_members(workspace, [member["user_id"] for member in payload])
        db.session.commit()
        return service.list_members(workspace, {"limit": MAX_LIMIT, "offset": 0, "sort": None})
