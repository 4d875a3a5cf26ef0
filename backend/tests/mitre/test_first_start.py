"""`make run` fills an empty catalogue from MITRE_BUNDLE_FILE (a real child process, own DB)."""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from tests.conftest import fresh_database_url, make_app
from tests.mitre.bundle import build_bundle, encode
from violet.launcher import FirstStart, first_mitre_sync


def test_first_start_syncs_from_the_bundle_file(tmp_path, monkeypatch):
    url = fresh_database_url("violet_first_start")
    with make_app(url).app_context():
        upgrade()
    bundle = tmp_path / "enterprise-attack.json"
    bundle.write_bytes(encode(build_bundle()))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")

    first_mitre_sync(FirstStart(mitre_catalogue_empty=True, mitre_bundle_file=str(bundle)))

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            live = connection.execute(
                text("SELECT count(*) FROM mitre_techniques WHERE NOT deprecated AND NOT revoked")
            ).scalar_one()
            source = connection.execute(text("SELECT source FROM mitre_syncs")).scalar_one()
    finally:
        engine.dispose()
    assert live == 3
    assert source == f"file:{bundle}"


def test_a_catalogue_with_data_is_left_alone(monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("no sync expected")

    monkeypatch.setattr("violet.launcher.subprocess.run", must_not_run)
    first_mitre_sync(FirstStart(mitre_catalogue_empty=False, mitre_bundle_file="x.json"))
