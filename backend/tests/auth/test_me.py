"""The caller's own account: profile, password change, bad input."""

import pytest
from sqlalchemy import func, select

from tests.conftest import DEFAULT_PASSWORD
from violet.auth.models import User
from violet.extensions import db


def test_me_lists_groups_and_effective_permissions(client, make_user, auth_header):
    user = make_user(perms=["user.read", "diag.read"])

    me = client.get("/api/v1/auth/me", headers=auth_header(user)).json

    assert me["permissions"] == ["diag.read", "user.read"]
    assert len(me["groups"]) == 1
    assert me["unread_notifications"] == 0
    assert me["mfa_enrolment_required"] is False


def test_display_name_can_be_changed(client, make_user, auth_header):
    headers = auth_header(make_user())

    response = client.patch("/api/v1/auth/me", json={"display_name": " Ada "}, headers=headers)

    assert response.status_code == 200
    assert client.get("/api/v1/auth/me", headers=headers).json["display_name"] == "Ada"


def test_password_change_revokes_refresh_tokens(client, make_user, auth_header):
    user = make_user("pw@example.test")
    session = client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": DEFAULT_PASSWORD}
    ).json

    response = client.post(
        "/api/v1/auth/password",
        json={"current_password": DEFAULT_PASSWORD, "new_password": "a brand new passphrase"},
        headers={"Authorization": f"Bearer {session['access_token']}"},
    )

    assert response.status_code == 204
    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert refresh.status_code == 401
    old = client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": DEFAULT_PASSWORD}
    )
    new = client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": "a brand new passphrase"}
    )
    assert (old.status_code, new.status_code) == (401, 200)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (
            {"current_password": "wrong password", "new_password": "a brand new passphrase"},
            "current_password",
        ),
        ({"current_password": DEFAULT_PASSWORD, "new_password": "short"}, "new_password"),
        ({"current_password": DEFAULT_PASSWORD, "new_password": "x" * 129}, "new_password"),
        ({"current_password": DEFAULT_PASSWORD}, "new_password"),
    ],
)
def test_bad_password_changes_name_the_field(client, make_user, auth_header, payload, field):
    response = client.post("/api/v1/auth/password", json=payload, headers=auth_header(make_user()))
    assert response.status_code == 422
    assert field in response.json["errors"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "bad", "password": "a long enough password"}, "email"),
        ({"email": "a@example.test", "password": "short"}, "password"),
        ({"email": "a@example.test", "password": "p" * 129}, "password"),
        ({"email": "a@example.test", "password": "a long enough password", "admin": True}, "admin"),
        (
            {
                "email": "a@example.test",
                "password": "a long enough password",
                "display_name": "d" * 101,
            },
            "display_name",
        ),
        ({"email": 42, "password": "a long enough password"}, "email"),
        (
            {"email": "a@example.test", "password": "a long enough password", "group_ids": "x"},
            "group_ids",
        ),
    ],
)
def test_bad_user_input_is_422_naming_the_field_and_creates_nothing(
    client, admin_header, payload, field
):
    before = db.session.scalar(select(func.count()).select_from(User))

    response = client.post("/api/v1/users", json=payload, headers=admin_header)

    assert response.status_code == 422
    assert field in response.json["errors"]
    assert db.session.scalar(select(func.count()).select_from(User)) == before


@pytest.mark.parametrize(
    "body",
    [{"email": "a@example.test"}, {"email": "e" * 300, "password": "x"}, ["not", "an", "object"]],
)
def test_bad_login_bodies_are_422(client, body):
    response = client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 422


def test_non_json_body_is_a_clear_4xx(client, admin_header):
    response = client.post(
        "/api/v1/users", data="email=x", content_type="text/plain", headers=admin_header
    )
    assert 400 <= response.status_code < 500
    assert response.headers["Content-Type"] == "application/problem+json"
