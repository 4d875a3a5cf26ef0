"""Personal API tokens: shown once, hashed, scoped, expiring, revocable."""

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD
from violet.auth.models import ApiToken
from violet.core.models import utcnow
from violet.extensions import db


def create_token(client, headers, **overrides):
    body = {"name": "CI pipeline", "expires_in_days": 30, "permissions": ["user.read"]}
    body.update(overrides)
    return client.post("/api/v1/auth/tokens", json=body, headers=headers)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_token_is_shown_once_and_stored_hashed(client, make_user, auth_header):
    headers = auth_header(make_user(perms=["user.read", "diag.read"]))

    created = create_token(client, headers)

    assert created.status_code == 201
    secret = created.json["token"]
    assert secret.startswith("vlt_")
    assert created.json["permissions"] == ["user.read"]
    stored = db.session.scalars(select(ApiToken)).one()
    assert secret not in (stored.token_hash, stored.prefix)
    assert secret.startswith(stored.prefix)
    listed = client.get("/api/v1/auth/tokens", headers=headers).json
    assert listed["total"] == 1
    assert [token["name"] for token in listed["items"]] == ["CI pipeline"]
    assert "token" not in listed["items"][0]


def test_token_works_as_bearer_with_only_its_permissions(client, make_user, auth_header):
    owner = make_user(perms=["user.read", "diag.read"])
    secret = create_token(client, auth_header(owner)).json["token"]

    me = client.get("/api/v1/auth/me", headers=bearer(secret))
    users = client.get("/api/v1/users", headers=bearer(secret))
    diag = client.get("/api/v1/diag/db", headers=bearer(secret))

    assert me.status_code == 200 and me.json["id"] == str(owner.id)
    assert users.status_code == 200
    assert diag.status_code == 403, "the token was not given diag.read"
    assert db.session.scalars(select(ApiToken.last_used_at)).one() is not None


def test_token_cannot_carry_permissions_the_owner_lacks(client, make_user, auth_header):
    headers = auth_header(make_user(perms=["user.read"]))

    response = create_token(client, headers, permissions=["user.read", "user.manage"])

    assert response.status_code == 422
    assert "permissions" in response.json["errors"]
    assert db.session.scalars(select(ApiToken)).all() == []


def test_token_loses_permissions_its_owner_loses(client, make_user, auth_header, admin_header):
    owner = make_user(perms=["user.read"])
    secret = create_token(client, auth_header(owner)).json["token"]
    assert client.get("/api/v1/users", headers=bearer(secret)).status_code == 200

    client.patch(f"/api/v1/users/{owner.id}", json={"group_ids": []}, headers=admin_header)

    assert client.get("/api/v1/users", headers=bearer(secret)).status_code == 403


def test_a_refused_permission_says_whether_the_token_or_its_owner_lacks_it(
    client, make_user, auth_header, admin_header
):
    """GET /auth/tokens lists what a token carries: a 403 must say when it is the owner who
    lost one, or the job's author recreates the token to no avail."""
    owner = make_user(perms=["user.read", "group.manage"])
    secret = create_token(client, auth_header(owner), permissions=["user.read"]).json["token"]
    client.patch(f"/api/v1/users/{owner.id}", json={"group_ids": []}, headers=admin_header)

    lost = client.get("/api/v1/users", headers=bearer(secret))
    not_carried = client.post("/api/v1/groups", json={"name": "x"}, headers=bearer(secret))

    assert lost.status_code == not_carried.status_code == 403
    assert lost.json["detail"] == (
        "Missing permission: user.read. This API token carries user.read, but its owner no "
        "longer holds it: an administrator must give it back to them."
    )
    assert not_carried.json["detail"] == (
        "Missing permission: group.manage. This API token does not carry group.manage: create "
        "a token that does (a token carries only permissions its owner holds)."
    )


def test_expired_and_revoked_tokens_are_refused(client, make_user, auth_header):
    headers = auth_header(make_user(perms=["user.read"]))
    expired = create_token(client, headers, name="old").json
    revoked = create_token(client, headers, name="revoked").json
    token = db.session.get(ApiToken, expired["id"])
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    assert client.delete(f"/api/v1/auth/tokens/{revoked['id']}", headers=headers).status_code == 204

    assert client.get("/api/v1/auth/me", headers=bearer(expired["token"])).status_code == 401
    assert client.get("/api/v1/auth/me", headers=bearer(revoked["token"])).status_code == 401


