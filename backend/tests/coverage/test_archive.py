"""Mission archives: GET /missions/{id}/export?format=zip and POST /missions/import.

The round trip goes between two workspaces of one database, and into a second instance with a
database and an evidence store of its own: the archive is restored where none of the original
rows exist, and exporting the copy gives back the same document.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from tests.conftest import APP_SESSION, fresh_database_url, make_app
from tests.coverage.conftest import tags
from tests.missions.conftest import PNG, evidence_dir
from violet.coverage import archive, routes
from violet.extensions import db

__all__ = ["evidence_dir"]  # the fixture, for this module's tests

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


@pytest.fixture
def owner(make_user):
    """The owner of a second workspace (`elsewhere`)."""
    return make_user(perms=["workspace.manage", "mission.create", "settings.manage"])


@pytest.fixture
def elsewhere(client, owner, auth_header) -> dict[str, str]:
    """The headers of the owner of a second workspace, acting in it (with the tools EDR, SIEM)."""
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
    return elsewhere


def test_round_trip_into_another_workspace(client, team, rich_mission, elsewhere):
    original = export_zip(client, team.lead, rich_mission["id"])

    imported = upload(client, elsewhere, original)

    assert imported.status_code == 201, imported.json
    assert imported.json["tests"] == 3 and imported.json["warnings"] == []
    copy = imported.json["id"]
    assert document_of(export_zip(client, elsewhere, copy)) == document_of(original)
    # The copy lives in the other workspace only, led by the importer.
    assert client.get(f"{API}/{copy}", headers=team.lead).status_code == 404
    assert client.get(f"{API}/{copy}", headers=elsewhere).json["my_role"] == "lead"


def test_per_tool_outcomes_keep_the_order_blue_gave_them_through_the_round_trip(
    client, team, catalogue, mission, add_test, run, tools, levels
):
    # Blue lists the SIEM first: the order the mission page shows, and shows again after the
    # import, not the order of the rows' random ids.
    test = add_test(mission["id"], "Kerberoasting", mitre=tags("T1078"))
    run(mission, "", [], state="waiting_blue", test=test)
    order = ["SIEM", "NDR", "EDR"]
    outcomes = [{"tool_id": tools[name], "detection_level_id": levels["Logged"]} for name in order]
    url = f"{API}/{mission['id']}/tests/{test['id']}/detections"
    assert client.put(url, json=outcomes, headers=team.blue).status_code == 200
    original = export_zip(client, team.lead, mission["id"])
    assert [item["tool"] for item in document_of(original)["tests"][0]["detections"]] == order

    for _ in range(3):  # random ids put three rows in the sent order one time in six
        imported = upload(client, team.lead, original)
        assert imported.status_code == 201, imported.json
        (copy,) = mission_tests_of(client, team.lead, imported.json["id"])
        assert [outcome["tool_name"] for outcome in copy["detections"]] == order


LOG = "2026-11-30 EDR alert: powershell -enc …\n".encode() * 50
ELF = b"\x7fELF\x02\x01\x01" + bytes(300)


def attach(client, headers, mission_id, test_id, content, filename, **form) -> dict:
    response = client.post(
        f"{API}/{mission_id}/tests/{test_id}/evidence",
        data={"file": (io.BytesIO(content), filename), **form},
        content_type="multipart/form-data",
        headers=headers,
    )
    assert response.status_code == 201, response.json
    return response.json


def mission_tests_of(client, headers, mission_id) -> list[dict]:
    return client.get(f"{API}/{mission_id}/tests?limit=100", headers=headers).json["items"]


def blobs(directory) -> list:
    return sorted(path for path in directory.rglob("*") if path.is_file())


def evidence_rows(db_connection) -> int:
    return db_connection.execute(text("SELECT count(*) FROM evidence_files")).scalar_one()


@pytest.fixture
def with_evidence(client, team, rich_mission, evidence_dir) -> dict:
    """rich_mission with a red screenshot on its first test, a blue log on its bare test, and
    a deleted file (which archives leave out)."""
    first, _retest, bare = mission_tests_of(client, team.lead, rich_mission["id"])
    mission_id = rich_mission["id"]
    attach(client, team.red, mission_id, first["id"], PNG, "shot.png", caption="EDR console")
    attach(client, team.blue, mission_id, bare["id"], LOG, "edr alert.log")
    deleted = attach(client, team.blue, mission_id, bare["id"], LOG, "old.log")
    response = client.delete(f"{API}/{mission_id}/evidence/{deleted['id']}", headers=team.blue)
    assert response.status_code == 204
    return rich_mission


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        return {name: zipped.read(name) for name in zipped.namelist()}


def test_the_archive_carries_the_live_evidence_files(client, team, with_evidence):
    members = members_of(export_zip(client, team.viewer, with_evidence["id"]))

    manifest = json.loads(members["manifest.json"])
    shot, log = manifest["evidence"]
    assert shot["path"].startswith("evidence/") and shot["path"].endswith("-shot.png")
    assert log["path"].endswith("-edr_alert.log")
    assert {key: shot[key] for key in shot if key not in ("path", "uploaded_at")} == {
        "test": 0,
        "filename": "shot.png",
        "content_type": "image/png",
        "size": len(PNG),
        "sha256": hashlib.sha256(PNG).hexdigest(),
        "category": "red",
        "caption": "EDR console",
    }
    assert (log["test"], log["category"], log["content_type"]) == (2, "blue", "text/plain")
    assert members[shot["path"]] == PNG and members[log["path"]] == LOG
    assert sorted(name for name in members if name.startswith("evidence/")) == sorted(
        ["evidence/", shot["path"], log["path"]]
    )


@pytest.mark.parametrize("permission", ["mission.read_all", "mission.manage_all"])
def test_an_outsider_who_sees_the_mission_gets_no_archive_but_the_tests(
    client, team, with_evidence, user_header, permission
):
    """Evidence leaves the server for members only, as downloads do; an archive without its
    files would import as a mission quietly missing them, so there is none (403)."""
    outsider = user_header(perms=[permission])
    url = f"{API}/{with_evidence['id']}"

    refused = client.get(f"{url}/export?format=zip", headers=outsider)

    assert refused.status_code == 403
    assert refused.content_type == "application/problem+json"
    assert "format=json" in refused.json["detail"] and "format=csv" in refused.json["detail"]
    # The tests themselves, in every other form, hold no evidence file's content.
    for path in ("export?format=json", "export?format=csv", "report"):
        answer = client.get(f"{url}/{path}", headers=outsider)
        assert answer.status_code == 200, path
        assert PNG not in answer.data and LOG[:60] not in answer.data, path
    assert len(members_of(export_zip(client, team.viewer, with_evidence["id"]))) == 5


def test_an_evidence_file_whose_bytes_are_lost_makes_the_export_409(
    client, team, with_evidence, evidence_dir
):
    for blob in blobs(evidence_dir):
        if blob.read_bytes() == PNG:
            blob.unlink()

    response = client.get(f"{API}/{with_evidence['id']}/export?format=zip", headers=team.lead)

    assert response.status_code == 409, response.data
    assert response.content_type == "application/problem+json"
    assert "'shot.png'" in response.json["detail"]


def evidence_of(client, headers, mission_id) -> dict[str, tuple[dict, bytes]]:
    """Filename → (row, downloaded bytes) for every live evidence file of the mission."""
    found = {}
    for test in mission_tests_of(client, headers, mission_id):
        listed = client.get(f"{API}/{mission_id}/tests/{test['id']}/evidence", headers=headers)
        for row in listed.json["items"]:
            content = client.get(
                f"{API}/{mission_id}/evidence/{row['id']}/download", headers=headers
            ).data
            found[row["filename"]] = ({**row, "test": test["name"]}, content)
    return found


def test_evidence_files_survive_the_round_trip(client, team, with_evidence, elsewhere, owner):
    imported = upload(client, elsewhere, export_zip(client, team.lead, with_evidence["id"]))

    assert imported.status_code == 201, imported.json
    assert imported.json["evidence_files"] == 2
    original = evidence_of(client, team.lead, with_evidence["id"])
    copy = evidence_of(client, elsewhere, imported.json["id"])
    assert sorted(copy) == sorted(original) == ["edr_alert.log", "shot.png"]
    for name, (row, content) in copy.items():
        before, original_content = original[name]
        assert content == original_content
        assert row["sha256"] == hashlib.sha256(content).hexdigest() == before["sha256"]
        for key in ("test", "size", "content_type", "category", "caption"):
            assert row[key] == before[key], key
        assert row["uploader_id"] == str(owner.id) and row["created_by"] == owner.email


def test_an_import_records_each_test_and_file_it_creates(client, team, with_evidence, user_header):
    # Its tests and files are written by bulk inserts, which the audit trail did not see: the
    # trail had the mission's creation and no test, where adding them over the API records each.
    imported = upload(client, team.lead, export_zip(client, team.lead, with_evidence["id"]))
    assert imported.status_code == 201, imported.json
    copy = imported.json["id"]

    response = client.get(
        "/api/v1/audit-events",
        query_string={"mission_id": copy, "limit": 100, "sort": "occurred_at"},
        headers=user_header(perms=["audit.read"]),
    )

    assert response.status_code == 200, response.json
    recorded = response.json["items"]
    tests = {test["id"]: test["name"] for test in mission_tests_of(client, team.lead, copy)}
    files = {
        row["id"]: name for name, (row, _content) in evidence_of(client, team.lead, copy).items()
    }
    created = {(event["action"], event["object_id"], event["object_label"]) for event in recorded}
    assert {("mission_test.create", test_id, name) for test_id, name in tests.items()} | {
        ("evidence_file.create", file_id, name) for file_id, name in files.items()
    } <= created
    assert len(tests) == 3 and len(files) == 2
    assert ("mission.create", copy, "Purple week") in created
    assert [event["object_label"] for event in recorded if "category" in event["action"]] == [
        "Day 1"
    ]
    for event in recorded:
        assert event["actor_id"] == team.ids["lead"] and event["mission_id"] == copy
        assert event["workspace_id"] is not None and event["ip_address"] == "127.0.0.1"
    assert len({event["request_id"] for event in recorded}) == 1  # all from the import


TARGET_ADMIN = {"email": "admin@target.test", "password": "target admin password"}


def test_round_trip_into_another_instance(client, team, with_evidence, monkeypatch, tmp_path):
    """The archive goes into a second Violet with a database of its own (migrated and seeded
    from nothing: no catalogue, none of the original users) and an evidence store of its own:
    exporting the copy there gives back the same document and the same evidence bytes."""
    original = export_zip(client, team.lead, with_evidence["id"])
    before = evidence_of(client, team.lead, with_evidence["id"])

    target = make_app(
        fresh_database_url("violet_archive_target"),
        ADMIN_EMAIL=TARGET_ADMIN["email"],
        ADMIN_PASSWORD=TARGET_ADMIN["password"],
        VIOLET_DATA_DIR=str(tmp_path / "target"),
    )
    # From here on requests use Flask-SQLAlchemy's own session, bound to the target's database
    # (the test transaction's session answers from the first instance's).
    monkeypatch.setattr(db, "session", APP_SESSION)
    with target.app_context():
        upgrade()
        assert target.test_cli_runner().invoke(args=["seed"]).exit_code == 0
    other = target.test_client()
    login = other.post("/api/v1/auth/login", json=TARGET_ADMIN)
    admin = {"Authorization": f"Bearer {login.json['access_token']}"}
    for name, layer in (("EDR", "edr"), ("SIEM", "siem")):
        tool = other.post(
            "/api/v1/defense-tools", json={"name": name, "layer": layer}, headers=admin
        )
        assert tool.status_code == 201, tool.json

    imported = upload(other, admin, original)

    assert imported.status_code == 201, imported.json
    assert imported.json["tests"] == 3 and imported.json["evidence_files"] == 2
    copy = imported.json["id"]
    assert document_of(export_zip(other, admin, copy)) == document_of(original)
    after = evidence_of(other, admin, copy)
    assert sorted(after) == sorted(before)
    for name, (row, content) in after.items():
        assert content == before[name][1]
        assert row["sha256"] == before[name][0]["sha256"] == hashlib.sha256(content).hexdigest()
    assert blobs(tmp_path / "target" / "evidence")  # stored in the target's own store
    with target.app_context():
        db.engine.dispose()


def rewritten(data: bytes, change) -> bytes:
    """The archive with `change(manifest, members)` applied (both edited in place)."""
    members = members_of(data)
    manifest = json.loads(members["manifest.json"])
    change(manifest, members)
    members["manifest.json"] = json.dumps(manifest).encode()
    return zip_of(members)


def tamper_sha256(manifest, members) -> None:
    manifest["evidence"][1]["sha256"] = hashlib.sha256(b"something else").hexdigest()


def renamed_elf(manifest, members) -> None:
    entry = manifest["evidence"][1]  # after a good file, whose stored blob must go too
    members[entry["path"]] = ELF
    entry.update(size=len(ELF), sha256=hashlib.sha256(ELF).hexdigest())


def missing_member(manifest, members) -> None:
    del members[manifest["evidence"][1]["path"]]


def unlisted_member(manifest, members) -> None:
    members["evidence/extra.txt"] = b"not in the manifest"


def wrong_size(manifest, members) -> None:
    manifest["evidence"][1]["size"] += 1


def unknown_test(manifest, members) -> None:
    manifest["evidence"][1]["test"] = 99


def test_two_members_of_one_name_are_refused(client, team, with_evidence):
    members = members_of(export_zip(client, team.lead, with_evidence["id"]))
    path = json.loads(members["manifest.json"])["evidence"][0]["path"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped, pytest.warns(UserWarning, match="Duplicate"):
        for name, content in members.items():
            zipped.writestr(name, content)
        zipped.writestr(path, ELF)  # a second member under the name the manifest checks

    response = upload(client, team.lead, buffer.getvalue())

    assert response.status_code == 422, response.json
    assert response.json["detail"] == "The archive holds two files of the same name."


@pytest.mark.parametrize(
    ("change", "status", "detail"),
    [
        (tamper_sha256, 422, "does not match the sha256"),
        (renamed_elf, 415, "not accepted as evidence"),
        (missing_member, 422, "not in the archive"),
        (unlisted_member, 422, "'evidence/extra.txt' is not listed in the manifest"),
        (wrong_size, 422, "the manifest says"),
        (unknown_test, 422, "belongs to an unknown test"),
    ],
)
def test_a_bad_evidence_file_is_refused_with_nothing_written(
    client, team, with_evidence, evidence_dir, db_connection, change, status, detail
):
    data = rewritten(export_zip(client, team.lead, with_evidence["id"]), change)
    before = (mission_count(client, team.lead), evidence_rows(db_connection), blobs(evidence_dir))

    response = upload(client, team.lead, data)

    assert response.status_code == status, response.json
    assert response.content_type == "application/problem+json"
    assert detail in response.json["detail"]
    if change in (tamper_sha256, renamed_elf):  # named by its path
        assert "evidence/" in response.json["detail"]
    after = (mission_count(client, team.lead), evidence_rows(db_connection), blobs(evidence_dir))
    assert after == before


def test_an_evidence_file_over_the_upload_cap_is_413(
    client, team, with_evidence, admin_header, evidence_dir, db_connection
):
    data = export_zip(client, team.lead, with_evidence["id"])
    cap = client.put(
        "/api/v1/settings/evidence_max_bytes", json={"value": len(PNG)}, headers=admin_header
    )
    assert cap.status_code == 200, cap.json
    before = (evidence_rows(db_connection), blobs(evidence_dir))

    response = upload(client, team.lead, data)

    assert response.status_code == 413, response.json
    assert "edr_alert.log" in response.json["detail"]
    assert (evidence_rows(db_connection), blobs(evidence_dir)) == before


def test_missing_levels_and_tools_are_named_and_left_out(client, team, rich_mission):
    document = document_of(export_zip(client, team.lead, rich_mission["id"]))
    document["tests"][0]["detections"][1]["tool"] = "NDR-old"
    document["tests"][1]["detection_level"] = "Half seen"
    # Expected but silent: dropped too, which the warning did not say.
    document["tests"][2]["expected_tools"] = ["EDR", "NDR-new"]

    imported = upload(
        client,
        team.outsider,
        zip_of({"manifest.json": MANIFEST, "mission.json": json.dumps(document)}),
        as_multipart=False,
    )

    assert imported.status_code == 201, imported.json
    assert imported.json["warnings"] == [
        "No defense tool named 'NDR-new' here: its outcomes are left out, and so is it from "
        "the expected tools.",
        "No defense tool named 'NDR-old' here: its outcomes are left out, and so is it from "
        "the expected tools.",
        "No detection level named 'Half seen' here: its outcomes are left empty.",
    ]
    copy = document_of(export_zip(client, team.outsider, imported.json["id"]))
    assert [d["tool"] for d in copy["tests"][0]["detections"]] == ["EDR"]
    assert copy["tests"][1]["detection_level"] is None
    assert copy["tests"][2]["expected_tools"] == ["EDR"]


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


@pytest.mark.parametrize("over", [1, 200_000], ids=["one byte", "far"])
def test_an_archive_over_the_limit_is_413_naming_it(client, team, monkeypatch, over):
    monkeypatch.setattr(routes, "MAX_ARCHIVE_BYTES", 2**20)

    response = upload(client, team.lead, b"x" * (2**20 + over))

    assert response.status_code == 413
    assert response.json["detail"] == "The archive exceeds the limit of 1 MB (1048576 bytes)."


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


def test_two_archives_in_one_upload_are_422(client, team):
    archive_bytes = zip_of({"manifest.json": MANIFEST, "mission.json": DOCUMENT})

    response = client.post(
        f"{API}/import",
        data={"file": [(io.BytesIO(archive_bytes), "a.zip"), (io.BytesIO(archive_bytes), "b.zip")]},
        content_type="multipart/form-data",
        headers=team.lead,
    )

    assert response.status_code == 422 and "file" in response.json["errors"]
    names = [item["name"] for item in client.get(API, headers=team.lead).json["items"]]
    assert "Restored" not in names


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


def test_notes_travel_with_the_archive_as_written(client, team, catalogue, mission, add_test):
    """The mission's and each test's notes: content, author's email and time as written. Their
    author is another instance's user; the new mission's lead deletes them."""
    test = add_test(mission["id"], "one", mitre=tags("T1059.001"))
    base = f"{API}/{mission['id']}"
    written = [
        client.post(f"{base}/notes", json={"content": "Kick-off at **9:00**"}, headers=team.lead),
        client.post(
            f"{base}/tests/{test['id']}/notes", json={"content": "Seen at 10:03"}, headers=team.blue
        ),
    ]
    assert [response.status_code for response in written] == [201, 201]

    restored = upload(client, team.lead, export_zip(client, team.lead, mission["id"]))

    assert restored.status_code == 201, restored.json
    assert restored.json["notes"] == 2
    copy = f"{API}/{restored.json['id']}"
    (copied_test,) = client.get(f"{copy}/tests", headers=team.lead).json["items"]
    mission_notes = client.get(f"{copy}/notes", headers=team.lead).json["items"]
    test_notes = client.get(f"{copy}/tests/{copied_test['id']}/notes", headers=team.lead).json
    as_written = [
        (note.json["content"], note.json["created_by"], note.json["created_at"]) for note in written
    ]
    assert [
        (note["content"], note["created_by"], note["created_at"])
        for note in mission_notes + test_notes["items"]
    ] == as_written
    assert {note["author_id"] for note in mission_notes + test_notes["items"]} == {None}
    deleted = client.delete(f"{copy}/notes/{mission_notes[0]['id']}", headers=team.lead)
    assert deleted.status_code == 204
    assert client.get(f"{copy}/notes", headers=team.lead).json["total"] == 0


def test_import_needs_mission_create(client, team):
    data = zip_of({"manifest.json": MANIFEST, "mission.json": DOCUMENT})

    assert upload(client, {}, data).status_code == 401
    assert upload(client, team.viewer, data).status_code == 403
    assert upload(client, team.lead, data).status_code == 201


def test_export_and_import_are_a_constant_number_of_statements(
    client, team, catalogue, mission, add_test, count_statements, evidence_dir
):
    def archive_and_restore() -> tuple[int, int]:
        with count_statements() as exported:
            data = export_zip(client, team.lead, mission["id"])
        with count_statements() as imported:
            assert upload(client, team.lead, data).status_code == 201
        return exported.count, imported.count

    one = add_test(mission["id"], "one", mitre=tags("T1059.001"))
    attach(client, team.red, mission["id"], one["id"], PNG, "shot.png")
    first_note = {"content": "first"}
    assert (
        client.post(f"{API}/{mission['id']}/notes", json=first_note, headers=team.red).status_code
        == 201
    )
    few = archive_and_restore()
    for number in range(10):
        more = add_test(mission["id"], f"more {number}", mitre=tags("T1078", "T1566.001"))
        attach(client, team.blue, mission["id"], more["id"], LOG, f"{number}.log")
        for url in (f"{API}/{mission['id']}", f"{API}/{mission['id']}/tests/{more['id']}"):
            note = {"content": f"note {number}"}
            assert client.post(f"{url}/notes", json=note, headers=team.red).status_code == 201
    many = archive_and_restore()

    assert many == few


def corrupt_deflate_stream(data: bytes, name: str) -> bytes:
    """The archive with the compressed bytes of `name` flipped (its headers stay valid)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        info = zipped.getinfo(name)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 2
    damaged = bytearray(data)
    for index in range(start, start + 16):
        damaged[index] ^= 0xFF
    return bytes(damaged)


