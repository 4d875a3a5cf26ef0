"""The missions domain's blueprints and their URL prefixes."""

from violet.missions.routes.catalogue import levels_blp, tools_blp
from violet.missions.routes.evidence import blp as evidence_blp
from violet.missions.routes.missions import blp as missions_blp
from violet.missions.routes.notes import blp as notes_blp
from violet.missions.routes.tests import blp as tests_blp

BLUEPRINTS = [
    (missions_blp, "/api/v1/missions"),
    (tests_blp, "/api/v1/missions/<uuid:mission_id>/tests"),
    (notes_blp, "/api/v1/missions/<uuid:mission_id>"),
    (evidence_blp, "/api/v1/missions/<uuid:mission_id>"),
    (levels_blp, "/api/v1/detection-levels"),
    (tools_blp, "/api/v1/defense-tools"),
]
