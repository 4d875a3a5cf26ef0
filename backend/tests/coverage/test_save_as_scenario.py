"""POST /missions/{id}/save-as-scenario: the mission's tests, in order, as a library scenario."""

from __future__ import annotations

import pytest

from tests.coverage.conftest import tags
from tests.coverage.test_planning import make_library

API = "/api/v1/missions"


@pytest.fixture
def planned(client, team, catalogue, mission, add_test, admin_header):
    """Library test, ad hoc test (tagged T1078), its retest, another library test."""
    library = make_library(client, admin_header)
    from_library = add_test(mission["id"], test_template_id=library["Script interpreter"])
    ad_hoc = add_test(mission["id"], "Valid accounts", mitre=tags("T1078"), procedure="runas")
    for state in ("in_progress", "waiting_blue", "completed"):
        url = f"{API}/{mission['id']}/tests/{ad_hoc['id']}"
        assert client.patch(url, json={"state": state}, headers=team.lead).status_code == 200
    retest = client.post(f"{API}/{mission['id']}/tests/{ad_hoc['id']}/retest", headers=team.lead)
    assert retest.status_code == 201, retest.json
    add_test(mission["id"], test_template_id=library["Encoded PowerShell"])
    return library, from_library


def scenario_of(client, headers, scenario_id):
    response = client.get(f"/api/v1/scenario-templates/{scenario_id}", headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def test_the_tests_become_a_scenario_in_order(client, admin_header, mission, planned):
    library, _ = planned

    response = client.post(
        f"{API}/{mission['id']}/save-as-scenario",
        json={"name": "Purple week, again"},
        headers=admin_header,
    )

    assert response.status_code == 201, response.json
    assert response.json["new_templates"] == 1
    scenario = scenario_of(client, admin_header, response.json["id"])
    assert scenario["name"] == "Purple week, again"
    assert [test["name"] for test in scenario["tests"]] == [
        "Script interpreter",
        "Valid accounts",  # a new library template, once: its retest is left out
        "Encoded PowerShell",
    ]
    assert scenario["tests"][0]["test_template_id"] == library["Script interpreter"]
    copied = client.get(
        f"/api/v1/test-templates/{scenario['tests'][1]['test_template_id']}", headers=admin_header
    ).json
    assert copied["procedure"] == "runas"
    assert [tag["external_id"] for tag in copied["mitre"]] == ["T1078"]


def test_copying_ad_hoc_tests_needs_template_write(
    client, make_user, auth_header, mission, add_test, planned
):
    scenarios_only = auth_header(
        make_user(perms=["scenario_template.read", "scenario_template.write", "mission.read_all"])
    )
    url = f"{API}/{mission['id']}/save-as-scenario"
    before = client.get("/api/v1/scenario-templates", headers=scenarios_only).json["total"]

    refused = client.post(url, json={"name": "Nope"}, headers=scenarios_only)

    assert refused.status_code == 403
    assert "test_template.write" in refused.json["detail"]
    after = client.get("/api/v1/scenario-templates", headers=scenarios_only).json["total"]
    assert after == before


def test_library_only_missions_need_no_template_write(
    client, make_user, auth_header, make_mission, add_test, planned
):
    library, _ = planned
    other = make_mission("Library only")
    add_test(other["id"], test_template_id=library["Encoded PowerShell"])
    scenarios_only = auth_header(make_user(perms=["scenario_template.write", "mission.read_all"]))

    response = client.post(
        f"{API}/{other['id']}/save-as-scenario", json={"name": "Ok"}, headers=scenarios_only
    )

    assert response.status_code == 201, response.json
    assert response.json["test_template_ids"] == [library["Encoded PowerShell"]]
    assert response.json["new_templates"] == 0


def test_refusals(client, team, make_user, auth_header, make_mission, mission, planned):
    url = f"{API}/{mission['id']}/save-as-scenario"
    outsider = auth_header(make_user(perms=["scenario_template.write", "test_template.write"]))
    empty = make_mission("Empty")
    admin_like = auth_header(
        make_user(perms=["scenario_template.write", "test_template.write", "mission.read_all"])
    )

    assert client.post(url, json={"name": "x"}).status_code == 401
    assert client.post(url, json={"name": "x"}, headers=team.viewer).status_code == 403
    assert client.post(url, json={"name": "x"}, headers=outsider).status_code == 404
    no_name = client.post(url, json={"name": ""}, headers=admin_like)
    assert no_name.status_code == 422 and "name" in no_name.json["errors"]
    nothing = client.post(
        f"{API}/{empty['id']}/save-as-scenario", json={"name": "x"}, headers=admin_like
    )
    assert nothing.status_code == 422
