"""The audit trail: what a team does over the API is recorded, readable with `audit.read`.

Events are written by the same flush as the change they record, so a refused or failed request
leaves none; secrets never reach the trail; a workspace reads its own events and the
instance-wide ones.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from tests.missions.conftest import move
from violet.extensions import db

EVENTS = "/api/v1/audit-events"


@pytest.fixture
def auditor(user_header) -> dict[str, str]:
    return user_header(perms=["audit.read"])


def events(client, headers, **query) -> list[dict]:
    response = client.get(EVENTS, query_string={"limit": 500, **query}, headers=headers)
    assert response.status_code == 200, response.json
    return response.json["items"]


def test_a_state_change_names_who_what_and_from_what_to_what(
    client, team, mission, add_test, auditor
):
    test = add_test(mission["id"])
    move(client, mission["id"], test["id"], team.red, "in_progress")

    [changed] = events(client, auditor, object_id=test["id"], action="mission_test.update")

    assert changed["changes"]["state"] == {"from": "pending", "to": "in_progress"}
    assert changed["actor_id"] == team.ids["red"]
    assert changed["actor_email"].endswith("@example.test")
    assert changed["object_label"] == "Encoded PowerShell"
    assert changed["mission_id"] == mission["id"]
    assert changed["mission_name"] == "Purple week"
    assert changed["workspace_id"] is not None
    assert changed["ip_address"] == "127.0.0.1"
    assert changed["request_id"]
    created = events(client, auditor, object_id=test["id"], action="mission_test.create")
    assert [event["actor_id"] for event in created] == [team.ids["lead"]]
    # Everything that happened in the mission, newest first.
    actions = [event["action"] for event in events(client, auditor, mission_id=mission["id"])]
    assert actions[:2] == ["mission_test.update", "mission_test.create"]
    assert "mission.create" in actions and "mission.members_replaced" in actions


def test_recorded_detections_name_each_tool_and_level(
    client, team, mission, add_test, tools, levels, auditor
):
    test = add_test(mission["id"])
    move(client, mission["id"], test["id"], team.red, "in_progress", "waiting_blue")
    outcome = [
        {"tool_id": tools["EDR"], "detection_level_id": levels["Alerted"]},
        {"tool_id": tools["SIEM"], "detection_level_id": levels["Logged"]},
    ]
    url = f"/api/v1/missions/{mission['id']}/tests/{test['id']}/detections"
    assert client.put(url, json=outcome, headers=team.blue).status_code == 200

    [replaced] = events(client, auditor, action="mission_test.detections_replaced")
    assert replaced["actor_id"] == team.ids["blue"]
    assert replaced["changes"]["detections"] == {
        "from": {},
        "to": {tools["EDR"]: levels["Alerted"], tools["SIEM"]: levels["Logged"]},
    }
    [level] = [
        event
        for event in events(client, auditor, object_id=test["id"], action="mission_test.update")
        if "detection_level_id" in event["changes"]
    ]
    assert level["changes"]["detection_level_id"] == {"from": None, "to": levels["Alerted"]}
    # The same outcome again changes nothing, and records nothing.
    assert client.put(url, json=outcome, headers=team.blue).status_code == 200
    assert len(events(client, auditor, action="mission_test.detections_replaced")) == 1


def test_member_changes_name_each_member_and_role(client, team, mission, auditor):
    members = [
        {"user_id": team.ids["lead"], "role": "lead"},
        {"user_id": team.ids["red"], "role": "blue"},
        {"user_id": team.ids["viewer"], "role": "viewer"},
    ]
    url = f"/api/v1/missions/{mission['id']}/members"
    assert client.put(url, json=members, headers=team.lead).status_code == 200
    assert client.put(url, json=members, headers=team.lead).status_code == 200  # no change

    replaced = events(client, auditor, action="mission.members_replaced")

    assert len(replaced) == 2  # the fixture's members, then this change
    change = replaced[0]["changes"]["members"]
    emails = {
        role: client.get("/api/v1/auth/me", headers=getattr(team, role)).json["email"]
        for role in ("red", "blue")
    }
    assert change == {
        "added": [f"{emails['red']} (blue)"],
        "removed": sorted([f"{emails['red']} (red)", f"{emails['blue']} (blue)"]),
    }
    assert replaced[0]["object_label"] == "Purple week"


def test_delete_and_restore_are_their_own_actions(client, team, mission, auditor):
    url = f"/api/v1/missions/{mission['id']}"
    assert client.delete(url, headers=team.lead).status_code == 204
    assert client.post(f"{url}/restore", headers=team.lead).status_code == 200

    actions = [event["action"] for event in events(client, auditor, object_id=mission["id"])]

    assert actions[:2] == ["mission.restore", "mission.delete"]


def test_a_notes_removal_names_its_author_and_test(client, team, mission, add_test, auditor):
    """The lead may delete anyone's note: the trail says whose it was and on which test."""
    test = add_test(mission["id"])
    url = f"/api/v1/missions/{mission['id']}"
    note = client.post(
        f"{url}/tests/{test['id']}/notes", json={"content": "pw hunter2"}, headers=team.blue
    ).json

    assert client.delete(f"{url}/notes/{note['id']}", headers=team.lead).status_code == 204

    response = client.get(
        EVENTS,
        query_string={"object_id": note["id"], "action": "mission_note.remove"},
        headers=auditor,
    )
    [removed] = response.json["items"]
    assert removed["actor_id"] == team.ids["lead"]
    assert removed["changes"] == {
        "author_id": {"from": team.ids["blue"], "to": None},
        "created_by": {"from": note["created_by"], "to": None},
        "mission_test_id": {"from": test["id"], "to": None},
    }
    assert response.json["user_emails"][team.ids["blue"]] == note["created_by"]
    # The note's text is not kept anywhere in the trail: the pasted password went with it.
    trail = client.get(EVENTS, query_string={"object_id": note["id"]}, headers=auditor).json
    assert [event["object_label"] for event in trail["items"]] == [note["created_by"]] * 2
    assert "hunter2" not in json.dumps(trail)


