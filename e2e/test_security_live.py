"""Security guarantees that only a live, multi-worker server can prove (gunicorn, 2 workers).

Per-process counters would let 12 bad passwords through as 12 × 401 when the requests spread
over the workers; the counters live in PostgreSQL, so the 11th is refused whichever worker gets
it. Two workers racing the same TOTP code, or the same recovery code, must accept it once. A
200 MB body is refused from its headers, before the body is sent.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pyotp
from api_client import USER_PASSWORD, ApiClient


def post_json(base_url: str, path: str, body: dict, token: str | None = None) -> tuple[int, dict]:
    """One POST on a new connection (so the requests spread over the workers)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"{base_url}/api/v1{path}", data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_failed_logins_are_counted_across_workers(live_server, admin_api):
    user = admin_api.create_user()
    statuses = [
        post_json(live_server, "/auth/login", {"email": user["email"], "password": "wrong one!"})[0]
        for _ in range(12)
    ]

    assert statuses == [401] * 10 + [429] * 2


def enrol_totp(base_url: str, email: str) -> tuple[pyotp.TOTP, list[str]]:
    """TOTP on for the user: the app's generator and the recovery codes."""
    own = ApiClient(base_url)
    own.sign_in(email, USER_PASSWORD)
    totp = pyotp.TOTP(own.call("POST", "/auth/mfa/setup")["secret"])
    recovery_codes = own.call(
        "POST", "/auth/mfa/enable", {"password": USER_PASSWORD, "code": totp.now()}
    )["recovery_codes"]
    return totp, recovery_codes


def race_mfa_step(base_url: str, email: str, second_factor: dict) -> list[int]:
    """Two challenges completed at the same instant with the same second factor: the statuses."""
    challenges = [
        post_json(base_url, "/auth/login", {"email": email, "password": USER_PASSWORD})[1][
            "mfa_token"
        ]
        for _ in range(2)
    ]
    start = threading.Barrier(2)
    statuses: list[int] = []

    def complete(challenge: str) -> None:
        start.wait()
        status, _ = post_json(
            base_url, "/auth/login/mfa", {"mfa_token": challenge, **second_factor}
        )
        statuses.append(status)

    threads = [threading.Thread(target=complete, args=(c,)) for c in challenges]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


def test_one_totp_code_raced_on_two_workers_is_accepted_once(live_server, admin_api):
    user = admin_api.create_user()
    totp, _ = enrol_totp(live_server, user["email"])
    # The next step's code: fresh (the enrolment spent this step's) and within the ±1 drift.
    code = totp.at(time.time() + 30)

    assert race_mfa_step(live_server, user["email"], {"code": code}) == [200, 401]


def test_one_recovery_code_raced_on_two_workers_is_accepted_once(live_server, admin_api):
    user = admin_api.create_user()
    _, recovery_codes = enrol_totp(live_server, user["email"])

    statuses = race_mfa_step(live_server, user["email"], {"recovery_code": recovery_codes[0]})

    assert statuses == [200, 401]


def test_a_200_mb_login_body_is_refused_from_its_headers(live_server):
    address = urlsplit(live_server)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    connection.putrequest("POST", "/api/v1/auth/login")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(200 * 1024 * 1024))
    connection.endheaders(b'{"email": "a@b.test", "password": "')
    # Nothing more is sent: the answer must come without the other 200 MB.
    response = connection.getresponse()

    assert response.status == 413
    assert response.getheader("Content-Type") == "application/problem+json"
    connection.close()
