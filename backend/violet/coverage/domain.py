"""The coverage domain: scores, ATT&CK Navigator layers and exports of missions."""

from __future__ import annotations

from violet.core.domain import Domain, Mount
from violet.coverage.routes import blp, import_blp, org_blp

domain = Domain(
    name="coverage",
    blueprints=[
        Mount(blp, "/api/v1/missions/<uuid:mission_id>"),
        Mount(org_blp, "/api/v1/coverage"),
        Mount(import_blp, "/api/v1/missions"),
    ],
)
