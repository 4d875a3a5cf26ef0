"""A revoked technique or sub-technique names the one that replaced it (`replaced_by`).

Revision ID: 7a3c9e5b2d61
Revises: 5e0c7b3a9d14
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "7a3c9e5b2d61"
down_revision = "5e0c7b3a9d14"
branch_labels = None
depends_on = None

TABLES = ("mitre_techniques", "mitre_subtechniques")


def upgrade():
    # Filled by the next sync (its bundle's revoked-by relationships).
    for table in TABLES:
        op.add_column(table, sa.Column("replaced_by", sa.String(length=32), nullable=True))


def downgrade():
    for table in TABLES:
        op.drop_column(table, "replaced_by")