def test_a_corrupt_compressed_member_is_422_not_500(client, team):
    document = json.dumps({"name": "Restored", "status": "planned", "tests": [], "pad": "x" * 5000})
    data = corrupt_deflate_stream(
        zip_of({"manifest.json": MANIFEST, "mission.json": document}), "mission.json"
    )
    before = mission_count(client, team.lead)

    response = upload(client, team.lead, data)

    assert response.status_code == 422, response.json
    assert "mission.json cannot be read" in response.json["detail"]
    assert mission_count(client, team.lead) == before


@pytest.mark.parametrize(
    ("member", "content", "field"),
    [
        (
            "mission.json",
            '{"name": "x", "status": "planned", "description": "caf\\ud800"}',
            "mission.description",
        ),
        (
            "mission.json",
            json.dumps(
                {
                    "name": "x",
                    "status": "planned",
                    "tests": [{"ref": 0, "name": "t", "state": "pending", "red_notes": "a\0b"}],
                }
            ),
            "mission.tests.0.red_notes",
        ),
        (
            "manifest.json",
            MANIFEST.replace('"evidence": []', '"evidence": [{"caption": "\\udfff"}]'),
            "manifest.evidence.0.caption",
        ),
    ],
    ids=["unpaired surrogate", "NUL", "in the manifest"],
)
def test_a_character_postgresql_cannot_store_is_422_naming_its_field(
    client, team, member, content, field
):
    """An escaped `\\ud800` in mission.json was a 500 (the database driver cannot encode it),
    and a NUL a 422 naming no field: the request's input guard never looks inside a zip."""
    files = {"manifest.json": MANIFEST, "mission.json": DOCUMENT, member: content}
    before = mission_count(client, team.lead)

    response = upload(client, team.lead, zip_of(files))

    assert response.status_code == 422, response.json
    assert response.content_type == "application/problem+json"
    assert "cannot be stored" in response.json["detail"] and field in response.json["detail"]
    assert list(response.json["errors"]) == [field]
    assert mission_count(client, team.lead) == before


