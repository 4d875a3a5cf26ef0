"""The workspaces domain: the tenant boundary, its members, the request's current workspace."""

from __future__ import annotations

from flask import Flask

from violet.auth.events import USER_CREATED
from violet.core.domain import Domain, Mount, PermissionCode
from violet.core.tenancy import set_workspace_resolver
from violet.workspaces import service
from violet.workspaces.routes import blp


def init_app(app: Flask) -> None:
    set_workspace_resolver(app, service.resolve)


domain = Domain(
    name="workspaces",
    blueprints=[Mount(blp, "/api/v1/workspaces")],
    permissions=[
        PermissionCode(
            "workspace.manage", "Create, change and delete workspaces and set their members"
        ),
        PermissionCode("workspace.read_all", "See every workspace, not only one's own"),
    ],
    seed_steps=[service.seed_default_workspace],
    handlers={USER_CREATED: [service.place_new_user]},
    init_app=init_app,
)
