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


def test_the_preview_says_beforehand_which_permissions_a_save_needs(
    client, make_user, auth_header, make_mission, add_test, admin_header, mission, planned
):
    """A user with scenario_template.write but not test_template.write is told before saving
    that this mission (ad hoc tests) needs the latter, and that a library-only one does not;
    a test whose template was deleted since counts as one to copy, as the save copies it."""
    library, _ = planned
    scenarios_only = auth_header(make_user(perms=["scenario_template.write", "mission.read_all"]))
    url = f"{API}/{mission['id']}/save-as-scenario"

    preview = client.get(url, headers=scenarios_only)

    assert preview.status_code == 200, preview.json
    assert preview.json == {
        "tests": 3,
        "new_templates": 1,
        "needs": ["scenario_template.write", "test_template.write"],
        "allowed": False,
        "unknown_tags": [],
    }
    assert client.post(url, json={"name": "x"}, headers=scenarios_only).status_code == 403
    assert client.get(url, headers=admin_header).json["allowed"] is True

    other = make_mission("Library only")
    add_test(other["id"], test_template_id=library["Encoded PowerShell"])
    other_url = f"{API}/{other['id']}/save-as-scenario"
    assert client.get(other_url, headers=scenarios_only).json == {
        "tests": 1,
        "new_templates": 0,
        "needs": ["scenario_template.write"],
        "allowed": True,
        "unknown_tags": [],
    }
    deleted = client.delete(
        f"/api/v1/test-templates/{library['Encoded PowerShell']}", headers=admin_header
    )
    assert deleted.status_code == 204, deleted.json
    assert client.get(other_url, headers=scenarios_only).json["allowed"] is False
    assert client.post(other_url, json={"name": "x"}, headers=scenarios_only).status_code == 403


def test_the_preview_is_for_the_mission_s_readers(client, team, make_user, auth_header, mission):
    url = f"{API}/{mission['id']}/save-as-scenario"
    outsider = auth_header(make_user(perms=["scenario_template.write"]))

    assert client.get(url).status_code == 401
    assert client.get(url, headers=outsider).status_code == 404
    viewer = client.get(url, headers=team.viewer)
    assert viewer.status_code == 200
    assert viewer.json["tests"] == 0 and viewer.json["allowed"] is False


def test_a_test_tagged_with_a_technique_retired_since_is_saved_as_tagged(
    app, client, admin_header, team, catalogue, mission, run
):
    """Last quarter's mission tested T1047 and T1048; the ATT&CK sync since revoked T1047
    (replaced by T1059.001) and deprecated T1048. Saving the mission as a scenario to run it
    again was 422 "Invalid MITRE tags: Technique T1047 … is revoked" (the new template was held
    to the rule for a tag a user adds), and the mission could not be saved at all. Its tests
    become templates as tagged, as a library import keeps such tags."""
    from tests.coverage.test_mission_coverage import retire_after_testing

    retire_after_testing(app, run, mission)
    before = client.get("/api/v1/test-templates", headers=admin_header).json["total"]

    response = client.post(
        f"{API}/{mission['id']}/save-as-scenario",
        json={"name": "Q3 again"},
        headers=admin_header,
    )

    assert response.status_code == 201, response.json
    assert response.json["new_templates"] == 4
    scenario = scenario_of(client, admin_header, response.json["id"])
    saved = {}
    for test in scenario["tests"]:
        template = client.get(
            f"/api/v1/test-templates/{test['test_template_id']}", headers=admin_header
        ).json
        saved[template["name"]] = sorted(tag["external_id"] for tag in template["mitre"])
    assert saved == {
        "PowerShell": ["T1059.001"],
        "WMI": ["T1047"],
        "Both": ["T1047", "T1059.001"],
        "Exfiltration": ["T1048"],
    }
    after = client.get("/api/v1/test-templates", headers=admin_header).json["total"]
    assert after == before + 4


def test_a_test_tagged_with_an_id_this_catalogue_does_not_know_is_named(
    client, team, catalogue, mission, add_test, admin_header
):
    """A mission imported from another instance's archive, whose newer ATT&CK release has
    T1999: saving it was 422 "Invalid MITRE tags: Unknown technique: T1999." without saying
    which of its tests holds the tag. The preview warns beforehand, and the save names them."""
    import io
    import json
    import zipfile

    from tests.coverage.test_archive import export_zip, upload

    add_test(mission["id"], "Valid accounts", mitre=tags("T1078"))
    add_test(mission["id"], "Future technique", mitre=tags("T1078"))
    data = export_zip(client, team.lead, mission["id"])
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        files = {name: zipped.read(name) for name in zipped.namelist()}
    document = json.loads(files["mission.json"])
    document["tests"][1]["mitre"] = [
        {"kind": "technique", "external_id": "T1999", "name": "Newer", "url": None},
        {"kind": "technique", "external_id": "T1078", "name": "Valid Accounts", "url": None},
        {"kind": "technique", "external_id": "T1998", "name": "Newest", "url": None},
    ]
    files["mission.json"] = json.dumps(document).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for name, content in files.items():
            zipped.writestr(name, content)
    imported = upload(client, admin_header, buffer.getvalue())
    assert imported.status_code == 201, imported.json
    url = f"{API}/{imported.json['id']}/save-as-scenario"
    before = client.get("/api/v1/test-templates", headers=admin_header).json["total"]

    preview = client.get(url, headers=admin_header)
    response = client.post(url, json={"name": "Q3 again"}, headers=admin_header)

    assert preview.status_code == 200, preview.json
    assert preview.json["unknown_tags"] == [
        {"test": "Future technique", "external_ids": ["T1999", "T1998"]}
    ]
    assert response.status_code == 422, response.json
    assert "Future technique" in response.json["detail"]
    assert "T1999" in response.json["detail"] and "T1998" in response.json["detail"]
    assert "Valid accounts" not in response.json["detail"]
    # Nothing half-written: no template of the first test either.
    assert client.get("/api/v1/test-templates", headers=admin_header).json["total"] == before
