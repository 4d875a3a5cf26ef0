"""Notifications from a mission's events: who gets them, reading them, the count in /auth/me."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.missions.conftest import move


@pytest.fixture
def handed_over(client, team, mission, add_test):
    """A test red has handed to blue."""
    test = add_test(mission["id"], name="Kerberoasting")
    move(client, mission["id"], test["id"], team.red, "in_progress", "waiting_blue")
    return test


def notifications(client, headers, **query) -> list[dict]:
    response = client.get("/api/v1/notifications", query_string=query, headers=headers)
    assert response.status_code == 200, response.json
    return response.json["items"]


def unread(client, headers) -> int:
    return client.get("/api/v1/auth/me", headers=headers).json["unread_notifications"]


def test_being_added_to_a_mission_is_notified(client, team, mission):
    [joined] = notifications(client, team.blue)

    assert joined["kind"] == "mission.member_added"
    assert joined["mission_id"] == mission["id"] and joined["mission_test_id"] is None
    assert joined["title"] == "You joined Purple week as blue"
    assert notifications(client, team.lead) == []  # the lead added themself: no news


def test_a_hand_over_notifies_blue_only(client, team, mission, handed_over):
    blue = notifications(client, team.blue, unread="true")

    assert blue[0]["kind"] == "mission_test.handed_to_blue"
    assert blue[0]["mission_test_id"] == handed_over["id"]
    assert blue[0]["title"] == "Kerberoasting is waiting for blue (Purple week)"
    assert [n["kind"] for n in notifications(client, team.red)] == ["mission.member_added"]
    assert [n["kind"] for n in notifications(client, team.viewer)] == ["mission.member_added"]
    assert notifications(client, team.outsider) == []


def test_a_detection_notifies_red_and_the_lead(client, team, mission, handed_over, tools, levels):
    response = client.put(
        f"/api/v1/missions/{mission['id']}/tests/{handed_over['id']}/detections",
        json=[{"tool_id": tools["EDR"], "detection_level_id": levels["Alerted"]}],
        headers=team.blue,
    )
    assert response.status_code == 200

    for headers in (team.red, team.lead):
        latest = notifications(client, headers)[0]
        assert latest["kind"] == "mission_test.detection_recorded"
        assert latest["mission_test_id"] == handed_over["id"]
    assert notifications(client, team.blue)[0]["kind"] == "mission_test.handed_to_blue"


def test_saving_unchanged_detections_notifies_nobody(
    client, team, mission, handed_over, tools, levels
):
    url = f"/api/v1/missions/{mission['id']}/tests/{handed_over['id']}/detections"
    edr = {"tool_id": tools["EDR"], "detection_level_id": levels["Alerted"], "rule_ref": "R-1"}

    def save(rows):
        response = client.put(url, json=rows, headers=team.blue)
        assert response.status_code == 200, response.json

    def recorded() -> int:
        return sum(
            n["kind"] == "mission_test.detection_recorded" for n in notifications(client, team.red)
        )

    save([edr])
    save([edr])  # the same outcomes again: no news
    assert recorded() == 1

    save([{**edr, "rule_ref": "R-2"}])
    assert recorded() == 2


def test_a_failed_change_notifies_nobody(client, team, mission, add_test):
    test = add_test(mission["id"])
    before = unread(client, team.blue)

    refused = client.patch(
        f"/api/v1/missions/{mission['id']}/tests/{test['id']}",
        json={"state": "waiting_blue", "detection_notes": "blue field"},
        headers=team.red,
    )

    assert refused.status_code == 403
    assert unread(client, team.blue) == before


def test_read_one_then_read_all_and_the_count_in_me(client, team, mission, add_test):
    for name in ("A", "B"):
        test = add_test(mission["id"], name=name)
        move(client, mission["id"], test["id"], team.red, "in_progress", "waiting_blue")
    assert unread(client, team.blue) == 3
    newest = notifications(client, team.blue)[0]

    read = client.post(f"/api/v1/notifications/{newest['id']}/read", headers=team.blue)

    assert read.status_code == 200 and read.json["read_at"] is not None
    assert unread(client, team.blue) == 2
    # The list selects columns as rows; an item is what the object answers, field for field.
    assert notifications(client, team.blue, unread="false") == [read.json]
    assert newest == {**read.json, "read_at": None}
    everything = client.post("/api/v1/notifications/read-all", headers=team.blue)
    assert everything.status_code == 200 and everything.json == {"marked": 2}
    assert unread(client, team.blue) == 0
    assert notifications(client, team.blue, unread="true") == []


def test_another_users_notification_is_404(client, team, mission):
    [theirs] = notifications(client, team.blue)

    response = client.post(f"/api/v1/notifications/{theirs['id']}/read", headers=team.red)

    assert response.status_code == 404
    assert notifications(client, team.blue, unread="true")[0]["id"] == theirs["id"]


def test_the_unread_rows_have_a_partial_index(db_connection):
    definition = db_connection.execute(
        text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_notifications_unread'")
    ).scalar_one()
    assert "WHERE (read_at IS NULL)" in definition


def test_the_list_is_a_constant_number_of_statements(
    client, team, mission, add_test, count_statements
):
    for name in ("A", "B", "C"):
        test = add_test(mission["id"], name=name)
        move(client, mission["id"], test["id"], team.red, "in_progress", "waiting_blue")

    with count_statements() as one:
        client.get("/api/v1/notifications?limit=1", headers=team.blue)
    with count_statements() as four:
        client.get("/api/v1/notifications?limit=4", headers=team.blue)

    assert one.count == four.count


def test_a_token_bound_to_a_workspace_sees_only_that_workspaces_notifications(
    client, team, make_mission, make_workspace, make_user, auth_header
):
    """A token bound to workspace B acts only there (docs/api.md, "Workspaces"): the titles of
    workspace A's notifications (mission and test names) are not its to read or mark read."""
    consultant = make_user(perms=["mission.create"])
    headers = auth_header(consultant)
    other = make_workspace(members=[consultant])
    # In the default workspace: the team's lead adds the consultant to "Client A audit".
    mission = make_mission("Client A audit")
    members = [
        {"user_id": team.ids["lead"], "role": "lead"},
        {"user_id": str(consultant.id), "role": "red"},
    ]
    url = f"/api/v1/missions/{mission['id']}/members"
    assert client.put(url, json=members, headers=team.lead).status_code == 200
    created = client.post(
        "/api/v1/auth/tokens",
        json={
            "name": "client B only",
            "permissions": [],
            "mission_access": "read",
            "workspace_id": str(other.id),
        },
        headers=headers,
    )
    bound = {"Authorization": f"Bearer {created.json['token']}"}
    [theirs] = notifications(client, headers)

    listed = notifications(client, bound)
    marked = client.post(f"/api/v1/notifications/{theirs['id']}/read", headers=bound)
    marked_all = client.post("/api/v1/notifications/read-all", headers=bound)

    assert theirs["title"] == "You joined Client A audit as red"
    assert listed == []
    assert unread(client, bound) == 0
    assert marked.status_code == 404
    assert marked_all.json == {"marked": 0}
    assert unread(client, headers) == 1, "the owner's session still has it unread"


