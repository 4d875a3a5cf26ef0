"""Users and groups: CRUD, soft delete, filters, and the no-lock-out rule."""

import pytest
from sqlalchemy import func, select

from violet.auth.models import Group, User
from violet.core.models import including_deleted
from violet.extensions import db


def test_create_user_with_password_and_groups(client, admin_header):
    operators = db.session.scalars(select(Group).where(Group.name == "Operators")).one()

    response = client.post(
        "/api/v1/users",
        json={
            "email": "New.Person@Example.test",
            "password": "a long enough password",
            "display_name": "New Person",
            "group_ids": [str(operators.id)],
        },
        headers=admin_header,
    )

    assert response.status_code == 201
    assert response.json["email"] == "new.person@example.test"
    assert response.json["groups"] == [{"id": str(operators.id), "name": "Operators"}]
    assert "password" not in response.json and "password_hash" not in response.json
    login = client.post(
        "/api/v1/auth/login",
        json={"email": "new.person@example.test", "password": "a long enough password"},
    )
    assert "test_template.write" in login.json["user"]["permissions"]


def test_emails_are_unique_among_live_users_case_insensitively(client, make_user, admin_header):
    make_user("taken@example.test")

    response = client.post(
        "/api/v1/users",
        json={"email": "TAKEN@example.test", "password": "a long enough password"},
        headers=admin_header,
    )

    assert response.status_code == 409
    assert "email" in response.json["errors"]


def test_list_users_filters_and_paginates(client, make_user, admin_header):
    analysts = db.session.scalars(select(Group).where(Group.name == "Analysts")).one()
    make_user("zoe@example.test", groups=[analysts])
    make_user("yann@example.test", is_active=False)
    make_user("xena@other.test")

    by_text = client.get("/api/v1/users?q=example.test&sort=-email&limit=2", headers=admin_header)
    by_group = client.get(f"/api/v1/users?group={analysts.id}", headers=admin_header)
    inactive = client.get("/api/v1/users?active=false", headers=admin_header)

    assert by_text.json["total"] == 3  # zoe, yann and the admin
    assert [u["email"] for u in by_text.json["items"]] == ["zoe@example.test", "yann@example.test"]
    assert [u["email"] for u in by_group.json["items"]] == ["zoe@example.test"]
    assert [u["email"] for u in inactive.json["items"]] == ["yann@example.test"]


def test_search_treats_wildcards_literally(client, make_user, admin_header):
    make_user("under_score@example.test")
    make_user("underXscore@example.test")

    response = client.get("/api/v1/users?q=under_", headers=admin_header)

    assert [u["email"] for u in response.json["items"]] == ["under_score@example.test"]


def test_unknown_sort_field_is_422(client, admin_header):
    response = client.get("/api/v1/users?sort=password_hash", headers=admin_header)
    assert response.status_code == 422
    assert "sort" in response.json["errors"]


def test_user_list_runs_a_constant_number_of_statements(
    client, make_user, admin_header, count_statements
):
    operators = db.session.scalars(select(Group).where(Group.name == "Operators")).one()
    with count_statements() as few:
        client.get("/api/v1/users?limit=500", headers=admin_header)
    for _ in range(6):
        make_user(groups=[operators])
    with count_statements() as many:
        client.get("/api/v1/users?limit=500", headers=admin_header)
    assert many.count == few.count


def test_soft_delete_hides_then_restore_brings_back(client, make_user, admin_header):
    user = make_user("gone@example.test")

    assert client.delete(f"/api/v1/users/{user.id}", headers=admin_header).status_code == 204
    assert client.get(f"/api/v1/users/{user.id}", headers=admin_header).status_code == 404
    listed = client.get("/api/v1/users?q=gone", headers=admin_header).json
    assert listed["total"] == 0
    with_deleted = client.get("/api/v1/users?q=gone&include_deleted=true", headers=admin_header)
    assert with_deleted.json["items"][0]["deleted_at"] is not None
    assert db.session.get(User, user.id) is not None, "the row stays"

    restored = client.post(f"/api/v1/users/{user.id}/restore", headers=admin_header)
    assert restored.status_code == 200
    assert restored.json["deleted_at"] is None


def test_include_deleted_needs_the_manage_permission(client, make_user, auth_header):
    reader = auth_header(make_user(perms=["user.read"]))
    response = client.get("/api/v1/users?include_deleted=true", headers=reader)
    assert response.status_code == 403


