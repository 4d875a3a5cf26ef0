"""Who may not act is refused before what they sent is read (docs/architecture.md, "A request").

A member whose role may not use a write view under a mission gets 403, whatever the body: never
the 422 of a body they had no right to send, and nothing changes. A caller who may use it gets
the 422 of the same malformed body. The writes come from the URL map, so a new one must be
listed in `ALLOWED` (who may use it) before this passes.
"""

from __future__ import annotations

import pytest

from tests.missions.test_archived_missions import snapshot
from tests.missions.test_idor import MISSION_PREFIX, build, mission_scoped_operations

API = "/api/v1/missions"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# No schema has this field, and a list schema refuses an object: malformed for every view.
MALFORMED = {"not_a_field": 1}
ROLES = ("lead", "red", "blue", "viewer")
MEMBERS = set(ROLES)
LEAD = {"lead"}
# Who of the team may use each write under a mission (the note, the evidence file and the
# category of the fixture are the lead's). Saving the mission as a scenario needs
# scenario_template.write, which no one of the team holds.
ALLOWED = {
    ("PATCH", ""): LEAD,
    ("DELETE", ""): LEAD,
    ("POST", "/restore"): LEAD,
    ("PUT", "/members"): LEAD,
    ("POST", "/categories"): LEAD,
    ("PATCH", "/categories/<uuid:category_id>"): LEAD,
    ("DELETE", "/categories/<uuid:category_id>"): LEAD,
    ("POST", "/categories/<uuid:category_id>/restore"): LEAD,
    ("POST", "/scenarios"): LEAD,
    ("POST", "/tests"): LEAD,
    ("PUT", "/tests/order"): LEAD,
    ("PATCH", "/tests/<uuid:test_id>"): {"lead", "red", "blue"},
    ("DELETE", "/tests/<uuid:test_id>"): LEAD,
    ("POST", "/tests/<uuid:test_id>/restore"): LEAD,
    ("PUT", "/tests/<uuid:test_id>/detections"): {"lead", "blue"},
    ("POST", "/tests/<uuid:test_id>/retest"): {"lead", "red"},
    ("POST", "/tests/from-layer"): LEAD,
    ("POST", "/tests/from-group"): LEAD,
    ("POST", "/notes"): MEMBERS,
    ("POST", "/tests/<uuid:test_id>/notes"): MEMBERS,
    ("DELETE", "/notes/<uuid:note_id>"): LEAD,
    ("POST", "/tests/<uuid:test_id>/evidence"): {"lead", "red", "blue"},
    ("DELETE", "/evidence/<uuid:evidence_id>"): LEAD,
    ("POST", "/evidence/<uuid:evidence_id>/restore"): LEAD,
    ("POST", "/save-as-scenario"): set(),
}


@pytest.fixture
def worked(client, team, mission, add_test, upload):
    """The team's mission with a category, a test, a note and an evidence file, all the lead's."""
    mission_id = mission["id"]
    category = client.post(
        f"{API}/{mission_id}/categories", json={"name": "Day 1"}, headers=team.lead
    ).json
    test = add_test(mission_id, "Kerberoasting", category_id=category["id"])
    note = client.post(f"{API}/{mission_id}/notes", json={"content": "Kick-off"}, headers=team.lead)
    evidence = upload(mission_id, test["id"], team.lead)
    assert note.status_code == evidence.status_code == 201
    return {
        "mission_id": mission_id,
        "test_id": test["id"],
        "category_id": category["id"],
        "note_id": note.json["id"],
        "evidence_id": evidence.json["id"],
    }


def takes_json(spec, method, rule) -> bool:
    path = rule.replace("<uuid:", "{").replace(">", "}")
    body = spec["paths"][path][method.lower()].get("requestBody", {})
    return "application/json" in body.get("content", {})


def test_every_write_lists_who_may_use_it(app):
    writes = {
        (method, rule.removeprefix(MISSION_PREFIX))
        for method, rule in mission_scoped_operations(app)
        if method in WRITES
    }
    assert writes == set(ALLOWED)


