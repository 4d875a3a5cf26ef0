"""The audit trail: `audit_events` (core/audit.py; the `audit.read` code exists since the auth
migration).

Revision ID: b4e1d7c2a905
Revises: 7a3c9e5b2d61
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "b4e1d7c2a905"
down_revision = "7a3c9e5b2d61"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "occurred_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_email", sa.String(length=320), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.Uuid(), nullable=True),
        sa.Column("object_label", sa.String(length=300), nullable=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=True),
        sa.Column("mission_id", sa.Uuid(), nullable=True),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("ip_address", sa.String(length=64), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index("ix_audit_events_occurred_at", "audit_events", ["occurred_at"])
    op.create_index(
        "ix_audit_events_workspace_id_occurred_at", "audit_events", ["workspace_id", "occurred_at"]
    )
    op.create_index(
        "ix_audit_events_actor_id_occurred_at", "audit_events", ["actor_id", "occurred_at"]
    )
    op.create_index("ix_audit_events_object_id", "audit_events", ["object_id"])
    op.create_index(
        "ix_audit_events_mission_id_occurred_at", "audit_events", ["mission_id", "occurred_at"]
    )


def downgrade():
    op.drop_table("audit_events")