def test_a_refused_request_records_nothing(client, team, mission, add_test, auditor):
    test = add_test(mission["id"])
    url = f"/api/v1/missions/{mission['id']}/tests/{test['id']}"
    before = len(events(client, auditor))

    assert client.patch(url, json={"state": "completed"}, headers=team.red).status_code == 409
    assert client.patch(url, json={"red_notes": "x"}, headers=team.blue).status_code == 403
    assert client.patch(url, json={"state": "nope"}, headers=team.red).status_code == 422
    assert (
        client.patch(
            url, json={"state": "in_progress"}, headers={**team.red, "If-Match": "9"}
        ).status_code
        == 412
    )

    assert len(events(client, auditor)) == before


def test_rights_and_accounts_are_recorded_without_secrets(
    client, admin_header, make_user, make_group, auditor
):
    analysts = make_group("Analysts-audit", perms=["test_template.read"])
    operators = make_group("Operators-audit", perms=["mission.create"])
    user = make_user("dana@example.test", groups=[analysts])
    url = f"/api/v1/users/{user.id}"

    changed = client.patch(
        url, json={"group_ids": [str(operators.id)], "is_active": False}, headers=admin_header
    )
    assert changed.status_code == 200, changed.json
    [update] = events(client, auditor, object_id=str(user.id), action="user.update")
    assert update["changes"] == {
        "is_active": {"from": True, "to": False},
        "groups": {"added": ["Operators-audit"], "removed": ["Analysts-audit"]},
    }
    assert update["object_label"] == "dana@example.test"

    group_url = f"/api/v1/groups/{operators.id}"
    response = client.patch(
        group_url, json={"permissions": ["mission.create", "user.read"]}, headers=admin_header
    )
    assert response.status_code == 200, response.json
    [granted] = events(client, auditor, object_id=str(operators.id), action="group.update")
    assert granted["changes"]["permissions"] == {"added": ["user.read"], "removed": []}

    # A password change is recorded as such; no hash, secret or token reaches the trail.
    me = make_user("erin@example.test")
    login = client.post(
        "/api/v1/auth/login", json={"email": me.email, "password": "correct horse battery"}
    )
    assert login.status_code == 200, login.json
    headers = {"Authorization": f"Bearer {login.json['access_token']}"}
    password = {
        "current_password": "correct horse battery",
        "new_password": "a new long passphrase",
    }
    assert client.post("/api/v1/auth/password", json=password, headers=headers).status_code == 204
    mine = [event["action"] for event in events(client, auditor, object_id=str(me.id))]
    assert mine[:2] == ["auth.password_changed", "auth.login"]
    everything = json.dumps(events(client, auditor))
    for secret in ("password_hash", "$argon2", "mfa_secret", "token_hash", "correct horse"):
        assert secret not in everything


