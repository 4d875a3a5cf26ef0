"""Deleting a user (soft) who is the only lead of a mission: refused, as leaving its workspace
is, for a mission keeps a lead (docs/api.md, "Missions")."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from tests.missions.conftest import LEAD_PERMISSIONS
from tests.missions.test_leaving_a_workspace import set_workspace_members, workspace_members
from violet.auth.models import User
from violet.core.models import including_deleted
from violet.extensions import db

API = "/api/v1/missions"
USER_ADMIN = ["user.read", "user.manage"]


def email_of(user_id: str) -> str:
    """A user's email, deleted or not."""
    return db.session.scalar(
        including_deleted(select(User.email)).where(User.id == uuid.UUID(user_id))
    )


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
    assert {(m["user_id"], m["role"], m["deleted"]) for m in members} == {
        (team.ids["lead"], "lead", True),
        (team.ids["red"], "lead", False),
        (team.ids["blue"], "blue", False),
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


def test_a_deleted_member_is_listed_marked_and_kept_when_the_list_is_sent_back(
    client, team, make_mission, admin_header
):
    """A deleted member is on the mission's member list, marked `deleted` (the Members dialog
    says so); the lead saves the list they saw (a role changed): the deleted member keeps their
    place and role, theirs again once they are restored."""
    mission = make_mission("Purple week")
    members_url = f"{API}/{mission['id']}/members"
    user_url = f"/api/v1/users/{team.ids['blue']}"
    assert client.delete(user_url, headers=admin_header).status_code == 204
    shown = client.get(members_url, headers=team.lead).json
    assert {(m["user_id"], m["role"], m["deleted"]) for m in shown} == {
        (team.ids["lead"], "lead", False),
        (team.ids["red"], "red", False),
        (team.ids["blue"], "blue", True),
        (team.ids["viewer"], "viewer", False),
    }

    # The lead gives the viewer the blue role: the list sent is the one they saw.
    roles = {"lead": "lead", "red": "red", "blue": "blue", "viewer": "blue"}
    set_members(client, mission, roles, team, team.lead)
    # Nothing about the deleted member in the trail: the lead changed nobody's place but one.
    trail = client.get(
        "/api/v1/audit-events",
        query_string={"action": "mission.members_replaced", "object_id": mission["id"]},
        headers=admin_header,
    ).json["items"]
    assert all("(blue)" not in " ".join(e["changes"]["members"]["removed"]) for e in trail)

    assert client.post(f"{user_url}/restore", headers=admin_header).status_code == 200
    members = client.get(members_url, headers=team.lead).json
    assert {(m["user_id"], m["role"], m["deleted"]) for m in members} == {
        (team.ids["lead"], "lead", False),
        (team.ids["red"], "red", False),
        (team.ids["viewer"], "blue", False),
        (team.ids["blue"], "blue", False),
    }


def test_a_deleted_member_is_taken_off_a_mission_and_their_work_stays(
    client, team, make_mission, admin_header
):
    """The lead could not take a deleted user off the mission: they were listed nowhere, and a
    saved list kept them whatever it said, so they were back on it when restored. A list
    without them now removes them (the trail says so), and what they wrote stays."""
    mission = make_mission("Purple week")
    members_url = f"{API}/{mission['id']}/members"
    note = client.post(
        f"{API}/{mission['id']}/notes", json={"content": "EDR alerted at 09:12"}, headers=team.blue
    )
    assert note.status_code == 201, note.json
    user_url = f"/api/v1/users/{team.ids['blue']}"
    assert client.delete(user_url, headers=admin_header).status_code == 204

    set_members(
        client, mission, {"lead": "lead", "red": "red", "viewer": "viewer"}, team, team.lead
    )

    members = client.get(members_url, headers=team.lead).json
    assert team.ids["blue"] not in {m["user_id"] for m in members}
    trail = client.get(
        "/api/v1/audit-events",
        query_string={"action": "mission.members_replaced", "object_id": mission["id"]},
        headers=admin_header,
    ).json["items"]
    blue_email = email_of(team.ids["blue"])
    assert trail[0]["changes"]["members"] == {"added": [], "removed": [f"{blue_email} (blue)"]}
    notes = client.get(f"{API}/{mission['id']}/notes", headers=team.lead).json["items"]
    assert [n["content"] for n in notes] == ["EDR alerted at 09:12"]
    # Restored, they are no member of it any more.
    assert client.post(f"{user_url}/restore", headers=admin_header).status_code == 200
    members = client.get(members_url, headers=team.lead).json
    assert team.ids["blue"] not in {m["user_id"] for m in members}


def test_a_deleted_member_keeps_their_role_or_is_removed(client, team, make_mission, admin_header):
    """A deleted user cannot act in a role: giving them another is 422 naming them under
    `role`, and nothing changes, as for a deactivated member."""
    mission = make_mission("Purple week")
    members_url = f"{API}/{mission['id']}/members"
    assert (
        client.delete(f"/api/v1/users/{team.ids['blue']}", headers=admin_header).status_code == 204
    )
    before = client.get(members_url, headers=team.lead).json
    body = [
        {"user_id": team.ids["lead"], "role": "lead"},
        {"user_id": team.ids["blue"], "role": "lead"},
    ]

    refused = client.put(members_url, json=body, headers=team.lead)

    assert refused.status_code == 422, refused.json
    assert refused.mimetype == "application/problem+json"
    blue_email = email_of(team.ids["blue"])
    assert refused.json["errors"]["role"] == [f"Deleted, keeps their role: {blue_email} (blue)."]
    assert client.get(members_url, headers=team.lead).json == before


def test_a_deleted_user_is_not_added_to_a_mission(client, team, make_mission, admin_header):
    """Naming a deleted user who is no member in the list is 422 naming them, and nothing
    changes: a deleted user joins nothing."""
    mission = make_mission("Purple week")
    members_url = f"{API}/{mission['id']}/members"
    outsider_url = f"/api/v1/users/{team.ids['outsider']}"
    assert client.delete(outsider_url, headers=admin_header).status_code == 204
    before = client.get(members_url, headers=team.lead).json

    body = [
        {"user_id": team.ids["lead"], "role": "lead"},
        {"user_id": team.ids["outsider"], "role": "red"},
    ]
    refused = client.put(members_url, json=body, headers=team.lead)

    assert refused.status_code == 422, refused.json
    assert refused.mimetype == "application/problem+json"
    assert team.ids["outsider"] in refused.json["errors"]["user_id"][0]
    assert client.get(members_url, headers=team.lead).json == before


def test_a_deleted_workspace_member_is_listed_marked_and_can_be_removed(
    client, team, make_mission, default_workspace, admin_header
):
    """The workspace's member list hid deleted users, and a saved list kept them whatever it
    said: a manager could not take a deleted user out of the workspace (nor so out of its
    missions). They are now listed, marked `deleted`; the list sent back as seen keeps them,
    a list without them removes them from the workspace and its missions."""
    mission = make_mission("Purple week")
    members_url = f"/api/v1/workspaces/{default_workspace.id}/members"
    user_url = f"/api/v1/users/{team.ids['blue']}"
    assert client.delete(user_url, headers=admin_header).status_code == 204
    listed = client.get(members_url, query_string={"limit": 500}, headers=admin_header).json
    marked = {m["user_id"]: m["deleted"] for m in listed["items"]}
    assert marked[team.ids["blue"]] is True and marked[team.ids["lead"]] is False
    assert listed["total"] == len(marked)

    # The manager sends the list they saw: nobody leaves.
    shown = list(marked)
    assert (
        set_workspace_members(client, default_workspace.id, shown, admin_header).status_code == 200
    )
    assert workspace_members(client, default_workspace.id, admin_header) == shown

    # Then the same without the deleted user: they leave it, and its missions.
    kept = [user_id for user_id in shown if user_id != team.ids["blue"]]
    saved = set_workspace_members(client, default_workspace.id, kept, admin_header)
    assert saved.status_code == 200, saved.json
    trail = client.get(
        "/api/v1/audit-events",
        query_string={"action": "workspace.members_replaced", "object_id": default_workspace.id},
        headers=admin_header,
    ).json["items"]
    blue_email = email_of(team.ids["blue"])
    assert trail[0]["changes"] == {"members": {"added": [], "removed": [blue_email]}}
    assert workspace_members(client, default_workspace.id, admin_header) == kept
    members = client.get(f"{API}/{mission['id']}/members", headers=team.lead).json
    assert team.ids["blue"] not in {m["user_id"] for m in members}

    # Restored, they belong to the workspace no more.
    assert client.post(f"{user_url}/restore", headers=admin_header).status_code == 200
    assert team.ids["blue"] not in workspace_members(client, default_workspace.id, admin_header)


def test_a_deleted_lead_does_not_let_the_other_lead_leave_the_workspace(
    client, team, make_mission, default_workspace, admin_header
):
    """Two leads, one deleted since: removing the other from the workspace was let through (the
    deleted lead counted as the mission's other lead), and the mission showed no lead at all.
    It is now 409 naming the mission, as deleting that lead is, and nothing changes."""
    mission = make_mission("Purple week")
    set_members(client, mission, {"lead": "lead", "red": "lead", "blue": "blue"}, team, team.lead)
    assert (
        client.delete(f"/api/v1/users/{team.ids['red']}", headers=admin_header).status_code == 204
    )
    everyone = workspace_members(client, default_workspace.id, admin_header)

    without_lead = [user_id for user_id in everyone if user_id != team.ids["lead"]]
    refused = set_workspace_members(client, default_workspace.id, without_lead, admin_header)

    assert refused.status_code == 409, refused.json
    assert refused.mimetype == "application/problem+json"
    assert "Purple week" in refused.json["detail"]
    assert workspace_members(client, default_workspace.id, admin_header) == everyone
    members = client.get(f"{API}/{mission['id']}/members", headers=team.lead).json
    assert (team.ids["lead"], "lead") in {(m["user_id"], m["role"]) for m in members}


def test_a_lead_of_a_mission_in_a_deleted_workspace_is_told_to_restore_it_first(
    client, make_user, auth_header, admin, admin_header, make_workspace
):
    """The only lead of a mission whose workspace was deleted since: deleting them was 409
    saying to give the mission another lead "(its members)", which nobody can reach while the
    workspace is deleted (404). The detail now says to restore the workspace first."""
    lead = make_user(perms=["mission.create"])
    workspace = make_workspace("client-x", members=[admin, lead])
    in_it = {**auth_header(lead), "X-Violet-Workspace": "client-x"}
    mission = client.post(API, json={"name": "Client X engagement"}, headers=in_it).json
    url = f"/api/v1/workspaces/{workspace.id}"
    assert client.delete(f"{url}?confirm=true", headers=admin_header).status_code == 204

    refused = client.delete(f"/api/v1/users/{lead.id}", headers=admin_header)

    assert refused.status_code == 409, refused.json
    assert refused.mimetype == "application/problem+json"
    assert "Client X engagement by" in refused.json["detail"]
    assert "(its workspace is deleted: restore it first)" in refused.json["detail"]
    assert refused.json["errors"]["members"] == [
        f"Client X engagement ({mission['id']}) is led only by {lead.email}."
        " (its workspace is deleted: restore it first)"
    ]
    assert client.get(f"/api/v1/users/{lead.id}", headers=admin_header).status_code == 200


def test_a_deactivated_lead_is_no_other_lead(
    client, team, make_mission, default_workspace, admin_header
):
    """Two leads, one deactivated since (they left the company): the other is the only lead who
    can sign in, so deleting them or removing them from the workspace is 409 naming the
    mission, as a member list that would keep only deactivated leads is."""
    mission = make_mission("Purple week")
    set_members(client, mission, {"lead": "lead", "red": "lead", "blue": "blue"}, team, team.lead)
    deactivated = client.patch(
        f"/api/v1/users/{team.ids['red']}", json={"is_active": False}, headers=admin_header
    )
    assert deactivated.status_code == 200

    deleting = client.delete(f"/api/v1/users/{team.ids['lead']}", headers=admin_header)
    everyone = workspace_members(client, default_workspace.id, admin_header)
    without_lead = [user_id for user_id in everyone if user_id != team.ids["lead"]]
    leaving = set_workspace_members(client, default_workspace.id, without_lead, admin_header)

    for refused in (deleting, leaving):
        assert refused.status_code == 409, refused.json
        assert "a lead who can sign in" in refused.json["detail"]
        assert "Purple week by" in refused.json["detail"]
    assert workspace_members(client, default_workspace.id, admin_header) == everyone
    members = client.get(f"{API}/{mission['id']}/members", headers=team.lead).json
    assert (team.ids["lead"], "lead") in {(m["user_id"], m["role"]) for m in members}


def test_a_user_administrator_is_not_told_missions_of_workspaces_they_cannot_see(
    client, make_user, auth_header, admin, admin_header, make_workspace
):
    """A user administrator outside a client's workspace deleting that client's only lead: the
    409 named the client's mission and its id. It now counts such missions, naming only those
    of workspaces the caller works in (`workspace.read_all` opens no workspace's data)."""
    lead = make_user(perms=["mission.create"])
    insider = make_user(perms=["user.read", "user.manage", "mission.create"])
    make_workspace("client-x", members=[lead, insider])
    in_it = {**auth_header(lead), "X-Violet-Workspace": "client-x"}
    mission = client.post(API, json={"name": "Project Nightfall"}, headers=in_it).json
    user_admin = auth_header(make_user(perms=["user.read", "user.manage", "mission.create"]))

    refused = client.delete(f"/api/v1/users/{lead.id}", headers=user_admin)

    assert refused.status_code == 409, refused.json
    body = str(refused.json)
    assert "Project Nightfall" not in body and mission["id"] not in body
    assert "1 mission in workspaces you cannot see" in refused.json["detail"]
    assert refused.json["errors"]["members"] == [
        "1 mission in workspaces you cannot see: their workspaces' managers give each another lead."
    ]
    assert client.get(f"/api/v1/users/{lead.id}", headers=admin_header).status_code == 200
    reading_every_workspace = client.delete(f"/api/v1/users/{lead.id}", headers=admin_header)
    assert reading_every_workspace.status_code == 409
    assert "Project Nightfall" not in str(reading_every_workspace.json)
    seen_by_insider = client.delete(f"/api/v1/users/{lead.id}", headers=auth_header(insider))
    assert seen_by_insider.status_code == 409
    assert "Project Nightfall by" in seen_by_insider.json["detail"]


def test_a_token_bound_to_another_workspace_is_told_no_mission_name(
    client, team, make_mission, admin, admin_header, make_workspace
):
    """A user administrator's CI token bound to client B deletes client A's only lead: the 409
    counts A's mission and names nothing of it (the token sees only B), as it would for an
    administrator outside A; the same administrator's unbound token is told its name."""
    mission = make_mission("Project Nightfall")
    workspace_b = make_workspace("client-b", members=[admin])
    tokens = {}
    for name, fields in (("bound", {"workspace_id": str(workspace_b.id)}), ("unbound", {})):
        created = client.post(
            "/api/v1/auth/tokens",
            json={"name": name, "permissions": [*LEAD_PERMISSIONS, *USER_ADMIN], **fields},
            headers=admin_header,
        )
        assert created.status_code == 201, created.json
        tokens[name] = {"Authorization": f"Bearer {created.json['token']}"}

    bound = client.delete(f"/api/v1/users/{team.ids['lead']}", headers=tokens["bound"])
    unbound = client.delete(f"/api/v1/users/{team.ids['lead']}", headers=tokens["unbound"])

    assert bound.status_code == 409, bound.json
    assert "Project Nightfall" not in str(bound.json) and mission["id"] not in str(bound.json)
    assert "1 mission in workspaces you cannot see" in bound.json["detail"]
    assert unbound.status_code == 409
    assert "Project Nightfall by" in unbound.json["detail"]
    assert client.get(f"/api/v1/users/{team.ids['lead']}", headers=admin_header).status_code == 200


def test_removing_the_only_lead_from_a_workspace_with_a_bound_token(
    client, team, make_mission, admin, admin_header, make_workspace, default_workspace
):
    """A CI token of a workspace manager: bound to the lead's workspace, the 409 names the
    mission (the manager's own workspace); bound to another, the workspace is 404 and the
    answer says nothing of its missions. Nothing changes either way."""
    mission = make_mission("Project Nightfall")
    workspace_b = make_workspace("client-b", members=[admin])
    tokens = {}
    for name, workspace in (("here", default_workspace), ("there", workspace_b)):
        created = client.post(
            "/api/v1/auth/tokens",
            json={
                "name": name,
                "permissions": ["workspace.manage", *LEAD_PERMISSIONS, *USER_ADMIN],
                "workspace_id": str(workspace.id),
            },
            headers=admin_header,
        )
        assert created.status_code == 201, created.json
        tokens[name] = {"Authorization": f"Bearer {created.json['token']}"}
    everyone = workspace_members(client, default_workspace.id, admin_header)
    without_lead = [user_id for user_id in everyone if user_id != team.ids["lead"]]

    here = set_workspace_members(client, default_workspace.id, without_lead, tokens["here"])
    there = set_workspace_members(client, default_workspace.id, without_lead, tokens["there"])

    assert here.status_code == 409, here.json
    assert "Project Nightfall by" in here.json["detail"]
    assert there.status_code == 404, there.json
    assert "Project Nightfall" not in str(there.json) and mission["id"] not in str(there.json)
    assert workspace_members(client, default_workspace.id, admin_header) == everyone


def test_a_deleted_co_lead_leaves_the_workspace_and_its_missions(
    client, team, make_mission, default_workspace, admin_header
):
    """A co-lead deleted since is taken out of the workspace: they leave its missions too, the
    other lead stays, and nothing is refused (the mission keeps a lead who can sign in)."""
    mission = make_mission("Purple week")
    set_members(client, mission, {"lead": "lead", "red": "lead", "blue": "blue"}, team, team.lead)
    assert (
        client.delete(f"/api/v1/users/{team.ids['red']}", headers=admin_header).status_code == 204
    )
    everyone = workspace_members(client, default_workspace.id, admin_header)

    without_red = [user_id for user_id in everyone if user_id != team.ids["red"]]
    saved = set_workspace_members(client, default_workspace.id, without_red, admin_header)

    assert saved.status_code == 200, saved.json
    members = client.get(f"{API}/{mission['id']}/members", headers=team.lead).json
    assert {(m["user_id"], m["role"]) for m in members} == {
        (team.ids["lead"], "lead"),
        (team.ids["blue"], "blue"),
    }
