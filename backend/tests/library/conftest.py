"""Library fixtures: the small test ATT&CK catalogue, people with library permissions, templates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.mitre.bundle import build_bundle, encode
from violet.extensions import db
from violet.mitre.sync.service import SyncSettings, SyncSource, sync_catalogue

LIBRARY_PERMISSIONS = [
    "test_template.read",
    "test_template.write",
    "test_template.delete",
    "scenario_template.read",
    "scenario_template.write",
    "scenario_template.delete",
]


@pytest.fixture
def catalogue(app: Flask) -> None:
    """The test bundle: TA0001-3; T1059 (+ .001, .003), T1078 (+ .001), T1566 (+ .001)."""
    sync_catalogue(
        SyncSource(content=encode(build_bundle()), label="upload:test-bundle.json"),
        expected_sha256=None,
        allow_unverified=True,
        started_by=None,
        settings=SyncSettings.from_config(app.config),
    )
    db.session.commit()


@pytest.fixture
def lead(make_user, auth_header) -> dict[str, str]:
    """Headers of a red team lead holding every library permission."""
    return auth_header(make_user(perms=LIBRARY_PERMISSIONS))


@pytest.fixture
def make_template(client: FlaskClient, lead, catalogue) -> Callable[..., dict[str, Any]]:
    """`make_template(name="x", mitre=[("technique", "T1059")], ...)` → the created JSON."""

    def factory(name: str = "A test", *, mitre=(), **fields: Any) -> dict[str, Any]:
        body = {
            "name": name,
            "mitre": [{"kind": kind, "external_id": external_id} for kind, external_id in mitre],
            **fields,
        }
        response = client.post("/api/v1/test-templates", json=body, headers=lead)
        assert response.status_code == 201, response.json
        return response.json

    return factory
