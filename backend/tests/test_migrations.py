"""The migration history runs both ways on an empty database."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from tests.conftest import fresh_database_url, make_app


def public_tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return set(
                connection.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                ).scalars()
            )
    finally:
        engine.dispose()


def test_downgrade_to_base_then_upgrade_to_head():
    url = fresh_database_url("violet_migrations")
    app = make_app(url)
    with app.app_context():
        upgrade()
        at_head = public_tables(url)
        downgrade(revision="base")
        assert public_tables(url) <= {"alembic_version"}
        upgrade()
    assert public_tables(url) == at_head
