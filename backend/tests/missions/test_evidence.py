"""Evidence files on mission tests, over HTTP: what is stored, who may, and what is refused.

Blobs go to the test's own directory (`evidence_dir`), so "nothing written" is a look at it.
"""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import text

from tests.core.test_storage import free_port
from tests.missions.conftest import PNG
from violet.core.storage import LocalBlobStore, S3BlobStore

ELF = b"\x7fELF\x02\x01\x01" + bytes(300)


@pytest.fixture
def test_of(mission, add_test) -> dict:
    return add_test(mission["id"])


@pytest.fixture
def base(mission, test_of) -> str:
    return f"/api/v1/missions/{mission['id']}"


def stored_files(directory) -> list:
    return [path for path in directory.rglob("*") if path.is_file()] if directory.exists() else []


def evidence_rows(db_connection) -> int:
    return db_connection.execute(text("SELECT count(*) FROM evidence_files")).scalar_one()


def set_cap(client, admin_header, max_bytes: int) -> None:
    response = client.put(
        "/api/v1/settings/evidence_max_bytes", json={"value": max_bytes}, headers=admin_header
    )
    assert response.status_code == 200, response.json


def test_an_upload_keeps_hash_size_sniffed_type_and_the_uploaders_side(
    client, team, mission, test_of, base, upload, evidence_dir
):
    response = upload(mission["id"], test_of["id"], team.red, caption="EDR console")

    assert response.status_code == 201, response.json
    evidence = response.json
    assert evidence["filename"] == "shot.png"
    assert evidence["size"] == len(PNG)
    assert evidence["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert evidence["content_type"] == "image/png"
    assert evidence["category"] == "red" and evidence["caption"] == "EDR console"
    assert evidence["created_by"].endswith("@example.test")
    [blob] = stored_files(evidence_dir)
    assert blob.read_bytes() == PNG and "shot" not in blob.name

    listed = client.get(f"{base}/tests/{test_of['id']}/evidence", headers=team.viewer).json
    assert [item["id"] for item in listed["items"]] == [evidence["id"]]


def test_the_type_comes_from_the_bytes_not_the_name(client, team, mission, test_of, upload):
    response = upload(mission["id"], test_of["id"], team.blue, b"2026-12-01 login ok\n", "x.png")

    assert response.status_code == 201
    assert response.json["content_type"] == "text/plain"
    assert response.json["category"] == "blue"


def test_a_renamed_executable_is_415_and_nothing_is_stored(
    team, mission, test_of, upload, evidence_dir, db_connection
):
    response = upload(mission["id"], test_of["id"], team.red, ELF, "screenshot.png")

    assert response.status_code == 415
    assert response.headers["Content-Type"] == "application/problem+json"
    assert stored_files(evidence_dir) == [] and evidence_rows(db_connection) == 0


def test_an_empty_file_is_422_and_nothing_is_stored(
    team, mission, test_of, upload, evidence_dir, db_connection
):
    response = upload(mission["id"], test_of["id"], team.red, b"", "empty.log")

    assert response.status_code == 422
    assert "file" in response.json["errors"]
    assert stored_files(evidence_dir) == [] and evidence_rows(db_connection) == 0


def test_the_cap_is_the_setting_one_byte_over_is_413(
    client, admin_header, team, mission, test_of, upload, evidence_dir, db_connection
):
    set_cap(client, admin_header, 1000)
    exactly = b"a" * 1000
    over = b"a" * 1001

    assert upload(mission["id"], test_of["id"], team.red, exactly, "a.log").status_code == 201
    refused = upload(mission["id"], test_of["id"], team.red, over, "b.log")

    assert refused.status_code == 413
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert len(stored_files(evidence_dir)) == 1 and evidence_rows(db_connection) == 1


def test_an_upload_is_not_held_to_the_request_body_cap(app, team, mission, test_of, upload):
    # docs/operations.md: the upload raises MAX_CONTENT_LENGTH (1 MiB) to evidence_max_bytes for
    # itself; an operator need not raise the cap of every other request to take evidence.
    size = app.config["MAX_CONTENT_LENGTH"] * 2

    response = upload(mission["id"], test_of["id"], team.red, PNG + bytes(size), "big.png")

    assert response.status_code == 201, response.json
    assert response.json["size"] == len(PNG) + size


def test_a_body_far_over_the_cap_is_413_before_it_is_read(
    client, admin_header, team, mission, test_of, upload, evidence_dir
):
    set_cap(client, admin_header, 1000)

    response = upload(mission["id"], test_of["id"], team.red, b"a" * 200_000, "big.log")

    assert response.status_code == 413
    assert (
        response.json["detail"] == "The file is larger than the limit of 0.00095 MB (1000 bytes)."
    )
    assert stored_files(evidence_dir) == []


@pytest.mark.parametrize("size", [25 * 2**20 + 1, 25 * 2**20 + 200_000], ids=["one byte", "far"])
def test_the_413_names_the_evidence_limit_in_mb_and_bytes(
    team, mission, test_of, upload, evidence_dir, size
):
    # The default cap, 25 MB: a file one byte over is found while it is read, one far over
    # before (the request body is over the cap); both say the same.
    response = upload(mission["id"], test_of["id"], team.red, b"a" * size, "big.log")

    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["detail"] == (
        "The file is larger than the limit of 25 MB (26214400 bytes)."
    )
    assert stored_files(evidence_dir) == []


@pytest.mark.parametrize(
    "sent, kept",
    [
        ("../../x", "x"),
        ("../../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("..", "evidence"),
        ("<script>alert(1)</script>.txt", "script.txt"),
    ],
)
def test_traversal_names_are_sanitised(team, mission, test_of, upload, evidence_dir, sent, kept):
    response = upload(mission["id"], test_of["id"], team.red, b"log line\n", sent)

    assert response.status_code == 201
    assert response.json["filename"] == kept
    [blob] = stored_files(evidence_dir)
    assert blob.is_relative_to(evidence_dir)


@pytest.mark.parametrize(
    "sent, kept",
    [
        ("スクリーンショット.png", "evidence.png"),
        ("Журнал EDR.log", "EDR.log"),
        ("Capture d'écran.png", "Capture_decran.png"),
        ("李 截图.pcap", "evidence.pcap"),
    ],
)
def test_a_name_in_another_script_keeps_its_extension(
    client, team, mission, test_of, upload, base, evidence_dir, sent, kept
):
    """A name of letters outside ASCII lost them all and its dot with them: a Japanese
    screenshot was kept as "png", downloaded as a file named "png" that nothing opens."""
    response = upload(mission["id"], test_of["id"], team.red, PNG, sent)

    assert response.status_code == 201, response.json
    assert response.json["filename"] == kept
    download = client.get(f"{base}/evidence/{response.json['id']}/download", headers=team.red)
    assert f'filename="{kept}"' in download.headers["Content-Disposition"]


def test_blue_cannot_upload_red_evidence_and_viewers_upload_nothing(
    team, mission, test_of, upload, evidence_dir, db_connection
):
    as_red = upload(mission["id"], test_of["id"], team.blue, category="red")
    as_viewer = upload(mission["id"], test_of["id"], team.viewer)

    assert as_red.status_code == 403 and "category" in as_red.json["errors"]
    assert as_viewer.status_code == 403
    assert stored_files(evidence_dir) == [] and evidence_rows(db_connection) == 0


def test_two_files_or_an_unstorable_caption_are_422_and_store_nothing(
    client, team, mission, test_of, upload, evidence_dir, db_connection
):
    two_files = client.post(
        f"/api/v1/missions/{mission['id']}/tests/{test_of['id']}/evidence",
        data={"file": [(io.BytesIO(PNG), "a.png"), (io.BytesIO(PNG), "b.png")]},
        content_type="multipart/form-data",
        headers=team.red,
    )
    nul_caption = upload(mission["id"], test_of["id"], team.red, caption="a\x00b")

    assert two_files.status_code == 422 and "file" in two_files.json["errors"]
    assert nul_caption.status_code == 422 and "caption" in nul_caption.json["errors"]
    assert stored_files(evidence_dir) == [] and evidence_rows(db_connection) == 0


def test_the_lead_chooses_the_category(team, mission, test_of, upload):
    response = upload(mission["id"], test_of["id"], team.lead, category="blue")
    assert response.status_code == 201 and response.json["category"] == "blue"


def test_bad_form_fields_are_422(team, mission, test_of, upload, client, base):
    assert upload(mission["id"], test_of["id"], team.lead, category="green").status_code == 422
    no_file = client.post(
        f"{base}/tests/{test_of['id']}/evidence",
        data={"caption": "x"},
        content_type="multipart/form-data",
        headers=team.red,
    )
    assert no_file.status_code == 422
    as_json = client.post(f"{base}/tests/{test_of['id']}/evidence", json={}, headers=team.red)
    assert as_json.status_code == 422


def test_download_is_members_only_attachment_and_nosniff(
    client, team, mission, test_of, base, upload, user_header
):
    evidence = upload(mission["id"], test_of["id"], team.red, filename="../../shot.png").json
    url = f"{base}/evidence/{evidence['id']}/download"

    response = client.get(url, headers=team.viewer)

    assert response.status_code == 200
    assert response.data == PNG
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="shot.png"')
    assert client.get(url, headers=team.outsider).status_code == 404
    auditor = user_header(perms=["mission.read_all", "mission.manage_all"])
    assert client.get(url, headers=auditor).status_code == 403
    assert client.get(f"{base}/tests/{test_of['id']}/evidence", headers=auditor).status_code == 200
    assert client.get(url).status_code == 401


def test_a_file_whose_content_is_gone_from_the_local_store_is_404(
    client, team, mission, test_of, base, upload, evidence_dir
):
    # A backup restored on another host: the rows came back, the files did not.
    evidence = upload(mission["id"], test_of["id"], team.red).json
    [blob] = stored_files(evidence_dir)
    blob.unlink()

    response = client.get(f"{base}/evidence/{evidence['id']}/download", headers=team.red)

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["detail"] == "The content of this evidence file is no longer stored."


def test_soft_delete_by_the_uploader_or_the_lead(
    client, team, mission, test_of, base, upload, evidence_dir
):
    mine = upload(mission["id"], test_of["id"], team.red).json
    theirs = upload(mission["id"], test_of["id"], team.blue).json

    assert client.delete(f"{base}/evidence/{mine['id']}", headers=team.blue).status_code == 403
    assert client.delete(f"{base}/evidence/{mine['id']}", headers=team.red).status_code == 204
    assert client.delete(f"{base}/evidence/{theirs['id']}", headers=team.lead).status_code == 204

    listing = f"{base}/tests/{test_of['id']}/evidence"
    assert client.get(listing, headers=team.red).json["total"] == 0
    assert client.get(f"{base}/evidence/{mine['id']}/download", headers=team.red).status_code == 404
    with_deleted = client.get(f"{listing}?include_deleted=true", headers=team.lead).json
    assert with_deleted["total"] == 2 and all(item["deleted_at"] for item in with_deleted["items"])
    assert all(item["purged_at"] is None for item in with_deleted["items"])
    # A red or blue member sees the deleted files they may restore: their own, whoever
    # deleted them.
    for member, uploaded in ((team.red, mine), (team.blue, theirs)):
        own = client.get(f"{listing}?include_deleted=true", headers=member).json
        assert [item["id"] for item in own["items"]] == [uploaded["id"]]
    assert client.get(f"{listing}?include_deleted=true", headers=team.viewer).status_code == 403
    assert len(stored_files(evidence_dir)) == 2  # the bytes stay until the purge


def test_a_deleted_file_is_restored_by_its_uploader_or_the_lead_until_purged(
    app, client, team, mission, make_mission, test_of, base, upload
):
    mine = upload(mission["id"], test_of["id"], team.red, b"mine\n", "mine.log").json
    assert client.delete(f"{base}/evidence/{mine['id']}", headers=team.red).status_code == 204
    restore = f"{base}/evidence/{mine['id']}/restore"

    assert client.post(restore, headers=team.blue).status_code == 403
    assert client.post(restore, headers=team.outsider).status_code == 404
    answer = client.post(restore, headers=team.red)
    assert answer.status_code == 200, answer.json
    assert answer.json["id"] == mine["id"] and answer.json["deleted_at"] is None
    download = client.get(f"{base}/evidence/{mine['id']}/download", headers=team.red)
    assert download.status_code == 200 and download.data == b"mine\n"
    assert client.post(restore, headers=team.red).status_code == 200  # live: nothing to undo

    # The lead restores anyone's; once purged, nothing is left to bring back.
    assert client.delete(f"{base}/evidence/{mine['id']}", headers=team.lead).status_code == 204
    assert client.post(restore, headers=team.lead).status_code == 200
    client.delete(f"{base}/evidence/{mine['id']}", headers=team.lead)
    result = app.test_cli_runner().invoke(args=["evidence", "purge", "--days", "0"])
    assert result.exit_code == 0, result.output
    refused = client.post(restore, headers=team.lead)
    assert refused.status_code == 409
    assert "was purged" in refused.json["detail"]
    listing = client.get(f"{base}/tests/{test_of['id']}/evidence", headers=team.red).json
    assert listing["total"] == 0
    with_deleted = f"{base}/tests/{test_of['id']}/evidence?include_deleted=true"
    [purged] = client.get(with_deleted, headers=team.red).json["items"]
    assert purged["deleted_at"] and purged["purged_at"]
    other = make_mission("Another week")
    elsewhere = f"/api/v1/missions/{other['id']}/evidence/{mine['id']}/restore"
    assert client.post(elsewhere, headers=team.lead).status_code == 404


def test_purge_removes_the_blobs_of_long_deleted_files(
    app, client, team, mission, test_of, base, upload, evidence_dir, db_connection
):
    old = upload(mission["id"], test_of["id"], team.red, b"old\n", "old.log").json
    recent = upload(mission["id"], test_of["id"], team.red, b"recent\n", "recent.log").json
    kept = upload(mission["id"], test_of["id"], team.red, b"kept\n", "kept.log").json
    for evidence in (old, recent):
        client.delete(f"{base}/evidence/{evidence['id']}", headers=team.red)
    db_connection.execute(
        text("UPDATE evidence_files SET deleted_at = now() - interval '10 days' WHERE id = :id"),
        {"id": old["id"]},
    )

    result = app.test_cli_runner().invoke(args=["evidence", "purge", "--days", "7"])

    assert result.exit_code == 0, result.output
    assert "Purged 1 evidence file" in result.output
    contents = sorted(path.read_bytes() for path in stored_files(evidence_dir))
    assert contents == [b"kept\n", b"recent\n"]
    purged = db_connection.execute(
        text("SELECT id::text FROM evidence_files WHERE purged_at IS NOT NULL")
    ).scalars()
    assert list(purged) == [old["id"]]
    listing = client.get(f"{base}/tests/{test_of['id']}/evidence", headers=team.red).json
    assert [item["id"] for item in listing["items"]] == [kept["id"]]


def test_s3_unavailable_is_503_with_nothing_written(
    app, team, mission, test_of, upload, monkeypatch, db_connection
):
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with app.app_context():
        monkeypatch.setitem(app.extensions, "violet.blob_store", S3BlobStore("bucket", "ev"))

    response = upload(mission["id"], test_of["id"], team.red)

    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/problem+json"
    assert evidence_rows(db_connection) == 0


def test_a_local_store_that_cannot_be_written_is_503_with_nothing_written(
    app, team, mission, test_of, upload, monkeypatch, tmp_path, db_connection
):
    # VIOLET_DATA_DIR pointing at a regular file (or a directory Violet may not write).
    not_a_directory = tmp_path / "data"
    not_a_directory.write_text("a file, not a directory")
    monkeypatch.setitem(
        app.extensions, "violet.blob_store", LocalBlobStore(not_a_directory / "evidence")
    )

    response = upload(mission["id"], test_of["id"], team.red)

    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "evidence store is unavailable" in response.json["detail"]
    assert evidence_rows(db_connection) == 0
    assert [path.name for path in tmp_path.iterdir()] == ["data"]


def test_a_row_that_cannot_be_written_leaves_no_blob(
    team, mission, test_of, upload, evidence_dir, db_connection, monkeypatch
):
    # The store succeeds, then the INSERT breaks the category CHECK: the blob is removed too.
    monkeypatch.setattr(
        "violet.missions.service.evidence._category", lambda access, requested: "purple"
    )

    response = upload(mission["id"], test_of["id"], team.red)

    assert response.status_code == 409
    assert stored_files(evidence_dir) == [] and evidence_rows(db_connection) == 0


def test_a_deleted_tests_files_are_404_until_the_test_is_restored(
    client, team, mission, test_of, base, upload
):
    kept = upload(mission["id"], test_of["id"], team.red, b"kept\n", "kept.log").json
    undone = upload(mission["id"], test_of["id"], team.red, b"undone\n", "undone.log").json
    assert client.delete(f"{base}/evidence/{undone['id']}", headers=team.red).status_code == 204
    test_url = f"{base}/tests/{test_of['id']}"
    download = f"{base}/evidence/{kept['id']}/download"
    restore = f"{base}/evidence/{undone['id']}/restore"
    delete = f"{base}/evidence/{kept['id']}"

    assert client.delete(test_url, headers=team.lead).status_code == 204
    for caller in (team.red, team.lead):
        assert client.get(download, headers=caller).status_code == 404
        assert client.post(restore, headers=caller).status_code == 404
        assert client.delete(delete, headers=caller).status_code == 404

    assert client.post(f"{test_url}/restore", headers=team.lead).status_code == 200
    answer = client.get(download, headers=team.red)
    assert answer.status_code == 200 and answer.data == b"kept\n"
    assert client.post(restore, headers=team.red).status_code == 200
    assert client.delete(delete, headers=team.red).status_code == 204
