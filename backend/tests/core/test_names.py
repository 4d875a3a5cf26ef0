"""A name of spaces is refused where a name is given (it was saved empty: a nameless group, a
workspace switcher reading "Workspace: "), and a name loses its surrounding spaces."""

from __future__ import annotations

import pytest

BLANK = "May not be blank."

CREATES = [
    ("/api/v1/groups", "name"),
    ("/api/v1/workspaces", "name"),
    ("/api/v1/auth/tokens", "name"),
    ("/api/v1/missions", "name"),
    ("/api/v1/test-templates", "name"),
    ("/api/v1/scenario-templates", "name"),
    ("/api/v1/detection-levels", "name"),
    ("/api/v1/defense-tools", "name"),
    ("/api/v1/invitations/accept", "display_name"),
]


@pytest.mark.parametrize(("url", "field"), CREATES)
def test_a_blank_name_is_422_naming_the_field(client, admin_header, url, field):
    response = client.post(url, json={field: " \t "}, headers=admin_header)

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"][field] == [BLANK]


def test_a_blank_name_changes_nothing_and_a_name_is_trimmed(client, admin_header):
    created = client.post(
        "/api/v1/groups", json={"name": "  Red team  ", "permissions": []}, headers=admin_header
    )
    assert created.status_code == 201, created.json
    assert created.json["name"] == "Red team"
    url = f"/api/v1/groups/{created.json['id']}"

    renamed = client.patch(url, json={"name": "   "}, headers=admin_header)
    me = client.patch("/api/v1/auth/me", json={"display_name": "  "}, headers=admin_header)

    assert (renamed.status_code, me.status_code) == (422, 422)
    assert me.json["errors"]["display_name"] == [BLANK]
    assert client.get(url, headers=admin_header).json["name"] == "Red team"
    assert client.get("/api/v1/auth/me", headers=admin_header).json["display_name"].strip()
