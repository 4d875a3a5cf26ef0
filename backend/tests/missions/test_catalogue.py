"""Detection levels and defense tools: any user reads them, settings.manage writes them."""

from __future__ import annotations


def test_the_default_levels_are_seeded_in_order(client, team):
    response = client.get("/api/v1/detection-levels", headers=team.viewer)
    assert response.status_code == 200
    assert [(level["name"], level["score"]) for level in response.json["items"]] == [
        ("Prevented", 100),
        ("Alerted", 75),
        ("Logged", 40),
        ("Not detected", 0),
        ("Not applicable", None),
    ]


def test_levels_need_settings_manage_to_change(client, team, levels):
    response = client.patch(
        f"/api/v1/detection-levels/{levels['Logged']}", json={"name": "x"}, headers=team.lead
    )
    assert response.status_code == 403


def test_a_level_in_use_cannot_be_deleted_but_can_be_renamed_recoloured_and_moved(
    client, team, mission, add_test, levels, admin_header
):
    test = add_test(mission["id"])
    client.patch(
        f"/api/v1/missions/{mission['id']}/tests/{test['id']}",
        json={"detection_level_id": levels["Logged"]},
        headers=team.blue,
    )
    url = f"/api/v1/detection-levels/{levels['Logged']}"
    refused = client.delete(url, headers=admin_header)
    assert refused.status_code == 409
    assert "Logged" in refused.json["detail"]
    changed = client.patch(
        url, json={"name": "Logged only", "color": "#f08c00", "position": 9}, headers=admin_header
    )
    assert changed.status_code == 200
    assert (changed.json["name"], changed.json["color"], changed.json["position"]) == (
        "Logged only",
        "#f08c00",
        9,
    )
    names = [
        level["name"]
        for level in client.get("/api/v1/detection-levels", headers=team.red).json["items"]
    ]
    assert names[-1] == "Logged only"


def test_an_unused_level_is_deleted_and_restored(client, admin_header):
    created = client.post(
        "/api/v1/detection-levels",
        json={"name": "Blocked by policy", "score": 90, "color": "#0b7285"},
        headers=admin_header,
    )
    assert created.status_code == 201
    assert created.json["position"] == 5  # after the five defaults
    url = f"/api/v1/detection-levels/{created.json['id']}"
    assert client.delete(url, headers=admin_header).status_code == 204
    listed = client.get("/api/v1/detection-levels", headers=admin_header).json["items"]
    assert "Blocked by policy" not in [level["name"] for level in listed]
    assert client.post(f"{url}/restore", headers=admin_header).status_code == 200


def test_bad_levels_are_422(client, admin_header):
    response = client.post(
        "/api/v1/detection-levels",
        json={"name": "x", "score": 101, "color": "red"},
        headers=admin_header,
    )
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"score", "color"}
    duplicate = client.post(
        "/api/v1/detection-levels",
        json={"name": "alerted", "score": 50, "color": "#000000"},
        headers=admin_header,
    )
    assert duplicate.status_code == 409


def test_defense_tools_crud(client, team, admin_header):
    created = client.post(
        "/api/v1/defense-tools",
        json={"name": "CrowdStrike Falcon", "vendor": "CrowdStrike", "layer": "edr"},
        headers=admin_header,
    )
    assert created.status_code == 201
    url = f"/api/v1/defense-tools/{created.json['id']}"
    assert (
        client.post(
            "/api/v1/defense-tools", json={"name": "X", "layer": "edr"}, headers=team.lead
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/defense-tools", json={"name": "X", "layer": "toaster"}, headers=admin_header
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/api/v1/defense-tools",
            json={"name": "crowdstrike falcon", "layer": "av"},
            headers=admin_header,
        ).status_code
        == 409
    )
    listed = client.get("/api/v1/defense-tools?layer=edr", headers=team.viewer).json
    assert [tool["name"] for tool in listed["items"]] == ["CrowdStrike Falcon"]
    stale = client.patch(url, json={"vendor": "CS"}, headers={**admin_header, "If-Match": "0"})
    assert stale.status_code == 412
    renamed = client.patch(url, json={"name": "Falcon"}, headers=admin_header)
    assert renamed.json["name"] == "Falcon"
    assert client.delete(url, headers=admin_header).status_code == 204
    assert client.get(url, headers=team.viewer).status_code == 404
    assert client.get("/api/v1/defense-tools", headers=team.viewer).json["total"] == 0
    assert client.post(f"{url}/restore", headers=admin_header).status_code == 200


def test_a_deleted_tool_cannot_be_recorded(
    client, team, mission, add_test, tools, levels, admin_header
):
    test = add_test(mission["id"])
    client.delete(f"/api/v1/defense-tools/{tools['NDR']}", headers=admin_header)
    response = client.put(
        f"/api/v1/missions/{mission['id']}/tests/{test['id']}/detections",
        json=[{"tool_id": tools["NDR"], "detection_level_id": levels["Alerted"]}],
        headers=team.blue,
    )
    assert response.status_code == 422
    assert "tool_id" in response.json["errors"]


