"""Instance-wide settings: `GET /settings`, `PUT /settings/{key}`."""

from violet.extensions import db
from violet.settings.models import Setting


def test_settings_validate_known_keys(client, admin_header):
    unknown = client.put("/api/v1/settings/colour", json={"value": 1}, headers=admin_header)
    wrong_type = client.put(
        "/api/v1/settings/mfa_required", json={"value": "yes"}, headers=admin_header
    )
    listed = client.get("/api/v1/settings", headers=admin_header)

    assert unknown.status_code == 422 and "key" in unknown.json["errors"]
    assert wrong_type.status_code == 422 and "value" in wrong_type.json["errors"]
    assert {"key": "mfa_required", "value": False}.items() <= listed.json[0].items()


def test_a_change_is_listed_and_names_who_made_it(client, admin, admin_header, user_header):
    changed = client.put(
        "/api/v1/settings/mfa_required", json={"value": True}, headers=admin_header
    )

    assert changed.status_code == 200 and changed.json["value"] is True
    listed = client.get("/api/v1/settings", headers=user_header())
    assert {"key": "mfa_required", "value": True, "default": False}.items() <= listed.json[
        0
    ].items()
    assert db.session.get(Setting, "mfa_required").updated_by == admin.id


def test_changing_a_setting_needs_settings_manage(client, user_header):
    everything_else = ["user.read", "user.manage", "group.manage", "diag.read", "mitre.sync"]
    response = client.put(
        "/api/v1/settings/mfa_required",
        json={"value": True},
        headers=user_header(perms=everything_else),
    )
    assert response.status_code == 403