def test_an_administrators_password_reset_is_recorded(
    client, admin, admin_header, make_user, auditor
):
    # It changes only columns the trail never shows (the hash), so nothing was recorded: an
    # administrator could reset a password and sign in as its owner without a trace.
    user = make_user("gina@example.test")

    reset = client.patch(
        f"/api/v1/users/{user.id}",
        json={"password": "a brand new passphrase"},
        headers=admin_header,
    )

    assert reset.status_code == 200, reset.json
    [event] = events(client, auditor, object_id=str(user.id), action="auth.password_reset")
    assert (event["actor_id"], event["object_label"]) == (str(admin.id), "gina@example.test")
    assert "a brand new passphrase" not in json.dumps(events(client, auditor))


def test_a_creation_records_what_it_grants(client, admin_header, auditor, default_workspace):
    # Every create event had "changes": null: which groups a user was made in, which
    # permissions a group or a token carries, could not be read from the trail.
    group = client.post(
        "/api/v1/groups",
        json={"name": "Escalated", "permissions": ["user.manage", "user.read"]},
        headers=admin_header,
    ).json
    user = client.post(
        "/api/v1/users",
        json={
            "email": "ivan@example.test",
            "password": "a long enough password",
            "group_ids": [group["id"]],
        },
        headers=admin_header,
    ).json
    invitation = client.post(
        "/api/v1/invitations",
        json={"email": "judy@example.test", "group_ids": [group["id"]]},
        headers=admin_header,
    ).json
    token = client.post(
        "/api/v1/auth/tokens",
        json={
            "name": "robot",
            "permissions": ["user.read"],
            "mission_access": "read",
            "workspace_id": str(default_workspace.id),
        },
        headers=admin_header,
    ).json

    def creation(object_id: str) -> dict:
        [event] = [
            e
            for e in events(client, auditor, object_id=object_id)
            if e["action"].endswith(".create")
        ]
        return event["changes"]

    assert creation(group["id"]) == {
        "permissions": {"added": ["user.manage", "user.read"], "removed": []}
    }
    assert creation(user["id"]) == {"groups": {"added": ["Escalated"], "removed": []}}
    assert creation(invitation["id"])["groups"] == {"added": ["Escalated"], "removed": []}
    granted = creation(token["id"])
    assert granted["permissions"] == {"from": None, "to": ["user.read"]}
    assert granted["mission_access"] == {"from": None, "to": "read"}
    assert granted["workspace_id"] == {"from": None, "to": str(default_workspace.id)}
    assert token["token"] not in json.dumps(granted)
    unbound = client.post(
        "/api/v1/auth/tokens", json={"name": "anywhere", "permissions": []}, headers=admin_header
    ).json
    assert "workspace_id" not in creation(unbound["id"])


def test_sign_ins_and_failed_ones_name_the_email_and_address(client, make_user, auditor):
    user = make_user("frank@example.test")
    client.post(
        "/api/v1/auth/login", json={"email": "frank@example.test", "password": "wrong one!!"}
    )
    client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.test", "password": "whatever12"}
    )
    client.post(
        "/api/v1/auth/login",
        json={"email": "Frank@example.test", "password": "correct horse battery"},
    )

    recorded = events(client, auditor, action="auth.")

    assert [(e["action"], e["actor_email"], e["object_id"]) for e in recorded[:3]] == [
        ("auth.login", "frank@example.test", str(user.id)),
        ("auth.login_failed", "nobody@example.test", None),
        ("auth.login_failed", "frank@example.test", str(user.id)),
    ]
    assert recorded[1]["actor_id"] is None and recorded[0]["actor_id"] == str(user.id)
    assert all(event["ip_address"] == "127.0.0.1" for event in recorded[:3])
    failed = events(client, auditor, q="nobody@")
    assert [event["action"] for event in failed] == ["auth.login_failed"]


