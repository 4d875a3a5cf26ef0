"""The missions fixtures (a team, a mission, tests, tools and levels) serve here too."""

from tests.missions.conftest import (  # noqa: F401
    add_test,
    catalogue,
    evidence_dir,
    levels,
    make_mission,
    mission,
    team,
    tools,
)
