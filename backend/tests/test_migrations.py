"""The migration history runs both ways on an empty database, and ends where the models are."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from tests.conftest import fresh_database_url, make_app
from violet.extensions import db


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


def test_the_migrations_build_what_the_models_declare():
    """A model changed without its migration (a column, a type, an index, a constraint, a foreign
    key) is what `flask db migrate` would find: the difference must be empty."""
    url = fresh_database_url("violet_migration_drift")
    app = make_app(url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
    assert differences == []
