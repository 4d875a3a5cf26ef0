"""Row versions on users and groups: ETag on reads, If-Match on writes (412 when stale).

Revision ID: 5782cd3cf7af
Revises: 6d4e2f8a1b93
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "5782cd3cf7af"
down_revision = "6d4e2f8a1b93"
branch_labels = None
depends_on = None

TABLES = ("users", "groups")


def upgrade():
    for table in TABLES:
        op.add_column(
            table, sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )


def downgrade():
    for table in TABLES:
        op.drop_column(table, "version")
