"""An archived mission is read-only: every write under it is 409 naming the mission and how to
reopen it, and nothing changes; its own PATCH reopens it, and it may still be deleted, restored
and saved as a scenario. The writes come from the URL map, so a new one is swept by existing."""

from __future__ import annotations

import pytest

from tests.missions.conftest import move
from tests.missions.test_api_token_access import token
from tests.missions.test_idor import MISSION_PREFIX, build, mission_scoped_operations
from tests.spec_check import SpecChecker

__all__ = ["token"]  # the fixture, for this module's tests

API = "/api/v1/missions"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# The only writes an archived mission takes: its own PATCH (which reopens it), its delete and
# restore, and saving it as a scenario (which reads it and writes to the library).
ALLOWED_WHILE_ARCHIVED = {
    ("PATCH", MISSION_PREFIX),
    ("DELETE", MISSION_PREFIX),
    ("POST", f"{MISSION_PREFIX}/restore"),
    ("POST", f"{MISSION_PREFIX}/save-as-scenario"),
}


@pytest.fixture
def archived(client, team, mission, add_test, tools, levels, upload):
    """The team's mission with a category, a completed test with per-tool outcomes, a note on
    the mission and one on the test, an evidence file, then archived by its lead."""
    mission_id = mission["id"]
    category = client.post(
        f"{API}/{mission_id}/categories", json={"name": "Day 1"}, headers=team.lead
    ).json
    test = add_test(mission_id, "Kerberoasting", category_id=category["id"])
    url = f"{API}/{mission_id}/tests/{test['id']}"
    move(client, mission_id, test["id"], team.red, "in_progress", "waiting_blue")
    outcomes = [{"tool_id": tools["EDR"], "detection_level_id": levels["Alerted"]}]
    assert client.put(f"{url}/detections", json=outcomes, headers=team.blue).status_code == 200
    move(client, mission_id, test["id"], team.lead, "completed")
    note = client.post(f"{API}/{mission_id}/notes", json={"content": "Kick-off"}, headers=team.red)
    client.post(f"{url}/notes", json={"content": "EDR saw it"}, headers=team.blue)
    evidence = upload(mission_id, test["id"], team.red)
    assert note.status_code == evidence.status_code == 201
    archive = client.patch(f"{API}/{mission_id}", json={"status": "archived"}, headers=team.lead)
    assert archive.status_code == 200, archive.json
    return {
        "mission_id": mission_id,
        "name": mission["name"],
        "test_id": test["id"],
        "category_id": category["id"],
        "note_id": note.json["id"],
        "evidence_id": evidence.json["id"],
    }


def snapshot(client, headers, ids) -> dict:
    """Everything a team reads of the mission, deleted items included."""
    base = f"{API}/{ids['mission_id']}"
    test = f"{base}/tests/{ids['test_id']}"
    paths = (
        base,
        f"{base}/members",
        f"{base}/categories?include_deleted=true",
        f"{base}/tests?include_deleted=true",
        f"{base}/notes",
        f"{test}/notes",
        f"{test}/evidence?include_deleted=true",
    )
    return {path: client.get(path, headers=headers).json for path in paths}


def refused_as_archived(response, ids) -> bool:
    detail = response.json.get("detail", "") if response.is_json else ""
    return (
        response.status_code == 409
        and response.mimetype == "application/problem+json"
        and f'"{ids["name"]}" is archived' in detail
        and f"PATCH /missions/{ids['mission_id']}" in detail
    )


def test_every_write_under_an_archived_mission_is_409_and_changes_nothing(
    app, client, team, admin_header, archived
):
    writes = [
        (method, rule)
        for method, rule in mission_scoped_operations(app)
        if method in WRITES and (method, rule) not in ALLOWED_WHILE_ARCHIVED
    ]
    before = snapshot(client, team.lead, archived)
    spec = SpecChecker(client.get("/api/v1/openapi.json").json)
    failures = []
    for method, rule in writes:
        for headers in (team.lead, admin_header):  # its lead, and mission.manage_all
            response = client.open(build(rule, archived), method=method, json={}, headers=headers)
            if not refused_as_archived(response, archived):
                failures.append(f"{method} {rule}: {response.status_code} {response.json}")
            failures += spec.check(response)  # the 409 is the one the spec declares
    assert not failures, "\n".join(failures)
    assert snapshot(client, team.lead, archived) == before
    # The sweep reaches the writes a team makes (tests, outcomes, notes, evidence, categories,
    # members, scenarios, plans, retests, reorders, restores and deletes).
    assert len(writes) >= 20


def test_the_writes_an_archived_mission_takes_are_routes_that_exist(app):
    operations = set(mission_scoped_operations(app))
    assert operations >= ALLOWED_WHILE_ARCHIVED