def test_json_nested_too_deeply_is_422_not_500(client, team):
    # A few tens of KB: under the size the zip-bomb check looks at, deep enough to exhaust
    # the parser's stack.
    deep = '{"name": "x", "status": "planned", "tests": ' + "[" * 25_000 + "]" * 25_000 + "}"
    before = mission_count(client, team.lead)

    response = upload(client, team.lead, zip_of({"manifest.json": MANIFEST, "mission.json": deep}))

    assert response.status_code == 422, response.json
    assert response.json["detail"] == "mission.json is nested too deeply."
    assert mission_count(client, team.lead) == before


@pytest.mark.parametrize(
    ("document", "detail"),
    [
        (
            {
                "categories": [{"name": "Day 1"}, {"name": "day 1"}],
                "tests": [{"ref": 0, "name": "a", "state": "pending", "category": "day 1"}],
            },
            "Two categories share a name.",
        ),
        (
            {
                "tests": [
                    {"ref": 0, "name": "a", "state": "completed"},
                    {"ref": 1, "name": "a", "state": "completed", "retest_of": 0},
                    {"ref": 2, "name": "a", "state": "pending", "retest_of": 0},
                ]
            },
            "Test 2 is a second retest of test 0.",
        ),
    ],
    ids=["categories of one name but its case", "two retests of one run"],
)
def test_a_mission_the_api_would_refuse_is_422(client, team, document, detail):
    """Both imported (201) into a mission the API never makes: a category the API takes as a
    duplicate ("The mission already has a category named 'day 1'"), and a run with two
    retests, both its chain's latest run, both to be retested again."""
    before = mission_count(client, team.lead)
    content = json.dumps({"name": "Restored", "status": "planned", **document})
    files = {"manifest.json": MANIFEST, "mission.json": content}

    response = upload(client, team.lead, zip_of(files))

    assert response.status_code == 422, response.json
    assert response.json["detail"] == f"Not a consistent mission: {detail}"
    assert mission_count(client, team.lead) == before


