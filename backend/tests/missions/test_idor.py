"""The IDOR sweep: a member of mission A gets 404 for every object of mission B, on every
mission-scoped route. The routes come from the URL map, so a new route joins by existing."""

from __future__ import annotations

import pytest

MISSION_PREFIX = "/api/v1/missions/<uuid:mission_id>"


def mission_scoped_operations(app) -> list[tuple[str, str]]:
    operations = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(MISSION_PREFIX):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                operations.append((method, rule.rule))
    return operations


@pytest.fixture
def two_missions(
    client, team, make_mission, make_user, auth_header, add_test, tools, levels, upload
):
    """Mission A (the team's) and mission B (another lead's), each with a test and a category."""
    mission_a = make_mission("A")
    other_lead = auth_header(make_user(perms=["mission.create"]))
    mission_b = make_mission("B", headers=other_lead)

    def objects(mission, headers):
        category = client.post(
            f"/api/v1/missions/{mission['id']}/categories", json={"name": "C"}, headers=headers
        ).json
        test = client.post(
            f"/api/v1/missions/{mission['id']}/tests", json={"name": "T"}, headers=headers
        ).json
        client.put(
            f"/api/v1/missions/{mission['id']}/tests/{test['id']}/detections",
            json=[{"tool_id": tools["EDR"], "detection_level_id": levels["Alerted"]}],
            headers=headers,
        )
        note = client.post(
            f"/api/v1/missions/{mission['id']}/notes", json={"content": "n"}, headers=headers
        ).json
        evidence = upload(mission["id"], test["id"], headers).json
        return {
            "mission_id": mission["id"],
            "test_id": test["id"],
            "category_id": category["id"],
            "note_id": note["id"],
            "evidence_id": evidence["id"],
        }

    return objects(mission_a, team.lead), objects(mission_b, other_lead)


def build(rule: str, values: dict[str, str]) -> str:
    path = rule
    for name, value in values.items():
        path = path.replace(f"<uuid:{name}>", value)
    assert "<" not in path, f"{rule}: give the sweep a value for its path argument"
    return path


def test_the_sweep_covers_the_mission_routes(app):
    rules = {rule for _, rule in mission_scoped_operations(app)}
    assert f"{MISSION_PREFIX}/tests/<uuid:test_id>/detections" in rules
    assert f"{MISSION_PREFIX}/members" in rules
    assert f"{MISSION_PREFIX}/evidence/<uuid:evidence_id>/download" in rules
    assert f"{MISSION_PREFIX}/notes/<uuid:note_id>" in rules
    assert len(rules) >= 10


def test_a_member_of_a_gets_404_for_everything_of_b(app, client, team, two_missions):
    mine, theirs = two_missions
    # Every member role of A, and the lead who holds the most rights.
    callers = [team.lead, team.red, team.blue, team.viewer]
    failures = []
    for method, rule in mission_scoped_operations(app):
        targets = [build(rule, theirs)]
        if rule.count("<uuid:") > 1:  # A's mission, B's sub-object
            targets.append(build(rule, {**theirs, "mission_id": mine["mission_id"]}))
        for path in targets:
            for headers in callers:
                response = client.open(path, method=method, json={}, headers=headers)
                if response.status_code != 404:
                    failures.append(f"{method} {path}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_the_sweep_would_see_a_leak(app, client, team, two_missions):
    """The same requests on A's own objects are not 404 (the sweep's 404s mean something)."""
    mine, _ = two_missions
    for path in (
        build(f"{MISSION_PREFIX}/tests/<uuid:test_id>", mine),
        build(f"{MISSION_PREFIX}/categories/<uuid:category_id>", mine),
        build(f"{MISSION_PREFIX}/members", mine),
        build(f"{MISSION_PREFIX}/evidence/<uuid:evidence_id>/download", mine),
        build(f"{MISSION_PREFIX}/tests/<uuid:test_id>/notes", mine),
    ):
        assert client.get(path, headers=team.viewer).status_code == 200
