"""Authentication reads the user and their permissions afresh on every request, in one
statement: a permission change, a sign-out everywhere or a deactivation applies to the very
next request (no cache to expire)."""

import time

from tests.conftest import DEFAULT_PASSWORD
from violet.extensions import db

USERS = "/api/v1/users"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_leaving_a_group_refuses_the_next_request(client, make_user, auth_header, admin_header):
    user = make_user(perms=["user.read"])
    headers = auth_header(user)
    assert client.get(USERS, headers=headers).status_code == 200

    changed = client.patch(f"{USERS}/{user.id}", json={"group_ids": []}, headers=admin_header)

    assert changed.status_code == 200
    assert client.get(USERS, headers=headers).status_code == 403


def test_a_group_losing_a_permission_refuses_the_next_request(
    client, make_user, auth_header, admin_header
):
    user = make_user(perms=["user.read", "diag.read"])
    headers = auth_header(user)
    group_id = user.groups[0].id
    assert client.get(USERS, headers=headers).status_code == 200

    changed = client.patch(
        f"/api/v1/groups/{group_id}", json={"permissions": ["diag.read"]}, headers=admin_header
    )

    assert changed.status_code == 200
    assert client.get(USERS, headers=headers).status_code == 403
    me = client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200 and me.json["permissions"] == ["diag.read"]


def test_signing_out_everywhere_refuses_the_next_request(client, make_user):
    make_user("kim@example.test")
    login = client.post(
        "/api/v1/auth/login", json={"email": "kim@example.test", "password": DEFAULT_PASSWORD}
    )
    token = login.json["access_token"]
    assert client.get("/api/v1/auth/me", headers=bearer(token)).status_code == 200
    time.sleep(1.01)  # access tokens carry whole seconds; the cut-off is the next second

    assert client.post("/api/v1/auth/logout-all", headers=bearer(token)).status_code == 204

    assert client.get("/api/v1/auth/me", headers=bearer(token)).status_code == 401


def test_deactivation_and_deletion_refuse_the_next_request(
    client, make_user, auth_header, admin_header
):
    deactivated, deleted = make_user(), make_user()
    for user in (deactivated, deleted):
        assert client.get("/api/v1/auth/me", headers=auth_header(user)).status_code == 200

    assert (
        client.patch(
            f"{USERS}/{deactivated.id}", json={"is_active": False}, headers=admin_header
        ).status_code
        == 200
    )
    assert client.delete(f"{USERS}/{deleted.id}", headers=admin_header).status_code == 204

    for user in (deactivated, deleted):
        assert client.get("/api/v1/auth/me", headers=auth_header(user)).status_code == 401


def test_authentication_is_one_statement(client, make_user, auth_header, count_statements):
    headers = auth_header(make_user())  # no permission: the view refuses before any query
    with count_statements() as counter:
        assert client.get(USERS, headers=headers).status_code == 403
    assert counter.count == 1, counter.statements


def test_authentication_reads_no_secret_of_the_user(
    client, make_user, auth_header, count_statements
):
    """It selects the columns it checks, not the User: no password hash or TOTP secret is read
    by a request that does not need them."""
    headers = auth_header(make_user())
    with count_statements() as counter:
        assert client.get("/api/v1/mitre/tactics", headers=headers).status_code == 200
    read = " ".join(counter.statements)
    assert "users.id" in read
    assert "password_hash" not in read and "mfa_secret" not in read, read


def test_me_is_the_user_its_groups_counts_and_mfa_setting_in_one_statement_after_authentication(
    client, make_user, auth_header, admin_header, count_statements
):
    headers = auth_header(make_user())
    # The mfa_required setting at its default (not stored), then stored on and off.
    for required in (None, True, False):
        if required is not None:
            client.put(
                "/api/v1/settings/mfa_required", json={"value": required}, headers=admin_header
            )
        with count_statements() as counter:
            response = client.get("/api/v1/auth/me", headers=headers)
        assert response.status_code == 200
        assert response.json["recovery_codes_remaining"] == 0
        assert response.json["unread_notifications"] == 0
        assert response.json["mfa_enrolment_required"] is bool(required)
        # Authentication; the user with their groups, both counts and the setting.
        assert counter.count == 2, counter.statements


def test_me_answers_what_sign_in_answers_for_the_user(client, make_user, make_group):
    """GET /auth/me reads columns and the sign-in answer builds objects: the same user, live
    groups in name order (a deleted group left out), counts and permissions."""
    user = make_user("me-equal@example.test", perms=["mitre.sync"])
    make_group("zulu", perms=["user.read"], members=[user])
    make_group("alpha", members=[user])
    make_group("deleted", members=[user]).soft_delete()
    db.session.commit()
    signed_in = client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": DEFAULT_PASSWORD}
    ).json
    me = client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {signed_in['access_token']}"}
    ).json
    assert me == signed_in["user"]
    names = [group["name"] for group in me["groups"]]
    assert names[0] == "alpha" and names[-1] == "zulu" and "deleted" not in names
    assert "user.read" in me["permissions"]
