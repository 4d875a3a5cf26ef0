"""The missions fixtures (team, mission, tests, tools, levels) for the coverage tests, and
`run`: a test taken to a state with an outcome."""

import pytest

from tests.missions import conftest as missions

add_test = missions.add_test
catalogue = missions.catalogue
levels = missions.levels
make_mission = missions.make_mission
mission = missions.mission
team = missions.team
tools = missions.tools

API = "/api/v1/missions"


def tags(*ids: str) -> list[dict[str, str]]:
    return [
        {"kind": "subtechnique" if "." in external_id else "technique", "external_id": external_id}
        for external_id in ids
    ]


@pytest.fixture
def run(client, team, add_test, levels):
    """`run(mission, name, tags, level=None, state="completed")`: a test taken to `state`."""

    def make(mission, name, attack_ids, level=None, state="completed", test=None, already=None):
        test = test or add_test(mission["id"], name, mitre=tags(*attack_ids))
        url = f"{API}/{mission['id']}/tests/{test['id']}"
        path = {"pending": [], "in_progress": ["in_progress"]}.get(
            state, ["in_progress", "waiting_blue"]
        )
        if already:  # the test is in this state already
            path = path[path.index(already) + 1 :]
        for step in path:
            assert client.patch(url, json={"state": step}, headers=team.lead).status_code == 200
        if state == "completed":
            body = {"state": "completed"}
            if level:
                body["detection_level_id"] = levels[level]
            response = client.patch(url, json=body, headers=team.lead)
            assert response.status_code == 200, response.json
        return test

    return make


@pytest.fixture
def outcome(client, team, run):
    """`outcome(mission, attack_ids, level, at)`: a test of those tags detected at `at`."""

    def make(mission, attack_ids, level, at):
        test = run(mission, " ".join(attack_ids), attack_ids, state="waiting_blue")
        url = f"{API}/{mission['id']}/tests/{test['id']}"
        response = client.patch(url, json={"executed_at": at, "detected_at": at}, headers=team.lead)
        assert response.status_code == 200, response.json
        return run(mission, "", [], level, test=test, already="waiting_blue")

    return make


@pytest.fixture
def record_outcomes(client, team, tools, levels):
    """`record_outcomes(mission, test, {"EDR": "Alerted"})`: blue records each tool's outcome
    on a test waiting for blue, then the lead completes it."""

    def record(mission, test, outcomes):
        body = [
            {"tool_id": tools[tool], "detection_level_id": levels[level]}
            for tool, level in outcomes.items()
        ]
        url = f"{API}/{mission['id']}/tests/{test['id']}"
        assert client.put(f"{url}/detections", json=body, headers=team.blue).status_code == 200
        assert client.patch(url, json={"state": "completed"}, headers=team.lead).status_code == 200

    return record
