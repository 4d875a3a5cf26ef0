"""`flask backup create` then `flask backup restore` moves an instance into an empty database."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from tests.conftest import fresh_database_url, make_app
from tests.mitre.bundle import LIVE_COUNTS, build_bundle, encode

ADMIN = {"email": "admin@backup.test", "password": "backup admin password"}


def instance(database: str) -> Flask:
    return make_app(
        fresh_database_url(database),
        ADMIN_EMAIL=ADMIN["email"],
        ADMIN_PASSWORD=ADMIN["password"],
    )


def flask_command(app: Flask, *arguments: str) -> tuple[int, str]:
    """`flask <arguments>` on `app` (its own context: the test session's app is current)."""
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(arguments))
    return result.exit_code, result.output


def every_row(app: Flask) -> dict[str, list[str]]:
    """Each table's rows as sorted text, and the schema revision: what a restore must reproduce."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.connect() as connection:
            tables = connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
            return {
                table: sorted(
                    connection.execute(text(f'SELECT t::text FROM "{table}" t')).scalars()
                )
                for table in tables
            }
    finally:
        engine.dispose()


def fill(app: Flask) -> str:
    """Seed, then use the instance through its API: users, a token, a synced catalogue.

    Returns the API token, to be used on the restored instance. Requests run outside any app
    context, so each one ends its own session, as in production.
    """
    with app.app_context():
        upgrade()
    assert flask_command(app, "seed")[0] == 0
    client = app.test_client()
    login = client.post("/api/v1/auth/login", json=ADMIN)
    headers = {"Authorization": f"Bearer {login.get_json()['access_token']}"}
    created = client.post(
        "/api/v1/users",
        json={"email": "analyst@backup.test", "password": "analyst password 1"},
        headers=headers,
    )
    assert created.status_code == 201, created.get_json()
    token = client.post(
        "/api/v1/auth/tokens",
        json={"name": "CI", "expires_in_days": 30, "permissions": ["user.read"]},
        headers=headers,
    )
    assert token.status_code == 201, token.get_json()
    bundle = (io.BytesIO(encode(build_bundle())), "enterprise.json")
    synced = client.post(
        "/api/v1/mitre/sync",
        data={"file": bundle, "allow_unverified": "true"},
        headers=headers,
    )
    assert synced.status_code == 200, synced.get_json()
    return token.get_json()["token"]


@pytest.fixture
def archive(tmp_path: Path, app_session) -> Path:
    return tmp_path / "violet-backup.tar.gz"


def test_a_backup_restores_every_row_into_an_empty_database(archive):
    source = instance("violet_backup_source")
    api_token = fill(source)
    code, output = flask_command(source, "backup", "create", str(archive))
    assert code == 0, output
    assert "Backed up" in output

    target = instance("violet_backup_target")  # a new, empty database
    code, output = flask_command(target, "backup", "restore", str(archive))
    assert code == 0, output

    assert every_row(target) == every_row(source)
    client = target.test_client()
    assert client.post("/api/v1/auth/login", json=ADMIN).status_code == 200
    status = client.get("/api/v1/mitre/status", headers={"Authorization": f"Bearer {api_token}"})
    assert status.status_code == 200, status.get_json()
    assert status.get_json()["counts"] == LIVE_COUNTS


def test_restore_refuses_a_database_in_use_and_changes_nothing(archive):
    source = instance("violet_backup_source")
    fill(source)
    assert flask_command(source, "backup", "create", str(archive))[0] == 0
    before = every_row(source)
    code, output = flask_command(source, "backup", "restore", str(archive))
    assert code == 1
    assert "already holds users" in output
    assert every_row(source) == before


def test_restore_refuses_a_file_that_is_not_a_backup(archive):
    with tarfile.open(archive, "w:gz") as bogus:
        bogus.addfile(tarfile.TarInfo("notes.txt"), io.BytesIO(b""))
    code, output = flask_command(
        instance("violet_backup_target"), "backup", "restore", str(archive)
    )
    assert code == 1
    assert "manifest.json is missing" in output


def test_an_archive_path_that_cannot_be_written_is_a_clear_error(tmp_path, app):
    missing_directory = tmp_path / "no-such-directory" / "violet.tar.gz"
    not_a_directory = tmp_path / "a-file"
    not_a_directory.write_text("")

    for path in (missing_directory, not_a_directory / "violet.tar.gz"):
        code, output = flask_command(app, "backup", "create", str(path))
        assert code == 1, output
        assert output.startswith(f"Error: Cannot write the archive {path}: "), output
        assert "Traceback" not in output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a-file"]
