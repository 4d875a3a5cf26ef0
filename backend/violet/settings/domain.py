"""The settings domain: instance-wide settings."""

from __future__ import annotations

from violet.core.domain import Domain, Mount, PermissionCode
from violet.settings.routes import blp

domain = Domain(
    name="settings",
    blueprints=[Mount(blp, "/api/v1/settings")],
    permissions=[
        PermissionCode("settings.manage", "Change settings, detection levels and defense tools")
    ],
)