def test_reopening_an_archived_mission_as_completed_notifies_nobody(client, team, mission):
    """Its members heard it was completed when it was; a lead reopening the closed record
    months later (to fix a note) completes nothing."""
    url = f"/api/v1/missions/{mission['id']}"
    for status in ("completed", "archived", "completed"):
        response = client.patch(url, json={"status": status}, headers=team.lead)
        assert response.status_code == 200, response.json

    titles = [item["title"] for item in notifications(client, team.blue)]
    assert titles.count("Purple week is completed") == 1


def test_a_deleted_missions_notifications_are_hidden_until_it_is_restored(
    client, team, make_mission, add_test, make_user, make_workspace
):
    """A deleted mission's notifications stayed in the bell (counted unread) and linked to a
    mission that answers 404. They are hidden while it is deleted, and back, unread, once it is
    restored; another mission's stay as they were."""
    gone = make_mission("Red week")
    kept = make_mission("Blue week")
    test = add_test(gone["id"], name="Kerberoasting")
    move(client, gone["id"], test["id"], team.red, "in_progress", "waiting_blue")
    before = notifications(client, team.blue)
    assert unread(client, team.blue) == 3
    hand_over = next(n for n in before if n["kind"] == "mission_test.handed_to_blue")

    url = f"/api/v1/missions/{gone['id']}"
    assert client.delete(url, headers={**team.lead, "If-Match": "*"}).status_code == 204

    assert [n["mission_id"] for n in notifications(client, team.blue)] == [kept["id"]]
    assert notifications(client, team.blue, unread="true") == notifications(client, team.blue)
    assert unread(client, team.blue) == 1
    read = client.post(f"/api/v1/notifications/{hand_over['id']}/read", headers=team.blue)
    assert read.status_code == 404
    marked = client.post("/api/v1/notifications/read-all", headers=team.blue)
    assert marked.json == {"marked": 1}  # the live mission's only

    assert client.post(f"{url}/restore", headers=team.lead).status_code == 200
    back = notifications(client, team.blue, unread="true")
    assert sorted(n["id"] for n in back) == sorted(
        n["id"] for n in before if n["mission_id"] == gone["id"]
    )
    assert unread(client, team.blue) == 2


