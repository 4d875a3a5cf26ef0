"""Input PostgreSQL cannot store, over-deep JSON, body caps, headers, logs, the SPA fallback."""

import json
import logging

import pytest
from marshmallow import Schema, fields
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.conftest import make_app
from violet.core.json_types import wrong_types
from violet.extensions import db


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "/api/v1/auth/login", {"email": "a\u0000@x.test", "password": "p"}, "email"),
        ("patch", "/api/v1/auth/me", {"display_name": "Ada\u0000"}, "display_name"),
        ("post", "/api/v1/auth/tokens", {"name": "ci\u0000", "permissions": []}, "name"),
        ("patch", "/api/v1/auth/me", {"display_name": "lone \ud800 surrogate"}, "display_name"),
        ("get", "/api/v1/users?q=x%00y", None, "q"),
        ("get", "/api/v1/mitre/techniques/T10%0059", None, "path"),
    ],
)
def test_characters_postgresql_cannot_store_are_422_naming_the_field(
    client, admin_header, method, path, body, field
):
    response = getattr(client, method)(path, json=body, headers=admin_header)

    assert response.status_code == 422, response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    assert field in response.json["errors"]


def test_anonymous_callers_still_get_401_before_input_is_looked_at(client):
    response = client.patch("/api/v1/auth/me", json={"display_name": "\u0000"})

    assert response.status_code == 401


def test_json_nested_ten_thousand_levels_is_a_400(client, admin_header):
    deep = "[" * 10_000 + "]" * 10_000

    response = client.patch(
        "/api/v1/auth/me", data=deep, content_type="application/json", headers=admin_header
    )
    login = client.post("/api/v1/auth/login", data=deep, content_type="application/json")

    assert response.status_code == login.status_code == 400
    assert "nested too deeply" in login.json["detail"]


def test_bodies_over_one_mebibyte_are_refused_before_parsing(client):
    huge = json.dumps({"email": "a@b.test", "password": "x" * (1024 * 1024)})

    response = client.post("/api/v1/auth/login", data=huge, content_type="application/json")

    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["detail"] == (
        "The request body is larger than the limit of 1 MB (1048576 bytes)."
    )


def test_sql_parameters_never_reach_exception_messages(caplog):
    with pytest.raises(DBAPIError) as raised:
        db.session.execute(
            text("SELECT CAST(:secret AS text), 1 / 0"), {"secret": "hunter2-secret"}
        )
    db.session.rollback()

    assert "division by zero" in str(raised.value)
    assert "hunter2-secret" not in str(raised.value)


def test_security_headers_on_api_and_spa(client):
    api = client.get("/api/v1/diag/health")
    spa = client.get("/")
    docs = client.get("/api/docs")

    for response in (api, spa, docs):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert "Strict-Transport-Security" not in response.headers
    assert "script-src 'self';" in spa.headers["Content-Security-Policy"]
    assert "unsafe-inline" in docs.headers["Content-Security-Policy"].split("script-src")[1]


def test_hsts_over_https(client):
    response = client.get("/api/v1/diag/health", base_url="https://violet.example")

    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_https_scheme_is_trusted_from_proxies_only_when_configured(database_url):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    direct = make_app(database_url).test_client().get("/api/v1/diag/health", headers=forwarded)
    proxied = (
        make_app(database_url, TRUSTED_PROXY_COUNT=1)
        .test_client()
        .get("/api/v1/diag/health", headers=forwarded)
    )

    assert "Strict-Transport-Security" not in direct.headers
    assert "Strict-Transport-Security" in proxied.headers