def test_a_deleted_email_can_be_used_again(client, make_user, admin_header):
    user = make_user("reuse@example.test")
    client.delete(f"/api/v1/users/{user.id}", headers=admin_header)

    response = client.post(
        "/api/v1/users",
        json={"email": "reuse@example.test", "password": "a long enough password"},
        headers=admin_header,
    )

    assert response.status_code == 201


class TestNoLockOut:
    def administrators(self):
        return db.session.scalars(select(Group).where(Group.name == "Administrators")).one()

    def only_admin(self, make_user, auth_header):
        admin = make_user("root@example.test", groups=[self.administrators()])
        return admin, auth_header(admin)

    def test_the_last_administrator_cannot_be_deactivated_or_deleted(
        self, client, make_user, auth_header
    ):
        admin, headers = self.only_admin(make_user, auth_header)

        deactivate = client.patch(
            f"/api/v1/users/{admin.id}", json={"is_active": False}, headers=headers
        )
        delete = client.delete(f"/api/v1/users/{admin.id}", headers=headers)
        leave = client.patch(f"/api/v1/users/{admin.id}", json={"group_ids": []}, headers=headers)

        assert [deactivate.status_code, delete.status_code, leave.status_code] == [409, 409, 409]
        db.session.refresh(admin)
        assert admin.is_active and admin.deleted_at is None and admin.groups

    def test_the_last_admin_group_cannot_be_deleted_or_stripped(
        self, client, make_user, auth_header
    ):
        _, headers = self.only_admin(make_user, auth_header)
        group = self.administrators()

        delete = client.delete(f"/api/v1/groups/{group.id}", headers=headers)
        strip = client.patch(
            f"/api/v1/groups/{group.id}", json={"permissions": ["user.read"]}, headers=headers
        )

        assert delete.status_code == 409
        assert strip.status_code == 409
        assert (
            "user.manage"
            in client.get(f"/api/v1/groups/{group.id}", headers=headers).json["permissions"]
        )

    def test_possible_when_another_administrator_remains(self, client, make_user, auth_header):
        admin, headers = self.only_admin(make_user, auth_header)
        make_user("second@example.test", groups=[self.administrators()])

        response = client.patch(
            f"/api/v1/users/{admin.id}", json={"is_active": False}, headers=headers
        )

        assert response.status_code == 200


def test_group_crud_with_permissions_and_member_count(client, make_user, admin_header):
    created = client.post(
        "/api/v1/groups",
        json={"name": "Purple leads", "permissions": ["mission.create", "mission.read_all"]},
        headers=admin_header,
    )
    assert created.status_code == 201
    group_id = created.json["id"]
    group = db.session.get(Group, group_id)
    make_user(groups=[group])
    make_user(groups=[group])

    fetched = client.get(f"/api/v1/groups/{group_id}", headers=admin_header).json
    assert fetched["permissions"] == ["mission.create", "mission.read_all"]
    assert fetched["member_count"] == 2

    renamed = client.patch(
        f"/api/v1/groups/{group_id}",
        json={"name": "Leads", "permissions": ["mission.create"]},
        headers=admin_header,
    )
    assert renamed.json["name"] == "Leads"
    assert renamed.json["permissions"] == ["mission.create"]

    assert client.delete(f"/api/v1/groups/{group_id}", headers=admin_header).status_code == 204
    names = [g["name"] for g in client.get("/api/v1/groups", headers=admin_header).json["items"]]
    assert "Leads" not in names
    restored = client.post(f"/api/v1/groups/{group_id}/restore", headers=admin_header)
    assert restored.json["member_count"] == 2


def test_deleted_group_no_longer_grants_its_permissions(
    client, make_user, auth_header, admin_header
):
    member = make_user(perms=["diag.read"])
    headers = auth_header(member)
    assert client.get("/api/v1/diag/db", headers=headers).status_code == 200
    group = member.groups[0]

    client.delete(f"/api/v1/groups/{group.id}", headers=admin_header)

    assert client.get("/api/v1/diag/db", headers=headers).status_code == 403


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "x", "permissions": ["no.such"]}, "permissions.0"),
        ({"name": ""}, "name"),
        ({"name": "n" * 101}, "name"),
        ({"name": "Analysts"}, "name"),
        ({"name": "ok", "colour": "red"}, "colour"),
    ],
)
def test_bad_group_input_is_refused_and_nothing_is_created(client, admin_header, payload, field):
    before = db.session.scalar(select(func.count()).select_from(Group))

    response = client.post("/api/v1/groups", json=payload, headers=admin_header)

    assert response.status_code in (409, 422)
    assert field in response.json["errors"]
    assert db.session.scalar(select(func.count()).select_from(Group)) == before


