"""HTTP routes of the library, one blueprint per resource (mounted by library/domain.py)."""

from violet.library.routes.scenario_templates import blp as scenario_templates_blp
from violet.library.routes.test_templates import blp as test_templates_blp

__all__ = ["scenario_templates_blp", "test_templates_blp"]
