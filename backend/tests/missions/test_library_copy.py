"""Building a mission from the library, and why the copies are history-safe."""

from __future__ import annotations

import pytest

from tests.missions.conftest import sync
from tests.mitre.bundle import build_bundle, find

LIBRARY_WRITER = ["test_template.write", "test_template.delete", "scenario_template.write"]


@pytest.fixture
def librarian(make_user, auth_header, catalogue):
    return auth_header(make_user(perms=LIBRARY_WRITER))


@pytest.fixture
def scenario(client, librarian):
    """A scenario of three positions: PowerShell, Phishing, PowerShell again."""

    def template(name, mitre, **fields):
        response = client.post(
            "/api/v1/test-templates",
            json={"name": name, "mitre": mitre, **fields},
            headers=librarian,
        )
        assert response.status_code == 201, response.json
        return response.json

    powershell = template(
        "PowerShell download",
        [
            {"kind": "subtechnique", "external_id": "T1059.001"},
            {"kind": "tactic", "external_id": "TA0002"},
        ],
        procedure="powershell -enc …",
        platforms=["windows"],
        opsec_level="medium",
    )
    phishing = template("Phishing link", [{"kind": "technique", "external_id": "T1566"}])
    response = client.post(
        "/api/v1/scenario-templates",
        json={
            "name": "Initial access week",
            "description": "Phish then run",
            "test_template_ids": [powershell["id"], phishing["id"], powershell["id"]],
        },
        headers=librarian,
    )
    assert response.status_code == 201, response.json
    return {"scenario": response.json, "powershell": powershell, "phishing": phishing}


def test_adding_a_scenario_copies_its_live_tests_with_tags(
    client, team, mission, scenario, librarian
):
    client.delete(f"/api/v1/test-templates/{scenario['phishing']['id']}", headers=librarian)
    response = client.post(
        f"/api/v1/missions/{mission['id']}/scenarios",
        json={"scenario_template_id": scenario["scenario"]["id"]},
        headers=team.lead,
    )
    assert response.status_code == 201, response.json
    assert response.json["name"] == "Initial access week"
    assert response.json["tests_added"] == 2
    tests = client.get(f"/api/v1/missions/{mission['id']}/tests", headers=team.red).json["items"]
    assert [(t["name"], t["position"]) for t in tests] == [
        ("PowerShell download", 0),
        ("PowerShell download", 1),
    ]
    first = tests[0]
    assert first["mission_scenario_id"] == response.json["id"]
    assert first["test_template_id"] == scenario["powershell"]["id"]
    assert first["procedure"] == "powershell -enc …"
    assert first["opsec_level"] == "medium"
    assert [(t["kind"], t["external_id"], t["name"]) for t in first["mitre"]] == [
        ("subtechnique", "T1059.001", "PowerShell"),
        ("tactic", "TA0002", "Execution"),
    ]


def test_adding_from_the_library_needs_library_read(
    client, team, make_mission, scenario, make_user, auth_header
):
    # A lead without scenario_template.read cannot copy the library into a mission.
    lead = auth_header(make_user(perms=["mission.create"]))
    mission = client.post("/api/v1/missions", json={"name": "x"}, headers=lead).json
    response = client.post(
        f"/api/v1/missions/{mission['id']}/scenarios",
        json={"scenario_template_id": scenario["scenario"]["id"]},
        headers=lead,
    )
    assert response.status_code == 403
    assert "scenario_template.read" in response.json["detail"]


def test_an_unknown_scenario_is_422_and_adds_nothing(client, team, mission):
    response = client.post(
        f"/api/v1/missions/{mission['id']}/scenarios",
        json={"scenario_template_id": "6d0b1f0e-1111-4f00-8000-000000000000"},
        headers=team.lead,
    )
    assert response.status_code == 422
    assert (
        client.get(f"/api/v1/missions/{mission['id']}/tests", headers=team.lead).json["total"] == 0
    )


def test_one_test_from_a_template_with_overrides(client, team, mission, scenario):
    response = client.post(
        f"/api/v1/missions/{mission['id']}/tests",
        json={"test_template_id": scenario["phishing"]["id"], "name": "Phishing (HR)"},
        headers=team.lead,
    )
    assert response.status_code == 201
    assert response.json["name"] == "Phishing (HR)"
    assert [t["external_id"] for t in response.json["mitre"]] == ["T1566"]


def test_the_copy_survives_template_edits_and_catalogue_resyncs(
    app, client, team, mission, scenario, librarian
):
    """History is safe: a renamed and a revoked technique leave the mission's tags unchanged,
    and the API flags the revoked one."""
    client.post(
        f"/api/v1/missions/{mission['id']}/scenarios",
        json={"scenario_template_id": scenario["scenario"]["id"]},
        headers=team.lead,
    )
    client.patch(
        f"/api/v1/test-templates/{scenario['powershell']['id']}",
        json={"name": "Changed in the library"},
        headers=librarian,
    )
    bundle = build_bundle()
    renamed, revoked = find(bundle, "T1059.001"), find(bundle, "T1566")
    renamed["name"] = "PowerShell (renamed)"
    revoked["revoked"] = True
    renamed["modified"] = revoked["modified"] = "2026-11-01T00:00:00.000Z"
    sync(app, bundle)

    tests = client.get(f"/api/v1/missions/{mission['id']}/tests", headers=team.red).json["items"]
    assert [t["name"] for t in tests] == [
        "PowerShell download",
        "Phishing link",
        "PowerShell download",
    ]
    tags = {t["external_id"]: t for test in tests for t in test["mitre"]}
    assert tags["T1059.001"]["name"] == "PowerShell"
    assert tags["T1059.001"]["catalogue_state"] == "current"
    assert tags["T1566"]["name"] == "Phishing"
    assert tags["T1566"]["catalogue_state"] == "revoked"
