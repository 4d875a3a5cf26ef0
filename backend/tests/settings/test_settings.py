"""Instance-wide settings: `GET /settings`, `PUT /settings/{key}`."""

import pytest

from violet.extensions import db
from violet.settings.models import Setting


def listed(client, headers) -> dict[str, dict]:
    response = client.get("/api/v1/settings", headers=headers)
    assert response.status_code == 200
    return {setting["key"]: setting for setting in response.json}


def test_every_known_setting_is_listed_with_its_default_and_type(app, client, user_header):
    settings = listed(client, user_header())

    assert set(settings) >= {
        "organisation_name",
        "mfa_required",
        "evidence_max_bytes",
        "evidence_retention_days",
    }
    assert {"value": False, "default": False, "type": "boolean"}.items() <= settings[
        "mfa_required"
    ].items()
    # The evidence cap defaults to the environment's EVIDENCE_MAX_BYTES.
    assert settings["evidence_max_bytes"]["default"] == app.config["EVIDENCE_MAX_BYTES"]
    assert settings["evidence_max_bytes"]["type"] == "integer"
    assert settings["organisation_name"]["updated_at"] is None


@pytest.mark.parametrize(
    "key, value",
    [
        ("mfa_required", "yes"),
        ("mfa_required", None),
        ("organisation_name", "x" * 101),
        ("organisation_name", 5),
        ("evidence_max_bytes", 0),
        ("evidence_max_bytes", "1000"),
        ("evidence_max_bytes", 1.5),
        ("evidence_retention_days", -1),
    ],
)
def test_a_value_of_the_wrong_shape_is_422_naming_value(client, admin_header, key, value):
    response = client.put(f"/api/v1/settings/{key}", json={"value": value}, headers=admin_header)

    assert response.status_code == 422 and "value" in response.json["errors"]
    assert response.mimetype == "application/problem+json"
    assert db.session.get(Setting, key) is None


def test_an_unknown_key_is_422_naming_the_known_ones(client, admin_header):
    response = client.put("/api/v1/settings/colour", json={"value": 1}, headers=admin_header)

    assert response.status_code == 422
    assert "organisation_name" in response.json["errors"]["key"][0]


@pytest.mark.parametrize(
    "key, value",
    [
        ("mfa_required", True),
        ("organisation_name", "ACME Purple Team"),
        ("evidence_max_bytes", 10_000_000),
        ("evidence_retention_days", 0),
    ],
)
def test_a_change_is_listed_and_names_who_made_it(
    client, admin, admin_header, user_header, key, value
):
    changed = client.put(f"/api/v1/settings/{key}", json={"value": value}, headers=admin_header)

    assert changed.status_code == 200 and changed.json["value"] == value
    setting = listed(client, user_header())[key]
    assert setting["value"] == value and setting["updated_at"] is not None
    assert db.session.get(Setting, key).updated_by == admin.id


def test_changing_a_setting_needs_settings_manage(client, user_header):
    everything_else = ["user.read", "user.manage", "group.manage", "diag.read", "mitre.sync"]
    response = client.put(
        "/api/v1/settings/mfa_required",
        json={"value": True},
        headers=user_header(perms=everything_else),
    )
    assert response.status_code == 403


def test_the_openapi_spec_names_each_known_setting_and_its_type(client, user_header):
    # A client building a form (or a fuzzer) learns the keys and value types from the spec.
    spec = client.get("/api/v1/openapi.json").json
    (key,) = spec["paths"]["/api/v1/settings/{key}"]["parameters"]
    settings = listed(client, user_header())

    assert key["in"] == "path" and key["required"] is True
    assert sorted(key["schema"]["enum"]) == sorted(settings)
    for name, setting in settings.items():
        assert f"`{name}` ({setting['type']})" in key["description"]