def test_each_refused_token_is_told_why(client, make_user, auth_header, admin_header):
    """A CI job's author must tell a token to renew from one someone revoked."""
    owner = make_user(perms=["user.read"])
    headers = auth_header(owner)
    expired = create_token(client, headers, name="old").json
    revoked = create_token(client, headers, name="revoked").json
    token = db.session.get(ApiToken, expired["id"])
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    client.delete(f"/api/v1/auth/tokens/{revoked['id']}", headers=headers)
    revoked_at = db.session.get(ApiToken, revoked["id"]).revoked_at

    answers = {
        name: client.get("/api/v1/auth/me", headers=bearer(secret))
        for name, secret in (
            ("expired", expired["token"]),
            ("revoked", revoked["token"]),
            ("cut short", expired["token"][:-3]),
        )
    }

    assert {response.status_code for response in answers.values()} == {401}
    assert answers["expired"].json["detail"] == (
        f"The API token expired at {token.expires_at.isoformat()}: create a new one "
        "(expires_in_days is at most 365)."
    )
    assert (
        answers["revoked"]
        .json["detail"]
        .startswith(f"The API token was revoked at {revoked_at.isoformat()} (by its owner")
    )
    assert answers["cut short"].json["detail"].startswith("The API token is not valid: send")


def test_deactivating_the_owner_revokes_their_tokens(client, make_user, auth_header, admin_header):
    owner = make_user(perms=["user.read"])
    secret = create_token(client, auth_header(owner)).json["token"]

    response = client.patch(
        f"/api/v1/users/{owner.id}", json={"is_active": False}, headers=admin_header
    )
    assert response.status_code == 200
    client.patch(f"/api/v1/users/{owner.id}", json={"is_active": True}, headers=admin_header)

    # Reactivation does not bring a revoked token back.
    assert client.get("/api/v1/auth/me", headers=bearer(secret)).status_code == 401
    assert db.session.scalars(select(ApiToken.revoked_at)).one() is not None


def test_tokens_cannot_manage_credentials(client, make_user, auth_header):
    headers = auth_header(make_user(perms=["user.read"]))
    secret = create_token(client, headers).json["token"]

    new_token = create_token(client, bearer(secret))
    password = client.post(
        "/api/v1/auth/password",
        json={"current_password": "x", "new_password": "y" * 12},
        headers=bearer(secret),
    )

    assert new_token.status_code == 403
    assert password.status_code == 403


def test_tokens_cannot_list_or_revoke_tokens_or_end_sessions(client, make_user):
    """A leaked token, even one without permissions, must not sign its owner out everywhere or
    revoke the tokens they would use to react: those need a signed-in session."""
    owner = make_user()
    session = client.post(
        "/api/v1/auth/login", json={"email": owner.email, "password": DEFAULT_PASSWORD}
    ).json
    headers = bearer(session["access_token"])
    first = create_token(client, headers, name="first", permissions=[]).json
    second = create_token(client, headers, name="second", permissions=[]).json
    as_first = bearer(first["token"])

    listed = client.get("/api/v1/auth/tokens", headers=as_first)
    revoked = client.delete(f"/api/v1/auth/tokens/{second['id']}", headers=as_first)
    signed_out = client.post("/api/v1/auth/logout-all", headers=as_first)

    for response in (listed, revoked, signed_out):
        assert response.status_code == 403
        assert "sign in" in response.json["detail"]
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    refreshed = client.post(
        "/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]}
    )
    assert refreshed.status_code == 200, "the owner's browser session is still signed in"
    assert client.get("/api/v1/auth/me", headers=bearer(second["token"])).status_code == 200
    assert client.get("/api/v1/auth/me", headers=as_first).status_code == 200


def test_a_token_may_revoke_itself(client, make_user, auth_header):
    secret = create_token(client, auth_header(make_user()), permissions=[]).json
    as_token = bearer(secret["token"])

    response = client.delete(f"/api/v1/auth/tokens/{secret['id']}", headers=as_token)

    assert response.status_code == 204
    assert client.get("/api/v1/auth/me", headers=as_token).status_code == 401


def test_tokens_keep_working_for_users_with_mfa(client, make_user, auth_header):
    owner = make_user(perms=["user.read"])
    secret = create_token(client, auth_header(owner)).json["token"]
    owner.mfa_enabled = True
    owner.mfa_secret = "JBSWY3DPEHPK3PXP"
    db.session.commit()

    assert client.get("/api/v1/users", headers=bearer(secret)).status_code == 200


def test_someone_elses_token_cannot_be_revoked(client, make_user, auth_header):
    mine = create_token(client, auth_header(make_user(perms=["user.read"]))).json
    other = auth_header(make_user())

    response = client.delete(f"/api/v1/auth/tokens/{mine['id']}", headers=other)

    assert response.status_code == 404
    assert client.get("/api/v1/auth/me", headers=bearer(mine["token"])).status_code == 200


def test_expiry_is_capped_at_365_days(client, make_user, auth_header):
    headers = auth_header(make_user(perms=["user.read"]))

    response = create_token(client, headers, expires_in_days=366)

    assert response.status_code == 422
    assert "expires_in_days" in response.json["errors"]
