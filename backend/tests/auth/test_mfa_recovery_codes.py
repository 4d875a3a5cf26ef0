"""TOTP recovery codes: issued when TOTP is turned on, shown once, stored hashed, each usable once
in place of a TOTP code at sign-in, replaced on request. (Two parallel uses of one code on a
live two-worker server: e2e/test_security_live.py.)"""

import hashlib
import re

import pyotp
from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD, previous_step_code
from violet.auth.models import MfaRecoveryCode
from violet.extensions import db

CODE_FORMAT = re.compile(r"^[a-z2-7]{4}(-[a-z2-7]{4}){3}$")


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def enrol(client, headers):
    """TOTP on with the previous step's code (so "now" stays unused); the codes it answers."""
    totp = pyotp.TOTP(client.post("/api/v1/auth/mfa/setup", headers=headers).json["secret"])
    response = client.post(
        "/api/v1/auth/mfa/enable",
        json={"password": DEFAULT_PASSWORD, "code": previous_step_code(totp)},
        headers=headers,
    )
    assert response.status_code == 200
    return totp, response.json["recovery_codes"]


def challenge(client, email):
    response = client.post(
        "/api/v1/auth/login", json={"email": email, "password": DEFAULT_PASSWORD}
    )
    return response.json["mfa_token"]


def with_recovery_code(client, email, recovery_code):
    return client.post(
        "/api/v1/auth/login/mfa",
        json={"mfa_token": challenge(client, email), "recovery_code": recovery_code},
    )


def remaining(client, headers):
    return client.get("/api/v1/auth/me", headers=headers).json["recovery_codes_remaining"]


def test_turning_totp_on_answers_ten_distinct_codes_stored_only_as_hashes(
    client, make_user, auth_header
):
    user = make_user()
    headers = auth_header(user)
    assert remaining(client, headers) == 0

    _, codes = enrol(client, headers)

    assert len(set(codes)) == 10
    assert all(CODE_FORMAT.match(code) for code in codes)
    stored = db.session.scalars(
        select(MfaRecoveryCode.code_hash).where(MfaRecoveryCode.user_id == user.id)
    ).all()
    # The SHA-256 of each code as typed without dashes; never the code itself.
    assert sorted(stored) == sorted(
        hashlib.sha256(code.replace("-", "").encode()).hexdigest() for code in codes
    )
    assert remaining(client, headers) == 10


def test_a_recovery_code_signs_in_once(client, make_user, auth_header):
    user = make_user()
    _, codes = enrol(client, auth_header(user))

    # Typed in capitals, without dashes, with a stray space: still the same code.
    first = with_recovery_code(client, user.email, codes[3].replace("-", "").upper() + " ")
    again = with_recovery_code(client, user.email, codes[3])

    assert first.status_code == 200
    assert first.json["user"]["recovery_codes_remaining"] == 9
    assert again.status_code == 401
    assert "recovery code" in again.json["detail"]
    # The other codes still work.
    assert with_recovery_code(client, user.email, codes[4]).status_code == 200
    assert remaining(client, bearer(first.json["access_token"])) == 8


def test_another_users_code_and_a_made_up_one_are_refused(client, make_user, auth_header):
    owner, other = make_user(), make_user()
    _, owners_codes = enrol(client, auth_header(owner))
    enrol(client, auth_header(other))

    assert with_recovery_code(client, other.email, owners_codes[0]).status_code == 401
    assert with_recovery_code(client, other.email, "aaaa-bbbb-cccc-dddd").status_code == 401
    # Refusing it elsewhere did not spend it.
    assert with_recovery_code(client, owner.email, owners_codes[0]).status_code == 200


def test_wrong_recovery_codes_share_the_second_factor_limit(client, make_user, auth_header):
    user = make_user()
    _, codes = enrol(client, auth_header(user))

    statuses = [
        with_recovery_code(client, user.email, "aaaa-bbbb-cccc-dddd").status_code for _ in range(6)
    ]
    blocked = with_recovery_code(client, user.email, codes[0])

    assert statuses == [401] * 5 + [429]
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers


