"""Login, the MFA second step, refresh rotation with reuse detection, logout."""

import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD, make_app, previous_step_code
from violet.auth.models import RefreshToken
from violet.auth.service import throttle
from violet.core import limits
from violet.core.models import utcnow
from violet.extensions import db


def login(client, email, password=DEFAULT_PASSWORD, **kwargs):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password}, **kwargs)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_login_returns_a_token_pair_and_the_user(client, make_user):
    user = make_user("Alice@Example.test", perms=["diag.read"])

    response = login(client, "  alice@EXAMPLE.test ")

    assert response.status_code == 200
    body = response.json
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 15 * 60
    assert body["user"]["email"] == "alice@example.test"
    assert body["user"]["permissions"] == ["diag.read"]
    me = client.get("/api/v1/auth/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json["id"] == str(user.id)
    assert me.json["last_login_at"] is not None


def test_unknown_email_and_wrong_password_get_the_same_401(client, make_user):
    make_user("bob@example.test")

    wrong_password = login(client, "bob@example.test", "not the right password")
    unknown_email = login(client, "nobody@example.test", "not the right password")

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json == unknown_email.json
    assert wrong_password.headers["Content-Type"] == "application/problem+json"


def test_unknown_email_costs_a_password_verification(app, client, make_user, monkeypatch):
    # Comparable time: the unknown-email path verifies against a dummy argon2 hash made with the
    # profile real hashes get (test mode's cheap one here, see test_password_profiles).
    from argon2 import extract_parameters

    from violet.auth.service import credentials

    real_hasher = credentials._hasher
    calls = []

    class CountingHasher:
        def verify(self, password_hash, password):
            calls.append(password_hash)
            return real_hasher.verify(password_hash, password)

    monkeypatch.setattr(credentials, "_hasher", CountingHasher())
    assert login(client, "nobody@example.test", "whatever-password").status_code == 401
    with app.app_context():
        real_hash = credentials.hash_password("whatever-password")
    assert len(calls) == 1
    assert extract_parameters(calls[0]) == extract_parameters(real_hash)


@pytest.mark.parametrize("state", ["deactivated", "deleted"])
def test_deactivated_and_deleted_users_cannot_log_in(client, make_user, state):
    user = make_user("carol@example.test", is_active=state != "deactivated")
    if state == "deleted":
        user.soft_delete()
        db.session.commit()

    response = login(client, "carol@example.test")

    assert response.status_code == 401


def test_ten_failures_for_one_account_from_one_address_answer_429_with_retry_after(
    client, make_user
):
    make_user("dave@example.test")
    attacker = {"REMOTE_ADDR": "10.0.0.66"}
    for _ in range(10):
        assert (
            login(client, "dave@example.test", "wrong password!", environ_base=attacker).status_code
            == 401
        )

    blocked = login(client, "dave@example.test", environ_base=attacker)

    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60
    assert blocked.headers["Content-Type"] == "application/problem+json"


def test_a_stranger_cannot_lock_the_owner_out_with_ten_requests(client, make_user):
    make_user("owner@example.test")
    for _ in range(10):
        login(
            client,
            "owner@example.test",
            "wrong password!",
            environ_base={"REMOTE_ADDR": "10.6.6.6"},
        )

    owner = login(client, "owner@example.test", environ_base={"REMOTE_ADDR": "10.1.1.1"})

    assert owner.status_code == 200


def fail_logins(email: str, address: str, times: int) -> None:
    """`times` failed sign-ins recorded as the login endpoint records them (no argon2 cost)."""
    for _ in range(times):
        limits.record_failure(db.session, throttle.login_guards(email, address))
    db.session.commit()


def test_many_addresses_guessing_one_account_reach_the_account_ceiling(client, make_user):
    make_user("target@example.test")
    for attempt in range(9):
        fail_logins("target@example.test", f"10.2.0.{attempt}", 11)
    address = {"REMOTE_ADDR": "10.2.1.1"}
    assert login(client, "target@example.test", "wrong!", environ_base=address).status_code == 401

    owner = login(client, "target@example.test", environ_base={"REMOTE_ADDR": "10.9.9.9"})

    assert owner.status_code == 429, "100 failures from 10 addresses lock the account"


def test_one_address_spraying_accounts_reaches_the_address_ceiling(client, make_user):
    make_user("erin@example.test")
    for attempt in range(29):
        fail_logins(f"someone{attempt}@example.test", "127.0.0.1", 1)
    assert login(client, "someone-else@example.test", "wrong password!").status_code == 401

    assert login(client, "erin@example.test").status_code == 429


def test_the_client_address_comes_from_trusted_proxies_only(database_url, client, make_user):
    # Without TRUSTED_PROXY_COUNT, a forged X-Forwarded-For does not buy fresh attempts.
    make_user("fay@example.test")
    for attempt in range(10):
        forged = {"X-Forwarded-For": f"192.0.2.{attempt}"}
        assert (
            login(client, "fay@example.test", "wrong password!", headers=forged).status_code == 401
        )

    assert (
        login(client, "fay@example.test", headers={"X-Forwarded-For": "192.0.2.200"}).status_code
        == 429
    )


def test_successful_logins_do_not_count_as_failures(client, make_user):
    make_user("frank@example.test")
    for _ in range(12):
        assert login(client, "frank@example.test").status_code == 200


def test_refresh_rotates_and_a_replayed_token_revokes_the_family(client, make_user):
    make_user("gina@example.test")
    first = login(client, "gina@example.test").json

    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    assert second.json["refresh_token"] != first["refresh_token"]

    replay = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401

    # The thief's replay also ended the legitimate holder's newer token.
    after = client.post(
        "/api/v1/auth/refresh", json={"refresh_token": second.json["refresh_token"]}
    )
    assert after.status_code == 401
    family = db.session.scalars(select(RefreshToken.revoked_at)).all()
    assert family and all(revoked is not None for revoked in family)


def test_refresh_refused_for_deactivated_user_and_expired_token(client, make_user):
    user = make_user("hank@example.test")
    pair = login(client, "hank@example.test").json
    user.is_active = False
    db.session.commit()
    assert (
        client.post(
            "/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}
        ).status_code
        == 401
    )

    user.is_active = True
    db.session.commit()
    pair = login(client, "hank@example.test").json
    for token in db.session.scalars(select(RefreshToken)):
        token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert response.status_code == 401


def test_logout_spends_the_refresh_token(client, make_user):
    make_user("ivy@example.test")
    pair = login(client, "ivy@example.test").json

    response = client.post(
        "/api/v1/auth/logout",
        json={"refresh_token": pair["refresh_token"]},
        headers=bearer(pair["access_token"]),
    )

    assert response.status_code == 204
    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refresh.status_code == 401


def test_logout_all_ends_every_session_and_access_token(client, make_user):
    make_user("jack@example.test")
    laptop = login(client, "jack@example.test").json
    phone = login(client, "jack@example.test").json
    time.sleep(1.01)  # access tokens carry whole seconds; the cut-off is the next second

    response = client.post("/api/v1/auth/logout-all", headers=bearer(laptop["access_token"]))

    assert response.status_code == 204
    for pair in (laptop, phone):
        refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        assert refresh.status_code == 401
        assert (
            client.get("/api/v1/auth/me", headers=bearer(pair["access_token"])).status_code == 401
        )


def test_anonymous_request_with_a_malformed_body_gets_401_not_422(client):
    response = client.post("/api/v1/auth/logout", data="{not json", content_type="application/json")
    assert response.status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer ", "Bearer vlt_unknown-token"],
)
def test_bad_bearer_tokens_get_401(client, header):
    response = client.get("/api/v1/auth/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"


def test_expired_access_token_gets_401(client, make_user, app):
    from flask_jwt_extended import create_access_token

    user = make_user()
    token = create_access_token(identity=str(user.id), expires_delta=timedelta(seconds=-1))

    response = client.get("/api/v1/auth/me", headers=bearer(token))

    assert response.status_code == 401
    assert "expired" in response.json["detail"]


def test_a_token_used_before_still_expires(client, make_user, monkeypatch):
    """A verified token is remembered (not verified again), but its expiry is checked on
    every request."""
    from flask_jwt_extended import create_access_token

    from violet.auth.service import sessions

    user = make_user()
    token = create_access_token(identity=str(user.id), expires_delta=timedelta(minutes=5))
    assert client.get("/api/v1/auth/me", headers=bearer(token)).status_code == 200

    later = time.time() + 301
    monkeypatch.setattr(sessions.time, "time", lambda: later)
    response = client.get("/api/v1/auth/me", headers=bearer(token))

    assert response.status_code == 401
    assert "expired" in response.json["detail"]


def test_a_token_verified_by_one_app_is_not_trusted_by_another(app, client, make_user):
    """What one app verified is remembered by that app only: another one with its own secret
    checks the signature itself."""
    from flask_jwt_extended import create_access_token

    user = make_user()
    with app.app_context():
        token = create_access_token(identity=str(user.id))
    assert client.get("/api/v1/auth/me", headers=bearer(token)).status_code == 200

    other = make_app(app.config["SQLALCHEMY_DATABASE_URI"], JWT_SECRET_KEY="another-secret-" * 4)
    response = other.test_client().get("/api/v1/auth/me", headers=bearer(token))
    with other.app_context():
        db.engine.dispose()

    assert response.status_code == 401
    assert response.json["detail"] == "The access token is invalid."


class TestMfaLogin:
    def enrol(self, client, user):
        headers = {"Authorization": f"Bearer {login(client, user.email).json['access_token']}"}
        setup = client.post("/api/v1/auth/mfa/setup", headers=headers)
        assert setup.status_code == 200
        assert setup.json["otpauth_uri"].startswith("otpauth://totp/Violet:")
        totp = pyotp.TOTP(setup.json["secret"])
        # A code from the previous step: within the ±1 window, and leaves "now" unused.
        enable = client.post(
            "/api/v1/auth/mfa/enable",
            json={"password": DEFAULT_PASSWORD, "code": previous_step_code(totp)},
            headers=headers,
        )
        assert enable.status_code == 200
        return totp

    def test_login_asks_for_the_code_then_completes(self, client, make_user):
        user = make_user("kim@example.test")
        totp = self.enrol(client, user)

        challenge = login(client, "kim@example.test")
        assert challenge.status_code == 200
        assert challenge.json["mfa_required"] is True
        assert "access_token" not in challenge.json
        # The challenge token is not an access token.
        assert (
            client.get("/api/v1/auth/me", headers=bearer(challenge.json["mfa_token"])).status_code
            == 401
        )

        done = client.post(
            "/api/v1/auth/login/mfa",
            json={"mfa_token": challenge.json["mfa_token"], "code": totp.now()},
        )
        assert done.status_code == 200
        assert done.json["user"]["mfa_enabled"] is True

    def test_codes_are_single_use(self, client, make_user):
        user = make_user("lee@example.test")
        totp = self.enrol(client, user)
        code = totp.now()
        first = login(client, user.email).json["mfa_token"]
        second = login(client, user.email).json["mfa_token"]

        ok = client.post("/api/v1/auth/login/mfa", json={"mfa_token": first, "code": code})
        replay = client.post("/api/v1/auth/login/mfa", json={"mfa_token": second, "code": code})

        assert ok.status_code == 200
        assert replay.status_code == 401

    def test_codes_outside_one_step_are_refused(self, client, make_user):
        user = make_user("max@example.test")
        totp = self.enrol(client, user)
        challenge = login(client, user.email).json["mfa_token"]

        stale = client.post(
            "/api/v1/auth/login/mfa",
            json={"mfa_token": challenge, "code": totp.at(time.time() - 95)},
        )

        assert stale.status_code == 401

    def test_wrong_codes_are_rate_limited(self, client, make_user):
        user = make_user("ned@example.test")
        totp = self.enrol(client, user)
        challenge = login(client, user.email).json["mfa_token"]
        wrong = "000000" if totp.now() != "000000" else "111111"
        for _ in range(5):
            response = client.post(
                "/api/v1/auth/login/mfa", json={"mfa_token": challenge, "code": wrong}
            )
            assert response.status_code == 401

        blocked = client.post(
            "/api/v1/auth/login/mfa", json={"mfa_token": challenge, "code": totp.now()}
        )
        assert blocked.status_code == 429
        assert "Retry-After" in blocked.headers


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(database_url, make_user):
    make_user("gus@example.test")
    proxied = make_app(database_url, TRUSTED_PROXY_COUNT=1).test_client()
    attacker = {"X-Forwarded-For": "198.51.100.7"}
    for _ in range(10):
        assert (
            login(proxied, "gus@example.test", "wrong password!", headers=attacker).status_code
            == 401
        )

    assert login(proxied, "gus@example.test", headers=attacker).status_code == 429
    assert (
        login(proxied, "gus@example.test", headers={"X-Forwarded-For": "198.51.100.8"}).status_code
        == 200
    )


class TestRefreshCookie:
    """The web interface keeps its refresh token in an HttpOnly cookie, out of script's reach."""

    COOKIE_MODE = {"X-Violet-Refresh": "cookie"}

    def test_login_sets_an_httponly_strict_cookie_instead_of_the_body_token(
        self, client, make_user
    ):
        make_user("hal@example.test")

        response = login(client, "hal@example.test", headers=self.COOKIE_MODE)

        assert response.status_code == 200
        assert "refresh_token" not in response.json
        cookie = response.headers["Set-Cookie"]
        assert cookie.startswith("violet_refresh=")
        for attribute in ("HttpOnly", "SameSite=Strict", "Path=/api/v1/auth"):
            assert attribute in cookie
        assert "Secure" not in cookie

    def test_the_cookie_is_secure_over_https(self, client, make_user):
        make_user("ida@example.test")

        response = login(
            client, "ida@example.test", headers=self.COOKIE_MODE, base_url="https://violet.example"
        )

        assert "Secure" in response.headers["Set-Cookie"]

    def test_refresh_and_logout_work_from_the_cookie(self, client, make_user):
        make_user("jan@example.test")
        first = login(client, "jan@example.test", headers=self.COOKIE_MODE).json

        refreshed = client.post("/api/v1/auth/refresh", json={}, headers=self.COOKIE_MODE)
        assert refreshed.status_code == 200
        assert "refresh_token" not in refreshed.json
        assert refreshed.json["access_token"] != first["access_token"]

        logout = client.post(
            "/api/v1/auth/logout", json={}, headers=bearer(refreshed.json["access_token"])
        )
        assert logout.status_code == 204
        assert "violet_refresh=;" in logout.headers["Set-Cookie"]
        assert client.post("/api/v1/auth/refresh", json={}).status_code == 401

    def test_api_clients_keep_the_token_in_the_body(self, client, make_user):
        make_user("kai@example.test")

        response = login(client, "kai@example.test")

        assert response.json["refresh_token"]
        assert "Set-Cookie" not in response.headers