def test_the_right_password_for_a_deactivated_account_is_a_failed_sign_in(
    client, make_user, auditor
):
    user = make_user("left@example.test")
    user.is_active = False
    db.session.commit()

    refused = client.post(
        "/api/v1/auth/login",
        json={"email": "left@example.test", "password": "correct horse battery"},
    )

    assert refused.status_code == 401
    [failed] = events(client, auditor, action="auth.login_failed", object_id=str(user.id))
    assert (failed["actor_email"], failed["actor_id"]) == ("left@example.test", None)


def test_a_workspaces_members_are_recorded_in_it(client, make_user, make_workspace, auth_header):
    # Membership decides who reads and changes a workspace's data; it was not recorded at all.
    admin = make_user("wsadmin@example.test", perms=["workspace.manage", "audit.read"])
    stays = make_user("stays@example.test")
    leaves = make_user("leaves@example.test")
    joins = make_user("joins@example.test")
    workspace = make_workspace("acme", members=[admin, stays, leaves])
    headers = {**auth_header(admin), "X-Violet-Workspace": "acme"}
    members = [{"user_id": str(user.id)} for user in (admin, stays, joins)]

    changed = client.put(
        f"/api/v1/workspaces/{workspace.id}/members", json=members, headers=headers
    )
    same = client.put(f"/api/v1/workspaces/{workspace.id}/members", json=members, headers=headers)

    assert (changed.status_code, same.status_code) == (200, 200)
    [event] = events(client, headers, action="workspace.members_replaced")
    assert event["changes"] == {
        "members": {"added": ["joins@example.test"], "removed": ["leaves@example.test"]}
    }
    assert (event["actor_id"], event["workspace_id"]) == (str(admin.id), str(workspace.id))
    assert event["object_label"] == workspace.name


def test_a_deleted_workspaces_own_events_are_read_by_those_who_may_see_it(
    client, make_user, make_workspace, auth_header
):
    # A deleted workspace cannot be acted in, so its deletion, recorded in it, was read by nobody.
    admin = make_user("wsadmin@example.test", perms=["workspace.manage", "audit.read"])
    stranger = make_user("stranger@example.test", perms=["audit.read"])
    gone = make_workspace("gone", members=[admin])
    headers = auth_header(admin)

    deleted = client.delete(
        f"/api/v1/workspaces/{gone.id}", query_string={"confirm": "true"}, headers=headers
    )

    assert deleted.status_code == 204
    seen = [event["action"] for event in events(client, headers, object_id=str(gone.id))]
    assert seen[0] == "workspace.delete"
    assert events(client, auth_header(stranger), object_id=str(gone.id)) == []


def test_only_audit_read_reads_the_trail(client, user_header, admin_header):
    assert client.get(EVENTS).status_code == 401
    assert client.get(EVENTS, headers=user_header(perms=["user.read"])).status_code == 403
    assert client.get(EVENTS, headers=admin_header).status_code == 200


def test_a_workspace_reads_its_own_events_and_the_instance_wide_ones(
    client, make_user, make_workspace, auth_header
):
    lead = make_user(perms=["mission.create", "audit.read"])
    make_workspace("elsewhere", members=[lead])
    headers = auth_header(lead)
    elsewhere = {**headers, "X-Violet-Workspace": "elsewhere"}
    here = client.post("/api/v1/missions", json={"name": "Here"}, headers=headers).json
    there = client.post("/api/v1/missions", json={"name": "There"}, headers=elsewhere).json
    client.post("/api/v1/auth/login", json={"email": "ghost@example.test", "password": "x" * 12})

    seen_here = {event["object_id"] for event in events(client, headers)}
    seen_there = {event["object_id"] for event in events(client, elsewhere)}

    assert here["id"] in seen_here and there["id"] not in seen_here
    assert there["id"] in seen_there and here["id"] not in seen_there
    failed = [
        event for event in events(client, elsewhere) if event["action"] == "auth.login_failed"
    ]
    assert failed and failed[0]["workspace_id"] is None


