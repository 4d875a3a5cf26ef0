"""A credential change ends every session: refresh tokens, API tokens and access tokens alike."""

import pytest

from tests.conftest import DEFAULT_PASSWORD
from violet.auth.models import User
from violet.core.models import utcnow
from violet.extensions import db

NEW_PASSWORD = "a brand new passphrase"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sign_in(client, user: User) -> dict:
    response = client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    return response.json


def api_token(client, session: dict) -> str:
    created = client.post(
        "/api/v1/auth/tokens",
        json={"name": "automation", "permissions": []},
        headers=bearer(session["access_token"]),
    )
    assert created.status_code == 201
    return created.json["token"]


def still_works(client, session: dict, token: str) -> dict[str, bool]:
    """Which of the user's credentials the server still accepts."""
    access = client.get("/api/v1/auth/me", headers=bearer(session["access_token"]))
    api = client.get("/api/v1/auth/me", headers=bearer(token))
    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})
    return {
        "access": access.status_code == 200,
        "api token": api.status_code == 200,
        "refresh": refresh.status_code == 200,
    }


def own_password_change(client, session, user, admin_header):
    return client.post(
        "/api/v1/auth/password",
        json={"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(session["access_token"]),
    )


def admin_password_reset(client, session, user, admin_header):
    return client.patch(
        f"/api/v1/users/{user.id}", json={"password": NEW_PASSWORD}, headers=admin_header
    )


def admin_totp_reset(client, session, user, admin_header):
    return client.delete(f"/api/v1/users/{user.id}/mfa", headers=admin_header)


def logout_all(client, session, user, admin_header):
    return client.post("/api/v1/auth/logout-all", headers=bearer(session["access_token"]))


def deactivation(client, session, user, admin_header):
    return client.patch(f"/api/v1/users/{user.id}", json={"is_active": False}, headers=admin_header)


@pytest.mark.parametrize(
    "change",
    [own_password_change, admin_password_reset, admin_totp_reset, logout_all, deactivation],
    ids=lambda change: change.__name__,
)
def test_a_credential_change_ends_every_session_at_once(client, make_user, admin_header, change):
    user = make_user(perms=["user.read"])
    session = sign_in(client, user)
    token = api_token(client, session)
    assert still_works(client, sign_in(client, user), token) == dict.fromkeys(
        ["access", "api token", "refresh"], True
    )

    response = change(client, session, user, admin_header)

    assert response.status_code in (200, 204)
    assert still_works(client, session, token) == dict.fromkeys(
        ["access", "api token", "refresh"], False
    )


def test_own_password_change_may_keep_api_tokens_when_asked(client, make_user):
    user = make_user(perms=["user.read"])
    session = sign_in(client, user)
    token = api_token(client, session)

    response = client.post(
        "/api/v1/auth/password",
        json={
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "keep_api_tokens": True,
        },
        headers=bearer(session["access_token"]),
    )

    assert response.status_code == 204
    assert still_works(client, session, token) == {
        "access": False,
        "api token": True,
        "refresh": False,
    }


def test_refresh_refuses_a_family_started_before_tokens_valid_after(client, make_user):
    # The race with a concurrent logout-all: a refresh token issued while the user's tokens were
    # being revoked escapes the revocation, but its family is older than tokens_valid_after.
    user = make_user()
    session = sign_in(client, user)
    db.session.get(User, user.id).tokens_valid_after = utcnow()
    db.session.commit()

    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})

    assert refresh.status_code == 401


def test_a_new_sign_in_right_after_logout_all_works(client, make_user):
    user = make_user()
    old = sign_in(client, user)
    assert (
        client.post("/api/v1/auth/logout-all", headers=bearer(old["access_token"])).status_code
        == 204
    )

    new = sign_in(client, user)

    assert client.get("/api/v1/auth/me", headers=bearer(new["access_token"])).status_code == 200
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": new["refresh_token"]})
    assert refreshed.status_code == 200


def test_a_session_is_not_ended_by_someone_elses_credential_change(client, make_user, admin_header):
    user = make_user()
    bystander = make_user()
    session = sign_in(client, bystander)

    client.patch(f"/api/v1/users/{user.id}", json={"password": NEW_PASSWORD}, headers=admin_header)

    assert client.get("/api/v1/auth/me", headers=bearer(session["access_token"])).status_code == 200
