"""TOTP enrolment, disabling, the `mfa_required` setting and the administrator's reset."""

import pyotp

from tests.conftest import DEFAULT_PASSWORD, previous_step_code
from violet.extensions import db


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def sign_in(client, email):
    return client.post("/api/v1/auth/login", json={"email": email, "password": DEFAULT_PASSWORD})


def test_enable_needs_a_valid_code(client, make_user, auth_header):
    user = make_user()
    headers = auth_header(user)
    client.post("/api/v1/auth/mfa/setup", headers=headers)

    wrong = client.post(
        "/api/v1/auth/mfa/enable",
        json={"password": DEFAULT_PASSWORD, "code": "12345x"},
        headers=headers,
    )

    assert wrong.status_code == 422
    assert "code" in wrong.json["errors"]
    db.session.refresh(user)
    assert user.mfa_enabled is False


def test_enable_without_setup_is_a_conflict(client, make_user, auth_header):
    response = client.post(
        "/api/v1/auth/mfa/enable",
        json={"password": DEFAULT_PASSWORD, "code": "123456"},
        headers=auth_header(make_user()),
    )
    assert response.status_code == 409


def enrol(client, headers):
    secret = client.post("/api/v1/auth/mfa/setup", headers=headers).json["secret"]
    totp = pyotp.TOTP(secret)
    response = client.post(
        "/api/v1/auth/mfa/enable",
        json={"password": DEFAULT_PASSWORD, "code": previous_step_code(totp)},
        headers=headers,
    )
    assert response.status_code == 200
    return totp


def test_disable_needs_password_and_code(client, make_user, auth_header):
    user = make_user()
    headers = auth_header(user)
    totp = enrol(client, headers)

    wrong_password = client.post(
        "/api/v1/auth/mfa/disable",
        json={"password": "not my password", "code": totp.now()},
        headers=headers,
    )
    assert wrong_password.status_code == 422
    assert "password" in wrong_password.json["errors"]

    ok = client.post(
        "/api/v1/auth/mfa/disable",
        json={"password": DEFAULT_PASSWORD, "code": totp.now()},
        headers=headers,
    )
    assert ok.status_code == 204
    assert "access_token" in sign_in(client, user.email).json


def test_mfa_required_forces_enrolment_before_anything_else(client, make_user, admin_header):
    assert (
        client.put("/api/v1/settings/mfa_required", json={"value": True}, headers=admin_header)
    ).status_code == 200
    user = make_user(perms=["user.read"])

    session = sign_in(client, user.email).json
    headers = bearer(session["access_token"])

    assert session["user"]["mfa_enrolment_required"] is True
    assert client.get("/api/v1/users", headers=headers).status_code == 403
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    enrol(client, headers)
    # Once enrolled, the same session may do what its permissions allow.
    assert client.get("/api/v1/users", headers=headers).status_code == 200


def test_mfa_cannot_be_disabled_while_required(client, make_user, auth_header, admin_header):
    user = make_user()
    headers = auth_header(user)
    totp = enrol(client, headers)
    client.put("/api/v1/settings/mfa_required", json={"value": True}, headers=admin_header)

    response = client.post(
        "/api/v1/auth/mfa/disable",
        json={"password": DEFAULT_PASSWORD, "code": totp.now()},
        headers=headers,
    )

    assert response.status_code == 409


def test_administrator_can_reset_a_lost_authenticator(client, make_user, auth_header, admin_header):
    user = make_user()
    enrol(client, auth_header(user))
    assert sign_in(client, user.email).json["mfa_required"] is True

    response = client.delete(f"/api/v1/users/{user.id}/mfa", headers=admin_header)

    assert response.status_code == 204
    assert "access_token" in sign_in(client, user.email).json


def test_the_secret_is_stored_encrypted(client, make_user, auth_header):
    from violet.core import encryption

    user = make_user()
    secret = client.post("/api/v1/auth/mfa/setup", headers=auth_header(user)).json["secret"]

    db.session.refresh(user)
    assert secret not in user.mfa_secret
    assert encryption.decrypt(user.mfa_secret) == secret


