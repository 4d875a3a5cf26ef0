"""The missions fixtures (team, mission, tests, tools, levels) for the coverage tests."""

from tests.missions.conftest import (  # noqa: F401
    add_test,
    catalogue,
    levels,
    make_mission,
    mission,
    team,
    tools,
)
