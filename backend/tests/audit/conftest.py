"""The missions fixtures: the trail is mostly a team's work on a mission."""

from __future__ import annotations

from tests.missions import conftest as missions

add_test = missions.add_test
levels = missions.levels
make_mission = missions.make_mission
mission = missions.mission
team = missions.team
tools = missions.tools