def test_key_rotation_reencrypts_every_secret(app, client, make_user, auth_header, monkeypatch):
    from violet.auth.service.directory import rotate_mfa_secrets
    from violet.core import encryption

    user = make_user()
    headers = auth_header(user)
    totp = enrol(client, headers)
    old_key = app.config["MFA_ENCRYPTION_KEY"]
    monkeypatch.setitem(app.config, "MFA_ENCRYPTION_KEY", "a brand new key of at least 32 bytes!")
    monkeypatch.setitem(app.config, "MFA_ENCRYPTION_OLD_KEYS", (old_key,))

    assert rotate_mfa_secrets() == 1
    db.session.commit()
    monkeypatch.setitem(app.config, "MFA_ENCRYPTION_OLD_KEYS", ())

    db.session.refresh(user)
    assert encryption.decrypt(user.mfa_secret) == totp.secret
    challenge = sign_in(client, user.email).json["mfa_token"]
    done = client.post("/api/v1/auth/login/mfa", json={"mfa_token": challenge, "code": totp.now()})
    assert done.status_code == 200


def test_non_ascii_codes_are_422(client, make_user, auth_header):
    user = make_user()
    headers = auth_header(user)
    totp = enrol(client, headers)
    challenge = sign_in(client, user.email).json["mfa_token"]
    fullwidth = "".join(chr(ord(digit) + 0xFEE0) for digit in totp.now())

    login = client.post("/api/v1/auth/login/mfa", json={"mfa_token": challenge, "code": fullwidth})
    accented = client.post(
        "/api/v1/auth/mfa/disable",
        json={"password": DEFAULT_PASSWORD, "code": "12345é"},
        headers=headers,
    )

    assert (login.status_code, accented.status_code) == (422, 422)
    assert "code" in login.json["errors"]


def test_enable_needs_the_password_too(client, make_user, auth_header):
    # A stolen session enrolled its thief's app with a code alone: the owner's next sign-in
    # then asked for a code they did not have.
    user = make_user()
    headers = auth_header(user)
    totp = pyotp.TOTP(client.post("/api/v1/auth/mfa/setup", headers=headers).json["secret"])

    without = client.post(
        "/api/v1/auth/mfa/enable", json={"code": previous_step_code(totp)}, headers=headers
    )
    wrong = client.post(
        "/api/v1/auth/mfa/enable",
        json={"password": "not my password", "code": previous_step_code(totp)},
        headers=headers,
    )

    assert (without.status_code, wrong.status_code) == (422, 422)
    assert "password" in without.json["errors"] and "password" in wrong.json["errors"]
    db.session.refresh(user)
    assert user.mfa_enabled is False


def test_signing_in_is_no_edit_of_the_user(client, make_user, auth_header):
    # An administrator read the user (ETag), then the user signed in with password and code:
    # the administrator's change sent with that If-Match still holds (it was refused as
    # "changed by someone else"), and the sign-in is still recorded.
    admin = make_user(perms=["user.read", "user.manage", "group.manage"])
    user = make_user()
    totp = enrol(client, auth_header(user))
    read = client.get(f"/api/v1/users/{user.id}", headers=auth_header(admin))
    etag, updated_at = read.headers["ETag"], read.json["updated_at"]

    challenge = sign_in(client, user.email).json["mfa_token"]
    signed_in = client.post(
        "/api/v1/auth/login/mfa", json={"mfa_token": challenge, "code": totp.now()}
    )
    assert signed_in.status_code == 200

    after = client.get(f"/api/v1/users/{user.id}", headers=auth_header(admin))
    assert after.headers["ETag"] == etag and after.json["updated_at"] == updated_at
    assert after.json["last_login_at"] is not None
    renamed = client.patch(
        f"/api/v1/users/{user.id}",
        json={"display_name": "Renamed"},
        headers={**auth_header(admin), "If-Match": etag},
    )
    assert renamed.status_code == 200, renamed.json
    # The code spent by that sign-in still works once only.
    again = client.post(
        "/api/v1/auth/login/mfa",
        json={"mfa_token": sign_in(client, user.email).json["mfa_token"], "code": totp.now()},
    )
    assert again.status_code == 401
