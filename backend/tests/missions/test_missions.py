"""Missions: who sees them, who changes them, members, categories, the list with progress."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete

from tests.missions.conftest import move
from violet.extensions import db
from violet.workspaces.models import WorkspaceMember


def test_the_creator_becomes_lead_and_sees_progress(client, team):
    response = client.post(
        "/api/v1/missions",
        json={"name": "Q3 purple", "environment": "Prod EU", "start_date": "2026-12-01"},
        headers=team.lead,
    )
    assert response.status_code == 201
    mission = response.json
    assert response.headers["ETag"] == '"1"'
    assert mission["status"] == "planned"
    assert mission["my_role"] == "lead"
    assert mission["can_manage"] is True
    assert mission["progress"]["tests_total"] == 0
    assert mission["progress"]["score"] is None
    members = client.get(f"/api/v1/missions/{mission['id']}/members", headers=team.lead).json
    assert [(m["user_id"], m["role"]) for m in members] == [(team.ids["lead"], "lead")]


def test_creating_needs_mission_create(client, team):
    response = client.post("/api/v1/missions", json={"name": "x"}, headers=team.blue)
    assert response.status_code == 403
    assert "mission.create" in response.json["detail"]


def test_bad_input_is_422_naming_the_field(client, team):
    response = client.post(
        "/api/v1/missions",
        json={"name": "x", "status": "paused", "colour": "red"},
        headers=team.lead,
    )
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"status", "colour"}
    response = client.post(
        "/api/v1/missions",
        json={"name": "x", "start_date": "2026-12-02", "end_date": "2026-12-01"},
        headers=team.lead,
    )
    assert response.status_code == 422
    # Shown under the form's end date as it is: no API field name in it.
    assert response.json["errors"] == {
        "end_date": ["The end date must be on or after the start date."]
    }


def test_a_mission_is_visible_to_members_and_read_all_only(
    client, team, mission, make_user, auth_header
):
    url = f"/api/v1/missions/{mission['id']}"
    for role in ("lead", "red", "blue", "viewer"):
        response = client.get(url, headers=getattr(team, role))
        assert response.status_code == 200
        assert response.json["my_role"] == role
    assert client.get(url, headers=team.outsider).status_code == 404
    reader = auth_header(make_user(perms=["mission.read_all"]))
    response = client.get(url, headers=reader)
    assert response.status_code == 200
    assert response.json["my_role"] is None
    assert response.json["can_manage"] is False
    # Reading everything is not changing anything.
    assert client.patch(url, json={"name": "x"}, headers=reader).status_code == 403


def test_the_list_shows_the_callers_missions_with_progress(
    client, team, make_mission, add_test, make_user, auth_header
):
    mine = make_mission("Mine")
    make_mission("Somebody else's", headers=team.outsider)
    first = add_test(mine["id"], "One")
    add_test(mine["id"], "Two")
    move(client, mine["id"], first["id"], team.red, "in_progress")

    page = client.get("/api/v1/missions", headers=team.blue).json
    assert [m["name"] for m in page["items"]] == ["Mine"]
    progress = page["items"][0]["progress"]
    assert progress["tests_total"] == 2
    assert progress["tests_by_state"] == {
        "pending": 1,
        "in_progress": 1,
        "waiting_blue": 0,
        "completed": 0,
        "cancelled": 0,
    }
    reader = auth_header(make_user(perms=["mission.read_all"]))
    names = {m["name"] for m in client.get("/api/v1/missions", headers=reader).json["items"]}
    assert names == {"Mine", "Somebody else's"}
    mine_only = client.get("/api/v1/missions?mine=true", headers=reader).json
    assert mine_only["total"] == 0


def test_each_list_item_is_what_get_by_id_answers(
    client, team, make_mission, add_test, levels, make_user, auth_header
):
    """The list selects its columns as rows; each item must still be the mission as GET by id
    answers it to the same caller: role, rights, progress and score included."""
    scored = make_mission("Scored")
    test = add_test(scored["id"], "One")
    move(client, scored["id"], test["id"], team.red, "in_progress", "waiting_blue")
    client.patch(
        f"/api/v1/missions/{scored['id']}/tests/{test['id']}",
        json={"detection_level_id": levels["Alerted"]},
        headers=team.blue,
    )
    move(client, scored["id"], test["id"], team.lead, "completed")
    add_test(scored["id"], "Two")
    make_mission("Outsider's", headers=team.outsider)
    gone = make_mission("Deleted")
    assert client.delete(f"/api/v1/missions/{gone['id']}", headers=team.lead).status_code == 204
    manager = auth_header(make_user(perms=["mission.manage_all"]))
    reader = auth_header(make_user(perms=["mission.read_all"]))
    for headers, query in [
        (team.lead, ""),
        (team.blue, ""),
        (reader, ""),
        (manager, "?include_deleted=true"),
    ]:
        page = client.get(f"/api/v1/missions{query}", headers=headers).json
        assert page["items"], query
        for item in page["items"]:
            one = client.get(f"/api/v1/missions/{item['id']}{query}", headers=headers)
            assert item == one.json
    by_name = {item["name"]: item for item in page["items"]}
    assert set(by_name) == {"Scored", "Outsider's", "Deleted"}
    assert by_name["Scored"]["progress"]["score"] is not None
    assert by_name["Deleted"]["deleted_at"] is not None
    assert by_name["Scored"]["can_manage"] is True
    assert by_name["Scored"]["my_role"] is None


def test_list_filters_by_status_and_text(client, team, make_mission):
    make_mission("Alpha run")
    beta = make_mission("Beta run")
    client.patch(f"/api/v1/missions/{beta['id']}", json={"status": "active"}, headers=team.lead)
    active = client.get("/api/v1/missions?status=active", headers=team.lead).json
    assert [m["name"] for m in active["items"]] == ["Beta run"]
    found = client.get("/api/v1/missions?q=ALPHA", headers=team.lead).json
    assert [m["name"] for m in found["items"]] == ["Alpha run"]


def test_only_the_lead_or_manage_all_changes_the_mission(
    client, team, mission, make_user, auth_header
):
    url = f"/api/v1/missions/{mission['id']}"
    for role in ("red", "blue", "viewer"):
        response = client.patch(url, json={"name": "Hijacked"}, headers=getattr(team, role))
        assert response.status_code == 403
    manager = auth_header(make_user(perms=["mission.manage_all"]))
    response = client.patch(url, json={"status": "active"}, headers=manager)
    assert response.status_code == 200
    assert response.json["status"] == "active"
    assert client.get(url, headers=team.lead).json["name"] == "Purple week"


def test_if_match_on_the_mission(client, team, mission):
    url = f"/api/v1/missions/{mission['id']}"
    ok = client.patch(url, json={"name": "Renamed"}, headers={**team.lead, "If-Match": '"1"'})
    assert ok.status_code == 200
    assert ok.headers["ETag"] == '"2"'
    stale = client.patch(url, json={"name": "Late"}, headers={**team.lead, "If-Match": "1"})
    assert stale.status_code == 412
    assert client.get(url, headers=team.lead).json["name"] == "Renamed"


def test_delete_and_restore(client, team, mission, make_mission):
    url = f"/api/v1/missions/{mission['id']}"
    assert client.delete(url, headers=team.red).status_code == 403
    assert client.delete(url, headers=team.lead).status_code == 204
    assert client.get(url, headers=team.lead).status_code == 404
    assert client.get(f"{url}/tests", headers=team.red).status_code == 404
    assert client.get("/api/v1/missions", headers=team.lead).json["total"] == 0
    # The deleted missions a caller may restore are listed with include_deleted: the lead's
    # own, not those of another lead, and none to a member who is not the lead.
    theirs = make_mission("Theirs", headers=team.outsider)
    client.delete(f"/api/v1/missions/{theirs['id']}", headers=team.outsider)
    with_deleted = "/api/v1/missions?include_deleted=true"
    listed = client.get(with_deleted, headers=team.lead).json["items"]
    assert [item["id"] for item in listed] == [mission["id"]]
    assert listed[0]["deleted_at"] is not None and listed[0]["can_manage"] is True
    assert client.get(with_deleted, headers=team.red).json["total"] == 0
    deleted = client.get(f"{url}?include_deleted=true", headers=team.lead)
    assert deleted.status_code == 200
    assert deleted.json["deleted_at"] is not None
    assert client.get(f"{url}?include_deleted=true", headers=team.red).status_code == 403
    assert client.post(f"{url}/restore", headers=team.lead).status_code == 200
    assert client.get(url, headers=team.red).status_code == 200


def test_members_are_replaced_by_the_lead(client, team, mission, make_user):
    url = f"/api/v1/missions/{mission['id']}/members"
    members = client.get(url, headers=team.viewer).json
    assert {(m["user_id"], m["role"]) for m in members} == {
        (team.ids[role], role) for role in ("lead", "red", "blue", "viewer")
    }
    assert all(m["email"] for m in members)
    newcomer = make_user()
    body = [
        {"user_id": team.ids["lead"], "role": "lead"},
        {"user_id": team.ids["red"], "role": "blue"},
        {"user_id": str(newcomer.id), "role": "red"},
    ]
    assert client.put(url, json=body, headers=team.red).status_code == 403
    response = client.put(url, json=body, headers=team.lead)
    assert response.status_code == 200
    assert {(m["user_id"], m["role"]) for m in response.json} == {
        (team.ids["lead"], "lead"),
        (team.ids["red"], "blue"),
        (str(newcomer.id), "red"),
    }
    # The removed blue member no longer sees the mission.
    assert client.get(url, headers=team.blue).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([{"user_id": "LEAD", "role": "red"}], "role"),  # no lead left
        ([{"user_id": "LEAD", "role": "lead"}, {"user_id": "LEAD", "role": "red"}], "user_id"),
        (
            [
                {"user_id": "LEAD", "role": "lead"},
                {"user_id": "6d0b1f0e-1111-4f00-8000-000000000000", "role": "red"},
            ],
            "user_id",
        ),
        ([{"user_id": "LEAD", "role": "boss"}], "0.role"),
    ],
)
def test_bad_member_lists_are_422_and_change_nothing(client, team, mission, body, field):
    url = f"/api/v1/missions/{mission['id']}/members"
    for member in body:
        if member["user_id"] == "LEAD":
            member["user_id"] = team.ids["lead"]
    response = client.put(url, json=body, headers=team.lead)
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert len(client.get(url, headers=team.lead).json) == 4


def test_members_are_users_of_the_missions_workspace(
    client, team, mission, make_user, auth_header, make_workspace, default_workspace
):
    """A user of another workspace only is refused, as the member picker never offers them; a
    member who left the workspace before leaving it ended one's missions (an older version's
    data) is the lead's to remove, and the list stays editable."""
    url = f"/api/v1/missions/{mission['id']}/members"
    admin = make_user(perms=["user.manage"])
    acme = make_workspace("acme", members=[admin])
    created = client.post(
        "/api/v1/users",
        json={
            "email": "acme.red@example.test",
            "password": "a long enough password",
            "workspace_ids": [str(acme.id)],
        },
        headers=auth_header(admin),
    )
    assert created.status_code == 201, created.json
    acme_user_id = created.json["id"]
    members = [{"user_id": team.ids[role], "role": role} for role in ("lead", "red", "blue")]

    response = client.put(
        url, json=[*members, {"user_id": acme_user_id, "role": "red"}], headers=team.lead
    )

    assert response.status_code == 422
    assert acme_user_id in " ".join(response.json["errors"]["user_id"])
    listed = {m["user_id"] for m in client.get(url, headers=team.lead).json}
    assert listed == {team.ids[role] for role in ("lead", "red", "blue", "viewer")}

    # Red left the workspace, as before leaving it ended one's missions; the lead still edits
    # the list.
    db.session.execute(
        delete(WorkspaceMember).where(
            WorkspaceMember.workspace_id == default_workspace.id,
            WorkspaceMember.user_id == uuid.UUID(team.ids["red"]),
        )
    )
    db.session.commit()
    response = client.put(url, json=members, headers=team.lead)
    assert response.status_code == 200, response.json
    assert {m["user_id"] for m in response.json} == {team.ids[r] for r in ("lead", "red", "blue")}


