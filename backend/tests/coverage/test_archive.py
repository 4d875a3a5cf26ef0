"""Mission archives: GET /missions/{id}/export?format=zip and POST /missions/import.

The round trip goes between two workspaces of one database (a second database would need its
own migrated schema per test run): the archive is restored where none of the original rows
exist, and exporting the copy gives back the same document.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from tests.coverage.conftest import tags
from violet.coverage import archive

API = "/api/v1/missions"


def zip_of(files: dict[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as zipped:
        for name, content in files.items():
            zipped.writestr(name, content)
    return buffer.getvalue()


MANIFEST = json.dumps({"format": "violet-mission-archive", "version": 1, "evidence": []})
DOCUMENT = json.dumps({"name": "Restored", "status": "planned", "tests": []})


def upload(client, headers, data: bytes, as_multipart: bool = True):
    if as_multipart:
        return client.post(
            f"{API}/import",
            data={"file": (io.BytesIO(data), "mission.zip")},
            content_type="multipart/form-data",
            headers=headers,
        )
    return client.post(f"{API}/import", data=data, content_type="application/zip", headers=headers)


@pytest.fixture
def rich_mission(client, team, catalogue, mission, run, add_test, tools, levels):
    """A category, a test with tags, per-tool outcomes and a level, its retest, a bare test."""
    category = client.post(
        f"{API}/{mission['id']}/categories",
        json={"name": "Day 1", "color": "#1971c2"},
        headers=team.lead,
    ).json
    first = add_test(
        mission["id"],
        "Encoded =cmd|' /C calc'!A0",
        mitre=tags("T1059.001"),
        procedure="powershell -enc …",
        category_id=category["id"],
    )
    run(mission, "", [], state="waiting_blue", test=first)
    url = f"{API}/{mission['id']}/tests/{first['id']}"
    detections = [
        {"tool_id": tools["EDR"], "detection_level_id": levels["Alerted"], "rule_ref": "R-1"},
        {"tool_id": tools["SIEM"], "detection_level_id": levels["Logged"]},
    ]
    assert client.put(f"{url}/detections", json=detections, headers=team.blue).status_code == 200
    assert client.patch(url, json={"state": "completed"}, headers=team.lead).status_code == 200
    retest = client.post(f"{url}/retest", headers=team.lead)
    assert retest.status_code == 201, retest.json
    add_test(mission["id"], "Valid accounts", mitre=tags("T1078"))
    return mission


def export_zip(client, headers, mission_id) -> bytes:
    response = client.get(f"{API}/{mission_id}/export?format=zip", headers=headers)
    assert response.status_code == 200, response.json
    assert response.mimetype == "application/zip"
    return response.data


def document_of(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        document = json.loads(zipped.read("mission.json"))
    document.pop("exported_at")
    return document


def test_the_archive_holds_a_manifest_the_mission_and_an_evidence_folder(
    client, team, rich_mission
):
    data = export_zip(client, team.viewer, rich_mission["id"])

    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        assert zipped.namelist() == ["manifest.json", "mission.json", "evidence/"]
        manifest = json.loads(zipped.read("manifest.json"))
    assert manifest == {
        "format": "violet-mission-archive",
        "version": 1,
        "mission": "mission.json",
        "evidence": [],
    }
    document = document_of(data)
    first, retest, bare = document["tests"]
    assert first["category"] == "Day 1" and first["detection_level"] == "Alerted"
    assert first["mitre"][0]["external_id"] == "T1059.001"
    assert [(d["tool"], d["detection_level"]) for d in first["detections"]] == [
        ("EDR", "Alerted"),
        ("SIEM", "Logged"),
    ]
    assert retest["retest_of"] == first["ref"] and bare["retest_of"] is None


def test_round_trip_into_another_workspace(client, team, rich_mission, make_user, auth_header):
    original = export_zip(client, team.lead, rich_mission["id"])
    owner = make_user(perms=["workspace.manage", "mission.create", "settings.manage"])
    headers = auth_header(owner)
    created = client.post(
        "/api/v1/workspaces", json={"name": "Elsewhere", "slug": "elsewhere"}, headers=headers
    )
    assert created.status_code == 201, created.json
    elsewhere = {**headers, "X-Violet-Workspace": "elsewhere"}
    for name, layer in (("EDR", "edr"), ("SIEM", "siem")):
        tool = client.post(
            "/api/v1/defense-tools", json={"name": name, "layer": layer}, headers=elsewhere
        )
        assert tool.status_code == 201, tool.json

    imported = upload(client, elsewhere, original)

    assert imported.status_code == 201, imported.json
    assert imported.json["tests"] == 3 and imported.json["warnings"] == []
    copy = imported.json["id"]
    assert document_of(export_zip(client, elsewhere, copy)) == document_of(original)
    # The copy lives in the other workspace only, led by the importer.
    assert client.get(f"{API}/{copy}", headers=team.lead).status_code == 404
    assert client.get(f"{API}/{copy}", headers=elsewhere).json["my_role"] == "lead"


def test_missing_levels_and_tools_are_named_and_left_out(client, team, rich_mission):
    document = document_of(export_zip(client, team.lead, rich_mission["id"]))
    document["tests"][0]["detections"][1]["tool"] = "NDR-old"
    document["tests"][1]["detection_level"] = "Half seen"

    imported = upload(
        client,
        team.outsider,
        zip_of({"manifest.json": MANIFEST, "mission.json": json.dumps(document)}),
        as_multipart=False,
    )

    assert imported.status_code == 201, imported.json
    assert imported.json["warnings"] == [
        "No defense tool named 'NDR-old' here: its outcomes are left out.",
        "No detection level named 'Half seen' here: its outcomes are left empty.",
    ]
    copy = document_of(export_zip(client, team.outsider, imported.json["id"]))
    assert [d["tool"] for d in copy["tests"][0]["detections"]] == ["EDR"]
    assert copy["tests"][1]["detection_level"] is None


def mission_count(client, headers) -> int:
    return client.get(API, headers=headers).json["total"]


@pytest.mark.parametrize(
    "name",
    ["../escape.txt", "/etc/passwd", "evidence/../../x", "evidence\\..\\x", "C:/x", "extra.txt"],
)
def test_unsafe_or_unknown_names_are_refused(client, team, name):
    before = mission_count(client, team.lead)
    data = zip_of({"manifest.json": MANIFEST, "mission.json": DOCUMENT, name: b"x"})

    response = upload(client, team.lead, data)

    assert response.status_code == 422, response.json
    assert response.content_type == "application/problem+json"
    assert "file name" in response.json["detail"] or "Unexpected file" in response.json["detail"]
    assert mission_count(client, team.lead) == before


def test_a_zip_bomb_is_refused_before_it_is_inflated(client, team):
    bomb = zip_of({"manifest.json": MANIFEST, "mission.json": DOCUMENT, "evidence/a": bytes(10**7)})

    response = upload(client, team.lead, bomb)

    assert response.status_code == 422
    assert "zip bomb" in response.json["detail"]


def test_too_much_once_decompressed_is_413(client, team, monkeypatch):
    monkeypatch.setattr(archive, "MAX_UNCOMPRESSED_BYTES", 1000)
    data = zip_of(
        {"manifest.json": MANIFEST, "mission.json": DOCUMENT, "evidence/a": b"x" * 2000},
        compression=zipfile.ZIP_STORED,
    )

    response = upload(client, team.lead, data)

    assert response.status_code == 413
    assert "once decompressed" in response.json["detail"]


def test_an_oversize_archive_is_413(client, team, monkeypatch):
    monkeypatch.setattr(archive, "MAX_ARCHIVE_BYTES", 100)

    response = upload(client, team.lead, zip_of({"manifest.json": MANIFEST}))

    assert response.status_code == 413


@pytest.mark.parametrize(
    ("files", "detail"),
    [
        ({"mission.json": DOCUMENT}, "no manifest.json"),
        ({"manifest.json": "{}", "mission.json": DOCUMENT}, "Not a Violet mission archive"),
        ({"manifest.json": MANIFEST, "mission.json": "[1]"}, "not a JSON object"),
        ({"manifest.json": MANIFEST, "mission.json": "{nope"}, "not valid JSON"),
        (
            {"manifest.json": MANIFEST, "mission.json": json.dumps({"name": "x", "status": "?"})},
            "does not describe a mission",
        ),
    ],
)
def test_bad_archives_are_422(client, team, files, detail):
    response = upload(client, team.lead, zip_of(files))

    assert response.status_code == 422
    assert detail in response.json["detail"]


def test_a_non_zip_and_inconsistent_documents_are_422(client, team):
    not_zip = upload(client, team.lead, b"PK no zip at all", as_multipart=False)
    document = {
        "name": "x",
        "status": "planned",
        "tests": [{"ref": 0, "name": "a", "state": "pending", "retest_of": 7}],
    }
    inconsistent = upload(
        client, team.lead, zip_of({"manifest.json": MANIFEST, "mission.json": json.dumps(document)})
    )

    circle = {
        "name": "x",
        "status": "planned",
        "tests": [
            {"ref": 0, "name": "a", "state": "pending", "retest_of": 1},
            {"ref": 1, "name": "b", "state": "pending", "retest_of": 0},
        ],
    }
    round_and_round = upload(
        client, team.lead, zip_of({"manifest.json": MANIFEST, "mission.json": json.dumps(circle)})
    )

    assert not_zip.status_code == 422 and not_zip.json["detail"] == "Not a zip archive."
    assert round_and_round.status_code == 422 and "circle" in round_and_round.json["detail"]
    assert inconsistent.status_code == 422
    assert "retest of an unknown test" in inconsistent.json["detail"]


def test_import_needs_mission_create(client, team):
    data = zip_of({"manifest.json": MANIFEST, "mission.json": DOCUMENT})

    assert upload(client, {}, data).status_code == 401
    assert upload(client, team.viewer, data).status_code == 403
    assert upload(client, team.lead, data).status_code == 201


def test_export_and_import_are_a_constant_number_of_statements(
    client, team, catalogue, mission, add_test, count_statements
):
    def archive_and_restore() -> tuple[int, int]:
        with count_statements() as exported:
            data = export_zip(client, team.lead, mission["id"])
        with count_statements() as imported:
            assert upload(client, team.lead, data).status_code == 201
        return exported.count, imported.count

    add_test(mission["id"], "one", mitre=tags("T1059.001"))
    few = archive_and_restore()
    for number in range(10):
        add_test(mission["id"], f"more {number}", mitre=tags("T1078", "T1566.001"))
    many = archive_and_restore()

    assert many == few