def test_permissions_are_listed(client, make_user, auth_header):
    response = client.get("/api/v1/permissions?limit=500", headers=auth_header(make_user()))
    codes = [permission["code"] for permission in response.json["items"]]
    assert len(codes) == response.json["total"] == 19
    assert codes == sorted(codes)
    assert {"diag.read", "workspace.manage", "workspace.read_all"} <= set(codes)


def test_audit_columns_name_the_caller_without_the_service_assigning_them(
    client, admin, admin_header
):
    created = client.post("/api/v1/groups", json={"name": "Auditors"}, headers=admin_header)
    group_id = created.json["id"]
    group = db.session.get(Group, group_id)
    assert (group.created_by, group.updated_by, group.deleted_by) == (admin.id, admin.id, None)

    assert client.delete(f"/api/v1/groups/{group_id}", headers=admin_header).status_code == 204

    db.session.expire_all()
    deleted = db.session.scalars(including_deleted(select(Group).where(Group.id == group_id))).one()
    assert deleted.deleted_by == admin.id and deleted.deleted_at is not None


def test_etag_and_if_match_on_users(client, make_user, admin_header):
    user = make_user(display_name="Before")
    url = f"/api/v1/users/{user.id}"

    read = client.get(url, headers=admin_header)
    assert read.headers["ETag"] == '"1"' and read.json["version"] == 1

    changed = client.patch(
        url, json={"display_name": "After"}, headers={**admin_header, "If-Match": '"1"'}
    )
    assert changed.status_code == 200
    assert changed.headers["ETag"] == '"2"' and changed.json["version"] == 2

    stale = client.patch(
        url, json={"display_name": "Lost"}, headers={**admin_header, "If-Match": "1"}
    )
    assert stale.status_code == 412
    assert stale.headers["Content-Type"] == "application/problem+json"
    assert client.get(url, headers=admin_header).json["display_name"] == "After"

    stale_delete = client.delete(url, headers={**admin_header, "If-Match": '"1"'})
    assert stale_delete.status_code == 412
    assert client.get(url, headers=admin_header).status_code == 200

    garbage = client.patch(url, json={}, headers={**admin_header, "If-Match": "yesterday"})
    assert garbage.status_code == 422 and "If-Match" in garbage.json["errors"]

    # A write that changes nothing is still refused when it was made against an old version.
    unchanged = client.patch(url, json={}, headers={**admin_header, "If-Match": '"1"'})
    assert unchanged.status_code == 412

    deleted = client.delete(url, headers={**admin_header, "If-Match": '"2"'})
    assert deleted.status_code == 204


def test_every_group_write_bumps_the_version_even_a_permissions_only_one(client, admin_header):
    created = client.post("/api/v1/groups", json={"name": "Versioned"}, headers=admin_header)
    assert created.headers["ETag"] == '"1"'
    url = f"/api/v1/groups/{created.json['id']}"

    changed = client.patch(
        url, json={"permissions": ["user.read"]}, headers={**admin_header, "If-Match": '"1"'}
    )
    assert changed.status_code == 200 and changed.json["version"] == 2

    stale = client.patch(url, json={"permissions": []}, headers={**admin_header, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert client.get(url, headers=admin_header).json["permissions"] == ["user.read"]


def test_user_list_filters_by_group(client, make_user, make_group, admin_header):
    inside, outside = make_user(), make_user()
    team = make_group(perms=["user.read"], members=[inside])

    listed = client.get(f"/api/v1/users?group={team.id}", headers=admin_header)

    assert [user["id"] for user in listed.json["items"]] == [str(inside.id)]
    assert str(outside.id) not in {user["id"] for user in listed.json["items"]}


def test_deleted_groups_stay_hidden_in_a_list_that_includes_deleted_users(
    client, make_user, make_group, admin_header
):
    member = make_user()
    kept, gone = make_group(members=[member]), make_group(members=[member])
    assert client.delete(f"/api/v1/groups/{gone.id}", headers=admin_header).status_code == 204

    listed = client.get(f"/api/v1/users?include_deleted=true&group={kept.id}", headers=admin_header)

    [row] = listed.json["items"]
    assert [group["id"] for group in row["groups"]] == [str(kept.id)]
