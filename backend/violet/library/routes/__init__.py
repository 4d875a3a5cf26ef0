"""HTTP routes of the library, one blueprint per resource."""

from violet.library.routes.scenario_templates import blp as scenario_templates_blp
from violet.library.routes.test_templates import blp as test_templates_blp

# (blueprint, URL prefix) in the order they appear in the API docs.
BLUEPRINTS = [
    (test_templates_blp, "/api/v1/test-templates"),
    (scenario_templates_blp, "/api/v1/scenario-templates"),
]