def test_if_match_on_a_resource_without_a_version_is_412_and_changes_nothing(
    client, team, admin_header, mission
):
    level = client.post(
        "/api/v1/detection-levels",
        json={"name": "Blocked by policy", "score": 90, "color": "#0b7285"},
        headers=admin_header,
    ).json
    level_url = f"/api/v1/detection-levels/{level['id']}"
    category = client.post(
        f"/api/v1/missions/{mission['id']}/categories", json={"name": "Day 1"}, headers=team.lead
    ).json
    category_url = f"/api/v1/missions/{mission['id']}/categories/{category['id']}"
    guarded = {"If-Match": '"99"'}

    renamed = client.patch(level_url, json={"name": "Renamed"}, headers={**admin_header, **guarded})
    deleted = client.delete(category_url, headers={**team.lead, **guarded})
    unconditional = client.patch(
        level_url, json={"color": "#e67700"}, headers={**admin_header, "If-Match": "*"}
    )

    assert renamed.status_code == 412 and "no version" in renamed.json["detail"]
    assert deleted.status_code == 412
    assert unconditional.status_code == 200
    levels = client.get("/api/v1/detection-levels", headers=admin_header).json["items"]
    assert "Blocked by policy" in [item["name"] for item in levels]
    categories = client.get(f"/api/v1/missions/{mission['id']}/categories", headers=team.lead)
    assert [item["name"] for item in categories.json] == ["Day 1"]


def test_a_malformed_if_match_is_422_on_a_resource_without_a_version_too(
    client, team, admin_header, mission
):
    """As on a versioned resource: bad input first (422 naming the header), not a 412."""
    category = client.post(
        f"/api/v1/missions/{mission['id']}/categories", json={"name": "Day 1"}, headers=team.lead
    ).json
    category_url = f"/api/v1/missions/{mission['id']}/categories/{category['id']}"

    garbage = client.patch(
        category_url, json={"name": "Day 2"}, headers={**team.lead, "If-Match": "garbage"}
    )
    listed = client.patch(
        category_url, json={"name": "Day 2"}, headers={**team.lead, "If-Match": '"1", "2"'}
    )

    assert garbage.status_code == 422
    assert "If-Match" in garbage.json["errors"]
    assert listed.status_code == 412, "well-formed, but no version can match"
    assert client.get(category_url, headers=team.lead).json["name"] == "Day 1"


def test_a_taken_name_is_409_naming_the_field(client, admin_header, tools, team, mission):
    # As for users, groups and workspaces (docs/api.md, Conventions): a form shows the problem
    # on the field, and automation reads `errors.name`.
    taken = [
        client.post(
            "/api/v1/detection-levels",
            json={"name": "alerted", "score": 50, "color": "#000000"},
            headers=admin_header,
        ),
        client.post(
            "/api/v1/defense-tools", json={"name": "edr", "layer": "edr"}, headers=admin_header
        ),
        client.patch(
            f"/api/v1/defense-tools/{tools['NDR']}", json={"name": "EDR"}, headers=admin_header
        ),
    ]
    categories = f"/api/v1/missions/{mission['id']}/categories"
    assert client.post(categories, json={"name": "Day 1"}, headers=team.lead).status_code == 201
    taken.append(client.post(categories, json={"name": "day 1"}, headers=team.lead))
    for response in taken:
        assert response.status_code == 409
        assert list(response.json["errors"]) == ["name"], response.json


def test_an_outcome_of_a_tool_deleted_since_stays_when_blue_records_another(
    client, team, mission, add_test, tools, levels, admin_header
):
    """The NDR was retired mid-mission: blue adding the EDR's outcome re-sends the whole list,
    the NDR's outcome included, which was refused ("No live defense tool …"), so blue could
    only save by deleting what the NDR had recorded."""
    test = add_test(mission["id"])
    url = f"/api/v1/missions/{mission['id']}/tests/{test['id']}/detections"
    ndr = {"tool_id": tools["NDR"], "detection_level_id": levels["Logged"], "rule_ref": "NDR-9"}
    assert client.put(url, json=[ndr], headers=team.blue).status_code == 200
    client.delete(f"/api/v1/defense-tools/{tools['NDR']}", headers=admin_header)
    edr = {"tool_id": tools["EDR"], "detection_level_id": levels["Alerted"]}

    response = client.put(url, json=[ndr, edr], headers=team.blue)

    assert response.status_code == 200, response.json
    stored = {
        d["tool_id"]: (d["detection_level_id"], d["rule_ref"]) for d in response.json["detections"]
    }
    assert stored == {
        tools["NDR"]: (levels["Logged"], "NDR-9"),
        tools["EDR"]: (levels["Alerted"], None),
    }
    assert response.json["detection_level_id"] == levels["Alerted"]
    # Dropped once, the retired tool cannot be named again on this test either.
    assert client.put(url, json=[edr], headers=team.blue).status_code == 200
    again = client.put(url, json=[ndr, edr], headers=team.blue)
    assert again.status_code == 422 and "tool_id" in again.json["errors"]
