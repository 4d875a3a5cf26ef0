"""The missions domain: missions and their tests, notes and evidence, detection levels and
defense tools."""

from __future__ import annotations

from violet.auth.events import USER_DELETED
from violet.core.domain import OPERATORS, Domain, Mount, PermissionCode
from violet.missions.cli import evidence_cli
from violet.missions.routes import BLUEPRINTS
from violet.missions.service.catalogue import seed_detection_levels, seed_workspace_levels
from violet.missions.service.missions import (
    leave_workspace_missions,
    refuse_deleting_an_only_lead,
)
from violet.workspaces.events import WORKSPACE_CREATED, WORKSPACE_MEMBERS_REMOVED

domain = Domain(
    name="missions",
    blueprints=[Mount(blueprint, url_prefix) for blueprint, url_prefix in BLUEPRINTS],
    permissions=[
        PermissionCode("mission.create", "Create missions", (OPERATORS,)),
        PermissionCode("mission.read_all", "See every mission, not only one's own"),
        PermissionCode("mission.manage_all", "Change any mission and its members"),
    ],
    seed_steps=[seed_detection_levels],
    cli=[evidence_cli],
    handlers={
        WORKSPACE_CREATED: [seed_workspace_levels],
        WORKSPACE_MEMBERS_REMOVED: [leave_workspace_missions],
        USER_DELETED: [refuse_deleting_an_only_lead],
    },
)
