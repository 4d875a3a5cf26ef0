"""Missions fixtures: a mission with a lead, red, blue and viewer member, tools and levels.

Everything is built through the API, as a team would: the lead creates the mission and sets its
members; an administrator adds the defense tools.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.mitre.bundle import build_bundle, encode
from violet.extensions import db
from violet.mitre.sync.service import SyncSettings, SyncSource, sync_catalogue

LEAD_PERMISSIONS = ["mission.create", "test_template.read", "scenario_template.read"]


def sync(app: Flask, bundle: dict[str, Any]) -> None:
    sync_catalogue(
        SyncSource(content=encode(bundle), label="upload:test-bundle.json"),
        expected_sha256=None,
        allow_unverified=True,
        started_by=None,
        settings=SyncSettings.from_config(app.config),
    )
    db.session.commit()


@pytest.fixture
def catalogue(app: Flask) -> None:
    """The test bundle: TA0001-3; T1059 (+ .001, .003), T1078 (+ .001), T1566 (+ .001)."""
    sync(app, build_bundle())


@dataclass
class Team:
    """The people of one mission, as request headers, and their user ids."""

    lead: dict[str, str]
    red: dict[str, str]
    blue: dict[str, str]
    viewer: dict[str, str]
    outsider: dict[str, str]
    ids: dict[str, str]


@pytest.fixture
def team(make_user, auth_header) -> Team:
    users = {
        "lead": make_user(perms=LEAD_PERMISSIONS),
        "red": make_user(perms=["test_template.read"]),
        "blue": make_user(),
        "viewer": make_user(),
        "outsider": make_user(perms=LEAD_PERMISSIONS),
    }
    headers = {role: auth_header(user) for role, user in users.items()}
    return Team(**headers, ids={role: str(user.id) for role, user in users.items()})


@pytest.fixture
def make_mission(client: FlaskClient, team: Team) -> Callable[..., dict[str, Any]]:
    """`make_mission(name=…)`: a mission created by the team's lead, with red, blue and viewer."""

    def factory(name: str = "Purple week", *, headers: dict[str, str] | None = None) -> dict:
        response = client.post(
            "/api/v1/missions", json={"name": name}, headers=headers or team.lead
        )
        assert response.status_code == 201, response.json
        mission = response.json
        if headers is None:
            members = [
                {"user_id": team.ids[role], "role": role}
                for role in ("lead", "red", "blue", "viewer")
            ]
            response = client.put(
                f"/api/v1/missions/{mission['id']}/members", json=members, headers=team.lead
            )
            assert response.status_code == 200, response.json
        return mission

    return factory


@pytest.fixture
def mission(make_mission) -> dict[str, Any]:
    return make_mission()


@pytest.fixture
def add_test(client: FlaskClient, team: Team) -> Callable[..., dict[str, Any]]:
    """`add_test(mission_id, name=…, **fields)`: an ad hoc test added by the lead."""

    def factory(mission_id: str, name: str = "Encoded PowerShell", **fields: Any) -> dict:
        response = client.post(
            f"/api/v1/missions/{mission_id}/tests", json={"name": name, **fields}, headers=team.lead
        )
        assert response.status_code == 201, response.json
        return response.json

    return factory


@pytest.fixture
def tools(client: FlaskClient, admin_header) -> dict[str, str]:
    """EDR, NDR and SIEM: name → id."""
    ids = {}
    for name, layer in (("EDR", "edr"), ("NDR", "ndr"), ("SIEM", "siem")):
        response = client.post(
            "/api/v1/defense-tools",
            json={"name": name, "vendor": "Acme", "layer": layer},
            headers=admin_header,
        )
        assert response.status_code == 201, response.json
        ids[name] = response.json["id"]
    return ids


@pytest.fixture
def levels(client: FlaskClient, admin_header) -> dict[str, str]:
    """The seeded detection levels: name → id."""
    response = client.get("/api/v1/detection-levels", headers=admin_header)
    return {level["name"]: level["id"] for level in response.json["items"]}


def move(client: FlaskClient, mission_id: str, test_id: str, headers, *states: str) -> Any:
    """Walk a test through `states` (PATCH state), returning the last response."""
    response = None
    for state in states:
        response = client.patch(
            f"/api/v1/missions/{mission_id}/tests/{test_id}", json={"state": state}, headers=headers
        )
        assert response.status_code == 200, response.json
    return response


@pytest.fixture(autouse=True)
def evidence_dir(app: Flask, tmp_path, monkeypatch) -> Any:
    """Evidence blobs of this test go to its own directory (to look at, and nothing left)."""
    from violet.core.storage import LocalBlobStore

    directory = tmp_path / "evidence"
    monkeypatch.setitem(app.extensions, "violet.blob_store", LocalBlobStore(directory))
    return directory


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200)


@pytest.fixture
def upload(client: FlaskClient) -> Callable[..., Any]:
    """`upload(mission_id, test_id, headers, content=PNG, filename=…, **form)` → the response."""

    def post(
        mission_id: str,
        test_id: str,
        headers: dict[str, str],
        content: bytes = PNG,
        filename: str = "shot.png",
        **form: str,
    ) -> Any:
        return client.post(
            f"/api/v1/missions/{mission_id}/tests/{test_id}/evidence",
            data={"file": (io.BytesIO(content), filename), **form},
            content_type="multipart/form-data",
            headers=headers,
        )

    return post
