"""The domains this application is made of, in the order their parts are registered.

A new domain is one line here (its `Domain` declaration lives in its own package) plus the
migration that creates its tables and adds its permission codes (docs/domains.md).
"""

from __future__ import annotations

from violet.auth.domain import domain as auth
from violet.core.domain import ANALYSTS, OPERATORS, Domain, PermissionCode
from violet.diag.domain import domain as diag
from violet.mitre.domain import domain as mitre
from violet.settings.domain import domain as settings
from violet.workspaces.domain import domain as workspaces

# Codes seeded since the first release for domains still to be built. Each moves into its
# domain's own declaration when that domain lands (the migration that added them stays).
planned = Domain(
    name="planned",
    permissions=[
        PermissionCode(
            "test_template.read", "Read the test template library", (OPERATORS, ANALYSTS)
        ),
        PermissionCode("test_template.write", "Create and change test templates", (OPERATORS,)),
        PermissionCode("test_template.delete", "Delete and restore test templates"),
        PermissionCode("scenario_template.read", "Read scenario templates", (OPERATORS, ANALYSTS)),
        PermissionCode(
            "scenario_template.write", "Create and change scenario templates", (OPERATORS,)
        ),
        PermissionCode("scenario_template.delete", "Delete and restore scenario templates"),
        PermissionCode("mission.create", "Create missions", (OPERATORS,)),
        PermissionCode("mission.read_all", "See every mission, not only one's own"),
        PermissionCode("mission.manage_all", "Change any mission and its members"),
        PermissionCode("audit.read", "Read the audit trail"),
    ],
)

DOMAINS: list[Domain] = [auth, workspaces, settings, mitre, diag, planned]
