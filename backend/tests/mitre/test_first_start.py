"""`make run` fills an empty catalogue from MITRE_BUNDLE_FILE once (real child process, own DB)."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from tests.conftest import fresh_database_url
from tests.mitre.bundle import build_bundle, encode, technique
from violet.launcher import first_mitre_sync, prepare_instance


def catalogue(url: str) -> tuple[int, list[str]]:
    """Live techniques and the sources of every sync, read with a connection of our own."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            live = connection.execute(
                text("SELECT count(*) FROM mitre_techniques WHERE NOT deprecated AND NOT revoked")
            ).scalar_one()
            sources = connection.execute(text("SELECT source FROM mitre_syncs")).scalars().all()
    finally:
        engine.dispose()
    return live, list(sources)


def test_first_start_syncs_the_bundle_file_then_leaves_the_catalogue_alone(
    tmp_path, monkeypatch, app_session
):
    url = fresh_database_url("violet_first_start")
    first_bundle = tmp_path / "enterprise-attack.json"
    first_bundle.write_bytes(encode(build_bundle()))
    monkeypatch.setenv("VIOLET_ENV", "test")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    monkeypatch.setenv("MITRE_BUNDLE_FILE", str(first_bundle))

    first_start = prepare_instance()  # migrates and seeds the empty database
    assert first_start.mitre_catalogue_empty
    first_mitre_sync(first_start)

    assert catalogue(url) == (3, [f"file:{first_bundle}"])

    # A later start, pointed at a bundle with one more technique, changes nothing.
    later_bundle = tmp_path / "later.json"
    extra = [technique("T1999", "Later Technique", ["execution"])]
    later_bundle.write_bytes(encode(build_bundle(extra_objects=extra)))
    monkeypatch.setenv("MITRE_BUNDLE_FILE", str(later_bundle))

    later_start = prepare_instance()
    assert not later_start.mitre_catalogue_empty
    first_mitre_sync(later_start)

    assert catalogue(url) == (3, [f"file:{first_bundle}"])
