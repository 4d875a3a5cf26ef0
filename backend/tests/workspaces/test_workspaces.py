"""`/workspaces`: visibility, management rules, members, the current workspace, default flows."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from tests.tenant_probe import create_note
from violet.auth.models import User
from violet.core.domain import declared_permissions
from violet.core.tenancy import acting_in
from violet.extensions import db
from violet.workspaces.models import SLUG_MAX, Workspace, WorkspaceMember

MANAGE = ["workspace.manage"]


def member_ids(workspace_id) -> set[uuid.UUID]:
    return set(
        db.session.scalars(
            select(WorkspaceMember.user_id).where(WorkspaceMember.workspace_id == workspace_id)
        )
    )


def slugs(response) -> list[str]:
    return [item["slug"] for item in response.json["items"]]


# --- nothing to learn for a single team ------------------------------------------------------


def test_new_users_join_the_default_workspace_and_act_in_it(
    client, make_user, auth_header, admin_header, default_workspace
):
    made = make_user()
    created = client.post(
        "/api/v1/users",
        json={"email": "new@example.test", "password": "a long enough password"},
        headers=admin_header,
    )
    assert created.status_code == 201
    assert {made.id, uuid.UUID(created.json["id"])} <= member_ids(default_workspace.id)

    current = client.get("/api/v1/workspaces/current", headers=auth_header(made))
    assert current.status_code == 200
    assert current.json == {"id": str(default_workspace.id), "slug": "default", "name": "Default"}
    mine = client.get("/api/v1/workspaces?mine=true", headers=auth_header(made))
    assert slugs(mine) == ["default"]


def test_accepted_invitations_join_the_default_workspace(client, admin_header, default_workspace):
    invited = client.post(
        "/api/v1/invitations", json={"email": "invitee@example.test"}, headers=admin_header
    )
    accepted = client.post(
        "/api/v1/invitations/accept",
        json={
            "token": invited.json["token"],
            "display_name": "Invitee",
            "password": "a long enough password",
        },
    )
    assert accepted.status_code == 201
    assert uuid.UUID(accepted.json["user"]["id"]) in member_ids(default_workspace.id)


def test_a_new_user_can_be_placed_in_other_workspaces_instead(
    client, make_user, auth_header, make_workspace, default_workspace
):
    creator = make_user(perms=["user.manage"])
    acme = make_workspace("acme", members=[creator])
    body = {"email": "placed@example.test", "password": "a long enough password"}
    created = client.post(
        "/api/v1/users",
        json={**body, "workspace_ids": [str(acme.id)]},
        headers=auth_header(creator),
    )
    assert created.status_code == 201
    user_id = uuid.UUID(created.json["id"])
    assert user_id in member_ids(acme.id)
    assert user_id not in member_ids(default_workspace.id)


def test_no_one_places_a_new_user_in_a_workspace_they_cannot_see(
    client, make_user, auth_header, make_workspace
):
    creator = make_user(perms=["user.manage"])
    elsewhere = make_workspace("elsewhere")
    response = client.post(
        "/api/v1/users",
        json={
            "email": "smuggled@example.test",
            "password": "a long enough password",
            "workspace_ids": [str(elsewhere.id)],
        },
        headers=auth_header(creator),
    )
    assert response.status_code == 422
    assert str(elsewhere.id) in response.json["errors"]["workspace_ids"][0]
    assert member_ids(elsewhere.id) == set()
    assert db.session.scalar(select(User.id).where(User.email == "smuggled@example.test")) is None


def test_a_token_bound_to_a_workspace_places_people_there_not_in_the_default_one(
    client, make_user, auth_header, make_workspace, default_workspace
):
    """The token may not name the default workspace (422): saying nothing must not reach it."""
    perms = ["user.manage", "invitation.manage"]
    creator = make_user(perms=perms)
    acme = make_workspace("acme", members=[creator])
    secret = client.post(
        "/api/v1/auth/tokens",
        json={"name": "onboarding", "permissions": perms, "workspace_id": str(acme.id)},
        headers=auth_header(creator),
    ).json["token"]
    token = {"Authorization": f"Bearer {secret}"}

    created = client.post(
        "/api/v1/users",
        json={"email": "new.analyst@example.test", "password": "a long enough password"},
        headers=token,
    )
    invited = client.post(
        "/api/v1/invitations", json={"email": "invited@example.test"}, headers=token
    )

    assert created.status_code == 201
    user_id = uuid.UUID(created.json["id"])
    assert user_id in member_ids(acme.id)
    assert user_id not in member_ids(default_workspace.id)
    assert invited.status_code == 201
    assert invited.json["workspaces"] == [{"id": str(acme.id), "name": acme.name}]
    # A session keeps the documented default.
    by_session = client.post(
        "/api/v1/users",
        json={"email": "by.session@example.test", "password": "a long enough password"},
        headers=auth_header(creator),
    )
    assert uuid.UUID(by_session.json["id"]) in member_ids(default_workspace.id)


# --- the current workspace -------------------------------------------------------------------


def test_header_selects_a_workspace_by_id_or_slug(client, make_user, auth_header, make_workspace):
    user = make_user()
    other = make_workspace("client-a", members=[user])
    for reference in (str(other.id), "client-a", "CLIENT-A"):
        response = client.get(
            "/api/v1/workspaces/current",
            headers={**auth_header(user), "X-Violet-Workspace": reference},
        )
        assert response.status_code == 200, reference
        assert response.json["slug"] == "client-a"


@pytest.mark.parametrize("reference", ["client-b", "no-such-workspace", str(uuid.uuid4())])
def test_a_workspace_the_caller_does_not_belong_to_is_404(
    client, make_user, auth_header, make_workspace, reference
):
    user = make_user(perms=list(declared_permissions()))  # read_all included
    make_workspace("client-b")
    response = client.get(
        "/api/v1/workspaces/current",
        headers={**auth_header(user), "X-Violet-Workspace": reference},
    )
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert reference in response.json["detail"]


def test_only_the_whole_header_names_a_workspace(client, make_user, auth_header, make_workspace):
    user = make_user()
    longest = "w" * SLUG_MAX
    make_workspace(longest, members=[user])
    for reference in (longest + "x", longest[:-1]):
        response = client.get(
            "/api/v1/workspaces/current",
            headers={**auth_header(user), "X-Violet-Workspace": reference},
        )
        assert response.status_code == 404, reference


def test_a_deleted_workspace_cannot_be_acted_in(client, make_user, auth_header, make_workspace):
    user = make_user()
    gone = make_workspace("gone", members=[user])
    gone.soft_delete()
    db.session.commit()
    response = client.get(
        "/api/v1/workspaces/current", headers={**auth_header(user), "X-Violet-Workspace": "gone"}
    )
    assert response.status_code == 404


def test_a_bad_workspace_header_fails_only_what_reads_a_workspace(
    client, make_user, auth_header, make_workspace
):
    """Instance-wide reads (the caller, the users) do not look for a workspace; a tenant list
    does, and says which one it could not find."""
    user = make_user(perms=["user.read"])
    make_workspace("not-theirs")
    headers = {**auth_header(user), "X-Violet-Workspace": "not-theirs"}
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert client.get("/api/v1/users", headers=headers).status_code == 200
    missions = client.get("/api/v1/missions", headers=headers)
    assert missions.status_code == 404
    assert "not-theirs" in missions.json["detail"]


def test_a_user_in_no_workspace_gets_a_clear_404(client, make_user, auth_header, default_workspace):
    user = make_user()
    db.session.execute(WorkspaceMember.__table__.delete().where(WorkspaceMember.user_id == user.id))
    db.session.commit()
    response = client.get("/api/v1/workspaces/current", headers=auth_header(user))
    assert response.status_code == 404
    assert "belong to no workspace" in response.json["detail"]


def test_authentication_finds_the_workspace_in_its_own_statement(
    client, make_user, auth_header, make_workspace, count_statements
):
    user = make_user()
    make_workspace("client-e", members=[user])
    for headers in (auth_header(user), {**auth_header(user), "X-Violet-Workspace": "client-e"}):
        with count_statements() as counter:
            response = client.get("/api/v1/workspaces/current", headers=headers)
        assert response.status_code == 200
        # The user, their permissions and the workspace: one round trip, no query of its own.
        assert counter.count == 1, counter.statements


def test_leaving_a_workspace_refuses_the_next_request_in_it(
    client, make_user, auth_header, make_workspace
):
    user = make_user()
    left = make_workspace("client-f", members=[user])
    headers = {**auth_header(user), "X-Violet-Workspace": "client-f"}
    assert client.get("/api/v1/workspaces/current", headers=headers).status_code == 200

    db.session.execute(
        WorkspaceMember.__table__.delete().where(WorkspaceMember.workspace_id == left.id)
    )
    db.session.commit()

    response = client.get("/api/v1/workspaces/current", headers=headers)
    assert response.status_code == 404
    assert "client-f" in response.json["detail"]


def test_the_chosen_workspace_persists_for_the_user(
    client, make_user, auth_header, make_workspace, default_workspace
):
    user = make_user()
    other = make_workspace("client-c", members=[user])
    chosen = client.put(
        "/api/v1/workspaces/current",
        json={"workspace_id": str(other.id)},
        headers=auth_header(user),
    )
    assert chosen.status_code == 200
    assert chosen.json["slug"] == "client-c"
    # A new session (no header) acts in the chosen workspace.
    assert client.get("/api/v1/workspaces/current", headers=auth_header(user)).json["slug"] == (
        "client-c"
    )
    back = client.put(
        "/api/v1/workspaces/current",
        json={"workspace_id": str(default_workspace.id)},
        headers=auth_header(user),
    )
    assert back.status_code == 200
    assert client.get("/api/v1/workspaces/current", headers=auth_header(user)).json["slug"] == (
        "default"
    )


def test_an_api_token_cannot_change_its_owners_default_workspace(
    client, make_user, auth_header, make_workspace
):
    # Even a token carrying every permission of its owner: the default decides where the
    # owner's other unbound tokens act.
    user = make_user()
    other = make_workspace("client-g", members=[user])
    token = create_token(client, auth_header(user), mission_access="write").json["token"]
    response = client.put(
        "/api/v1/workspaces/current",
        json={"workspace_id": str(other.id)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403
    assert "X-Violet-Workspace" in response.json["detail"]
    assert client.get("/api/v1/workspaces/current", headers=auth_header(user)).json["slug"] == (
        "default"
    )


def test_choosing_a_workspace_one_does_not_belong_to_is_404(
    client, make_user, auth_header, make_workspace
):
    user = make_user()
    other = make_workspace("client-d")
    response = client.put(
        "/api/v1/workspaces/current",
        json={"workspace_id": str(other.id)},
        headers=auth_header(user),
    )
    assert response.status_code == 404


# --- seeing and managing workspaces ----------------------------------------------------------


def test_list_shows_the_callers_workspaces_and_all_of_them_with_read_all(
    client, make_user, auth_header, make_workspace
):
    member = make_user()
    reader = make_user(perms=["workspace.read_all"])
    make_workspace("mine", members=[member])
    make_workspace("theirs")

    assert slugs(client.get("/api/v1/workspaces", headers=auth_header(member))) == [
        "default",
        "mine",
    ]
    everything = client.get("/api/v1/workspaces?limit=500", headers=auth_header(reader))
    assert {"default", "mine", "theirs"} <= set(slugs(everything))
    mine = client.get("/api/v1/workspaces?mine=true", headers=auth_header(reader))
    assert slugs(mine) == ["default"]


def test_list_filters_sorts_and_rejects_unknown_sort(
    client, make_user, auth_header, make_workspace
):
    user = make_user()
    make_workspace("alpha-team", members=[user])
    make_workspace("beta-team", members=[user])
    found = client.get("/api/v1/workspaces?q=team&sort=-slug", headers=auth_header(user))
    assert slugs(found) == ["beta-team", "alpha-team"]
    assert found.json["total"] == 2
    bad = client.get("/api/v1/workspaces?sort=secret", headers=auth_header(user))
    assert bad.status_code == 422
    assert "sort" in bad.json["errors"]


def test_list_is_a_constant_number_of_statements(
    client, make_user, auth_header, make_workspace, count_statements
):
    user = make_user()
    for _ in range(6):
        make_workspace(members=[user])
    header = auth_header(user)
    with count_statements() as one:
        assert client.get("/api/v1/workspaces?limit=1", headers=header).status_code == 200
    with count_statements() as many:
        assert client.get("/api/v1/workspaces?limit=200", headers=header).status_code == 200
    assert one.count == many.count


def test_create_makes_the_creator_a_member(client, make_user, auth_header):
    manager = make_user(perms=MANAGE)
    created = client.post(
        "/api/v1/workspaces",
        json={"name": "Acme Corp", "slug": "acme"},
        headers=auth_header(manager),
    )
    assert created.status_code == 201
    assert created.json["name"] == "Acme Corp"
    assert created.json["member_count"] == 1
    assert member_ids(uuid.UUID(created.json["id"])) == {manager.id}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "X", "slug": "Upper"}, "slug"),
        ({"name": "X", "slug": "two--hyphens"}, "slug"),
        ({"name": "X", "slug": "a" * 51}, "slug"),
        ({"name": "X", "slug": str(uuid.uuid4())}, "slug"),
        ({"name": "", "slug": "ok"}, "name"),
        ({"name": "n" * 101, "slug": "ok"}, "name"),
        ({"slug": "ok"}, "name"),
        ({"name": "X", "slug": "ok", "owner": "me"}, "owner"),
    ],
)
def test_create_rejects_bad_input_naming_the_field(client, make_user, auth_header, payload, field):
    response = client.post(
        "/api/v1/workspaces", json=payload, headers=auth_header(make_user(perms=MANAGE))
    )
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert db.session.scalar(select(Workspace.id).where(Workspace.slug == "ok")) is None


def test_slugs_are_unique_among_live_workspaces(client, make_user, auth_header, make_workspace):
    manager = make_user(perms=MANAGE)
    make_workspace("taken", members=[manager])
    response = client.post(
        "/api/v1/workspaces", json={"name": "Again", "slug": "taken"}, headers=auth_header(manager)
    )
    assert response.status_code == 409
    assert "slug" in response.json["errors"]


def test_patch_renames(client, make_user, auth_header, make_workspace):
    manager = make_user(perms=MANAGE)
    workspace = make_workspace("old-slug", members=[manager])
    response = client.patch(
        f"/api/v1/workspaces/{workspace.id}",
        json={"name": "New name", "slug": "new-slug"},
        headers=auth_header(manager),
    )
    assert response.status_code == 200
    assert (response.json["name"], response.json["slug"]) == ("New name", "new-slug")


def test_managers_cannot_touch_a_workspace_they_cannot_see(
    client, make_user, auth_header, make_workspace
):
    manager = make_user(perms=MANAGE)
    elsewhere = make_workspace("elsewhere")
    header = auth_header(manager)
    base = f"/api/v1/workspaces/{elsewhere.id}"
    assert client.get(base, headers=header).status_code == 404
    assert client.patch(base, json={"name": "Mine now"}, headers=header).status_code == 404
    assert client.delete(base, headers=header).status_code == 404
    added = client.put(f"{base}/members", json=[{"user_id": str(manager.id)}], headers=header)
    assert added.status_code == 404
    assert member_ids(elsewhere.id) == set()


def test_members_are_replaced_and_listed(client, make_user, auth_header, make_workspace):
    manager = make_user(perms=MANAGE)
    alice, bob = make_user("alice@example.test"), make_user("bob@example.test")
    workspace = make_workspace("team", members=[manager, alice])
    replaced = client.put(
        f"/api/v1/workspaces/{workspace.id}/members",
        json=[{"user_id": str(manager.id)}, {"user_id": str(bob.id)}],
        headers=auth_header(manager),
    )
    assert replaced.status_code == 200
    assert member_ids(workspace.id) == {manager.id, bob.id}
    listed = client.get(f"/api/v1/workspaces/{workspace.id}/members", headers=auth_header(bob))
    assert [item["email"] for item in listed.json["items"]] == sorted(
        [manager.email, "bob@example.test"]
    )
    # Alice left: the workspace is now 404 to her.
    response = client.get(f"/api/v1/workspaces/{workspace.id}", headers=auth_header(alice))
    assert response.status_code == 404


def test_members_must_be_live_users_and_one_at_least(
    client, make_user, auth_header, make_workspace
):
    manager = make_user(perms=MANAGE)
    workspace = make_workspace("team", members=[manager])
    url = f"/api/v1/workspaces/{workspace.id}/members"
    unknown = str(uuid.uuid4())
    response = client.put(url, json=[{"user_id": unknown}], headers=auth_header(manager))
    assert response.status_code == 422
    assert unknown in response.json["detail"]
    empty = client.put(url, json=[], headers=auth_header(manager))
    assert empty.status_code == 422
    assert member_ids(workspace.id) == {manager.id}


def test_delete_and_restore(client, make_user, auth_header, make_workspace):
    manager = make_user(perms=MANAGE)
    workspace = make_workspace("short-lived", members=[manager])
    header = auth_header(manager)
    assert client.delete(f"/api/v1/workspaces/{workspace.id}", headers=header).status_code == 204
    assert client.get(f"/api/v1/workspaces/{workspace.id}", headers=header).status_code == 404
    assert "short-lived" not in slugs(client.get("/api/v1/workspaces", headers=header))
    deleted = client.get(f"/api/v1/workspaces/{workspace.id}?include_deleted=true", headers=header)
    assert deleted.json["deleted_at"] is not None
    restored = client.post(f"/api/v1/workspaces/{workspace.id}/restore", headers=header)
    assert restored.status_code == 200
    assert restored.json["deleted_at"] is None


def test_the_default_workspace_cannot_be_deleted(client, make_user, auth_header, default_workspace):
    manager = make_user(perms=MANAGE)
    response = client.delete(
        f"/api/v1/workspaces/{default_workspace.id}", headers=auth_header(manager)
    )
    assert response.status_code == 409
    assert db.session.get(Workspace, default_workspace.id).deleted_at is None


def test_include_deleted_needs_manage(client, make_user, auth_header):
    response = client.get(
        "/api/v1/workspaces?include_deleted=true", headers=auth_header(make_user())
    )
    assert response.status_code == 403


# --- API tokens bound to a workspace ---------------------------------------------------------


def create_token(client, header, **fields):
    body = {"name": "ci", "permissions": [], **fields}
    return client.post("/api/v1/auth/tokens", json=body, headers=header)


def test_a_token_can_only_be_bound_to_a_workspace_of_its_owner(
    client, make_user, auth_header, make_workspace
):
    user = make_user()
    mine = make_workspace("mine", members=[user])
    theirs = make_workspace("theirs")
    bound = create_token(client, auth_header(user), workspace_id=str(mine.id))
    assert bound.status_code == 201
    assert bound.json["workspace_id"] == str(mine.id)
    refused = create_token(client, auth_header(user), workspace_id=str(theirs.id))
    assert refused.status_code == 422
    assert "workspace_id" in refused.json["errors"]


def test_a_bound_token_acts_only_in_its_workspace(
    client, make_user, auth_header, make_workspace, default_workspace
):
    user = make_user(perms=MANAGE)
    bound_to = make_workspace("bound", members=[user])
    secret = create_token(
        client, auth_header(user), workspace_id=str(bound_to.id), permissions=MANAGE
    ).json["token"]
    token = {"Authorization": f"Bearer {secret}"}

    current = client.get("/api/v1/workspaces/current", headers=token)
    assert current.json["slug"] == "bound"  # not the owner's default
    other = client.get(
        "/api/v1/workspaces/current", headers={**token, "X-Violet-Workspace": "default"}
    )
    assert other.status_code == 404
    # Its owner belongs to `default`: the refusal names the binding, not their membership.
    assert other.json["detail"] == (
        "This API token is bound to the workspace 'bound' and acts only there, not in "
        "'default': send no X-Violet-Workspace header (or 'bound'), or use a token bound to "
        "that workspace."
    )
    assert slugs(client.get("/api/v1/workspaces", headers=token)) == ["bound"]
    assert (
        client.get(f"/api/v1/workspaces/{default_workspace.id}", headers=token).status_code == 404
    )
    created = client.post("/api/v1/workspaces", json={"name": "N", "slug": "n"}, headers=token)
    assert created.status_code == 403


def test_a_bound_token_stops_working_when_its_owner_leaves_the_workspace(
    client, make_user, auth_header, make_workspace
):
    user = make_user()
    workspace = make_workspace("left", members=[user])
    secret = create_token(client, auth_header(user), workspace_id=str(workspace.id)).json["token"]
    db.session.execute(
        WorkspaceMember.__table__.delete().where(WorkspaceMember.workspace_id == workspace.id)
    )
    db.session.commit()
    response = client.get(
        "/api/v1/workspaces/current", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 404
    # Not "You belong to no workspace": its owner still belongs to `default`.
    assert response.json["detail"] == (
        f"This API token is bound to the workspace {workspace.id}, which its owner no longer "
        "belongs to or which was deleted: it can act nowhere. Create a token for a workspace "
        "you belong to."
    )


def test_deleting_a_workspace_that_holds_data_needs_confirmation(
    client, make_user, auth_header, make_workspace
):
    manager = make_user(perms=MANAGE)
    workspace = make_workspace("busy", members=[manager])
    with acting_in(workspace.id):
        create_note(workspace.id, "some work")
        db.session.commit()
    url = f"/api/v1/workspaces/{workspace.id}"
    refused = client.delete(url, headers=auth_header(manager))
    assert refused.status_code == 409
    assert "1 item" in refused.json["detail"] and "confirm=true" in refused.json["detail"]
    assert db.session.get(Workspace, workspace.id).deleted_at is None
    assert client.delete(f"{url}?confirm=true", headers=auth_header(manager)).status_code == 204


def test_a_slug_taken_by_a_concurrent_create_is_409_naming_the_slug(
    client, make_user, auth_header, make_workspace, monkeypatch
):
    # Two creations racing: both pass the service's check, the unique index stops the second.
    manager = make_user(perms=MANAGE)
    make_workspace("raced", members=[manager])
    monkeypatch.setattr("violet.workspaces.service._check_slug_free", lambda *a, **k: None)
    response = client.post(
        "/api/v1/workspaces", json={"name": "Second", "slug": "raced"}, headers=auth_header(manager)
    )
    assert response.status_code == 409
    assert response.json["errors"] == {"slug": ["Already taken."]}
    assert "That slug is already taken" in response.json["detail"]
    assert db.session.scalar(select(Workspace.id).where(Workspace.name == "Second")) is None
