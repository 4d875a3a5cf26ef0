"""An API token's `mission_access` caps what its owner's memberships give it (docs/security.md,
"API tokens and missions"): `none` is no member anywhere, `read` a viewer who changes nothing,
`write` the owner's own role. Permissions stay the token's own.

The sweeps take the routes from the URL map, as the IDOR sweep does: a new route joins them."""

from __future__ import annotations

import uuid

import pytest

from tests.missions.test_idor import build, mission_scoped_operations

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def token(client):
    """`token(owner_headers, permissions=[], **fields)` → the token's Authorization header."""

    def create(headers, permissions=(), **fields):
        response = client.post(
            "/api/v1/auth/tokens",
            json={"name": "automation", "permissions": list(permissions), **fields},
            headers=headers,
        )
        assert response.status_code == 201, response.json
        return bearer(response.json["token"])

    return create


@pytest.fixture
def objects(client, team, mission, add_test, upload):
    """The team's mission with a test, a category, a note and an evidence file of its lead."""
    mission_id = mission["id"]
    test = add_test(mission_id)
    category = client.post(
        f"/api/v1/missions/{mission_id}/categories", json={"name": "Day 1"}, headers=team.lead
    ).json
    note = client.post(
        f"/api/v1/missions/{mission_id}/notes", json={"content": "Kick-off"}, headers=team.lead
    ).json
    evidence = upload(mission_id, test["id"], team.lead)
    assert evidence.status_code == 201, evidence.json
    return {
        "mission_id": mission_id,
        "test_id": test["id"],
        "category_id": category["id"],
        "note_id": note["id"],
        "evidence_id": evidence.json["id"],
    }


def test_a_new_token_has_no_mission_access_unless_asked(client, team, token):
    token(team.lead)
    token(team.lead, mission_access="read")

    listed = client.get("/api/v1/auth/tokens", headers=team.lead).json["items"]

    assert sorted(item["mission_access"] for item in listed) == ["none", "read"]


def test_an_unknown_mission_access_is_422(client, team):
    response = client.post(
        "/api/v1/auth/tokens",
        json={"name": "x", "permissions": [], "mission_access": "admin"},
        headers=team.lead,
    )

    assert response.status_code == 422
    assert "mission_access" in response.json["errors"]


def test_a_token_without_mission_access_is_no_member_of_its_owners_missions(
    app, client, team, token, objects
):
    as_token = token(team.lead)  # no permissions, the default mission access
    failures = []
    for method, rule in mission_scoped_operations(app):
        response = client.open(build(rule, objects), method=method, json={}, headers=as_token)
        if response.status_code != 404:
            failures.append(f"{method} {rule}: {response.status_code}")

    assert not failures, "\n".join(failures)
    assert client.get("/api/v1/missions", headers=as_token).json["total"] == 0
    across = client.get("/api/v1/coverage", headers=as_token)
    assert across.status_code == 200 and across.json["mission_ids"] == []
    named = client.get(
        "/api/v1/coverage", query_string={"mission_ids": objects["mission_id"]}, headers=as_token
    )
    assert named.status_code == 404
    # Nothing changed, and the owner's own session still leads the mission.
    mission = client.get(f"/api/v1/missions/{objects['mission_id']}", headers=team.lead).json
    assert mission["version"] == 1 and mission["my_role"] == "lead"


def test_a_token_without_mission_access_is_told_why_its_owners_mission_is_404(
    client, team, token, objects
):
    """The lead's CI job gets 404 for the lead's own mission: the answer names the token's
    mission_access, and says the same of a mission that does not exist (no oracle)."""
    as_token = token(team.lead)
    mission_url = f"/api/v1/missions/{objects['mission_id']}"

    own = client.get(mission_url, headers=as_token)
    unknown = client.get(f"/api/v1/missions/{uuid.uuid4()}", headers=as_token)
    across = client.get(
        "/api/v1/coverage", query_string={"mission_ids": objects["mission_id"]}, headers=as_token
    )
    with_read = client.get(mission_url, headers=token(team.lead, mission_access="read"))

    hint = (
        "This API token has mission_access none, so its owner's missions are hidden from it: "
        "create a token with mission_access read or write."
    )
    assert own.status_code == unknown.status_code == across.status_code == 404
    assert own.json["detail"] == unknown.json["detail"] == f"No such mission. {hint}"
    assert across.json["errors"]["mission_ids"] == [
        f"No such mission: {objects['mission_id']}. {hint}"
    ]
    assert with_read.status_code == 200
    # A session is told nothing about tokens.
    outsider = client.get(mission_url, headers=team.outsider)
    assert outsider.json["detail"] == "No such mission."


def test_a_token_without_mission_access_sees_no_notification(client, team, token, objects):
    """The viewer was told "You joined …"; each notification is about a mission."""
    as_token = token(team.viewer)
    mine = client.get("/api/v1/notifications", headers=team.viewer).json["items"]
    assert mine, "the fixture's member list notified the viewer"

    listed = client.get("/api/v1/notifications", headers=as_token)
    marked = client.post(f"/api/v1/notifications/{mine[0]['id']}/read", headers=as_token)
    all_marked = client.post("/api/v1/notifications/read-all", headers=as_token)
    me = client.get("/api/v1/auth/me", headers=as_token)

    assert listed.json["total"] == 0
    assert marked.status_code == 404
    assert all_marked.json == {"marked": 0}
    assert me.json["unread_notifications"] == 0
    unread = client.get("/api/v1/notifications?unread=true", headers=team.viewer).json
    assert unread["total"] == len(mine)


