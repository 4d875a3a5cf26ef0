"""Real responses checked against what /api/v1/openapi.json declares for them (tests/spec_check.py).

Clients are generated from the spec: a status, body, content type or header it does not declare
is one such a client cannot read.
"""

from __future__ import annotations

import io

import pytest

from tests.spec_check import SpecChecker


@pytest.fixture
def conforms(client):
    """`conforms(response)`: the list of ways the response disagrees with the spec."""
    checker = SpecChecker(client.get("/api/v1/openapi.json").json)
    return checker.check


# The database diagnostics answer 503 with the same report as their 200 (what failed, and how).
OWN_ERROR_BODIES = {"GET /api/v1/diag/db 503"}


def test_every_documented_error_has_the_problem_body(client):
    spec = client.get("/api/v1/openapi.json").json
    without_body = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            for status, answer in operation["responses"].items():
                if status == "default" or int(status) < 400 or "$ref" in answer:
                    continue  # the shared answers (401, 403, 422) are problems themselves
                content = answer.get("content", {})
                if content != {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                }:
                    without_body.append(f"{method.upper()} {path} {status}")
    assert set(without_body) == OWN_ERROR_BODIES


def test_a_stale_if_match_is_the_documented_problem(client, admin_header, conforms):
    template = client.post(
        "/api/v1/test-templates", json={"name": "Kerberoast"}, headers=admin_header
    )

    stale = client.patch(
        f"/api/v1/test-templates/{template.json['id']}",
        json={"name": "Kerberoasting"},
        headers={**admin_header, "If-Match": '"7"'},
    )

    assert stale.status_code == 412
    assert conforms(stale) == []


def test_too_many_logins_is_the_documented_problem_with_retry_after(client, make_user, conforms):
    make_user("dave@example.test")
    for _ in range(10):
        client.post(
            "/api/v1/auth/login", json={"email": "dave@example.test", "password": "wrong password!"}
        )

    blocked = client.post(
        "/api/v1/auth/login", json={"email": "dave@example.test", "password": "wrong password!"}
    )

    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    assert conforms(blocked) == []


def test_the_etag_of_a_versioned_resource_is_declared(client, admin_header, conforms):
    mission = client.post("/api/v1/missions", json={"name": "Purple week"}, headers=admin_header)
    url = f"/api/v1/missions/{mission.json['id']}"

    read = client.get(url, headers=admin_header)
    changed = client.patch(url, json={"environment": "lab"}, headers=admin_header)

    assert (read.headers["ETag"], changed.headers["ETag"]) == ('"1"', '"2"')
    assert conforms(mission) == conforms(read) == conforms(changed) == []


def test_a_stale_or_malformed_if_match_on_any_versioned_resource_is_declared(
    client, admin_header, make_user, conforms
):
    user = make_user()
    url = f"/api/v1/users/{user.id}"

    stale = client.patch(url, json={"display_name": "X"}, headers={**admin_header, "If-Match": "9"})
    malformed = client.delete(url, headers={**admin_header, "If-Match": "yesterday"})

    assert (stale.status_code, malformed.status_code) == (412, 422)
    assert conforms(stale) == conforms(malformed) == []


def test_the_matrix_declares_the_etag_of_its_304(client, admin_header, conforms):
    first = client.get("/api/v1/mitre/matrix", headers=admin_header)
    again = client.get(
        "/api/v1/mitre/matrix", headers={**admin_header, "If-None-Match": first.headers["ETag"]}
    )

    assert again.status_code == 304 and again.headers["ETag"] == first.headers["ETag"]
    assert conforms(first) == conforms(again) == []


