"""Invitations name the workspaces the invitee joins (none: the default workspace, as before).

Revision ID: 5e0c7b3a9d14
Revises: b1d1515f468b
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "5e0c7b3a9d14"
down_revision = "b1d1515f468b"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "invitation_workspaces",
        sa.Column("invitation_id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_invitation_workspaces_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_invitation_workspaces_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "invitation_id", "workspace_id", name=op.f("pk_invitation_workspaces")
        ),
    )


def downgrade():
    op.drop_table("invitation_workspaces")