def test_a_read_token_reads_and_exports_but_changes_nothing(app, client, team, token, objects):
    as_token = token(team.lead, mission_access="read")
    mission_url = f"/api/v1/missions/{objects['mission_id']}"

    mission = client.get(mission_url, headers=as_token)
    listed = client.get("/api/v1/missions", headers=as_token).json["items"]
    archive = client.get(f"{mission_url}/export?format=zip", headers=as_token)
    download = client.get(
        f"{mission_url}/evidence/{objects['evidence_id']}/download", headers=as_token
    )
    across = client.get("/api/v1/coverage", headers=as_token)

    assert mission.status_code == 200
    assert (mission.json["my_role"], mission.json["can_manage"]) == ("viewer", False)
    assert [(item["name"], item["my_role"]) for item in listed] == [("Purple week", "viewer")]
    assert archive.status_code == 200, "a viewer downloads the evidence; so may a read token"
    assert download.status_code == 200
    assert across.json["mission_ids"] == [objects["mission_id"]]

    failures = []
    for method, rule in mission_scoped_operations(app):
        if method not in WRITES:
            continue
        response = client.open(build(rule, objects), method=method, json={}, headers=as_token)
        if response.status_code != 403:
            failures.append(f"{method} {rule}: {response.status_code}")
    assert not failures, "\n".join(failures)
    # A note (which a viewer member may write) is refused too, saying why.
    note = client.post(f"{mission_url}/notes", json={"content": "hi"}, headers=as_token)
    assert "mission_access is read" in note.json["detail"]
    after = client.get(mission_url, headers=team.lead).json
    assert after["version"] == 1 and after["deleted_at"] is None
    notes = client.get(f"{mission_url}/notes", headers=team.lead).json["items"]
    assert [item["content"] for item in notes] == ["Kick-off"]


def test_a_write_token_acts_with_its_owners_role(client, team, token, objects):
    as_token = token(team.lead, mission_access="write")
    mission_url = f"/api/v1/missions/{objects['mission_id']}"

    renamed = client.patch(mission_url, json={"name": "Renamed"}, headers=as_token)
    note = client.post(f"{mission_url}/notes", json={"content": "From CI"}, headers=as_token)

    assert renamed.status_code == 200 and renamed.json["my_role"] == "lead"
    assert note.status_code == 201


def test_permissions_still_count_whatever_the_mission_access(
    client, team, make_user, auth_header, token, objects
):
    """`mission.manage_all` and `mission.read_all` are the token's own, not memberships."""
    manager = make_user(perms=["mission.manage_all"])
    reader = make_user(perms=["mission.read_all"])
    mission_url = f"/api/v1/missions/{objects['mission_id']}"

    managing = token(auth_header(manager), ["mission.manage_all"], mission_access="none")
    managing_read = token(auth_header(manager), ["mission.manage_all"], mission_access="read")
    reading = token(auth_header(reader), ["mission.read_all"], mission_access="none")
    renamed = client.patch(mission_url, json={"name": "By manage_all"}, headers=managing)
    noted = client.post(f"{mission_url}/notes", json={"content": "x"}, headers=managing_read)
    seen = client.get(mission_url, headers=reading)
    archive = client.get(f"{mission_url}/export?format=zip", headers=reading)

    assert renamed.status_code == 200
    assert noted.status_code == 201
    assert seen.status_code == 200 and seen.json["my_role"] is None
    assert archive.status_code == 403, "an outsider's rule: the archive is for members"


def test_a_token_without_mission_access_deletes_nothing_its_read_all_shows(
    client, make_user, auth_header, token, upload
):
    """A lead who also holds `mission.read_all` makes a monitoring token (mission access
    `none`): it sees the mission through the permission, but may not delete the note and the
    evidence file its owner wrote there, as a `read` token may not."""
    lead = make_user(perms=["mission.create", "mission.read_all"])
    lead_header = auth_header(lead)
    mission_url = (
        "/api/v1/missions/"
        + client.post("/api/v1/missions", json={"name": "Q3"}, headers=lead_header).json["id"]
    )
    mission_id = mission_url.rsplit("/", 1)[1]
    test = client.post(f"{mission_url}/tests", json={"name": "LSASS"}, headers=lead_header).json
    note = client.post(f"{mission_url}/notes", json={"content": "VPN: x"}, headers=lead_header).json
    evidence = upload(mission_id, test["id"], lead_header).json
    monitoring = token(lead_header, ["mission.read_all"], mission_access="none")

    seen = client.get(mission_url, headers=monitoring)
    note_deleted = client.delete(f"{mission_url}/notes/{note['id']}", headers=monitoring)
    file_deleted = client.delete(f"{mission_url}/evidence/{evidence['id']}", headers=monitoring)

    assert seen.status_code == 200 and seen.json["my_role"] is None
    assert note_deleted.status_code == 403, note_deleted.data
    assert "mission_access" in note_deleted.json["detail"]
    assert file_deleted.status_code == 403, file_deleted.data
    notes = client.get(f"{mission_url}/notes", headers=lead_header).json["items"]
    files = client.get(f"{mission_url}/tests/{test['id']}/evidence", headers=lead_header).json
    assert [item["id"] for item in notes] == [note["id"]]
    assert [item["id"] for item in files["items"]] == [evidence["id"]]