def test_a_test_with_outcomes_of_a_deleted_tool_and_of_the_one_that_took_its_name_imports(
    client, team, catalogue, mission, run, tools, levels, admin_header, elsewhere
):
    """The EDR was replaced by a new tool named EDR, and blue recorded both on one test: the
    archive named both "EDR", and its import (here or elsewhere) refused it whole, "Test 0 has
    two outcomes for one tool". The deleted one is now written "EDR (deleted)", which the
    import leaves out with a warning, as any tool missing there."""
    test = run(mission, "one", ["T1059"], state="waiting_blue")
    url = f"{API}/{mission['id']}/tests/{test['id']}"
    outcomes = [{"tool_id": tools["EDR"], "detection_level_id": levels["Logged"]}]
    assert client.put(f"{url}/detections", json=outcomes, headers=team.blue).status_code == 200
    expected = {"expected_tool_ids": [tools["EDR"]]}
    assert client.patch(url, json=expected, headers=team.blue).status_code == 200
    edr = client.get(f"/api/v1/defense-tools/{tools['EDR']}", headers=admin_header)
    headers = {**admin_header, "If-Match": edr.headers["ETag"]}
    assert (
        client.delete(f"/api/v1/defense-tools/{tools['EDR']}", headers=headers).status_code == 204
    )
    new_edr = client.post(
        "/api/v1/defense-tools", json={"name": "EDR", "layer": "edr"}, headers=admin_header
    ).json["id"]
    outcomes.append({"tool_id": new_edr, "detection_level_id": levels["Alerted"]})
    assert client.put(f"{url}/detections", json=outcomes, headers=team.blue).status_code == 200
    data = export_zip(client, team.lead, mission["id"])

    (exported,) = document_of(data)["tests"]
    assert [(d["tool"], d["detection_level"]) for d in exported["detections"]] == [
        ("EDR (deleted)", "Logged"),
        ("EDR", "Alerted"),
    ]
    assert exported["expected_tools"] == ["EDR (deleted)"]
    for headers in (team.lead, elsewhere):
        imported = upload(client, headers, data)
        assert imported.status_code == 201, imported.json
        assert any("'EDR (deleted)'" in warning for warning in imported.json["warnings"])
        (copy,) = mission_tests_of(client, headers, imported.json["id"])
        assert [d["tool_name"] for d in copy["detections"]] == ["EDR"]
        assert copy["expected_tool_ids"] == []


