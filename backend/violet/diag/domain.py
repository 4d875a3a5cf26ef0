"""The diag domain: health, database diagnostics and the test-only reset."""

from __future__ import annotations

from violet.core.domain import Domain, Mount, PermissionCode
from violet.diag.routes import blp, reset_blp

domain = Domain(
    name="diag",
    blueprints=[
        Mount(blp, "/api/v1/diag"),
        # Absent unless VIOLET_ENABLE_DIAG_RESET=1 (the e2e suite); production refuses the flag.
        Mount(reset_blp, "/api/v1/diag", enabled_by="VIOLET_ENABLE_DIAG_RESET"),
    ],
    permissions=[PermissionCode("diag.read", "Read database diagnostics")],
)
