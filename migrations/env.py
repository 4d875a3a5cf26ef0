"""Alembic environment: runs inside the Flask app, using its engine and model metadata."""

import logging

from alembic import context
from flask import current_app
from sqlalchemy import text

log = logging.getLogger("alembic.env")
config = context.config
target_db = current_app.extensions["migrate"].db
# Replicas that start together all run `db upgrade`: a transaction-level advisory lock makes the
# others wait, then read the version the first one committed and find nothing left to do.
MIGRATION_LOCK_KEY = int.from_bytes(b"vioMIGRA", "big")


def process_revision_directives(context, revision, directives):
    # `flask db migrate` with no model change writes no empty revision.
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in schema detected.")


def run_migrations_offline():
    context.configure(
        url=target_db.engine.url.render_as_string(hide_password=False),
        target_metadata=target_db.metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    configure_args = dict(current_app.extensions["migrate"].configure_args)
    configure_args.setdefault("process_revision_directives", process_revision_directives)
    configure_args.setdefault("compare_type", True)
    with target_db.engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_db.metadata, **configure_args
        )
        with context.begin_transaction():
            lock = text("SELECT pg_advisory_xact_lock(:key)")
            connection.execute(lock, {"key": MIGRATION_LOCK_KEY})
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