def test_a_deleted_category_its_tests_still_show_survives_the_round_trip(
    client, team, rich_mission, elsewhere
):
    """A category deleted while tests still point at it (restoring it brings the grouping
    back): the archive left it out, so the copy's test had no category at all. The copy now
    keeps it, deleted too, and restoring it there groups the test again."""
    base = f"{API}/{rich_mission['id']}"
    [day1] = client.get(f"{base}/categories", headers=team.lead).json
    unused = client.post(f"{base}/categories", json={"name": "Unused"}, headers=team.lead).json
    kept = client.post(f"{base}/categories", json={"name": "Day 2"}, headers=team.lead).json
    for category in (day1, unused):
        assert (
            client.delete(f"{base}/categories/{category['id']}", headers=team.lead).status_code
            == 204
        )
    original = export_zip(client, team.lead, rich_mission["id"])

    imported = upload(client, elsewhere, original)

    assert imported.status_code == 201, imported.json
    copy = f"{API}/{imported.json['id']}"
    categories = client.get(f"{copy}/categories?include_deleted=true", headers=elsewhere).json
    # The unused deleted category is not carried; Day 1 is, deleted.
    assert sorted((c["name"], c["deleted_at"] is not None) for c in categories) == [
        ("Day 1", True),
        ("Day 2", False),
    ]
    assert kept["name"] == "Day 2"
    copied_day1 = next(c for c in categories if c["name"] == "Day 1")
    tests = mission_tests_of(client, elsewhere, imported.json["id"])
    assert [t["category_id"] for t in tests] == [copied_day1["id"], copied_day1["id"], None]
    assert document_of(export_zip(client, elsewhere, imported.json["id"])) == document_of(original)
    restored = client.post(f"{copy}/categories/{copied_day1['id']}/restore", headers=elsewhere)
    assert restored.status_code == 200, restored.json
    grouped = client.get(f"{copy}/tests?category={copied_day1['id']}", headers=elsewhere).json
    assert grouped["total"] == 2


