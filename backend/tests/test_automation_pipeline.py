"""A security team's CI pipeline, driven over the API alone with scoped API tokens.

An administrator's lead makes a token bound to the team's workspace; the job imports an Atomic
Red Team file, builds a mission from a scenario, sets its members; red and blue tokens move a
test through its states and record per-tool outcomes; a read-only token exports everything.
Every JSON answer on the way is checked for what docs/api.md promises a client: ids are UUIDs
and times carry an offset.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.missions.conftest import sync
from tests.mitre.bundle import build_bundle, group, uses
from violet.core.storage import LocalBlobStore
from violet.extensions import db
from violet.workspaces.models import Workspace

API = "/api/v1"
ATOMIC_FILE = Path(__file__).parent / "library" / "fixtures" / "T1059.001.yaml"
# Fields named like ids that hold no Violet id: ATT&CK's and STIX's, a rule's, a request's.
NOT_OUR_IDS = {"external_id", "source_ref", "rule_ref", "stix_id", "request_id"}
LOOKS_LIKE_A_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
TIME_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def contract_breaches(document: Any, where: str = "") -> list[str]:
    """Ids that are not UUIDs and times without an offset, anywhere in `document`."""
    found = []
    if isinstance(document, dict):
        for key, value in document.items():
            path = f"{where}.{key}"
            is_id = (key == "id" or key.endswith("_id")) and key not in NOT_OUR_IDS
            if isinstance(value, str) and is_id and not _is_uuid(value):
                found.append(f"{path} is no UUID: {value!r}")
            is_time = isinstance(value, str) and LOOKS_LIKE_A_TIME.match(value)
            if is_time and not TIME_WITH_OFFSET.match(value):
                found.append(f"{path} has no offset: {value!r}")
            if key.endswith("_ids") and isinstance(value, list):
                found += [f"{path} holds {item!r}" for item in value if not _is_uuid(item)]
            found += contract_breaches(value, path)
    elif isinstance(document, list):
        for index, item in enumerate(document):
            found += contract_breaches(item, f"{where}[{index}]")
    return found


class Job:
    """A client holding one token: every answer is checked against the API's conventions."""

    def __init__(self, client, secret: str, workspace: str | None = None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {secret}"}
        if workspace:
            self.headers["X-Violet-Workspace"] = workspace
        self.breaches: list[str] = []

    def call(self, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = self.client.open(API + path, method=method, headers=headers, **kwargs)
        assert response.status_code == expect, (method, path, response.get_data(as_text=True))
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json"
        if response.is_json:
            self.breaches += contract_breaches(response.json, f"{method} {path}")
        return response


@pytest.fixture
def world(app, client, make_user, auth_header, admin, admin_header, tmp_path):
    app.extensions["violet.blob_store"] = LocalBlobStore(tmp_path / "evidence")
    apt29 = [group("G0016", "APT29", ["Cozy Bear"]), uses("G0016", "T1059")]
    sync(app, build_bundle(extra_objects=apt29))
    library = ["test_template.read", "test_template.write", "scenario_template.read"]
    people = {
        "lead": make_user(perms=["mission.create", *library, "scenario_template.write"]),
        "red": make_user(),
        "blue": make_user(),
    }
    # Through the API, as an administrator would: a new workspace gets the seeded levels.
    created = client.post(
        f"{API}/workspaces", json={"name": "Acme", "slug": "acme"}, headers=admin_header
    )
    acme = db.session.get(Workspace, uuid.UUID(created.json["id"]))
    members = [{"user_id": str(user.id)} for user in (admin, *people.values())]
    assert (
        client.put(f"{API}/workspaces/{acme.id}/members", json=members, headers=admin_header)
    ).status_code == 200
    for name, layer in (("EDR", "edr"), ("NDR", "ndr")):
        response = client.post(
            f"{API}/defense-tools",
            json={"name": name, "vendor": "Acme", "layer": layer},
            headers={**admin_header, "X-Violet-Workspace": "acme"},
        )
        assert response.status_code == 201
    sessions = {role: auth_header(user) for role, user in people.items()}

    def token(role: str, **body: Any) -> str:
        response = client.post(
            f"{API}/auth/tokens",
            json={"name": "ci", "permissions": [], **body},
            headers=sessions[role],
        )
        assert response.status_code == 201, response.json
        return response.json["token"]

    return {
        "acme": acme,
        "ids": {role: str(user.id) for role, user in people.items()},
        "token": token,
    }


def test_a_ci_pipeline_runs_on_scoped_tokens_alone(client, world):
    acme, ids, token = world["acme"], world["ids"], world["token"]
    library = ["test_template.read", "test_template.write", "scenario_template.read"]
    job = Job(
        client,
        token(
            "lead",
            permissions=[*library, "scenario_template.write", "mission.create"],
            mission_access="write",
            workspace_id=str(acme.id),
        ),
    )
    imported = job.call(
        "POST",
        "/test-templates/import",
        200,
        data=ATOMIC_FILE.read_bytes(),
        headers={"Content-Type": "application/yaml"},
    ).json
    assert (imported["created"], imported["errors"]) == (4, [])
    templates = [item["id"] for item in job.call("GET", "/test-templates", 200).json["items"]]
    scenario = job.call(
        "POST",
        "/scenario-templates",
        201,
        json={"name": "PowerShell week", "test_template_ids": templates},
    ).json
    mission = job.call("POST", "/missions", 201, json={"name": "Q1 purple"}).json
    members = [{"user_id": ids[role], "role": role} for role in ("lead", "red", "blue")]
    job.call("PUT", f"/missions/{mission['id']}/members", 200, json=members)
    job.call(
        "POST",
        f"/missions/{mission['id']}/scenarios",
        201,
        json={"scenario_template_id": scenario["id"]},
    )
    tests = job.call("GET", f"/missions/{mission['id']}/tests", 200).json["items"]
    assert len(tests) == 4

    # Red (by the workspace's slug) and blue (by its id) each on their own token.
    red = Job(client, token("red", mission_access="write"), workspace="acme")
    blue = Job(client, token("blue", mission_access="write"), workspace=str(acme.id))
    url = f"/missions/{mission['id']}/tests/{tests[0]['id']}"
    etag = red.call("GET", url, 200).headers["ETag"]
    red.call(
        "PATCH",
        url,
        200,
        json={"state": "in_progress", "target_host": "WS-042"},
        headers={"If-Match": etag},
    )
    red.call("PATCH", url, 412, json={"state": "waiting_blue"}, headers={"If-Match": etag})
    handed = red.call(
        "PATCH",
        url,
        200,
        json={
            "state": "waiting_blue",
            "execution_result": "success",
            "executed_at": "2026-12-01T10:00:00+01:00",
        },
    ).json
    assert handed["executed_at"] == "2026-12-01T09:00:00+00:00"
    tools = {
        tool["name"]: tool["id"] for tool in blue.call("GET", "/defense-tools", 200).json["items"]
    }
    levels = {
        level["name"]: level["id"]
        for level in blue.call("GET", "/detection-levels", 200).json["items"]
    }
    detected = blue.call(
        "PUT",
        f"{url}/detections",
        200,
        json=[
            {
                "tool_id": tools["EDR"],
                "detection_level_id": levels["Alerted"],
                "rule_ref": "EDR-4104",
                "detected_at": "2026-12-01T09:03:00Z",
            },
            {"tool_id": tools["NDR"], "detection_level_id": levels["Not detected"]},
        ],
    ).json
    assert (detected["detection_level_id"], detected["time_to_detect_s"]) == (
        levels["Alerted"],
        180,
    )
    job.call("PATCH", url, 200, json={"state": "completed"})
    retest = red.call("POST", f"{url}/retest", 201).json
    assert retest["retest_of_id"] == tests[0]["id"]

    # A nightly export job reads it all, and changes nothing.
    nightly = Job(client, token("lead", mission_access="read"), workspace="acme")
    mission_url = f"/missions/{mission['id']}"
    coverage = nightly.call("GET", f"{mission_url}/coverage?by=tool", 200).json
    # One completed run counts (its retest is pending), Alerted: the EDR's 75, the NDR's 0.
    assert (coverage["score"], coverage["tests"], coverage["scored_tests"]) == (75.0, 1, 1)
    assert {tool["name"]: tool["score"] for tool in coverage["tools"]} == {"EDR": 75.0, "NDR": 0.0}
    layer = nightly.call("GET", f"{mission_url}/navigator-layer", 200).json
    # The sub-technique, and its technique rolled up from it.
    scores = {entry["techniqueID"]: entry.get("score") for entry in layer["techniques"]}
    assert scores == {"T1059": 75.0, "T1059.001": 75.0}
    exported = nightly.call("GET", f"{mission_url}/export?format=json", 200)
    job.breaches += contract_breaches(json.loads(exported.data), "export")
    rows = list(
        csv.DictReader(
            io.StringIO(
                nightly.call("GET", f"{mission_url}/export?format=csv", 200).data.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert rows[0]["executed_at"] == "2026-12-01T09:00:00+00:00"
    nightly.call("GET", f"{mission_url}/export?format=zip", 200)
    nightly.call("GET", f"{mission_url}/report", 200)
    group_coverage = nightly.call("GET", "/coverage/groups/G0016", 200).json
    assert (group_coverage["techniques_tested"], group_coverage["score"]) == (1, 75.0)
    nightly.call("PATCH", url, 403, json={"state": "cancelled"})

    assert job.breaches + red.breaches + blue.breaches + nightly.breaches == []


@pytest.mark.parametrize(
    "path",
    [
        "/workspaces/current",
        "/test-templates",
        "/defense-tools",
        "/detection-levels",
        "/missions",
        "/notifications",
    ],
)
def test_the_workspace_header_by_slug_or_by_id_answers_the_same(client, world, path):
    acme, token = world["acme"], world["token"]
    secret = token("lead", permissions=["test_template.read"], mission_access="read")
    by_slug = Job(client, secret, workspace="ACME").call("GET", path, 200)
    by_id = Job(client, secret, workspace=str(acme.id).upper()).call("GET", path, 200)

    assert by_slug.json == by_id.json


def test_the_contract_check_finds_what_it_looks_for():
    document = {"items": [{"id": "42", "created_at": "2026-12-01T10:00:00", "tool_ids": ["x"]}]}

    assert contract_breaches(document) == [
        ".items[0].id is no UUID: '42'",
        ".items[0].created_at has no offset: '2026-12-01T10:00:00'",
        ".items[0].tool_ids holds 'x'",
    ]
