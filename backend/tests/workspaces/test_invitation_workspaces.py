"""Invitations into workspaces: who may name which, what the list shows, where the invitee lands."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from violet.auth.models import Invitation, invitation_workspaces
from violet.extensions import db
from violet.workspaces.models import Workspace, WorkspaceMember

PASSWORD = "invited person password"


def invite(client, headers, email="guest@example.test", **extra):
    return client.post("/api/v1/invitations", json={"email": email, **extra}, headers=headers)


def accept(client, token):
    return client.post(
        "/api/v1/invitations/accept",
        json={"token": token, "display_name": "Guest", "password": PASSWORD},
    )


def workspaces_of(user_id) -> set[uuid.UUID]:
    return set(
        db.session.scalars(
            select(WorkspaceMember.workspace_id).where(WorkspaceMember.user_id == user_id)
        )
    )


def test_the_invitee_joins_exactly_the_named_workspaces_and_acts_in_them(
    client, make_user, auth_header, make_workspace
):
    inviter = make_user(perms=["invitation.manage"])
    red = make_workspace("red-team", members=[inviter], name="Red team")
    blue = make_workspace("blue-team", members=[inviter], name="Blue team")
    make_workspace("not-named", members=[inviter])

    created = invite(
        client, auth_header(inviter), workspace_ids=[str(red.id), str(blue.id), str(red.id)]
    )
    assert created.status_code == 201
    assert created.json["workspaces"] == [
        {"id": str(blue.id), "name": "Blue team"},
        {"id": str(red.id), "name": "Red team"},
    ]
    accepted = accept(client, created.json["token"])
    assert accepted.status_code == 201

    headers = {"Authorization": f"Bearer {accepted.json['access_token']}"}
    mine = client.get("/api/v1/workspaces", headers=headers)
    assert sorted(item["slug"] for item in mine.json["items"]) == ["blue-team", "red-team"]
    current = client.get(
        "/api/v1/workspaces/current", headers={**headers, "X-Violet-Workspace": "blue-team"}
    )
    assert current.status_code == 200
    assert current.json["id"] == str(blue.id)


def test_a_workspace_the_inviter_cannot_see_is_refused_and_nothing_is_written(
    client, make_user, auth_header, make_workspace
):
    inviter = make_user(perms=["invitation.manage"])
    own = make_workspace("own", members=[inviter])
    elsewhere = make_workspace("elsewhere")

    for unseen in (elsewhere.id, uuid.uuid4()):
        response = invite(client, auth_header(inviter), workspace_ids=[str(own.id), str(unseen)])
        assert response.status_code == 422
        assert response.headers["Content-Type"] == "application/problem+json"
        assert str(unseen) in response.json["errors"]["workspace_ids"][0]
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
    assert db.session.scalar(select(func.count()).select_from(invitation_workspaces)) == 0


def test_read_all_lets_an_inviter_name_a_workspace_they_do_not_belong_to(
    client, make_user, auth_header, make_workspace
):
    inviter = make_user(perms=["invitation.manage", "workspace.read_all"])
    elsewhere = make_workspace("elsewhere")
    created = invite(client, auth_header(inviter), workspace_ids=[str(elsewhere.id)])
    assert created.status_code == 201
    accepted = accept(client, created.json["token"])
    assert workspaces_of(uuid.UUID(accepted.json["user"]["id"])) == {elsewhere.id}


def test_too_many_workspaces_are_refused(client, admin_header):
    response = invite(client, admin_header, workspace_ids=[str(uuid.uuid4()) for _ in range(51)])
    assert response.status_code == 422
    assert "workspace_ids" in response.json["errors"]


def test_without_workspaces_the_invitee_joins_the_default_one(
    client, admin_header, default_workspace
):
    created = invite(client, admin_header, workspace_ids=[])
    assert created.json["workspaces"] == []
    accepted = accept(client, created.json["token"])
    assert workspaces_of(uuid.UUID(accepted.json["user"]["id"])) == {default_workspace.id}


def test_a_workspace_deleted_since_is_skipped_and_none_left_means_the_default(
    client, admin, admin_header, make_workspace, default_workspace
):
    kept = make_workspace("kept", members=[admin])
    gone = make_workspace("gone", members=[admin])
    some_left = invite(
        client, admin_header, "a@example.test", workspace_ids=[str(kept.id), str(gone.id)]
    ).json
    none_left = invite(client, admin_header, "b@example.test", workspace_ids=[str(gone.id)]).json
    db.session.get(Workspace, gone.id).soft_delete()
    db.session.commit()

    listed = client.get("/api/v1/invitations?sort=email", headers=admin_header).json["items"]
    assert [item["workspaces"] for item in listed] == [
        [{"id": str(kept.id), "name": "Kept"}],
        [],
    ]
    first = accept(client, some_left["token"]).json["user"]["id"]
    second = accept(client, none_left["token"]).json["user"]["id"]
    assert workspaces_of(uuid.UUID(first)) == {kept.id}
    assert workspaces_of(uuid.UUID(second)) == {default_workspace.id}


def test_the_list_runs_a_constant_number_of_statements(
    client, admin, admin_header, make_workspace, count_statements
):
    workspaces = [str(make_workspace(members=[admin]).id) for _ in range(3)]
    invite(client, admin_header, "first@example.test", workspace_ids=workspaces[:1])
    with count_statements() as few:
        client.get("/api/v1/invitations?limit=100", headers=admin_header)
    for number in range(6):
        invite(client, admin_header, f"guest{number}@example.test", workspace_ids=workspaces)
    with count_statements() as many:
        listed = client.get("/api/v1/invitations?limit=100&sort=email", headers=admin_header)
    assert many.count == few.count
    assert [len(item["workspaces"]) for item in listed.json["items"]] == [1] + [3] * 6


def test_the_public_lookup_names_no_workspace(client, admin, admin_header, make_workspace):
    named = make_workspace("secret-client", members=[admin])
    token = invite(client, admin_header, workspace_ids=[str(named.id)]).json["token"]
    lookup = client.get(f"/api/v1/invitations/lookup?token={token}")
    assert lookup.status_code == 200
    assert "workspaces" not in lookup.json
    assert "secret" not in lookup.get_data(as_text=True).lower()


def test_the_list_names_only_the_workspaces_the_caller_sees(
    client, make_user, auth_header, make_workspace, default_workspace
):
    """Another inviter, member of `red` alone, sees the invitation into red and blue with
    red's name and one other workspace, not blue's name (GET /workspaces/{blue} is 404 to them)."""
    both = make_user(perms=["invitation.manage"])
    red = make_workspace("red", members=[both], name="Red team")
    blue = make_workspace("blue", members=[both], name="Blue Corp")
    other = make_user(perms=["invitation.manage"])
    db.session.add(WorkspaceMember(workspace_id=red.id, user_id=other.id))
    db.session.flush()
    created = invite(client, auth_header(both), workspace_ids=[str(red.id), str(blue.id)])
    assert created.status_code == 201, created.json

    seen = client.get("/api/v1/invitations", headers=auth_header(other)).json["items"]
    by_both = client.get("/api/v1/invitations", headers=auth_header(both)).json["items"]

    assert [(item["workspaces"], item["other_workspaces"]) for item in seen] == [
        ([{"id": str(red.id), "name": "Red team"}], 1)
    ]
    assert "Blue Corp" not in str(seen)
    assert [item["other_workspaces"] for item in by_both] == [0]
    assert len(by_both[0]["workspaces"]) == 2
