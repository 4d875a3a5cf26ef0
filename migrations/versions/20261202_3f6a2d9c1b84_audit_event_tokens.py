"""The API token behind an audit event: `audit_events.token_id` and `token_name` (its name then).

Null for a signed-in session's events, and for every event recorded before (which token made
them was not kept). Only token events are indexed, by token and time: what a leaked token did.

Revision ID: 3f6a2d9c1b84
Revises: 724a2efeb107
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "3f6a2d9c1b84"
down_revision = "724a2efeb107"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("audit_events", sa.Column("token_id", sa.Uuid(), nullable=True))
    op.add_column("audit_events", sa.Column("token_name", sa.String(length=100), nullable=True))
    op.create_index(
        "ix_audit_events_token_id_occurred_at",
        "audit_events",
        ["token_id", "occurred_at"],
        postgresql_where=sa.text("token_id IS NOT NULL"),
    )


def downgrade():
    op.drop_index("ix_audit_events_token_id_occurred_at", table_name="audit_events")
    op.drop_column("audit_events", "token_name")
    op.drop_column("audit_events", "token_id")