def test_filters_by_time_and_refuses_a_time_without_offset(client, team, mission, auditor):
    now = datetime.now(UTC)
    later = (now + timedelta(hours=1)).isoformat()
    earlier = (now - timedelta(hours=1)).isoformat()

    assert events(client, auditor, since=later) == []
    assert events(client, auditor, until=earlier) == []
    assert any(
        event["object_id"] == mission["id"] for event in events(client, auditor, since=earlier)
    )
    naive = client.get(EVENTS, query_string={"since": "2026-12-01T10:00:00"}, headers=auditor)
    assert naive.status_code == 422
    assert "since" in naive.json["errors"]


def test_purge_keeps_the_recent_events(
    app, client, team, mission, add_test, auditor, db_connection
):
    test = add_test(mission["id"])
    db_connection.execute(
        text(
            "UPDATE audit_events SET occurred_at = now() - interval '400 days' "
            "WHERE object_id = :id"
        ),
        {"id": mission["id"]},
    )

    result = app.test_cli_runner().invoke(args=["audit", "purge", "--days", "365"])

    assert result.exit_code == 0, result.output
    # The mission's creation and its members, a year ago; its test, today.
    assert "Purged 2 audit events older than 365 days." in result.output
    assert [event["object_id"] for event in events(client, auditor)] == [test["id"]]


def test_an_api_token_is_recorded_when_made_and_revoked_not_when_used(
    client, admin_header, auditor, default_workspace
):
    made = client.post(
        "/api/v1/auth/tokens",
        json={
            "name": "CI robot",
            "permissions": ["user.read"],
            "workspace_id": str(default_workspace.id),
        },
        headers=admin_header,
    )
    assert made.status_code == 201, made.json
    robot = {"Authorization": f"Bearer {made.json['token']}"}
    assert client.get("/api/v1/users", headers=robot).status_code == 200  # writes last_used_at
    url = f"/api/v1/auth/tokens/{made.json['id']}"
    assert client.delete(url, headers=admin_header).status_code == 204

    recorded = events(client, auditor, object_id=made.json["id"])

    assert [event["action"] for event in recorded] == ["api_token.update", "api_token.create"]
    assert set(recorded[0]["changes"]) == {"revoked_at"}
    # Tokens are instance-wide, even one bound to a workspace.
    assert {event["workspace_id"] for event in recorded} == {None}
    assert made.json["token"] not in json.dumps(recorded)


def test_the_page_names_the_users_its_changes_hold_by_id_in_one_statement(
    client, team, mission, add_test, auditor, count_statements
):
    test = add_test(mission["id"])
    move(client, mission["id"], test["id"], team.red, "in_progress", "waiting_blue")

    response = client.get(
        EVENTS,
        query_string={"object_id": test["id"], "action": "mission_test.update"},
        headers=auditor,
    )
    [changed] = [event for event in response.json["items"] if "executed_by" in event["changes"]]
    assert changed["changes"]["executed_by"] == {"from": None, "to": team.ids["red"]}
    red_email = changed["actor_email"]
    assert response.json["user_emails"] == {team.ids["red"]: red_email}
    # A page without user ids in its changes says so; the list is still two statements.
    with count_statements() as counter:
        empty = client.get(EVENTS, query_string={"action": "auth.nothing"}, headers=auditor)
    assert empty.json["user_emails"] == {}
    with count_statements() as full:
        client.get(EVENTS, query_string={"limit": 500}, headers=auditor)
    assert len(full.statements) == len(counter.statements)


def make_token(client, headers, name: str, **fields) -> dict:
    made = client.post(
        "/api/v1/auth/tokens",
        json={"name": name, "permissions": [], "mission_access": "write", **fields},
        headers=headers,
    )
    assert made.status_code == 201, made.json
    return made.json