def test_each_member_is_told_what_they_tried_is_refused(client, team, tools, levels, archived):
    """Realistic writes of each role, months later: all 409, none applied."""
    mission_id, test_id = archived["mission_id"], archived["test_id"]
    url = f"{API}/{mission_id}/tests/{test_id}"
    before = snapshot(client, team.lead, archived)
    attempts = [
        client.put(
            f"{url}/detections",
            json=[{"tool_id": tools["NDR"], "detection_level_id": levels["Logged"]}],
            headers=team.blue,
        ),
        client.patch(url, json={"state": "in_progress"}, headers=team.red),
        client.patch(url, json={"red_notes": "ran it again"}, headers=team.red),
        client.post(f"{url}/retest", headers=team.red),
        client.post(f"{url}/notes", json={"content": "late remark"}, headers=team.viewer),
        client.post(f"{API}/{mission_id}/tests", json={"name": "One more"}, headers=team.lead),
        client.put(
            f"{API}/{mission_id}/tests/order", json={"test_ids": [test_id]}, headers=team.lead
        ),
        client.delete(f"{API}/{mission_id}/notes/{archived['note_id']}", headers=team.red),
        client.delete(f"{API}/{mission_id}/evidence/{archived['evidence_id']}", headers=team.red),
        client.delete(url, headers=team.lead),
    ]
    assert [response.status_code for response in attempts] == [409] * len(attempts)
    assert all(refused_as_archived(response, archived) for response in attempts)
    assert snapshot(client, team.lead, archived) == before


def test_a_read_only_token_is_still_told_it_may_not_write(client, team, token, archived):
    """The token's refusal (403) comes first: reopening the mission would not help it."""
    response = client.post(
        f"{API}/{archived['mission_id']}/notes",
        json={"content": "x"},
        headers=token(team.lead, mission_access="read"),
    )
    assert response.status_code == 403


def test_a_patch_that_leaves_it_archived_changes_nothing_else(client, team, archived):
    conforms = SpecChecker(client.get("/api/v1/openapi.json").json).check
    url = f"{API}/{archived['mission_id']}"
    before = client.get(url, headers=team.lead).json
    for body in (
        {"name": "Purple week (final)", "description": "Closed"},
        {"status": "archived", "name": "Purple week (final)", "description": "Closed"},
    ):
        response = client.patch(url, json=body, headers=team.lead)
        assert response.status_code == 409
        assert response.mimetype == "application/problem+json"
        assert response.json["detail"].endswith("Not changed: description, name.")
        assert set(response.json["errors"]) == {"description", "name"}
        assert conforms(response) == []
    assert client.get(url, headers=team.lead).json == before


def test_a_field_sent_with_its_value_is_no_change(client, team, archived):
    """A form that sends every field back, status included, is not refused."""
    url = f"{API}/{archived['mission_id']}"
    response = client.patch(
        url, json={"name": archived["name"], "status": "archived"}, headers=team.lead
    )
    assert response.status_code == 200
    assert response.json["status"] == "archived"


@pytest.mark.parametrize("status", ["planned", "active", "completed"])
def test_changing_its_status_reopens_it_with_other_fields(client, team, archived, status):
    url = f"{API}/{archived['mission_id']}"
    response = client.patch(
        url, json={"status": status, "name": "Purple week (reopened)"}, headers=team.lead
    )
    assert response.status_code == 200, response.json
    assert (response.json["status"], response.json["name"]) == (status, "Purple week (reopened)")
    note = client.post(f"{url}/notes", json={"content": "Reopened"}, headers=team.viewer)
    assert note.status_code == 201


def test_only_who_manages_it_reopens_it(client, team, archived):
    url = f"{API}/{archived['mission_id']}"
    for headers in (team.red, team.blue, team.viewer):
        assert client.patch(url, json={"status": "active"}, headers=headers).status_code == 403
    assert client.get(url, headers=team.lead).json["status"] == "archived"


def test_an_archived_mission_is_deleted_and_restored_and_stays_archived(client, team, archived):
    url = f"{API}/{archived['mission_id']}"
    assert client.delete(url, headers=team.lead).status_code == 204
    # Deleted, it is not found, archived or not.
    assert client.post(f"{url}/notes", json={"content": "x"}, headers=team.lead).status_code == 404
    restored = client.post(f"{url}/restore", headers=team.lead)
    assert restored.status_code == 200, restored.json
    assert restored.json["status"] == "archived"
    refused = client.post(f"{url}/notes", json={"content": "x"}, headers=team.lead)
    assert refused_as_archived(refused, archived)


def test_an_archived_mission_is_still_saved_as_a_scenario(client, admin_header, archived):
    """Saving it reads the mission and writes to the library: the closed record stays as it is."""
    url = f"{API}/{archived['mission_id']}/save-as-scenario"
    before = client.get(f"{API}/{archived['mission_id']}", headers=admin_header).json

    saved = client.post(url, json={"name": "Kerberoasting drill"}, headers=admin_header)

    assert saved.status_code == 201, saved.json
    assert client.get(f"{API}/{archived['mission_id']}", headers=admin_header).json == before
