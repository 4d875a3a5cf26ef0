"""Deleting a user (soft) who is the only lead of a mission: refused, as leaving its workspace
is, for a mission keeps a lead (docs/api.md, "Missions")."""

from __future__ import annotations

API = "/api/v1/missions"


def set_members(client, mission, roles: dict[str, str], team, headers):
    body = [{"user_id": team.ids[name], "role": role} for name, role in roles.items()]
    response = client.put(f"{API}/{mission['id']}/members", json=body, headers=headers)
    assert response.status_code == 200, response.json


def test_the_only_lead_of_a_live_mission_cannot_be_deleted_until_it_has_another(
    client, team, make_mission, admin_header
):
    """The only lead of a mission was deleted: the member list then showed no lead at all (a
    deleted user is listed nowhere), nobody in the mission could change it, and an archived one
    could be reopened by a `mission.manage_all` holder alone. The delete is now 409 naming the
    missions, as leaving the workspace is; a deleted mission's lead is no obstacle."""
    live = make_mission("Purple week")
    archived = make_mission("Q1 closed")
    archive = client.patch(
        f"{API}/{archived['id']}", json={"status": "archived"}, headers=team.lead
    )
    assert archive.status_code == 200, archive.json
    shared = make_mission("Shared lead")
    set_members(client, shared, {"lead": "lead", "red": "lead"}, team, team.lead)
    gone = make_mission("Deleted one")
    deleted = client.delete(f"{API}/{gone['id']}", headers={**team.lead, "If-Match": "*"})
    assert deleted.status_code == 204
    user_url = f"/api/v1/users/{team.ids['lead']}"

    refused = client.delete(user_url, headers=admin_header)

    assert refused.status_code == 409, refused.json
    assert refused.mimetype == "application/problem+json"
    detail = refused.json["detail"]
    assert "Purple week" in detail and "Q1 closed" in detail
    assert "Q1 closed by" in detail and "(archived: reopen it first)" in detail
    assert "Shared lead" not in detail and "Deleted one" not in detail
    # Nothing half-done: the user is live and still leads.
    assert client.get(user_url, headers=admin_header).status_code == 200
    assert client.get(f"{API}/{live['id']}", headers=team.lead).status_code == 200

    set_members(client, live, {"lead": "lead", "red": "lead", "blue": "blue"}, team, team.lead)
    reopen = client.patch(f"{API}/{archived['id']}", json={"status": "planned"}, headers=team.lead)
    assert reopen.status_code == 200, reopen.json
    set_members(client, archived, {"lead": "lead", "red": "lead"}, team, team.lead)
    assert client.delete(user_url, headers=admin_header).status_code == 204
    members = client.get(f"{API}/{live['id']}/members", headers=team.red).json
    assert {(m["user_id"], m["role"]) for m in members} == {
        (team.ids["red"], "lead"),
        (team.ids["blue"], "blue"),
    }


def test_a_lead_beside_a_deleted_one_is_the_only_lead(client, team, make_mission, admin_header):
    """Two leads, one deleted since: the other is the only lead a user can see or act as."""
    mission = make_mission("Purple week")
    set_members(client, mission, {"lead": "lead", "red": "lead"}, team, team.lead)
    assert (
        client.delete(f"/api/v1/users/{team.ids['red']}", headers=admin_header).status_code == 204
    )

    refused = client.delete(f"/api/v1/users/{team.ids['lead']}", headers=admin_header)

    assert refused.status_code == 409, refused.json
    assert "Purple week" in refused.json["detail"]
