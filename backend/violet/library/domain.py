"""The library domain: test templates and scenario templates, their import and export."""

from __future__ import annotations

from violet.core.domain import ANALYSTS, OPERATORS, Domain, Mount, PermissionCode
from violet.library.routes import scenario_templates_blp, test_templates_blp

domain = Domain(
    name="library",
    blueprints=[
        Mount(test_templates_blp, "/api/v1/test-templates"),
        Mount(scenario_templates_blp, "/api/v1/scenario-templates"),
    ],
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
    ],
)
