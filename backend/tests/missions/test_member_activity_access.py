"""`is_active` on a mission's members, under API tokens and workspaces: shown to whoever may
read the member list, and to nobody else (docs/api.md, "Missions" and "API tokens")."""

from __future__ import annotations

from tests.missions.test_api_token_access import bearer


def token(client, headers, **fields):
    response = client.post(
        "/api/v1/auth/tokens", json={"name": "ci", "permissions": [], **fields}, headers=headers
    )
    assert response.status_code == 201, response.json
    return bearer(response.json["token"])


def test_is_active_reaches_only_who_may_read_the_member_list(
    client, team, mission, admin_header, make_workspace, make_user, auth_header
):
    deactivated = client.patch(
        f"/api/v1/users/{team.ids['blue']}", json={"is_active": False}, headers=admin_header
    )
    assert deactivated.status_code == 200, deactivated.json
    url = f"/api/v1/missions/{mission['id']}/members"
    workspace_b = make_workspace("client-b", members=[])
    client.put(
        f"/api/v1/workspaces/{workspace_b.id}/members",
        json=[{"user_id": team.ids["lead"]}],
        headers=admin_header,
    )
    bound_to_b = token(client, team.lead, workspace_id=str(workspace_b.id), mission_access="read")
    stranger = auth_header(make_user(perms=["mission.read_all"]))

    readers = [team.lead, team.viewer, token(client, team.viewer, mission_access="read")]
    refused = [
        team.outsider,
        token(client, team.lead),  # mission_access none
        bound_to_b,
        {**stranger, "X-Violet-Workspace": "client-b"},
    ]

    for headers in readers:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.json
        activity = {member["user_id"]: member["is_active"] for member in response.json}
        assert activity[team.ids["blue"]] is False and activity[team.ids["lead"]] is True
    for headers in refused:
        response = client.get(url, headers=headers)
        assert response.status_code == 404, response.json
        assert "is_active" not in str(response.json) and team.ids["blue"] not in str(response.json)