def test_notifications_of_a_live_mission_are_listed_from_another_workspace(
    client, team, mission, make_workspace, make_user, auth_header
):
    """Whether a notification's mission is live is read whatever workspace the caller acts in:
    a user's notifications are theirs in every workspace."""
    blue = client.get("/api/v1/auth/me", headers=team.blue).json
    other = make_workspace(members=[make_user(), *[_user(blue["id"])]])
    headers = {**team.blue, "X-Violet-Workspace": other.slug}
    assert client.get("/api/v1/workspaces/current", headers=headers).json["slug"] == other.slug

    assert [n["mission_id"] for n in notifications(client, headers)] == [mission["id"]]
    assert unread(client, headers) == 1


def _user(user_id):
    from violet.auth.models import User
    from violet.extensions import db

    return db.session.get(User, user_id)


def test_a_removed_tests_notifications_are_hidden_until_it_is_restored(
    client, team, mission, add_test
):
    """A test removed from the mission (added by mistake) left its hand-over in blue's bell,
    counted unread, linking to a test that answers 404 (the mission page opened without it).
    Like a deleted mission's, its notifications are hidden while it is removed and back, as
    they were, once it is restored; the mission's others stay."""
    gone = add_test(mission["id"], name="Kerberoasting")
    kept = add_test(mission["id"], name="DCSync")
    for test in (gone, kept):
        move(client, mission["id"], test["id"], team.red, "in_progress", "waiting_blue")
    before = notifications(client, team.blue)
    assert unread(client, team.blue) == 3  # joined the mission, two hand-overs
    hand_over = next(n for n in before if n["mission_test_id"] == gone["id"])

    url = f"/api/v1/missions/{mission['id']}/tests/{gone['id']}"
    assert client.delete(url, headers={**team.lead, "If-Match": "*"}).status_code == 204

    listed = notifications(client, team.blue)
    assert gone["id"] not in [n["mission_test_id"] for n in listed]
    assert [n["id"] for n in listed] == [n["id"] for n in before if n["id"] != hand_over["id"]]
    assert unread(client, team.blue) == 2
    read = client.post(f"/api/v1/notifications/{hand_over['id']}/read", headers=team.blue)
    assert read.status_code == 404
    assert client.post("/api/v1/notifications/read-all", headers=team.blue).json == {"marked": 2}

    assert client.post(f"{url}/restore", headers=team.lead).status_code == 200
    back = notifications(client, team.blue, unread="true")
    assert [n["id"] for n in back] == [hand_over["id"]]
    assert unread(client, team.blue) == 1