def test_the_mfa_step_takes_exactly_one_of_code_and_recovery_code(client, make_user, auth_header):
    user = make_user()
    totp, codes = enrol(client, auth_header(user))
    token = challenge(client, user.email)

    both = client.post(
        "/api/v1/auth/login/mfa",
        json={"mfa_token": token, "code": totp.now(), "recovery_code": codes[0]},
    )
    neither = client.post("/api/v1/auth/login/mfa", json={"mfa_token": token})

    assert (both.status_code, neither.status_code) == (422, 422)
    assert set(neither.json["errors"]) == {"code", "recovery_code"}
    assert remaining(client, auth_header(user)) == 10


def test_regenerating_needs_password_and_code_and_replaces_the_set(client, make_user, auth_header):
    user = make_user()
    headers = auth_header(user)
    totp, old_codes = enrol(client, headers)
    assert with_recovery_code(client, user.email, old_codes[0]).status_code == 200

    wrong_password = client.post(
        "/api/v1/auth/mfa/recovery-codes",
        json={"password": "not my password", "code": totp.now()},
        headers=headers,
    )
    wrong_code = client.post(
        "/api/v1/auth/mfa/recovery-codes",
        json={"password": DEFAULT_PASSWORD, "code": "000000"},
        headers=headers,
    )
    assert (wrong_password.status_code, wrong_code.status_code) == (422, 422)
    assert "password" in wrong_password.json["errors"]
    assert "code" in wrong_code.json["errors"]
    assert remaining(client, headers) == 9

    fresh = client.post(
        "/api/v1/auth/mfa/recovery-codes",
        json={"password": DEFAULT_PASSWORD, "code": totp.now()},
        headers=headers,
    )

    assert fresh.status_code == 200
    new_codes = fresh.json["recovery_codes"]
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    assert remaining(client, headers) == 10
    assert with_recovery_code(client, user.email, old_codes[1]).status_code == 401
    assert with_recovery_code(client, user.email, new_codes[0]).status_code == 200


def test_regenerating_without_totp_is_a_conflict(client, make_user, auth_header):
    response = client.post(
        "/api/v1/auth/mfa/recovery-codes",
        json={"password": DEFAULT_PASSWORD, "code": "123456"},
        headers=auth_header(make_user()),
    )

    assert response.status_code == 409


def test_an_api_token_cannot_regenerate_codes(client, make_user, auth_header):
    user = make_user(perms=["user.read"])
    headers = auth_header(user)
    totp, _ = enrol(client, headers)
    token = client.post(
        "/api/v1/auth/tokens", json={"name": "ci", "permissions": []}, headers=headers
    ).json["token"]

    response = client.post(
        "/api/v1/auth/mfa/recovery-codes",
        json={"password": DEFAULT_PASSWORD, "code": totp.now()},
        headers=bearer(token),
    )

    assert response.status_code == 403
    assert remaining(client, headers) == 10


def test_turning_totp_off_or_an_admin_reset_removes_the_codes(
    client, make_user, auth_header, admin_header
):
    def stored_codes(user):
        return db.session.scalars(
            select(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id)
        ).all()

    by_self, by_admin = make_user(), make_user()
    totp, _ = enrol(client, auth_header(by_self))
    enrol(client, auth_header(by_admin))

    turned_off = client.post(
        "/api/v1/auth/mfa/disable",
        json={"password": DEFAULT_PASSWORD, "code": totp.now()},
        headers=auth_header(by_self),
    )
    reset = client.delete(f"/api/v1/users/{by_admin.id}/mfa", headers=admin_header)

    assert (turned_off.status_code, reset.status_code) == (204, 204)
    assert stored_codes(by_self) == []
    assert stored_codes(by_admin) == []
    # Without TOTP the login answers a token pair at once: no challenge to spend a code on.
    login = client.post(
        "/api/v1/auth/login", json={"email": by_admin.email, "password": DEFAULT_PASSWORD}
    )
    assert "access_token" in login.json