def test_a_deactivated_member_does_not_lock_the_member_list(client, team, mission, admin_header):
    """Red's account was deactivated (they left the company): the lead, who sends the whole list
    back as the member editor does, still changes someone else's role. A deactivated member keeps
    their role or is removed; giving them a new one, or adding a deactivated user, is 422."""
    url = f"/api/v1/missions/{mission['id']}/members"
    deactivated = client.patch(
        f"/api/v1/users/{team.ids['red']}", json={"is_active": False}, headers=admin_header
    )
    assert deactivated.status_code == 200
    roles = {"lead": "lead", "red": "red", "blue": "blue", "viewer": "red"}
    body = [{"user_id": team.ids[who], "role": role} for who, role in roles.items()]

    response = client.put(url, json=body, headers=team.lead)

    assert response.status_code == 200, response.json
    assert {(m["user_id"], m["role"]) for m in response.json} == {
        (team.ids[who], role) for who, role in roles.items()
    }
    red_email = next(m["email"] for m in response.json if m["user_id"] == team.ids["red"])
    recast = [{**member, "role": "lead"} if member["role"] == "red" else member for member in body]
    refused = client.put(url, json=recast, headers=team.lead)
    assert refused.status_code == 422
    assert red_email in refused.json["detail"] and "role" in refused.json["errors"]
    unchanged = client.get(url, headers=team.lead).json
    assert {(m["user_id"], m["role"]) for m in unchanged} == {
        (team.ids[who], role) for who, role in roles.items()
    }
    # Removed, they cannot be added back while deactivated.
    without_red = [member for member in body if member["user_id"] != team.ids["red"]]
    assert client.put(url, json=without_red, headers=team.lead).status_code == 200
    assert client.put(url, json=body, headers=team.lead).status_code == 422