def test_spa_fallback_is_no_file_existence_oracle(database_url, tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>Violet</title>")
    (tmp_path / "secret.txt").write_text("do not serve")
    spa = make_app(database_url, FRONTEND_DIST=str(dist)).test_client()

    outside = spa.get("/..%2fsecret.txt")
    escaped = spa.get("/%2e%2e/secret.txt")
    missing = spa.get("/..%2fno-such-file.txt")

    for response in (outside, escaped, missing):
        assert response.status_code == 200
        assert response.data == b"<!doctype html><title>Violet</title>"
        response.close()


def test_login_is_not_logged_with_its_password(client, caplog):
    with caplog.at_level(logging.DEBUG):
        client.post("/api/v1/auth/login", json={"email": "x@y.test", "password": "pw-in-logs?"})

    assert "pw-in-logs?" not in caplog.text


@pytest.mark.parametrize(
    ("content_type", "named"),
    [
        ("application/x-www-form-urlencoded", "application/x-www-form-urlencoded"),  # curl -d
        ("text/plain", "text/plain"),
        (None, "no Content-Type"),
    ],
)
def test_a_json_body_sent_as_another_type_is_a_400_naming_the_content_type(
    client, admin_header, content_type, named
):
    """A script's body must not be read as empty: "name: Missing data" for a name it sent sends
    its author looking in the wrong place, and an update would be told there is nothing to do."""
    body = json.dumps({"name": "Kerberoasting"})
    headers = {**admin_header, **({"Content-Type": content_type} if content_type else {})}

    created = client.post("/api/v1/test-templates", data=body, headers=headers)
    login = client.post(
        "/api/v1/auth/login",
        data=json.dumps({"email": "admin@example.test", "password": "x" * 12}),
        headers={"Content-Type": content_type} if content_type else {},
    )

    for response in (created, login):
        assert response.status_code == 400, response.json
        assert response.json["errors"] == {
            "Content-Type": [
                f"The body must be JSON sent with Content-Type: application/json, not {named} "
                "(with curl, add -H 'Content-Type: application/json' to -d)."
            ]
        }
    listed = client.get("/api/v1/test-templates", headers=admin_header)
    assert listed.json["total"] == 0


def test_patch_without_a_body_is_422(client, admin_header):
    response = client.patch("/api/v1/auth/me", headers=admin_header)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"


def test_a_wrong_method_on_an_existing_path_is_405_with_allow(client, admin_header):
    response = client.put("/api/v1/users", headers=admin_header)
    unknown = client.put("/api/v1/no-such-thing", headers=admin_header)

    assert response.status_code == 405
    assert {"GET", "POST"} <= set(response.headers["Allow"].split(", "))
    assert response.headers["Content-Type"] == "application/problem+json"
    assert unknown.status_code == 404


def test_an_over_long_query_string_is_a_problem_json_414(client, admin_header):
    response = client.get("/api/v1/users?q=" + "x" * 5000, headers=admin_header)

    assert response.status_code == 414
    assert response.headers["Content-Type"] == "application/problem+json"


def test_the_spec_documents_errors_as_problem_json(client):
    spec = client.get("/api/v1/openapi.json").json

    for name in ("UNAUTHORIZED", "FORBIDDEN", "UNPROCESSABLE_CONTENT", "DEFAULT_ERROR"):
        response = spec["components"]["responses"].get(name)
        if response is not None:
            assert list(response["content"]) == ["application/problem+json"], name
    assert "application/json" not in spec["components"]["responses"]["UNAUTHORIZED"]["content"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"is_active": 0}, "is_active"),  # marshmallow alone loads 0 as False
        ({"is_active": "false"}, "is_active"),
        ({"display_name": 5}, "display_name"),
    ],
)
def test_a_json_value_of_the_wrong_type_is_422_and_changes_nothing(
    client, admin_header, make_user, body, field
):
    user = make_user()

    response = client.patch(f"/api/v1/users/{user.id}", json=body, headers=admin_header)

    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert client.get(f"/api/v1/users/{user.id}", headers=admin_header).json["is_active"] is True


@pytest.mark.parametrize("position", [2.5, 1e-42, True, "3"])
def test_an_integer_field_refuses_floats_booleans_and_strings(client, admin_header, position):
    body = {"name": "Blocked twice", "score": 50, "color": "#123456", "position": position}

    response = client.post("/api/v1/detection-levels", json=body, headers=admin_header)
    levels = client.get("/api/v1/detection-levels", headers=admin_header).json

    assert response.status_code == 422, response.json
    assert response.json["errors"] == {"position": ["Not a valid integer."]}
    assert "Blocked twice" not in [level["name"] for level in levels["items"]]


def test_nested_and_list_values_are_type_checked():
    class Item(Schema):
        score = fields.Integer()
        weight = fields.Float(data_key="w")

    class Body(Schema):
        items = fields.List(fields.Nested(Item))
        one = fields.Nested(Item)
        flags = fields.List(fields.Boolean())

    body = {"items": [{"score": 1}, {"score": 1.5}], "one": {"w": "2"}, "flags": [True, 0]}

    assert wrong_types(Body(), body) == {
        "items": {1: {"score": ["Not a valid integer."]}},
        "one": {"w": ["Not a valid number."]},
        "flags": {1: ["Not a valid boolean."]},
    }
    assert wrong_types(Body(), {"items": [{"score": 2, "w": 0.5}], "flags": [False]}) == {}


def test_query_strings_still_convert(client, admin_header):
    response = client.get("/api/v1/users?limit=5&include_deleted=true", headers=admin_header)

    assert response.status_code == 200


def test_no_cookie_session_is_kept(app, client, admin_header):
    """Flask's signed cookie session is off: nothing can be stored in it, no cookie is set."""
    from flask import session
    from flask.sessions import NullSession

    response = client.get("/api/v1/auth/me", headers=admin_header)
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    with app.test_request_context("/"):
        assert isinstance(session, NullSession)
        with pytest.raises(RuntimeError):
            session["kept"] = True