def test_every_download_of_a_mission_is_the_documented_content(
    client, admin_header, conforms, monkeypatch, tmp_path, app
):
    from violet.core.storage import LocalBlobStore

    monkeypatch.setitem(app.extensions, "violet.blob_store", LocalBlobStore(tmp_path))
    mission = client.post("/api/v1/missions", json={"name": "Purple week"}, headers=admin_header)
    url = f"/api/v1/missions/{mission.json['id']}"
    test = client.post(f"{url}/tests", json={"name": "Encoded PowerShell"}, headers=admin_header)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200)
    evidence = client.post(
        f"{url}/tests/{test.json['id']}/evidence",
        data={"file": (io.BytesIO(png), "shot.png")},
        content_type="multipart/form-data",
        headers=admin_header,
    )

    downloads = [
        client.get(f"{url}/{path}", headers=admin_header)
        for path in (
            "navigator-layer",
            "export?format=json",
            "export?format=csv",
            "export?format=zip",
            "report",
            f"evidence/{evidence.json['id']}/download",
        )
    ]
    downloads.append(client.get("/api/v1/coverage/navigator-layer", headers=admin_header))
    for download in downloads:
        download.get_data()  # the streamed ones end (and leave their context) here

    assert [download.mimetype for download in downloads] == [
        "application/json",
        "application/json",
        "text/csv",
        "application/zip",
        "text/html",
        "image/png",
        "application/json",
    ]
    assert [problem for download in downloads for problem in conforms(download)] == []


def test_the_everyday_refusals_are_declared(client, admin_header, make_user, auth_header, conforms):
    """Unknown ids (404), a body that is not JSON (400), a wrong password (401), a spent refresh
    token (401), a viewer's write (403), an unknown invitation link (404), deleted items asked
    for without the permission to see them (403)."""
    viewer = make_user()
    mission = client.post("/api/v1/missions", json={"name": "Purple week"}, headers=admin_header)
    url = f"/api/v1/missions/{mission.json['id']}"
    client.put(
        f"{url}/members",
        json=[
            {"user_id": mission.json["created_by"], "role": "lead"},
            {"user_id": str(viewer.id), "role": "viewer"},
        ],
        headers=admin_header,
    )
    unknown = "00000000-0000-4000-8000-000000000000"

    refusals = [
        client.get(f"/api/v1/missions/{unknown}", headers=admin_header),
        client.get(f"/api/v1/users/{unknown}", headers=admin_header),
        client.get("/api/v1/coverage/compare", query_string={"from": unknown, "to": unknown},
                   headers=admin_header),
        client.post("/api/v1/missions", data="{", content_type="application/json",
                    headers=admin_header),
        client.post("/api/v1/auth/login", json={"email": "no@example.test", "password": "x" * 12}),
        client.post("/api/v1/auth/refresh", json={"refresh_token": "spent"}),
        client.patch(url, json={"environment": "lab"}, headers=auth_header(viewer)),
        client.get(f"{url}/member-candidates", query_string={"q": "a"},
                   headers=auth_header(viewer)),
        client.get("/api/v1/invitations/lookup", query_string={"token": "x" * 43}),
        client.get("/api/v1/defense-tools", query_string={"include_deleted": "true"},
                   headers=auth_header(viewer)),
    ]  # fmt: skip

    assert [refusal.status_code for refusal in refusals] == [
        404, 404, 404, 400, 401, 401, 403, 403, 404, 403
    ]  # fmt: skip
    assert [problem for refusal in refusals for problem in conforms(refusal)] == []


@pytest.mark.parametrize(
    "schema, field, values",
    [
        ("MissionOut", "status", {"planned", "active", "completed", "archived"}),
        ("MissionOut", "my_role", {"lead", "red", "blue", "viewer", None}),
        ("MissionMemberOut", "role", {"lead", "red", "blue", "viewer"}),
        ("MissionTestOut", "state", {"pending", "in_progress", "waiting_blue", "completed",
                                     "cancelled"}),
        ("MissionTestOut", "execution_result", {"success", "failed", "partial", None}),
        ("MissionTestOut", "opsec_level", {"low", "medium", "high", None}),
        ("MissionTestTagOut", "kind", {"tactic", "technique", "subtechnique"}),
        ("MissionTestTagOut", "catalogue_state", {"current", "deprecated", "revoked", "missing"}),
        ("DefenseToolOut", "layer", {"edr", "siem", "ndr", "firewall", "email", "identity", "av",
                                     "other"}),
        ("TestTemplateOut", "opsec_level", {"low", "medium", "high", None}),
        ("MitreTagOut", "kind", {"tactic", "technique", "subtechnique"}),
    ],
)  # fmt: skip
def test_the_values_a_client_switches_on_are_enumerated(client, schema, field, values):
    spec = client.get("/api/v1/openapi.json").json
    assert set(spec["components"]["schemas"][schema]["properties"][field].get("enum", [])) == values