def test_a_mission_keeps_an_active_lead(client, team, mission, admin_header):
    """The only active lead stepping down beside a deactivated co-lead would leave nobody who
    can sign in to manage the mission: 422 naming the deactivated lead, nothing changed. The
    member list says who is deactivated."""
    url = f"/api/v1/missions/{mission['id']}/members"

    def members(**roles):
        return [{"user_id": team.ids[who], "role": role} for who, role in roles.items()]

    co_led = members(lead="lead", red="lead", blue="blue", viewer="viewer")
    assert client.put(url, json=co_led, headers=team.lead).status_code == 200
    deactivated = client.patch(
        f"/api/v1/users/{team.ids['red']}", json={"is_active": False}, headers=admin_header
    )
    assert deactivated.status_code == 200
    listed = client.get(url, headers=team.lead).json
    assert {m["user_id"]: m["is_active"] for m in listed} == {
        team.ids["lead"]: True,
        team.ids["red"]: False,
        team.ids["blue"]: True,
        team.ids["viewer"]: True,
    }
    red_email = next(m["email"] for m in listed if m["user_id"] == team.ids["red"])

    step_down = members(lead="red", red="lead", blue="blue", viewer="viewer")
    refused = client.put(url, json=step_down, headers=team.lead)

    assert refused.status_code == 422
    assert "active lead" in refused.json["detail"] and red_email in refused.json["detail"]
    assert refused.json["errors"]["role"] == [refused.json["detail"]]
    assert client.get(url, headers=team.lead).json == listed
    # Handing over to an active member instead is accepted.
    handover = members(lead="red", red="lead", blue="lead", viewer="viewer")
    accepted = client.put(url, json=handover, headers=team.lead)
    assert accepted.status_code == 200, accepted.json
    assert {m["user_id"] for m in accepted.json if m["role"] == "lead"} == {
        team.ids["red"],
        team.ids["blue"],
    }