def test_a_deleted_category_named_as_a_live_one_is_written_as_the_live_one(
    client, team, rich_mission, elsewhere
):
    """Deleted "Day 1" (its tests still in it) and a live "day 1": names are compared case
    aside, so the archive cannot tell them apart; the tests keep the name, the live one's, and
    the archive still imports (not 422 "Two categories share a name")."""
    base = f"{API}/{rich_mission['id']}"
    [day1] = client.get(f"{base}/categories", headers=team.lead).json
    assert client.delete(f"{base}/categories/{day1['id']}", headers=team.lead).status_code == 204
    live = client.post(f"{base}/categories", json={"name": "day 1"}, headers=team.lead)
    assert live.status_code == 201, live.json

    imported = upload(client, elsewhere, export_zip(client, team.lead, rich_mission["id"]))

    assert imported.status_code == 201, imported.json
    copy = f"{API}/{imported.json['id']}"
    [category] = client.get(f"{copy}/categories?include_deleted=true", headers=elsewhere).json
    assert (category["name"], category["deleted_at"]) == ("day 1", None)
    tests = mission_tests_of(client, elsewhere, imported.json["id"])
    assert [t["category_id"] for t in tests] == [category["id"], category["id"], None]


def test_an_import_through_an_api_token_names_the_token_on_every_event(
    client, team, with_evidence, user_header
):
    """A CI job restoring an archive: the bulk-inserted tests and files (recorded beside their
    INSERT, not by the flush hook) name the token as the mission's creation does."""
    archive_data = export_zip(client, team.lead, with_evidence["id"])
    made = client.post(
        "/api/v1/auth/tokens",
        json={"name": "archive-restore", "permissions": ["mission.create"]},
        headers=team.lead,
    )
    assert made.status_code == 201, made.json
    pipeline = {"Authorization": f"Bearer {made.json['token']}"}

    imported = upload(client, pipeline, archive_data)

    assert imported.status_code == 201, imported.json
    recorded = client.get(
        "/api/v1/audit-events",
        query_string={"mission_id": imported.json["id"], "limit": 100},
        headers=user_header(perms=["audit.read"]),
    ).json["items"]
    actions = {event["action"] for event in recorded}
    assert {"mission.create", "mission_test.create", "evidence_file.create"} <= actions
    assert {(event["token_id"], event["token_name"]) for event in recorded} == {
        (made.json["id"], "archive-restore")
    }