def test_a_write_through_an_api_token_names_the_token_and_a_signed_in_one_does_not(
    client, team, mission, add_test, auditor
):
    """A pipeline's write is told from a person's click: same actor, and the token's id and
    name. Row changes (the flush hook) and recorded events (members) alike."""
    token = make_token(client, team.lead, "ci-import")
    pipeline = {"Authorization": f"Bearer {token['token']}"}
    by_token = client.post(
        f"/api/v1/missions/{mission['id']}/tests", json={"name": "DCSync"}, headers=pipeline
    )
    assert by_token.status_code == 201, by_token.json
    members = [
        {"user_id": team.ids[role], "role": role} for role in ("lead", "red", "blue")
    ]  # the viewer leaves
    replaced = client.put(
        f"/api/v1/missions/{mission['id']}/members", json=members, headers=pipeline
    )
    assert replaced.status_code == 200, replaced.json
    by_person = add_test(mission["id"], "Kerberoasting")

    [created] = events(client, auditor, object_id=by_token.json["id"])
    assert created["action"] == "mission_test.create"
    assert created["actor_id"] == team.ids["lead"]
    assert (created["token_id"], created["token_name"]) == (token["id"], "ci-import")
    [members_event, *_] = events(client, auditor, action="mission.members_replaced")
    assert members_event["changes"]["members"]["removed"]
    assert members_event["token_id"] == token["id"]
    [clicked] = events(client, auditor, object_id=by_person["id"])
    assert clicked["actor_id"] == team.ids["lead"]
    assert (clicked["token_id"], clicked["token_name"]) == (None, None)
    # The token's own creation was made signed in: it names no token.
    [made] = events(client, auditor, object_id=token["id"])
    assert made["token_id"] is None


def test_a_revoked_tokens_events_still_name_it_and_are_found_by_it(
    client, team, mission, add_test, auditor
):
    """After a leak: revoke the token, then list what it did (by id, or by its name)."""
    leaked = make_token(client, team.lead, "ci-import")
    other = make_token(client, team.lead, "nightly export")
    for token, name in ((leaked, "Golden ticket"), (other, "Pass the hash")):
        response = client.post(
            f"/api/v1/missions/{mission['id']}/tests",
            json={"name": name},
            headers={"Authorization": f"Bearer {token['token']}"},
        )
        assert response.status_code == 201, response.json
    add_test(mission["id"], "Kerberoasting")
    revoked = client.delete(f"/api/v1/auth/tokens/{leaked['id']}", headers=team.lead)
    assert revoked.status_code == 204

    done = events(client, auditor, token_id=leaked["id"])

    assert [(event["action"], event["object_label"]) for event in done] == [
        ("mission_test.create", "Golden ticket")
    ]
    assert done[0]["token_name"] == "ci-import"
    # A search by its name: what it did, and the token's own creation and revocation.
    searched = events(client, auditor, q="ci-imp")
    assert [(event["action"], event["object_label"]) for event in searched] == [
        ("api_token.update", "ci-import"),
        ("mission_test.create", "Golden ticket"),
        ("api_token.create", "ci-import"),
    ]
    # The revocation itself was a signed-in request: it names the token as its object only.
    [revocation] = events(client, auditor, object_id=leaked["id"], action="api_token.update")
    assert revocation["token_id"] is None and revocation["object_label"] == "ci-import"
    bad = client.get(EVENTS, query_string={"token_id": "ci-import"}, headers=auditor)
    assert bad.status_code == 422
    assert "token_id" in bad.json["errors"]


def test_a_token_that_revokes_itself_is_named_by_its_revocation(client, team, auditor):
    token = make_token(client, team.lead, "one-shot job")
    url = f"/api/v1/auth/tokens/{token['id']}"

    own = client.delete(url, headers={"Authorization": f"Bearer {token['token']}"})

    assert own.status_code == 204
    [revocation] = events(client, auditor, token_id=token["id"])
    assert revocation["action"] == "api_token.update"
    assert revocation["token_name"] == "one-shot job"


def test_naming_the_token_costs_no_statement(client, team, mission, add_test, count_statements):
    """The token's id and name come from the authentication's own lookup: a write through a
    token reads `api_tokens` once (that lookup), however many events it records."""
    token = make_token(client, team.lead, "ci-import")
    pipeline = {"Authorization": f"Bearer {token['token']}"}
    test = add_test(mission["id"])
    url = f"/api/v1/missions/{mission['id']}/tests/{test['id']}"
    warm = client.patch(url, json={"name": "Renamed once"}, headers=pipeline)
    assert warm.status_code == 200, warm.json  # last_used_at written: not again this minute

    with count_statements() as counter:
        renamed = client.patch(url, json={"name": "Renamed twice"}, headers=pipeline)

    assert renamed.status_code == 200, renamed.json
    touching_tokens = [sql for sql in counter.statements if "api_tokens" in sql]
    assert len(touching_tokens) == 1, touching_tokens
    assert any("INSERT INTO audit_events" in sql for sql in counter.statements)