def test_member_candidates_are_for_the_lead(client, team, mission, make_user):
    make_user("carol.blue@example.test")
    url = f"/api/v1/missions/{mission['id']}/member-candidates?q=carol"
    response = client.get(url, headers=team.lead)
    assert [c["email"] for c in response.json] == ["carol.blue@example.test"]
    assert client.get(url, headers=team.red).status_code == 403
    assert client.get(url, headers=team.outsider).status_code == 404


def test_categories_crud_under_the_mission(client, team, mission, add_test):
    url = f"/api/v1/missions/{mission['id']}/categories"
    created = client.post(url, json={"name": "Day 1", "color": "#1c7ed6"}, headers=team.lead)
    assert created.status_code == 201
    category_id = created.json["id"]
    assert client.post(url, json={"name": "Day 2"}, headers=team.red).status_code == 403
    assert client.post(url, json={"name": "day 1"}, headers=team.lead).status_code == 409
    renamed = client.patch(f"{url}/{category_id}", json={"name": "Day one"}, headers=team.lead)
    assert renamed.json["name"] == "Day one"
    assert [c["name"] for c in client.get(url, headers=team.viewer).json] == ["Day one"]
    test = add_test(mission["id"], category_id=category_id)
    assert test["category_id"] == category_id
    assert client.delete(f"{url}/{category_id}", headers=team.lead).status_code == 204
    assert client.get(url, headers=team.lead).json == []
    assert client.post(f"{url}/{category_id}/restore", headers=team.lead).status_code == 200
    assert len(client.get(url, headers=team.lead).json) == 1


def test_a_category_of_another_mission_is_refused(client, team, make_mission, add_test):
    first, second = make_mission("One"), make_mission("Two")
    other = client.post(
        f"/api/v1/missions/{second['id']}/categories", json={"name": "X"}, headers=team.lead
    ).json
    response = client.post(
        f"/api/v1/missions/{first['id']}/tests",
        json={"name": "t", "category_id": other["id"]},
        headers=team.lead,
    )
    assert response.status_code == 422
    assert "category_id" in response.json["errors"]


def test_lists_run_a_constant_number_of_statements(
    client, team, make_mission, add_test, count_statements, tools, levels
):
    def statements(url: str) -> int:
        with count_statements() as counter:
            assert client.get(url, headers=team.lead).status_code == 200
        return counter.count

    first = make_mission("First")
    add_test(first["id"], expected_tool_ids=[tools["EDR"]])
    one_mission = statements("/api/v1/missions")
    one_test = statements(f"/api/v1/missions/{first['id']}/tests")
    for index in range(6):
        mission = make_mission(f"M{index}")
        test = add_test(mission["id"], expected_tool_ids=[tools["EDR"]])
        client.put(
            f"/api/v1/missions/{mission['id']}/tests/{test['id']}/detections",
            json=[{"tool_id": tools["EDR"], "detection_level_id": levels["Alerted"]}],
            headers=team.blue,
        )
        for _ in range(3):
            add_test(first["id"], mitre=[])
    assert statements("/api/v1/missions") == one_mission
    assert statements(f"/api/v1/missions/{first['id']}/tests") == one_test
