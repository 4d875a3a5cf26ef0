"""Leaving a workspace (`PUT /workspaces/{id}/members`) ends one's missions there: workspaces are
the tenancy boundary (docs/api.md, "Workspaces")."""

from __future__ import annotations

import uuid

import pytest

from tests.missions.conftest import move
from violet.auth.models import User
from violet.extensions import db


@pytest.fixture
def elsewhere(team, make_workspace, admin):
    """A second workspace of the administrator and of blue, so that both still act somewhere."""
    blue = db.session.get(User, uuid.UUID(team.ids["blue"]))
    return make_workspace("elsewhere", members=[admin, blue])


def workspace_members(client, workspace_id, headers) -> list[str]:
    url = f"/api/v1/workspaces/{workspace_id}/members?limit=500"
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.json
    return [member["user_id"] for member in response.json["items"]]


def set_workspace_members(client, workspace_id, user_ids, headers):
    return client.put(
        f"/api/v1/workspaces/{workspace_id}/members",
        json=[{"user_id": user_id} for user_id in user_ids],
        headers=headers,
    )


def kinds(client, headers) -> list[str]:
    response = client.get("/api/v1/notifications", headers=headers)
    assert response.status_code == 200, response.json
    return [item["kind"] for item in response.json["items"]]


def member_ids(client, mission, headers) -> set[str]:
    response = client.get(f"/api/v1/missions/{mission['id']}/members", headers=headers)
    assert response.status_code == 200, response.json
    return {member["user_id"] for member in response.json}


def test_leaving_a_workspace_ends_its_missions(
    client, team, mission, add_test, default_workspace, elsewhere, admin_header
):
    test = add_test(mission["id"], name="Kerberoasting")
    everyone = workspace_members(client, default_workspace.id, admin_header)
    without_blue = [user_id for user_id in everyone if user_id != team.ids["blue"]]
    blue_here = {**team.blue, "X-Violet-Workspace": str(default_workspace.id)}
    assert kinds(client, team.blue) == ["mission.member_added"]

    # The administrator acts in another workspace than the one they change.
    acting_elsewhere = {**admin_header, "X-Violet-Workspace": "elsewhere"}
    response = set_workspace_members(client, default_workspace.id, without_blue, acting_elsewhere)

    assert response.status_code == 200, response.json
    assert team.ids["blue"] not in member_ids(client, mission, team.lead)
    assert client.get(f"/api/v1/missions/{mission['id']}", headers=blue_here).status_code == 404
    assert client.get(f"/api/v1/missions/{mission['id']}", headers=team.blue).status_code == 404
    # Work in the mission goes on without telling blue.
    move(client, mission["id"], test["id"], team.red, "in_progress", "waiting_blue")
    completed = client.patch(
        f"/api/v1/missions/{mission['id']}", json={"status": "completed"}, headers=team.lead
    )
    assert completed.status_code == 200, completed.json
    # Nor is blue's "You joined" kept: it led to a mission blue may no longer read.
    assert kinds(client, team.blue) == []
    assert "mission.completed" in kinds(client, team.red)
    # The mission's trail says who left it, as a change of its members does.
    trail = client.get(
        "/api/v1/audit-events",
        query_string={"mission_id": mission["id"], "action": "mission.members_replaced"},
        headers=admin_header,
    ).json["items"]
    blue_email = db.session.get(User, uuid.UUID(team.ids["blue"])).email
    assert trail[0]["changes"] == {"members": {"added": [], "removed": [f"{blue_email} (blue)"]}}

    # Joining the workspace again gives no mission back.
    response = set_workspace_members(client, default_workspace.id, everyone, admin_header)

    assert response.status_code == 200, response.json
    assert client.get(f"/api/v1/missions/{mission['id']}", headers=blue_here).status_code == 404
    assert client.get("/api/v1/missions", headers=blue_here).json["items"] == []
    assert team.ids["blue"] not in member_ids(client, mission, team.lead)


def test_the_only_lead_of_a_mission_cannot_leave_its_workspace(
    client, team, mission, make_mission, default_workspace, admin_header
):
    everyone = workspace_members(client, default_workspace.id, admin_header)
    without_lead = [user_id for user_id in everyone if user_id != team.ids["lead"]]
    # A deleted mission they lead alone does not hold them: it loses its lead.
    deleted = make_mission("Old week")
    url = f"/api/v1/missions/{deleted['id']}"
    assert client.delete(url, headers=team.lead).status_code == 204

    refused = set_workspace_members(client, default_workspace.id, without_lead, admin_header)

    assert refused.status_code == 409, refused.json
    lead_email = db.session.get(User, uuid.UUID(team.ids["lead"])).email
    assert f"Purple week by {lead_email}" in refused.json["detail"]
    assert "Old week" not in refused.json["detail"]
    assert refused.json["errors"]["members"] == [
        f"Purple week ({mission['id']}) is led only by {lead_email}."
    ]
    assert workspace_members(client, default_workspace.id, admin_header) == everyone
    assert team.ids["lead"] in member_ids(client, mission, team.lead)

    # With a second lead, the first may leave.
    leads = [{"user_id": team.ids[role], "role": "lead"} for role in ("lead", "red")]
    put = client.put(f"/api/v1/missions/{mission['id']}/members", json=leads, headers=team.lead)
    assert put.status_code == 200, put.json

    response = set_workspace_members(client, default_workspace.id, without_lead, admin_header)

    assert response.status_code == 200, response.json
    assert member_ids(client, mission, team.red) == {team.ids["red"]}
    # The deleted mission, restored by a holder of mission.manage_all, waits for a lead.
    assert client.post(f"{url}/restore", headers=team.lead).status_code == 404
    assert client.post(f"{url}/restore", headers=admin_header).status_code == 200
    assert member_ids(client, deleted, admin_header) == {
        team.ids[role] for role in ("red", "blue", "viewer")
    }


def test_the_only_lead_of_an_archived_mission_is_told_to_reopen_it_first(
    client, team, mission, default_workspace, admin_header
):
    """An archived mission takes no new lead (409): the refusal says to reopen it first, and the
    administrator who does so, gives it a lead and archives it again, removes the leaver."""
    url = f"/api/v1/missions/{mission['id']}"
    assert client.patch(url, json={"status": "archived"}, headers=team.lead).status_code == 200
    everyone = workspace_members(client, default_workspace.id, admin_header)
    without_lead = [user_id for user_id in everyone if user_id != team.ids["lead"]]

    refused = set_workspace_members(client, default_workspace.id, without_lead, admin_header)

    assert refused.status_code == 409, refused.json
    lead_email = db.session.get(User, uuid.UUID(team.ids["lead"])).email
    assert f"Purple week by {lead_email} (archived: reopen it first)" in refused.json["detail"]
    leads = [{"user_id": team.ids[role], "role": "lead"} for role in ("lead", "red")]
    members = f"{url}/members"
    assert client.put(members, json=leads, headers=admin_header).status_code == 409
    reopened = client.patch(url, json={"status": "completed"}, headers=admin_header)
    assert reopened.status_code == 200, reopened.json
    assert client.put(members, json=leads, headers=admin_header).status_code == 200
    archived = client.patch(url, json={"status": "archived"}, headers=admin_header)
    assert archived.status_code == 200, archived.json

    response = set_workspace_members(client, default_workspace.id, without_lead, admin_header)

    assert response.status_code == 200, response.json
    assert member_ids(client, mission, admin_header) == {team.ids["red"]}