def test_a_deleted_workspaces_notifications_are_hidden_until_it_is_restored(
    client, team, make_workspace, admin, admin_header
):
    """An administrator deleted a workspace holding a mission (confirm=true): its missions stay
    as they were, out of reach, but their notifications stayed in blue's bell, counted unread,
    each linking to a mission that answers 404. They are hidden while the workspace is deleted,
    like a deleted mission's, and back, unread, once it is restored."""
    members = [_user(team.ids[role]) for role in ("lead", "red", "blue", "viewer")]
    workspace = make_workspace(members=[*members, admin])
    acting = {"X-Violet-Workspace": workspace.slug}
    lead, red = {**team.lead, **acting}, {**team.red, **acting}
    mission = client.post("/api/v1/missions", json={"name": "Branch office"}, headers=lead).json
    roles = [{"user_id": team.ids[role], "role": role} for role in ("lead", "red", "blue")]
    url = f"/api/v1/missions/{mission['id']}"
    assert client.put(f"{url}/members", json=roles, headers=lead).status_code == 200
    test = client.post(f"{url}/tests", json={"name": "Kerberoasting"}, headers=lead).json
    move(client, mission["id"], test["id"], red, "in_progress", "waiting_blue")
    before = notifications(client, team.blue)
    assert len(before) == unread(client, team.blue) == 2  # joined, then the hand-over

    deleted = client.delete(
        f"/api/v1/workspaces/{workspace.id}", query_string={"confirm": "true"}, headers=admin_header
    )
    assert deleted.status_code == 204

    assert notifications(client, team.blue) == []
    assert unread(client, team.blue) == 0
    read = client.post(f"/api/v1/notifications/{before[0]['id']}/read", headers=team.blue)
    assert read.status_code == 404
    assert client.post("/api/v1/notifications/read-all", headers=team.blue).json == {"marked": 0}

    restored = client.post(f"/api/v1/workspaces/{workspace.id}/restore", headers=admin_header)
    assert restored.status_code == 200, restored.json
    assert notifications(client, team.blue, unread="true") == before
    assert unread(client, team.blue) == 2


def test_a_removed_members_notifications_are_hidden_until_they_are_added_back(
    client, team, make_mission, add_test, make_user, auth_header
):
    """Blue, removed from a mission, kept its notifications (counted unread) and each linked
    to a mission that answers 404 to blue. They are hidden while blue may not read the
    mission, and back as they were once blue is added again; a `mission.read_all` holder, who
    may still read it, keeps theirs."""
    gone = make_mission("Red week")
    kept = make_mission("Blue week")
    test = add_test(gone["id"], name="Kerberoasting")
    move(client, gone["id"], test["id"], team.red, "in_progress", "waiting_blue")
    auditor = make_user(perms=["mission.read_all"])
    members_url = f"/api/v1/missions/{gone['id']}/members"
    everyone = client.get(members_url, headers=team.lead).json
    with_auditor = [{"user_id": m["user_id"], "role": m["role"]} for m in everyone] + [
        {"user_id": str(auditor.id), "role": "viewer"}
    ]
    assert client.put(members_url, json=with_auditor, headers=team.lead).status_code == 200
    before = notifications(client, team.blue)
    assert unread(client, team.blue) == 3
    hand_over = next(n for n in before if n["kind"] == "mission_test.handed_to_blue")

    without = [m for m in with_auditor if m["user_id"] not in (team.ids["blue"], str(auditor.id))]
    assert client.put(members_url, json=without, headers=team.lead).status_code == 200

    assert client.get(f"/api/v1/missions/{gone['id']}", headers=team.blue).status_code == 404
    assert [n["mission_id"] for n in notifications(client, team.blue)] == [kept["id"]]
    assert notifications(client, team.blue, unread="true") == notifications(client, team.blue)
    assert unread(client, team.blue) == 1
    read = client.post(f"/api/v1/notifications/{hand_over['id']}/read", headers=team.blue)
    assert read.status_code == 404
    marked = client.post("/api/v1/notifications/read-all", headers=team.blue)
    assert marked.json == {"marked": 1}  # the other mission's only
    # The auditor still reads the mission: their "You joined" stays.
    auditor_header = auth_header(auditor)
    assert client.get(f"/api/v1/missions/{gone['id']}", headers=auditor_header).status_code == 200
    assert [n["mission_id"] for n in notifications(client, auditor_header)] == [gone["id"]]
    assert unread(client, auditor_header) == 1

    assert client.put(members_url, json=with_auditor, headers=team.lead).status_code == 200
    back = notifications(client, team.blue, unread="true")
    old = {n["id"] for n in before if n["mission_id"] == gone["id"]}
    assert old < {n["id"] for n in back}
    assert {n["kind"] for n in back if n["id"] not in old} == {"mission.member_added"}
    assert unread(client, team.blue) == 3
