"""Deleted test templates by source id: what a library import matches them by.

A re-import leaves a template deleted in Violet deleted (it used to create it again). The import
reads live and deleted templates by (source, source_ref) in one statement; the unique index
serves the live ones only (it is partial), so without this one that read scanned the whole
table, every workspace's templates, on each file imported. Only deleted rows: small, and written
only when a template is deleted or restored.

Revision ID: 54b9817f87d8
Revises: 3f6a2d9c1b84
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "54b9817f87d8"
down_revision = "3f6a2d9c1b84"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_test_templates_deleted_source_ref",
        "test_templates",
        ["workspace_id", "source", "source_ref"],
        postgresql_where=sa.text("deleted_at IS NOT NULL AND source_ref IS NOT NULL"),
    )


def downgrade():
    op.drop_index("ix_test_templates_deleted_source_ref", table_name="test_templates")
