"""A revoked threat group names the group that replaced it (`mitre_groups.replaced_by`).

Revision ID: 50cc7d82ee0e
Revises: b4e1d7c2a905
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "50cc7d82ee0e"
down_revision = "b4e1d7c2a905"
branch_labels = None
depends_on = None


def upgrade():
    # Filled by the next sync (its bundle's revoked-by relationships between intrusion-sets).
    op.add_column("mitre_groups", sa.Column("replaced_by", sa.String(length=32), nullable=True))


def downgrade():
    op.drop_column("mitre_groups", "replaced_by")