def test_who_may_not_write_gets_403_whatever_they_sent(
    app, client, team, make_user, auth_header, worked
):
    spec = client.get("/api/v1/openapi.json").json
    reader = auth_header(make_user(perms=["mission.read_all"]))  # sees it, is no member
    callers = {**{role: getattr(team, role) for role in ROLES}, "read_all outsider": reader}
    before = snapshot(client, team.lead, worked)
    failures = []
    for (method, suffix), allowed in ALLOWED.items():
        path = build(MISSION_PREFIX + suffix, worked)
        for name, headers in callers.items():
            if name in allowed:
                continue
            response = client.open(path, method=method, json=MALFORMED, headers=headers)
            if response.status_code != 403 or response.mimetype != "application/problem+json":
                failures.append(f"{method} {suffix} as {name}: {response.status_code}")
        # Whoever may send it gets the body's 422: the 403 above was not a refusal of the body.
        if takes_json(spec, method, MISSION_PREFIX + suffix):
            for name in allowed:
                response = client.open(
                    path, method=method, json=MALFORMED, headers=getattr(team, name)
                )
                if response.status_code != 422:
                    failures.append(f"{method} {suffix} as {name}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert snapshot(client, team.lead, worked) == before


def test_planning_from_a_layer_is_refused_before_the_layer_is_read(client, team, worked):
    """A blue member pasting a broken layer is told they may not plan, not what is wrong with
    the layer; the lead, sending the same, is told about the layer."""
    url = f"{API}/{worked['mission_id']}/tests/from-layer"
    broken = {"layer": "not a layer", "dry_run": "maybe"}
    refused = client.post(url, json=broken, headers=team.blue)
    assert refused.status_code == 403
    assert refused.json["detail"] == (
        "Only the mission's lead (or mission.manage_all) may change the mission."
    )
    told = client.post(url, json=broken, headers=team.lead)
    assert told.status_code == 422
    assert "dry_run" in told.json["errors"]


def test_a_viewer_patching_a_test_is_refused_before_the_fields_are_read(client, team, worked):
    url = f"{API}/{worked['mission_id']}/tests/{worked['test_id']}"
    before = client.get(url, headers=team.lead).json
    response = client.patch(url, json={"state": "sideways"}, headers=team.viewer)
    assert response.status_code == 403
    assert response.json["detail"] == "Your role in this mission (viewer) may not change its tests."
    # Red may change a test, so red is told what is wrong with the field.
    assert client.patch(url, json={"state": "sideways"}, headers=team.red).status_code == 422
    # And a field of the other side is still refused by name once the body is read.
    blue_field = client.patch(url, json={"detection_notes": "seen"}, headers=team.red)
    assert blue_field.status_code == 403
    assert set(blue_field.json["errors"]) == {"detection_notes"}
    assert client.get(url, headers=team.lead).json == before


def test_copying_a_scenario_without_scenario_template_read_is_403_first(
    client, team, make_user, auth_header, worked
):
    """A mission.manage_all holder acts as the lead, but copying a scenario also needs
    scenario_template.read: refused whatever the body names."""
    manager = auth_header(make_user(perms=["mission.manage_all"]))
    url = f"{API}/{worked['mission_id']}/scenarios"
    response = client.post(url, json={}, headers=manager)
    assert response.status_code == 403
    assert "scenario_template.read" in response.json["detail"]
    assert client.post(url, json={}, headers=team.lead).status_code == 422


def test_save_as_scenario_without_the_permission_is_403_before_the_body(
    client, team, make_user, auth_header, worked
):
    url = f"{API}/{worked['mission_id']}/save-as-scenario"
    for headers in (team.lead, auth_header(make_user(perms=["mission.read_all"]))):
        response = client.post(url, json={}, headers=headers)
        assert response.status_code == 403
        assert response.json["detail"] == "Saving a scenario needs scenario_template.write."
    library_writer = ["scenario_template.read", "scenario_template.write", "test_template.write"]
    writer = auth_header(make_user(perms=[*library_writer, "mission.read_all"]))
    response = client.post(url, json={}, headers=writer)
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"name"}
    scenarios = client.get("/api/v1/scenario-templates", headers=writer)
    assert scenarios.status_code == 200 and scenarios.json["total"] == 0


def test_choosing_members_is_refused_before_the_query_is_read(client, team, worked):
    """The lead's member picker: anyone else is refused, whatever they search for."""
    url = f"{API}/{worked['mission_id']}/member-candidates?q=" + "x" * 1000
    assert client.get(url, headers=team.red).status_code == 403
    assert client.get(url, headers=team.lead).status_code == 422


def test_save_as_scenario_that_needs_template_write_is_403_before_the_body(
    client, make_user, auth_header, worked
):
    """The mission's ad hoc test would become a new library template: a caller who may write
    scenarios but not templates is refused whatever they sent, as the preview says."""
    url = f"{API}/{worked['mission_id']}/save-as-scenario"
    scenarios_only = auth_header(
        make_user(perms=["scenario_template.read", "scenario_template.write", "mission.read_all"])
    )
    assert client.get(url, headers=scenarios_only).json["allowed"] is False
    response = client.post(url, json={}, headers=scenarios_only)
    assert response.status_code == 403
    assert "test_template.write" in response.json["detail"]
    assert client.get("/api/v1/scenario-templates", headers=scenarios_only).json["total"] == 0
